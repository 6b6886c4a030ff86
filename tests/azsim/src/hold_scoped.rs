//! Holding a call before it takes effect, or after it took effect with only its
//! answer waiting, optionally only for calls on one path (so that tests running
//! side by side, each in its own resource groups, hold only their own calls).
//!
//! `Faults::hold_before` and `Faults::hold_after` name the calls (`<op>` or
//! `<op>@<path part>`, see [`scoped_match`]). The first call that matches takes
//! the entry and waits. A call held before its effect is then released (it goes
//! on, also when its client has gone meanwhile: Azure carries out what it has
//! received) or abandoned (it never takes effect, as if it had been lost on the
//! way). A call held after its effect only waits for its release.
//!
//! Held calls are counted under `before:<entry>` and `after:<entry>` in the same
//! table as [`Faults::hold`](crate::Faults)'s (`GET /_azsim/held`).

use std::time::{Duration, Instant};

use crate::faults::scoped_match;
use crate::harness::Harness;
use crate::state::Sim;

/// How often a held call looks for its release.
const POLL: Duration = Duration::from_millis(20);

/// The key a call held before its effect is counted and released under.
pub fn before_key(entry: &str) -> String {
    format!("before:{entry}")
}

/// The key a call held after its effect is counted and released under.
pub fn after_key(entry: &str) -> String {
    format!("after:{entry}")
}

fn abandon_key(entry: &str) -> String {
    format!("abandon:{entry}")
}

/// A call held before its effect: the entry it took, and the releases and
/// abandons of that entry already counted when it took it.
pub struct HeldBefore {
    entry: String,
    go: u64,
    drop: u64,
}

/// Counts a call as held while it lives (also when its task is dropped mid-wait).
struct Counted<'a> {
    sim: &'a Sim,
    key: String,
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        let mut g = self.sim.lock();
        if let Some(n) = g.held.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                g.held.remove(&self.key);
            }
        }
    }
}

impl Sim {
    /// Takes a `hold_before` entry matching this call, counting the call as held;
    /// the caller then waits with [`Sim::wait_before`].
    pub fn take_hold_before(&self, op: &str, path: &str) -> Option<HeldBefore> {
        let mut g = self.lock();
        let entry = scoped_match(&g.faults.hold_before, op, path)?;
        g.faults.hold_before.remove(&entry);
        *g.held.entry(before_key(&entry)).or_default() += 1;
        // The releases seen so far are counted now, with the hold taken: a
        // release that comes before the call starts waiting (its task not yet
        // run on a busy machine) must still let it go.
        let count = |k: &str| g.releases.get(k).copied().unwrap_or(0);
        let (go, drop) = (count(&before_key(&entry)), count(&abandon_key(&entry)));
        Some(HeldBefore { entry, go, drop })
    }

    /// Waits until the call that took `held` is released (true) or abandoned (false).
    pub async fn wait_before(&self, held: &HeldBefore) -> bool {
        let entry = &held.entry;
        let count = |k: &str| self.lock().releases.get(k).copied().unwrap_or(0);
        let _held = Counted {
            sim: self,
            key: before_key(entry),
        };
        loop {
            if count(&before_key(entry)) > held.go {
                return true;
            }
            if count(&abandon_key(entry)) > held.drop {
                return false;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Holds this call's answer if a `hold_after` entry matches it.
    pub async fn hold_after_point(&self, op: &str, path: &str) {
        let (key, seen) = {
            let mut g = self.lock();
            let Some(entry) = scoped_match(&g.faults.hold_after, op, path) else {
                return;
            };
            g.faults.hold_after.remove(&entry);
            let key = after_key(&entry);
            *g.held.entry(key.clone()).or_default() += 1;
            let seen = g.releases.get(&key).copied().unwrap_or(0);
            (key, seen)
        };
        let _held = Counted {
            sim: self,
            key: key.clone(),
        };
        while self.lock().releases.get(&key).copied().unwrap_or(0) <= seen {
            tokio::time::sleep(POLL).await;
        }
    }

    /// Counts one release of `key`; calls waiting on it go on.
    fn release_key(&self, key: &str) {
        *self.lock().releases.entry(key.to_string()).or_default() += 1;
    }
}

impl Harness {
    /// Holds the next call matching `entry` before it takes effect (see the module docs).
    pub fn hold_before(&self, entry: &str) {
        self.update_faults(|f| {
            f.hold_before.insert(entry.to_string());
        });
    }

    /// Holds the answer of the next call matching `entry`, after it took effect.
    pub fn hold_after(&self, entry: &str) {
        self.update_faults(|f| {
            f.hold_after.insert(entry.to_string());
        });
    }

    /// Waits until a call is held under `key` ([`before_key`], [`after_key`]); false
    /// after `timeout`.
    pub fn held_within(&self, key: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.server.sim.held(key) == 0 {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(POLL);
        }
        true
    }

    /// Lets the call held before its effect under `entry` go on (and drops the
    /// entry if no call took it).
    pub fn release_before(&self, entry: &str) {
        self.update_faults(|f| {
            f.hold_before.remove(entry);
        });
        self.server.sim.release_key(&before_key(entry));
    }

    /// The call held before its effect under `entry` never takes effect.
    pub fn abandon_before(&self, entry: &str) {
        self.update_faults(|f| {
            f.hold_before.remove(entry);
        });
        self.server.sim.release_key(&abandon_key(entry));
    }

    /// Lets the answer held under `entry` go (and drops the entry if no call took it).
    pub fn release_after(&self, entry: &str) {
        self.update_faults(|f| {
            f.hold_after.remove(entry);
        });
        self.server.sim.release_key(&after_key(entry));
    }
}
