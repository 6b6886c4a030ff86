//! The simulator's shared state: stored ARM resources, operations, the request log and fault settings.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use crate::config::Config;
use crate::faults::{Faults, LroFailure};
use crate::keys::SigningKey;

/// A stored ARM resource.
#[derive(Clone, Debug)]
pub struct Stored {
    /// The resource as ARM returns it (with `provisioningState: Succeeded`).
    pub body: Value,
    /// Tenant owning the subscription the resource lives in.
    pub tenant: String,
    /// When it was first created.
    pub created: Instant,
    /// When its current create/update operation completes.
    pub ready_at: Instant,
    /// `Creating` or `Updating` while `ready_at` is in the future.
    pub pending_state: &'static str,
    /// `properties.status` while `ready_at` is in the future (Service Bus: `Activating`).
    pub pending_status: Option<&'static str>,
    /// The state once `ready_at` has passed: `Succeeded`, or `Failed`/`Canceled` when the
    /// operation was made to fail.
    pub final_state: &'static str,
    /// A state set through the control endpoint (`Stopping`, `Canceling`, ...), shown
    /// instead of the computed one until cleared.
    pub forced_state: Option<String>,
    /// Set while a delete is in progress: when the resource disappears.
    pub delete_at: Option<Instant>,
}

/// A long-running operation.
#[derive(Clone, Debug)]
pub struct Operation {
    /// When it completes.
    pub done_at: Instant,
    /// How it ends when not `Succeeded`.
    pub failure: Option<LroFailure>,
    /// The resource a `Location` poll answers once done (Storage's create), if any.
    pub resource: Option<String>,
    /// When it started (ISO 8601, UTC), for the status document's `startTime`.
    pub started: String,
}

/// Which part of the simulator answered a request.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub enum Surface {
    /// Entra (login) endpoints.
    Entra,
    /// Azure Resource Manager.
    Arm,
    /// The simulator's own control endpoint.
    Control,
}

/// One request as it was answered.
#[derive(Clone, Debug, Serialize)]
pub struct RequestRecord {
    /// Which part answered it.
    pub surface: Surface,
    /// HTTP method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Operation name used for faults (`managedClusters.put`).
    pub op: String,
    /// HTTP status answered.
    pub status: u16,
}

impl RequestRecord {
    /// True for an ARM request that changes something. `POST` actions named
    /// `list*` (credentials, keys) only read and are not counted.
    pub fn is_write(&self) -> bool {
        self.surface == Surface::Arm
            && match self.method.as_str() {
                "PUT" | "PATCH" | "DELETE" => true,
                "POST" => !self
                    .op
                    .split('.')
                    .nth(1)
                    .is_some_and(|a| a.starts_with("list") || a == "validate"),
                _ => false,
            }
    }
}

/// Mutable state, behind one lock (never held across an await).
#[derive(Default)]
pub struct Inner {
    /// Resources by lower-case resource ID.
    pub resources: BTreeMap<String, Stored>,
    /// Long-running operations by ID.
    pub operations: HashMap<String, Operation>,
    /// Every request answered, in order.
    pub requests: Vec<RequestRecord>,
    /// Requests no route matched (`METHOD path`).
    pub unknown: Vec<String>,
    /// Current faults.
    pub faults: Faults,
    /// Identities (lower-case IDs) with a federated credential write in flight.
    pub busy_identities: HashSet<String>,
    /// Calls currently held, per operation.
    pub held: BTreeMap<String, usize>,
    /// How many times each operation was released; a held call waits for the next one.
    pub releases: BTreeMap<String, u64>,
    /// Issuer URLs chosen for clusters by lower-case name, set at run time (ahead of
    /// [`Config::aks_issuers`](crate::Config)).
    pub cluster_issuers: BTreeMap<String, String>,
    /// Names of stand-in issuers (`/_azsim/issuers/<name>/`) whose discovery
    /// document answers 404, as a deleted cluster's does.
    pub retired_issuers: BTreeSet<String>,
    /// Template deployments by lower-case ID.
    pub deployments: BTreeMap<String, crate::arm::Deployment>,
    /// Principals and custom roles made at run time (caller permissions).
    pub authz: crate::authz::Directory,
    /// Soft deleted Key Vaults (their `deletedVaults` body) by lower-case name.
    pub deleted_vaults: BTreeMap<String, serde_json::Value>,
}

impl Inner {
    /// Applies deletes whose time has come.
    pub fn settle(&mut self) {
        let now = Instant::now();
        let due: Vec<String> = self
            .resources
            .iter()
            .filter(|(_, r)| r.delete_at.is_some_and(|t| t <= now))
            .map(|(k, _)| k.clone())
            .collect();
        for k in due {
            // A group's deployment history goes with it (ARM keeps deployments
            // as the group's child resources).
            let children = format!("{k}/");
            self.deployments.retain(|d, _| !d.starts_with(&children));
            if let Some(r) = self.resources.remove(&k) {
                // A vault deleted with its group is soft deleted, as when alone.
                if r.body["type"] == crate::arm::VAULT_TYPE {
                    crate::arm::soft_delete_vault(self, &r.body);
                }
            }
        }
    }

    /// A resource by ID (case-insensitive), unless it is being deleted.
    pub fn get(&self, id: &str) -> Option<&Stored> {
        self.resources.get(&id.to_ascii_lowercase())
    }

    /// Stored resources whose ID starts with `prefix` + `/`, case-insensitive.
    pub fn under(&self, prefix: &str) -> impl Iterator<Item = &Stored> {
        let p = format!("{}/", prefix.to_ascii_lowercase());
        self.resources
            .range(p.clone()..)
            .take_while(move |(k, _)| k.starts_with(&p))
            .map(|(_, v)| v)
    }
}

/// Everything a request handler needs.
pub struct Sim {
    /// Start-up configuration.
    pub config: Config,
    /// `https://127.0.0.1:<port>` (no trailing slash).
    pub base_url: String,
    /// Key signing the tokens the simulator issues.
    pub key: SigningKey,
    /// Client for external issuers (trusts the configured CAs and our own).
    pub http: reqwest::Client,
    inner: Mutex<Inner>,
    /// The server's own handle on this state, for work that outlives a request
    /// (a template deployment).
    me: std::sync::OnceLock<std::sync::Weak<Sim>>,
}

impl Sim {
    /// New state with the configured faults.
    pub fn new(config: Config, base_url: String, key: SigningKey, http: reqwest::Client) -> Self {
        let inner = Inner {
            faults: config.faults.clone(),
            ..Inner::default()
        };
        Sim {
            config,
            base_url,
            key,
            http,
            inner: Mutex::new(inner),
            me: std::sync::OnceLock::new(),
        }
    }

    /// Remembers the shared handle the server keeps on this state.
    pub fn share(self: &std::sync::Arc<Self>) {
        let _ = self.me.set(std::sync::Arc::downgrade(self));
    }

    /// The shared handle, once the server has one.
    pub fn shared(&self) -> Option<std::sync::Arc<Sim>> {
        self.me.get().and_then(std::sync::Weak::upgrade)
    }

    /// Locks the mutable state (recovering from a poisoned lock: state stays usable in tests).
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        g.settle();
        g
    }

    /// Records a request.
    pub fn record(&self, rec: RequestRecord) {
        self.lock().requests.push(rec);
    }

    /// Current faults.
    pub fn faults(&self) -> Faults {
        self.lock().faults.clone()
    }

    /// Replaces the faults.
    pub fn set_faults(&self, faults: Faults) {
        self.lock().faults = faults;
    }

    /// Applies injected latency and takes an injected error for `op`, if any.
    pub async fn fault_gate(&self, op: &str) -> Option<crate::faults::ErrorRule> {
        self.fault_gate_at(op, "").await
    }

    /// Like [`Sim::fault_gate`] for a call on `path` (rules scoped to a path apply).
    pub async fn fault_gate_at(&self, op: &str, path: &str) -> Option<crate::faults::ErrorRule> {
        let (delay, err) = {
            let mut g = self.lock();
            (g.faults.delay(op), g.faults.take_error_at(op, path))
        };
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        err
    }
}
