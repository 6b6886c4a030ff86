//! Which entry of the profile's graph state a step records what it learns
//! in: the demo's (made by the demo, keyed `graph_state::DEMO`) or a declared
//! graph's, by name. Storing is one path for both: the entry under the
//! slot's key, marked with the origin that key says.
//!
//! The Demo/Graph split stays, as the reading and recording policy the
//! steps match on, because the two differ in Azure, not in the profile:
//! - reading: the demo's identity is one `identity show`, a graph's many are
//!   one `identity list` of their group (`steps/identity.rs`); the demo's
//!   role is listed at its one scope, a graph's many grants with one list
//!   per subscription (`steps/role.rs`);
//! - recording: only the demo keeps its role assignment's ARM ID and its
//!   binding, because a graph's assignments are found by their
//!   deterministic names and its bindings are recorded by `apply`
//!   (`steps/role.rs`, `steps/credential.rs`); the demo's identity is named
//!   by its settings (`resources.identityName`, written here); before `up`
//!   made the demo's cluster, a credential of it is missing rather than an
//!   error (`steps/credential.rs`).
//!
//! Folding these into the storing path would change what a profile holds
//! (a graph's identities would gain role-assignment IDs, which `prune` and
//! `audit` read as the demo's) or which az commands run, so they stay here.

use xtenant_shared::Profile;
use xtenant_shared::graph_state::{ClusterState, DEMO, IdentityState};

use crate::az::types::Identity;

/// The identity entry a step records in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentitySlot {
    Demo,
    Graph(String),
}

impl IdentitySlot {
    /// The key of its entry in the graph state.
    fn key(&self) -> &str {
        match self {
            IdentitySlot::Demo => DEMO,
            IdentitySlot::Graph(n) => n,
        }
    }

    fn entry<'p>(&self, p: &'p Profile) -> Option<&'p IdentityState> {
        p.graph.identities.get(self.key())
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
        let s = p.graph.identity_mut(self.key());
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
    /// The key of its entry in the graph state.
    fn key(&self) -> &str {
        match self {
            ClusterSlot::Demo => DEMO,
            ClusterSlot::Graph(n) => n,
        }
    }

    pub fn issuer(&self, p: &Profile) -> Option<String> {
        p.graph.clusters.get(self.key())?.issuer_url.clone()
    }

    pub fn set(&self, p: &mut Profile, id: Option<&str>, issuer: &str) {
        let s: &mut ClusterState = p.graph.cluster_mut(self.key());
        if let Some(id) = id {
            s.id = Some(id.to_string());
        }
        s.issuer_url = Some(issuer.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xtenant_shared::graph_state::Origin;

    #[test]
    fn each_slot_stores_under_its_key_with_the_origin_the_key_says() {
        let mut p = Profile::default();
        let i = Identity {
            id: "/subscriptions/s/resourceGroups/rg/providers/x/y/id-a".into(),
            client_id: "c".into(),
            principal_id: "pr".into(),
        };
        IdentitySlot::Graph("a".into()).set(&mut p, "id-a", &i);
        IdentitySlot::Demo.set(&mut p, "id-demo", &i);
        ClusterSlot::Graph("k".into()).set(&mut p, Some("/c"), "https://k/");
        ClusterSlot::Demo.set(&mut p, None, "https://d/");
        assert_eq!(p.graph.identities["a"].origin, Origin::Declared);
        assert_eq!(p.graph.identities[DEMO].origin, Origin::Demo);
        assert_eq!(p.graph.clusters["k"].origin, Origin::Declared);
        assert_eq!(p.graph.clusters[DEMO].origin, Origin::Demo);
        assert_eq!(p.graph.clusters[DEMO].id, None);
        assert_eq!(p.resources.identity_name.as_deref(), Some("id-demo"));
        let a = IdentitySlot::Graph("a".into());
        assert_eq!(a.client_id(&p).as_deref(), Some("c"));
        assert_eq!(IdentitySlot::Demo.principal(&p).as_deref(), Some("pr"));
        assert_eq!(ClusterSlot::Demo.issuer(&p).as_deref(), Some("https://d/"));
        assert_eq!(
            ClusterSlot::Graph("k".into()).issuer(&p).as_deref(),
            Some("https://k/")
        );
        assert_eq!(ClusterSlot::Graph("none".into()).issuer(&p), None);
    }
}
