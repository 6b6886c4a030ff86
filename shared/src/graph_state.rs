//! What xtenant learned of the trust graphs it made: each cluster's issuer,
//! each identity's IDs, and which identity each (cluster, namespace,
//! ServiceAccount) is bound to — so `kubectl xtenant` can find a workload's
//! client ID and Tenant B from the profile.
//!
//! Two kinds of entry share it: the declared graph's (`az-xtenant apply -f`,
//! an accepted grant), keyed by their names in the file, and the demo's
//! (`az-xtenant up`): one cluster, one identity and one binding that the
//! demo creates rather than adopts, marked [`Origin::Demo`] and keyed
//! [`DEMO`], a key no name of a graph file can take.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::handoff::TrustRequest;

/// The key of the demo's cluster, identity and binding entries. No cluster
/// or identity of a graph file can be named so ('@' is in neither rule).
pub const DEMO: &str = "@demo";

/// Who made a cluster or identity entry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Origin {
    /// A graph file (or an accepted grant) declares it; what it names may
    /// have been adopted. Not written: absent means declared.
    #[default]
    Declared,
    /// The demo (`up`, `cluster`, `resources`, `trust`) made it for itself;
    /// only `cleanup` removes it, never `apply --prune`.
    Demo,
}

impl Origin {
    pub fn is_declared(&self) -> bool {
        *self == Origin::Declared
    }

    /// Who made the entry under `key`: the demo's key is [`DEMO`].
    pub fn of(key: &str) -> Origin {
        if key == DEMO {
            Origin::Demo
        } else {
            Origin::Declared
        }
    }
}

/// The graph's part of the profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphState {
    /// Tenant B, as the graph file declares it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_b: Option<String>,
    #[serde(default)]
    pub clusters: BTreeMap<String, ClusterState>,
    #[serde(default)]
    pub identities: BTreeMap<String, IdentityState>,
    #[serde(default)]
    pub bindings: Vec<Binding>,
    /// Token exchanges Entra accepted (`kubectl xtenant doctor --exchange`):
    /// the proof that a cluster's credential works, which `apply --prune`
    /// wants before it removes the credentials of a cluster being left.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proofs: Vec<Proof>,
    /// Trust requests this profile made (`az-xtenant request`): what a
    /// grant from Tenant B's admin must answer (`az-xtenant accept`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<TrustRequest>,
}

/// One token exchange Entra accepted: a token with this issuer and subject
/// got an access token for the client in Tenant B.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Proof {
    pub issuer: String,
    pub subject: String,
    pub client_id: String,
    /// When, in seconds since the Unix epoch.
    pub at: u64,
}

/// One cluster of Tenant A: adopted by a graph, or made by the demo.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterState {
    pub id: Option<String>,
    /// `oidcIssuerProfile.issuerUrl`, byte for byte.
    pub issuer_url: Option<String>,
    #[serde(default, skip_serializing_if = "Origin::is_declared")]
    pub origin: Origin,
}

/// One identity of Tenant B.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityState {
    pub id: Option<String>,
    pub client_id: Option<String>,
    pub principal_id: Option<String>,
    /// ARM IDs of the role assignments recorded for it (the demo's; a
    /// graph's are found by their deterministic names instead).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub role_assignments: Vec<String>,
    #[serde(default, skip_serializing_if = "Origin::is_declared")]
    pub origin: Origin,
}

/// A workload's ServiceAccount in a cluster, bound to an identity by a
/// credential. The demo's binds the [`DEMO`] cluster to the [`DEMO`] identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Binding {
    pub cluster: String,
    pub namespace: String,
    pub service_account: String,
    pub identity: String,
    pub credential: String,
}

impl Binding {
    /// Whether this is the demo's binding rather than a declared graph's.
    pub fn is_demo(&self) -> bool {
        self.cluster == DEMO && self.identity == DEMO
    }
}

impl GraphState {
    /// Nothing recorded at all, neither a declared graph nor the demo.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    /// Whether a graph was declared (applied or accepted): the demo's
    /// entries alone are not one.
    pub fn has_declared(&self) -> bool {
        self.declared_clusters().next().is_some()
            || self.declared_identities().next().is_some()
            || self.declared_bindings().next().is_some()
    }

    /// The declared graph's clusters, by name.
    pub fn declared_clusters(&self) -> impl Iterator<Item = (&String, &ClusterState)> {
        self.clusters.iter().filter(|(_, c)| c.origin.is_declared())
    }

    /// The declared graph's identities, by name.
    pub fn declared_identities(&self) -> impl Iterator<Item = (&String, &IdentityState)> {
        self.identities
            .iter()
            .filter(|(_, i)| i.origin.is_declared())
    }

    /// The declared graph's bindings.
    pub fn declared_bindings(&self) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(|b| !b.is_demo())
    }

    /// The demo's cluster, once it recorded anything of it.
    pub fn demo_cluster(&self) -> Option<&ClusterState> {
        self.clusters.get(DEMO)
    }

    /// The demo's identity, once it recorded anything of it.
    pub fn demo_identity(&self) -> Option<&IdentityState> {
        self.identities.get(DEMO)
    }

    /// The demo's binding, once its credential is recorded.
    pub fn demo_binding(&self) -> Option<&Binding> {
        self.bindings.iter().find(|b| b.is_demo())
    }

    /// The cluster entry under `key` (a graph's name or [`DEMO`]), made
    /// when missing and marked with the origin its key says.
    pub fn cluster_mut(&mut self, key: &str) -> &mut ClusterState {
        self.clusters
            .entry(key.to_string())
            .or_insert_with(|| ClusterState {
                origin: Origin::of(key),
                ..ClusterState::default()
            })
    }

    /// The identity entry under `key` (a graph's name or [`DEMO`]), made
    /// when missing and marked with the origin its key says.
    pub fn identity_mut(&mut self, key: &str) -> &mut IdentityState {
        self.identities
            .entry(key.to_string())
            .or_insert_with(|| IdentityState {
                origin: Origin::of(key),
                ..IdentityState::default()
            })
    }

    /// The demo's cluster entry, made (marked the demo's) when missing.
    pub fn demo_cluster_mut(&mut self) -> &mut ClusterState {
        self.cluster_mut(DEMO)
    }

    /// The demo's identity entry, made (marked the demo's) when missing.
    pub fn demo_identity_mut(&mut self) -> &mut IdentityState {
        self.identity_mut(DEMO)
    }

    /// Records the demo's binding: its workload, trusted by `credential`.
    pub fn set_demo_binding(&mut self, namespace: &str, service_account: &str, credential: &str) {
        self.bindings.retain(|b| !b.is_demo());
        self.bindings.push(Binding {
            cluster: DEMO.to_string(),
            namespace: namespace.to_string(),
            service_account: service_account.to_string(),
            identity: DEMO.to_string(),
            credential: credential.to_string(),
        });
    }

    /// Forgets the demo's binding (its credential is gone).
    pub fn forget_demo_binding(&mut self) {
        self.bindings.retain(|b| !b.is_demo());
    }

    /// Forgets the IDs recorded of the demo's cluster (it is gone).
    pub fn forget_demo_cluster(&mut self) {
        self.clusters.remove(DEMO);
    }

    /// Forgets all the demo recorded of its identity: IDs, role assignments
    /// and binding (its group is gone, with all of them).
    pub fn forget_demo_identity(&mut self) {
        self.identities.remove(DEMO);
        self.forget_demo_binding();
    }

    /// Forgets the IDs of the demo's identity (it is gone); what else was
    /// recorded of it is forgotten when its own delete runs.
    pub fn forget_demo_identity_ids(&mut self) {
        if let Some(e) = self.identities.get_mut(DEMO) {
            (e.id, e.client_id, e.principal_id) = (None, None, None);
            if e.role_assignments.is_empty() {
                self.identities.remove(DEMO);
            }
        }
    }

    /// Forgets the demo's role assignments (deleted).
    pub fn forget_demo_roles(&mut self) {
        if let Some(e) = self.identities.get_mut(DEMO) {
            e.role_assignments.clear();
            if (&e.id, &e.client_id, &e.principal_id) == (&None, &None, &None) {
                self.identities.remove(DEMO);
            }
        }
    }

    /// Records an accepted exchange, replacing an earlier one for the same
    /// (issuer, subject, client).
    pub fn prove(&mut self, proof: Proof) {
        self.proofs.retain(|p| {
            (&p.issuer, &p.subject, &p.client_id)
                != (&proof.issuer, &proof.subject, &proof.client_id)
        });
        self.proofs.push(proof);
    }

    /// Whether an exchange with this issuer and subject was accepted for
    /// `client_id` since `since` (seconds since the Unix epoch: when the
    /// credential it proves was recorded as made; the same second counts, as
    /// the record follows the write). Another identity's exchange, or one
    /// older than the credential, proves nothing about it.
    pub fn proven(&self, issuer: &str, subject: &str, client_id: &str, since: u64) -> bool {
        self.proofs.iter().any(|p| {
            p.issuer == issuer
                && p.subject == subject
                && p.client_id.eq_ignore_ascii_case(client_id)
                && p.at >= since
        })
    }

    /// The declared graph's identity bound to a (namespace, ServiceAccount),
    /// and its state.
    pub fn identity_for(
        &self,
        namespace: &str,
        service_account: &str,
    ) -> Option<(&str, &IdentityState)> {
        let b = self
            .declared_bindings()
            .find(|b| b.namespace == namespace && b.service_account == service_account)?;
        let state = self.identities.get(&b.identity)?;
        Some((b.identity.as_str(), state))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workload_finds_its_identity() {
        let mut g = GraphState::default();
        assert!(g.is_empty());
        g.identities.insert(
            "orders-writer".into(),
            IdentityState {
                client_id: Some("c".into()),
                ..IdentityState::default()
            },
        );
        g.bindings.push(Binding {
            cluster: "aks-blue".into(),
            namespace: "orders".into(),
            service_account: "writer".into(),
            identity: "orders-writer".into(),
            credential: "xt-aks-blue-orders-writer".into(),
        });
        let (name, state) = g.identity_for("orders", "writer").expect("bound");
        assert_eq!(
            (name, state.client_id.as_deref()),
            ("orders-writer", Some("c"))
        );
        assert!(g.identity_for("orders", "reader").is_none());
    }

    #[test]
    fn an_accepted_exchange_is_kept_once_per_issuer_subject_and_client() {
        let mut g = GraphState::default();
        let proof = |at| Proof {
            issuer: "https://green/".into(),
            subject: "system:serviceaccount:ns:sa".into(),
            client_id: "c".into(),
            at,
        };
        assert!(!g.proven("https://green/", "system:serviceaccount:ns:sa", "c", 0));
        g.prove(proof(1));
        g.prove(proof(2));
        assert_eq!(g.proofs, vec![proof(2)]);
        assert!(g.proven("https://green/", "system:serviceaccount:ns:sa", "c", 2));
        assert!(!g.proven("https://green", "system:serviceaccount:ns:sa", "c", 2));
    }

    fn green(client_id: &str, at: u64) -> GraphState {
        let mut g = GraphState::default();
        g.prove(Proof {
            issuer: "https://green/".into(),
            subject: "system:serviceaccount:ns:sa".into(),
            client_id: client_id.into(),
            at,
        });
        g
    }

    #[test]
    fn a_proof_counts_only_for_the_client_it_was_made_with() {
        // Made while the workload was still id-a; it moves to id-b.
        let g = green("client-of-id-a", 2_000);
        let s = "system:serviceaccount:ns:sa";
        assert!(!g.proven("https://green/", s, "client-of-id-b", 1_000));
        assert!(g.proven("https://green/", s, "CLIENT-OF-ID-A", 1_000));
    }

    #[test]
    fn a_proof_older_than_the_credential_proves_nothing() {
        let g = green("c", 1_000);
        let s = "system:serviceaccount:ns:sa";
        assert!(!g.proven("https://green/", s, "c", 1_500), "made before it");
        assert!(
            !g.proven("https://green/", s, "c", 1_001),
            "a second before"
        );
        assert!(g.proven("https://green/", s, "c", 1_000), "the same second");
    }
}
