//! Which entry of the profile's graph state a step records what it learns
//! in: the demo's (made by the demo, `graph_state::DEMO`) or a declared
//! graph's, by name. One shape for both; the slot also tells a step whether
//! it reads one object (the demo's) or a list shared by a graph's many.

use xtenant_shared::Profile;
use xtenant_shared::graph_state::{ClusterState, IdentityState};

use crate::az::types::Identity;

/// The identity entry a step records in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentitySlot {
    Demo,
    Graph(String),
}

impl IdentitySlot {
    fn entry<'p>(&self, p: &'p Profile) -> Option<&'p IdentityState> {
        match self {
            IdentitySlot::Demo => p.graph.demo_identity(),
            IdentitySlot::Graph(n) => p.graph.identities.get(n),
        }
    }

    fn entry_mut<'p>(&self, p: &'p mut Profile) -> &'p mut IdentityState {
        match self {
            IdentitySlot::Demo => p.graph.demo_identity_mut(),
            IdentitySlot::Graph(n) => p.graph.identities.entry(n.clone()).or_default(),
        }
    }

    pub fn principal(&self, p: &Profile) -> Option<String> {
        self.entry(p)?.principal_id.clone()
    }

    pub fn client_id(&self, p: &Profile) -> Option<String> {
        self.entry(p)?.client_id.clone()
    }

    pub fn set(&self, p: &mut Profile, name: &str, i: &Identity) {
        if *self == IdentitySlot::Demo {
            // The demo's identity is named by its settings.
            p.resources.identity_name = Some(name.to_string());
        }
        let s = self.entry_mut(p);
        s.id = Some(i.id.clone());
        s.client_id = Some(i.client_id.clone());
        s.principal_id = Some(i.principal_id.clone());
    }
}

/// The cluster entry a step records in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterSlot {
    Demo,
    Graph(String),
}

impl ClusterSlot {
    pub fn issuer(&self, p: &Profile) -> Option<String> {
        let entry = match self {
            ClusterSlot::Demo => p.graph.demo_cluster(),
            ClusterSlot::Graph(n) => p.graph.clusters.get(n),
        };
        entry?.issuer_url.clone()
    }

    fn entry_mut<'p>(&self, p: &'p mut Profile) -> &'p mut ClusterState {
        match self {
            ClusterSlot::Demo => p.graph.demo_cluster_mut(),
            ClusterSlot::Graph(n) => p.graph.clusters.entry(n.clone()).or_default(),
        }
    }

    pub fn set(&self, p: &mut Profile, id: Option<&str>, issuer: &str) {
        let s = self.entry_mut(p);
        if let Some(id) = id {
            s.id = Some(id.to_string());
        }
        s.issuer_url = Some(issuer.to_string());
    }
}
