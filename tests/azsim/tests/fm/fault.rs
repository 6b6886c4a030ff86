//! The Azure faults of the matrix, each met by an uninterrupted `up` in the
//! case's own groups: injected answers scoped to the case's paths, and Tenant
//! B's group still being deleted when `up` starts.

use std::time::{Duration, Instant};

use azsim::ErrorRule;

use super::case::{Case, REACH, tail};
use super::{Fault, check};

impl Case<'_> {
    /// Meets `up` with the fault; the request mark from which its writes count.
    pub(super) fn fault(&mut self, f: Fault) -> Result<usize, String> {
        let (a, b) = (self.scope(true), self.scope(false));
        let (op, rule, want) = match f {
            Fault::GroupDeleting => return self.group_being_deleted(),
            Fault::Unavailable => return self.unavailable_until_lifted(),
            Fault::BusyCluster => (
                "managedClusters.put",
                ErrorRule::new("managedClusters.put", 409, 1).answer(
                    "OperationNotAllowed",
                    "Operation is not allowed because there's an in progress create managed cluster operation on the managed cluster. Please wait for it to finish.",
                ).at(&a),
                vec![409],
            ),
            Fault::ConcurrentCredential => (
                "federatedIdentityCredentials.put",
                ErrorRule::new("federatedIdentityCredentials.put", 409, 2).answer(
                    "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity",
                    "Too many Federated Identity Credentials are written concurrently for the managed identity. Concurrent Federated Identity Credentials writes under the same managed identity are not supported.",
                ).at(&b),
                vec![409, 409],
            ),
            Fault::PrincipalNotFound => (
                "roleAssignments.put",
                ErrorRule::new("roleAssignments.put", 400, 2).answer(
                    "PrincipalNotFound",
                    "Principal does not exist in the directory. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay.",
                ).at(&b),
                vec![400, 400],
            ),
            Fault::Throttled => (
                "queues.put",
                ErrorRule::new("queues.put", 429, 2).retry_after(1).at(&b),
                vec![429, 429],
            ),
            Fault::ServerError => (
                "userAssignedIdentities.put",
                ErrorRule::new("userAssignedIdentities.put", 500, 1).at(&b),
                vec![500],
            ),
        };
        self.h.update_faults(|fs| fs.errors.push(rule));
        let from = self.h.mark();
        self.ok(&["up"])?;
        let scope = if op == "managedClusters.put" { a } else { b };
        let got = check::statuses(self, op, &scope, from);
        let (met, then) = got.split_at(got.len().saturating_sub(1));
        if met != want || then.first().is_none_or(|s| *s >= 300) {
            self.failures.push(format!(
                "{op}: answered {got:?}, expected {want:?} then success"
            ));
        }
        Ok(from)
    }

    /// The namespace PUT answered 503 ServiceUnavailable, with `Retry-After: 1`,
    /// to every try: az gives up after its own retries (ten, by azure-core's
    /// `RetryPolicy`), so `up` must exit 3 with the namespace's ownership
    /// record `intended`. Once Azure answers again, a further `up` converges;
    /// the writes of both count. ARM answers a 5xx with the common error body
    /// (`{"error": {"code", "message"}}`, code `ServiceUnavailable` for 503)
    /// and may send `Retry-After` (Azure Resource Manager resource provider
    /// contract, "Error response content" and "Asynchronous operations"; the
    /// simulator's `injected` error builds that body).
    fn unavailable_until_lifted(&mut self) -> Result<usize, String> {
        let b = self.scope(false);
        let rule = ErrorRule::new("namespaces.put", 503, 1_000)
            .retry_after(1)
            .at(&b);
        self.h.update_faults(|fs| fs.errors.push(rule.clone()));
        let from = self.h.mark();
        let out = self.cmd(&["up"]).run().map_err(|e| e.to_string());
        self.h
            .update_faults(|fs| fs.errors.retain(|r| r.path != rule.path || r.op != rule.op));
        let out = out?;
        if out.status.code() != Some(3) {
            self.failures.push(format!(
                "up met with a lasting 503 exited {}, expected 3 (an operation failed): {}",
                out.status,
                tail(&out)
            ));
        }
        let tries = check::statuses(self, "namespaces.put", &b, from);
        if tries.len() < 2 || tries.iter().any(|s| *s != 503) {
            self.failures.push(format!(
                "the namespace PUT answered {tries:?}, expected 503 to each of az's tries"
            ));
        }
        let owned = self.profile()["owned"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let record: Vec<_> = owned
            .iter()
            .filter(|o| o["kind"] == "serviceBusNamespace")
            .collect();
        if record.len() != 1 || record[0]["state"] != "intended" {
            self.failures.push(format!(
                "after the failed up the profile's namespace record is {record:?}, not one intended"
            ));
        }
        self.ok(&["up"])?;
        Ok(from)
    }

    /// A full `up`, `cleanup --no-wait` (Tenant B's group then stays `Deleting`),
    /// `up`: once it has read the group twice (it is waiting), Azure finishes the
    /// deletion, and `up` must make the group again and converge.
    fn group_being_deleted(&mut self) -> Result<usize, String> {
        self.ok(&["up"])?;
        let b = self.scope(false);
        let slow = format!("resourceGroups.delete@{b}");
        self.h.update_faults(|f| {
            f.lro_ms.insert(slow.clone(), 3_600_000);
        });
        let cleaned = self.ok(&["cleanup", "--yes", "--no-wait"]);
        self.h.update_faults(|f| {
            f.lro_ms.remove(&slow);
        });
        cleaned?;
        let from = self.h.mark();
        let up = self.cmd(&["up"]).start().map_err(|e| e.to_string())?;
        let deadline = Instant::now() + REACH;
        while check::statuses(self, "resourceGroups.get", &b, from).len() < 2 {
            if up.try_wait().map_err(|e| e.to_string())?.is_some() || Instant::now() >= deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        self.finish_deletions(&self.groups[1].clone());
        let out = up.wait().map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!(
                "up after cleanup --no-wait failed ({}): {}",
                out.status,
                tail(out)
            ));
        }
        let gets = check::statuses(self, "resourceGroups.get", &b, from);
        if gets.first() != Some(&200) || !gets.contains(&404) {
            self.failures.push(format!(
                "up did not meet Tenant B's group being deleted, then gone: its reads answered {gets:?}"
            ));
        }
        Ok(from)
    }

    /// Azure finishes deleting `group` (and what is in it) now.
    fn finish_deletions(&self, group: &str) {
        let sub = &self.h.tenant_b().subscriptions[0].id;
        let id = format!("/subscriptions/{sub}/resourcegroups/{group}").to_ascii_lowercase();
        let now = Instant::now();
        let mut g = self.h.server.sim.lock();
        for (k, r) in &mut g.resources {
            if (*k == id || k.starts_with(&format!("{id}/"))) && r.delete_at.is_some() {
                r.delete_at = Some(now);
            }
        }
    }
}
