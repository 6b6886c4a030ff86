//! The one backoff for a write Azure refused because another write on the
//! same identity was in flight (it refuses concurrent federated-credential
//! writes on one identity): 0.5 s, doubling up to 8 s, six times.

use std::time::Duration;

/// The error code of a write refused for one in flight on the same identity.
pub const CONCURRENT_WRITES: &str =
    "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity";

/// How many times a refused write is tried again.
pub const RETRIES: u32 = 6;

const FIRST: Duration = Duration::from_millis(500);
const LONGEST: Duration = Duration::from_secs(8);

/// Where a run of retries stands.
#[derive(Debug, Clone)]
pub struct Backoff {
    delay: Duration,
    tried: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            delay: FIRST,
            tried: 0,
        }
    }
}

impl Backoff {
    /// Whether another try is left.
    pub fn left(&self) -> bool {
        self.tried < RETRIES
    }

    /// How long the next wait is.
    pub fn delay(&self) -> Duration {
        self.delay
    }

    /// Waits before the next try, and makes the one after longer.
    pub fn wait(&mut self) {
        std::thread::sleep(self.delay);
        self.advance();
    }

    fn advance(&mut self) {
        self.tried += 1;
        self.delay = (self.delay * 2).min(LONGEST);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_tries_doubling_to_eight_seconds() {
        let mut b = Backoff::default();
        let mut delays = Vec::new();
        while b.left() {
            delays.push(b.delay().as_millis());
            b.advance();
        }
        assert_eq!(delays, [500, 1000, 2000, 4000, 8000, 8000]);
    }
}
