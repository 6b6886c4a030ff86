//! Injected faults and latencies, keyed by operation name (`<kind>.<method>`, e.g. `managedClusters.put`).
//!
//! Operation names: the ARM resource kind as it appears in the path
//! (`resourceGroups`, `managedClusters`, `userAssignedIdentities`,
//! `federatedIdentityCredentials`, `namespaces`, `queues`, `roleDefinitions`,
//! `roleAssignments`, `subscriptions`, `tenants`) followed by the lower-case
//! HTTP method; actions are `<kind>.<action>` (e.g.
//! `managedClusters.listClusterUserCredential`); Entra's token endpoint is `token`.
//! A rule's `op` may also be `*`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// Answer the next `count` calls of `op` with an error status instead of the real answer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ErrorRule {
    /// Operation name, or `*`.
    pub op: String,
    /// HTTP status to answer (429, 500, 503, ...).
    pub status: u16,
    /// How many calls to fail; decremented on each.
    pub count: u32,
    /// `Retry-After` header value in seconds, if any.
    #[serde(default)]
    pub retry_after_secs: Option<u64>,
    /// ARM error code to answer instead of the status's generic one
    /// (e.g. `PrincipalNotFound` with 400).
    #[serde(default)]
    pub code: Option<String>,
    /// Error message to answer instead of the generic one.
    #[serde(default)]
    pub message: Option<String>,
    /// Only calls whose path contains this (case-insensitive), e.g. one test's
    /// resource group: `/resourceGroups/rg-one/`. `None`: every call of `op`.
    #[serde(default)]
    pub path: Option<String>,
}

impl ErrorRule {
    /// Fail the next `count` calls of `op` with `status`.
    pub fn new(op: &str, status: u16, count: u32) -> Self {
        ErrorRule {
            op: op.to_string(),
            status,
            count,
            retry_after_secs: None,
            code: None,
            message: None,
            path: None,
        }
    }

    /// Only for calls whose path contains `part` (case-insensitive).
    #[must_use]
    pub fn at(mut self, part: &str) -> Self {
        self.path = Some(part.to_string());
        self
    }

    /// With a `Retry-After` header.
    #[must_use]
    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }

    /// With this ARM error code and message.
    #[must_use]
    pub fn answer(mut self, code: &str, message: &str) -> Self {
        self.code = Some(code.to_string());
        self.message = Some(message.to_string());
        self
    }
}

/// End the next `count` long-running operations of `op` as `Failed` or `Canceled`
/// instead of `Succeeded`, with this error in the operation's status document.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LroFailure {
    /// Operation name (`managedClusters.put`), or `*`.
    pub op: String,
    /// Final status: `Failed` or `Canceled`.
    #[serde(default = "failed")]
    pub status: String,
    /// ARM error code in the status document.
    #[serde(default = "internal")]
    pub code: String,
    /// Error message in the status document.
    #[serde(default = "message")]
    pub message: String,
    /// How many operations to end this way; decremented on each.
    #[serde(default = "one")]
    pub count: u32,
}

fn failed() -> String {
    "Failed".into()
}
fn internal() -> String {
    "InternalOperationError".into()
}
fn message() -> String {
    "Injected by azsim: the operation did not complete.".into()
}
fn one() -> u32 {
    1
}

/// All fault and latency settings. Every field has a default, so a partial JSON works.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Faults {
    /// Error answers to inject.
    pub errors: Vec<ErrorRule>,
    /// Delay before answering, in milliseconds, per operation.
    pub delay_ms: BTreeMap<String, u64>,
    /// How long a long-running operation stays `InProgress`, in milliseconds, per operation
    /// (`<op>`, or `<op>@<path part>` for the calls on one path, see [`Faults::lro_at`]).
    pub lro_ms: BTreeMap<String, u64>,
    /// A new managed identity's principal is unknown to role assignments for this long.
    pub principal_not_found_secs: u64,
    /// A new federated credential is not honoured by the token endpoint for this long
    /// (AADSTS70021 meanwhile).
    pub fic_propagation_secs: u64,
    /// `Retry-After` sent with long-running operations, in whole seconds (the SDKs parse it as an integer; 0 makes them wait 30 s).
    pub poll_interval_secs: u64,
    /// `Retry-After` sent with a template deployment's `PUT` and status while it
    /// runs. `None` (the default) sends none, as ARM does (see
    /// resource/test_resource_group_deployment.yaml in the recordings: `PUT
    /// …/deployments/{name}` → 201 with `Azure-AsyncOperation` and no
    /// `Retry-After`), so az polls at its SDK's default of 30 s; `Some(1)`
    /// makes az poll every second, for tests that time nothing.
    pub deployment_retry_after_secs: Option<u64>,
    /// How long a federated credential write keeps its identity busy; a concurrent
    /// write to the same identity is refused meanwhile.
    pub fic_write_ms: u64,
    /// Long-running operations that end `Failed` or `Canceled`.
    pub lro_failures: Vec<LroFailure>,
    /// Operations whose next call is held: it takes effect but its answer waits until
    /// released ([`Harness::release`](crate::Harness::release), `POST /_azsim/release/<op>`).
    /// Taken by the first call that reaches it.
    pub hold: BTreeSet<String>,
    /// Calls held as soon as they are received, before they take effect; released
    /// they go on even when their client has gone meanwhile, abandoned they never
    /// take effect. Entries are `<op>` or `<op>@<path part>` (see [`scoped_match`]).
    pub hold_before: BTreeSet<String>,
    /// Calls held after they took effect and were logged, only their answer waiting
    /// (a federated credential write included, unlike [`Faults::hold`]). Entries as
    /// in [`Faults::hold_before`].
    pub hold_after: BTreeSet<String>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            errors: Vec::new(),
            delay_ms: BTreeMap::new(),
            lro_ms: BTreeMap::new(),
            principal_not_found_secs: 0,
            fic_propagation_secs: 0,
            poll_interval_secs: 1,
            deployment_retry_after_secs: None,
            fic_write_ms: 300,
            lro_failures: Vec::new(),
            hold: BTreeSet::new(),
            hold_before: BTreeSet::new(),
            hold_after: BTreeSet::new(),
        }
    }
}

impl Faults {
    /// Takes one injected error for `op`, if a rule for every path still has calls left.
    pub fn take_error(&mut self, op: &str) -> Option<ErrorRule> {
        self.take_error_at(op, "")
    }

    /// Takes one injected error for a call of `op` on `path`, if a rule still has calls left.
    pub fn take_error_at(&mut self, op: &str, path: &str) -> Option<ErrorRule> {
        let path = path.to_ascii_lowercase();
        let rule = self.errors.iter_mut().find(|r| {
            r.count > 0
                && (r.op == op || r.op == "*")
                && r.path
                    .as_ref()
                    .is_none_or(|p| path.contains(&p.to_ascii_lowercase()))
        })?;
        rule.count -= 1;
        Some(rule.clone())
    }

    /// Takes one injected final failure for a long-running `op`, if a rule still has calls left.
    pub fn take_lro_failure(&mut self, op: &str) -> Option<LroFailure> {
        let rule = self
            .lro_failures
            .iter_mut()
            .find(|r| r.count > 0 && (r.op == op || r.op == "*"))?;
        rule.count -= 1;
        Some(rule.clone())
    }

    /// Delay before answering `op`.
    pub fn delay(&self, op: &str) -> u64 {
        lookup(&self.delay_ms, op)
    }

    /// Time `op` stays in progress when it is long-running.
    pub fn lro(&self, op: &str) -> u64 {
        lookup(&self.lro_ms, op)
    }

    /// Like [`Faults::lro`] for a call on `path`: an `<op>@<path part>` key that
    /// matches it (see [`scoped_match`]) comes first.
    pub fn lro_at(&self, op: &str, path: &str) -> u64 {
        let scoped: BTreeSet<String> = self
            .lro_ms
            .keys()
            .filter(|k| k.contains('@'))
            .cloned()
            .collect();
        scoped_match(&scoped, op, path)
            .and_then(|k| self.lro_ms.get(&k).copied())
            .unwrap_or_else(|| self.lro(op))
    }
}

fn lookup(map: &BTreeMap<String, u64>, op: &str) -> u64 {
    map.get(op).or_else(|| map.get("*")).copied().unwrap_or(0)
}

/// The entry of `set` a call of `op` on `path` matches: `<op>`, or `<op>@<part>` when
/// the path contains `part` (case-insensitive) — so that tests running side by side,
/// each in its own resource groups, hold only their own calls.
pub fn scoped_match(set: &BTreeSet<String>, op: &str, path: &str) -> Option<String> {
    let path = path.to_ascii_lowercase();
    set.iter()
        .find(|e| match e.split_once('@') {
            Some((o, part)) => o == op && path.contains(&part.to_ascii_lowercase()),
            None => e.as_str() == op,
        })
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_rules_are_consumed() {
        let mut f = Faults {
            errors: vec![ErrorRule::new("queues.put", 429, 2).retry_after(1)],
            ..Faults::default()
        };
        assert!(f.take_error("namespaces.put").is_none());
        assert_eq!(f.take_error("queues.put").map(|r| r.status), Some(429));
        assert!(f.take_error("queues.put").is_some());
        assert!(f.take_error("queues.put").is_none());
    }

    #[test]
    fn scoped_rules_and_holds_match_only_their_paths() {
        let mut f = Faults {
            errors: vec![ErrorRule::new("queues.put", 500, 1).at("/resourceGroups/rg-1/")],
            ..Faults::default()
        };
        assert!(f.take_error("queues.put").is_none());
        assert!(
            f.take_error_at("queues.put", "/s/x/resourcegroups/rg-10/q")
                .is_none()
        );
        assert!(
            f.take_error_at("queues.put", "/s/x/resourcegroups/RG-1/q")
                .is_some()
        );
        let set: BTreeSet<String> = ["queues.put@/resourceGroups/rg-1/".to_string()].into();
        assert_eq!(
            scoped_match(&set, "queues.put", "/s/resourcegroups/rg-2/q"),
            None
        );
        assert_eq!(
            scoped_match(&set, "queues.put", "/s/resourcegroups/rg-1/q").as_deref(),
            Some("queues.put@/resourceGroups/rg-1/")
        );
        let f = Faults {
            lro_ms: [("resourceGroups.delete@/resourceGroups/rg-1".to_string(), 9)].into(),
            ..Faults::default()
        };
        assert_eq!(
            f.lro_at("resourceGroups.delete", "/s/resourcegroups/rg-1"),
            9
        );
        assert_eq!(
            f.lro_at("resourceGroups.delete", "/s/resourcegroups/rg-2"),
            0
        );
        let plain: BTreeSet<String> = ["queues.put".to_string()].into();
        assert!(scoped_match(&plain, "queues.put", "/anything").is_some());
        assert!(scoped_match(&plain, "queues.get", "/anything").is_none());
    }

    #[test]
    fn partial_json_keeps_defaults() {
        let f: Faults = serde_json::from_str(r#"{"delay_ms":{"*":5}}"#).unwrap();
        assert_eq!(f.delay("anything"), 5);
        assert_eq!(f.fic_write_ms, 300);
        assert!(f.hold.is_empty() && f.lro_failures.is_empty());
        assert_eq!(
            f.principal_not_found_secs, 0,
            "PrincipalNotFound is the exception"
        );
    }

    #[test]
    fn lro_failures_default_to_failed_once() {
        let mut f: Faults =
            serde_json::from_str(r#"{"lro_failures":[{"op":"managedClusters.put"}]}"#).unwrap();
        let r = f.take_lro_failure("managedClusters.put").unwrap();
        assert_eq!((r.status.as_str(), r.count), ("Failed", 0));
        assert!(f.take_lro_failure("managedClusters.put").is_none());
    }
}
