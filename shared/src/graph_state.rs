//! What `az-xtenant apply` learned of a declared trust graph: each cluster's
//! issuer, each identity's IDs, and which identity each (cluster, namespace,
//! ServiceAccount) is bound to — so `kubectl xtenant` can find a workload's
//! client ID and Tenant B from the profile.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::handoff::TrustRequest;

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

/// One adopted cluster of Tenant A.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterState {
    pub id: Option<String>,
    /// `oidcIssuerProfile.issuerUrl`, byte for byte.
    pub issuer_url: Option<String>,
}

/// One identity of Tenant B.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityState {
    pub id: Option<String>,
    pub client_id: Option<String>,
    pub principal_id: Option<String>,
}

/// A workload's ServiceAccount in a cluster, bound to an identity by a credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Binding {
    pub cluster: String,
    pub namespace: String,
    pub service_account: String,
    pub identity: String,
    pub credential: String,
}

impl GraphState {
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
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

    /// The identity bound to a (namespace, ServiceAccount), and its state.
    pub fn identity_for(
        &self,
        namespace: &str,
        service_account: &str,
    ) -> Option<(&str, &IdentityState)> {
        let b = self
            .bindings
            .iter()
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
