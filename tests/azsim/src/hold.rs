//! Holding an operation's answer until a test releases it, so that tests order
//! concurrent calls by what the simulator has seen rather than by the clock.
//!
//! `Faults::hold` names the operations to hold. The first call of a held operation
//! that reaches a hold point takes the hold, counts itself as held and waits for the
//! next release of that operation. Handlers with an in-flight window (a federated
//! credential write keeping its identity busy) hold inside it; every other call is
//! held after its effect is stored and logged, before its answer is sent.

use std::time::Duration;

use crate::state::Sim;

/// How often a held call looks for its release.
const POLL: Duration = Duration::from_millis(20);

/// Counts a call as held while it lives; the count drops even when the client goes
/// away and the handler is dropped mid-wait.
struct Held<'a> {
    sim: &'a Sim,
    op: String,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let mut g = self.sim.lock();
        if let Some(n) = g.held.get_mut(&self.op) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                g.held.remove(&self.op);
            }
        }
    }
}

impl Sim {
    /// Holds this call if a hold is set for `op`: waits until the operation is released.
    pub async fn hold_point(&self, op: &str) {
        let seen = {
            let mut g = self.lock();
            if !g.faults.hold.remove(op) {
                return;
            }
            *g.held.entry(op.to_string()).or_default() += 1;
            g.releases.get(op).copied().unwrap_or(0)
        };
        let _held = Held {
            sim: self,
            op: op.to_string(),
        };
        while self.lock().releases.get(op).copied().unwrap_or(0) <= seen {
            tokio::time::sleep(POLL).await;
        }
    }

    /// Number of calls of `op` held right now.
    pub fn held(&self, op: &str) -> usize {
        self.lock().held.get(op).copied().unwrap_or(0)
    }

    /// Shows the resource `id` in `state` (`Stopping`, `Canceling`, `Deleting`, ...)
    /// until cleared with `None`; false when there is no such resource.
    pub fn force_state(&self, id: &str, state: Option<&str>) -> bool {
        let mut g = self.lock();
        match g.resources.get_mut(&id.to_ascii_lowercase()) {
            Some(r) => {
                r.forced_state = state.map(String::from);
                true
            }
            None => false,
        }
    }

    /// Lets every call of `op` held right now answer, and drops a hold not yet taken.
    pub fn release(&self, op: &str) {
        let mut g = self.lock();
        g.faults.hold.remove(op);
        *g.releases.entry(op.to_string()).or_default() += 1;
    }
}
