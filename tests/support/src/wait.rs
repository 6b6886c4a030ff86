//! Waiting with a deadline: poll a check until it passes, and on timeout say what
//! was awaited, for how long, and why the last attempt failed.

use std::future::Future;
use std::time::{Duration, Instant};

/// How long to sleep between attempts unless told otherwise.
pub const POLL: Duration = Duration::from_millis(200);

/// A point in time after which waiting stops.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    start: Instant,
    timeout: Duration,
}

impl Deadline {
    /// `timeout` from now.
    pub fn after(timeout: Duration) -> Self {
        Self {
            start: Instant::now(),
            timeout,
        }
    }

    /// Whether the deadline has passed.
    pub fn expired(&self) -> bool {
        self.start.elapsed() >= self.timeout
    }

    /// Time since the deadline was set.
    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// The timeout it was set with.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
}

/// A check that did not pass before its deadline.
#[derive(Debug, Clone, thiserror::Error)]
#[error("timed out after {timeout:?} waiting for {what}; last attempt: {last}")]
pub struct TimedOut {
    /// What was awaited.
    pub what: String,
    /// The timeout.
    pub timeout: Duration,
    /// Why the last attempt failed.
    pub last: String,
}

/// Calls `check` every `interval` until it returns `Ok`; `Err(reason)` means not yet.
pub fn poll<T>(
    what: &str,
    timeout: Duration,
    interval: Duration,
    mut check: impl FnMut() -> Result<T, String>,
) -> Result<T, TimedOut> {
    let deadline = Deadline::after(timeout);
    loop {
        let last = match check() {
            Ok(v) => return Ok(v),
            Err(reason) => reason,
        };
        if deadline.expired() {
            return Err(timed_out(what, timeout, last));
        }
        std::thread::sleep(interval);
    }
}

/// [`poll`] for async checks, sleeping on the tokio timer.
pub async fn poll_async<T, F, Fut>(
    what: &str,
    timeout: Duration,
    interval: Duration,
    mut check: F,
) -> Result<T, TimedOut>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = Deadline::after(timeout);
    loop {
        let last = match check().await {
            Ok(v) => return Ok(v),
            Err(reason) => reason,
        };
        if deadline.expired() {
            return Err(timed_out(what, timeout, last));
        }
        tokio::time::sleep(interval).await;
    }
}

/// Polls the async `check` every [`POLL`] until it yields `Some`; panics on timeout.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let attempt = || {
        let fut = check();
        async move { fut.await.ok_or_else(|| "not yet".to_string()) }
    };
    poll_async(what, timeout, POLL, attempt)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn timed_out(what: &str, timeout: Duration, last: String) -> TimedOut {
    TimedOut {
        what: what.to_string(),
        timeout,
        last,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn returns_the_value_once_the_check_passes() {
        let mut n = 0;
        let v = poll("the third try", Duration::from_secs(5), MS, || {
            n += 1;
            if n == 3 {
                Ok(n)
            } else {
                Err(format!("try {n}"))
            }
        });
        assert_eq!(v.unwrap(), 3);
    }

    #[test]
    fn a_timeout_names_what_was_awaited_and_the_last_reason() {
        let started = Instant::now();
        let err = poll::<()>("the moon", 50 * MS, 5 * MS, || Err("still dark".into()))
            .unwrap_err()
            .to_string();
        assert!(started.elapsed() >= 50 * MS);
        assert!(
            err.contains("the moon") && err.contains("still dark"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn the_async_poll_waits_on_the_timer() {
        let mut n = 0;
        let v = poll_async("two tries", Duration::from_secs(5), MS, || {
            n += 1;
            let n = n;
            async move { if n == 2 { Ok("done") } else { Err("no".into()) } }
        })
        .await;
        assert_eq!(v.unwrap(), "done");
        let err = poll_async::<(), _, _>("never", 20 * MS, MS, || async { Err("nope".into()) })
            .await
            .unwrap_err();
        assert_eq!(err.what, "never");
    }

    #[tokio::test]
    #[should_panic(expected = "timed out after 20ms waiting for nothing")]
    async fn eventually_panics_on_timeout() {
        eventually::<(), _, _>("nothing", 20 * MS, || async { None }).await;
    }

    #[test]
    fn a_deadline_expires() {
        let d = Deadline::after(10 * MS);
        assert!(!d.expired());
        std::thread::sleep(15 * MS);
        assert!(d.expired() && d.elapsed() >= d.timeout());
    }
}
