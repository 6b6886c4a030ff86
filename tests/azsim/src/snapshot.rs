//! A copy of what the simulator holds of ARM (resources, deployments, operations)
//! to put back later: a control operation for tests, not an ARM behaviour.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::Value;

use crate::harness::Harness;
use crate::state::{Inner, Operation, Sim, Stored};

/// The simulator's ARM state at one moment: every resource (role assignments
/// too), deployment, long-running operation, soft deleted vault, and the issuers
/// of clusters. What is not ARM's stays out of it and is never put back: the
/// directory of principals and custom roles (so `az` signed in as a principal
/// made since stays signed in), the request log, faults, held calls, and the
/// actions requests needed (tests read those as a record of what happened).
#[derive(Clone, Debug)]
pub struct Snapshot {
    resources: BTreeMap<String, Stored>,
    operations: HashMap<String, Operation>,
    deployments: BTreeMap<String, crate::arm::Deployment>,
    deleted_vaults: BTreeMap<String, Value>,
    busy_identities: HashSet<String>,
    cluster_issuers: BTreeMap<String, String>,
    retired_issuers: BTreeSet<String>,
}

/// Copies the simulator's ARM state.
pub fn snapshot(sim: &Sim) -> Snapshot {
    let g = sim.lock();
    // Every field of the state is named here, so a new one must be sorted into
    // what a snapshot holds or leaves alone before this compiles.
    let Inner {
        resources,
        operations,
        requests: _,
        unknown: _,
        faults: _,
        busy_identities,
        held: _,
        releases: _,
        cluster_issuers,
        retired_issuers,
        deployments,
        authz: _,
        deleted_vaults,
    } = &*g;
    Snapshot {
        resources: resources.clone(),
        operations: operations.clone(),
        deployments: deployments.clone(),
        deleted_vaults: deleted_vaults.clone(),
        busy_identities: busy_identities.clone(),
        cluster_issuers: cluster_issuers.clone(),
        retired_issuers: retired_issuers.clone(),
    }
}

/// Puts `s` back: everything ARM made since is gone (role assignments too), and
/// everything deleted since is back as it was.
pub fn restore(sim: &Sim, s: &Snapshot) {
    let s = s.clone();
    let mut g = sim.lock();
    g.resources = s.resources;
    g.operations = s.operations;
    g.deployments = s.deployments;
    g.deleted_vaults = s.deleted_vaults;
    g.busy_identities = s.busy_identities;
    g.cluster_issuers = s.cluster_issuers;
    g.retired_issuers = s.retired_issuers;
}

impl Harness {
    /// A copy of the simulator's ARM state, to put back with [`Harness::restore`]:
    /// a test control, not an ARM behaviour (see [`Snapshot`] for what it holds
    /// and what it leaves alone).
    pub fn snapshot(&self) -> Snapshot {
        snapshot(&self.server.sim)
    }

    /// Puts the ARM state of `snapshot` back: what was made since is gone, what
    /// was deleted since is back. Principals made since stay, signed in.
    pub fn restore(&self, snapshot: &Snapshot) {
        restore(&self.server.sim, snapshot);
    }
}
