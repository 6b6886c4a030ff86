//! A copy of what the simulator holds of ARM (resources, deployments, operations)
//! to put back later: a control operation for tests, not an ARM behaviour.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::Value;

use crate::state::{Operation, Sim, Stored};

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
    Snapshot {
        resources: g.resources.clone(),
        operations: g.operations.clone(),
        deployments: g.deployments.clone(),
        deleted_vaults: g.deleted_vaults.clone(),
        busy_identities: g.busy_identities.clone(),
        cluster_issuers: g.cluster_issuers.clone(),
        retired_issuers: g.retired_issuers.clone(),
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
