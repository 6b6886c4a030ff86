//! Where a step records what it learns: the demo's fields of the profile, or
//! the declared graph's entry for a named cluster or identity. The steps are
//! the same for both; only the slot differs.

use xtenant_shared::Profile;

use crate::az::types::Identity;

/// Where an identity's IDs are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentitySlot {
    Demo,
    Graph(String),
}

impl IdentitySlot {
    pub fn principal(&self, p: &Profile) -> Option<String> {
        match self {
            IdentitySlot::Demo => p.resources.principal_id.clone(),
            IdentitySlot::Graph(n) => p.graph.identities.get(n)?.principal_id.clone(),
        }
    }

    pub fn client_id(&self, p: &Profile) -> Option<String> {
        match self {
            IdentitySlot::Demo => p.resources.client_id.clone(),
            IdentitySlot::Graph(n) => p.graph.identities.get(n)?.client_id.clone(),
        }
    }

    pub fn set(&self, p: &mut Profile, name: &str, i: &Identity) {
        match self {
            IdentitySlot::Demo => {
                let r = &mut p.resources;
                r.identity_name = Some(name.to_string());
                r.identity_id = Some(i.id.clone());
                r.client_id = Some(i.client_id.clone());
                r.principal_id = Some(i.principal_id.clone());
            }
            IdentitySlot::Graph(n) => {
                let s = p.graph.identities.entry(n.clone()).or_default();
                s.id = Some(i.id.clone());
                s.client_id = Some(i.client_id.clone());
                s.principal_id = Some(i.principal_id.clone());
            }
        }
    }
}

/// Where a cluster's ID and issuer are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterSlot {
    Demo,
    Graph(String),
}

impl ClusterSlot {
    pub fn issuer(&self, p: &Profile) -> Option<String> {
        match self {
            ClusterSlot::Demo => p.cluster.issuer_url.clone(),
            ClusterSlot::Graph(n) => p.graph.clusters.get(n)?.issuer_url.clone(),
        }
    }

    pub fn set(&self, p: &mut Profile, id: Option<&str>, issuer: &str) {
        match self {
            ClusterSlot::Demo => {
                if let Some(id) = id {
                    p.cluster.cluster_id = Some(id.to_string());
                }
                p.cluster.issuer_url = Some(issuer.to_string());
            }
            ClusterSlot::Graph(n) => {
                let s = p.graph.clusters.entry(n.clone()).or_default();
                if let Some(id) = id {
                    s.id = Some(id.to_string());
                }
                s.issuer_url = Some(issuer.to_string());
            }
        }
    }
}
