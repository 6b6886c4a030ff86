//! The guard on moving workloads between clusters (blue → green): the
//! credentials of the cluster a workload leaves are pruned only once a token
//! from a cluster it stays on has been exchanged at Entra for real —
//! `kubectl xtenant doctor --exchange` records that in the profile. A proof
//! counts only for the identity the workload keeps (its client ID) and only
//! when made after that identity's credential for the cluster (the time the
//! profile recorded its create). Until then the old credential is the
//! workload's only proven way in.

use std::collections::BTreeSet;

use xtenant_shared::Profile;
use xtenant_shared::names;
use xtenant_shared::ownership::ObjectKind;

use super::model::{Binding, Model};
use super::prune::Removal;
use crate::az::arm_id::{self, ArmId};

/// For each workload whose credentials `removals` take from a cluster while
/// no cluster it stays on has a proven exchange: what is missing and the
/// command that proves it. `proof_in_tenant_a`: the profile is Tenant B's
/// of a grant, and the proof is recorded in Tenant A's profile, not in it.
pub fn unproven(
    profile: &Profile,
    profile_name: &str,
    proof_in_tenant_a: bool,
    model: &Model,
    removals: &[Removal],
) -> Vec<String> {
    let g = &profile.graph;
    let mut out = BTreeSet::new();
    for r in removals
        .iter()
        .filter(|r| r.kind == ObjectKind::FederatedCredential)
    {
        let name = ArmId::parse(&r.id).name();
        // The workload the credential was made for, as the last apply recorded it.
        let Some(old) = g
            .declared_bindings()
            .find(|b| b.credential.eq_ignore_ascii_case(name))
        else {
            continue;
        };
        let (ns, sa) = (&old.namespace, &old.service_account);
        let staying: Vec<&Binding> = model
            .bindings
            .iter()
            .filter(|b| &b.namespace == ns && &b.service_account == sa && b.cluster != old.cluster)
            .collect();
        // A workload that leaves the graph altogether is not moving.
        let Some(first) = staying.first() else {
            continue;
        };
        let subject = names::subject(ns, sa);
        let proofs: Vec<Proven> = staying
            .iter()
            .map(|b| proven(profile, b, &subject))
            .collect();
        if proofs.contains(&Proven::Yes) {
            continue;
        }
        let clusters: Vec<&str> = staying.iter().map(|b| b.cluster.as_str()).collect();
        // A grant's proof is made and recorded on Tenant A's side, in the
        // profile that accepted the grant: the doctor runs there.
        let profile_flag = if proof_in_tenant_a {
            String::new()
        } else {
            format!(" --profile {profile_name}")
        };
        let prove = format!(
            "`kubectl xtenant doctor{profile_flag} --context {} -n {ns} --service-account {sa} --exchange`",
            first.cluster
        );
        let head = format!(
            "{ns}/{sa} leaves cluster {} for {}",
            old.cluster,
            clusters.join(", ")
        );
        let not_made = proofs.iter().all(|p| *p == Proven::NotMade);
        if proof_in_tenant_a {
            let first_grant = if not_made {
                format!(
                    "first grant a request that keeps cluster {} beside {} (for this workload); then ",
                    old.cluster,
                    clusters.join(", ")
                )
            } else {
                String::new()
            };
            out.insert(format!(
                "{head}; its proof is Tenant A's: {first_grant}ask Tenant A's admin to run {prove} in Tenant A's profile (where `accept` recorded the grant; this profile never holds the proof), and once they confirm the exchange passed, prune with --force"
            ));
            continue;
        }
        out.insert(if not_made {
            format!(
                "{head}, where its credential for identity {} is not made yet: first apply a file that keeps cluster {} beside {} (for this workload), then run {prove}, then prune",
                first.identity,
                old.cluster,
                clusters.join(", "),
            )
        } else {
            format!(
                "{head}, and no token from {} has been exchanged at Entra for identity {} since its credential there was made: run {prove} against it first",
                if staying.len() == 1 { "it" } else { "any of them" },
                first.identity,
            )
        });
    }
    out.into_iter().collect()
}

/// Whether a cluster a workload stays on has proven its credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Proven {
    Yes,
    No,
    /// The credential is not recorded as made (the apply will make it).
    NotMade,
}

/// Whether an exchange from `b`'s cluster was accepted for the identity the
/// workload keeps (its client ID) after that identity's credential for the
/// cluster was made: a proof made with the identity it leaves, or before
/// the credential existed, proves nothing about the way in it keeps.
fn proven(profile: &Profile, b: &Binding, subject: &str) -> Proven {
    let g = &profile.graph;
    let identity = g.identities.get(&b.identity);
    let made = identity
        .and_then(|i| i.id.as_deref())
        .map(|id| arm_id::credential(id, &b.credential))
        .and_then(|id| profile.owned.get(&id))
        .and_then(|o| o.created_at);
    let Some(made) = made else {
        return Proven::NotMade;
    };
    let issuer = g
        .clusters
        .get(&b.cluster)
        .and_then(|c| c.issuer_url.as_deref());
    let client = identity.and_then(|i| i.client_id.as_deref());
    match (issuer, client) {
        (Some(issuer), Some(client)) if g.proven(issuer, subject, client, made) => Proven::Yes,
        _ => Proven::No,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xtenant_shared::graph_state::IdentityState;

    const ID: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-orders";

    fn binding(cluster: &str) -> Binding {
        Binding {
            cluster: cluster.into(),
            namespace: "orders".into(),
            service_account: "writer".into(),
            identity: "id-orders".into(),
            credential: format!("xt-{cluster}-orders-writer"),
        }
    }

    /// A profile that made the workload's credentials on both clusters and
    /// holds no proof of either; the model keeps only aks-green.
    fn moving() -> (Profile, Model, Vec<Removal>) {
        let mut p = Profile::default();
        p.graph.identities.insert(
            "id-orders".into(),
            IdentityState {
                id: Some(ID.into()),
                client_id: Some("c".into()),
                ..IdentityState::default()
            },
        );
        for c in ["aks-blue", "aks-green"] {
            p.graph.bindings.push(binding(c));
            p.owned.created(
                ObjectKind::FederatedCredential,
                &arm_id::credential(ID, &format!("xt-{c}-orders-writer")),
            );
        }
        let model = Model {
            tenant_a: "a".into(),
            tenant_b: "b".into(),
            subscription_b: "s".into(),
            location: String::new(),
            clusters: Vec::new(),
            identities: Vec::new(),
            bindings: vec![binding("aks-green")],
        };
        let removals = vec![Removal {
            kind: ObjectKind::FederatedCredential,
            id: arm_id::credential(ID, "xt-aks-blue-orders-writer"),
        }];
        (p, model, removals)
    }

    #[test]
    fn apply_names_its_own_profile_for_the_proof() {
        let (p, model, removals) = moving();
        let lines = unproven(&p, "mine", false, &model, &removals);
        assert_eq!(lines.len(), 1, "{lines:#?}");
        assert!(
            lines[0].contains("`kubectl xtenant doctor --profile mine --context aks-green -n orders --service-account writer --exchange`"),
            "{lines:#?}"
        );
    }

    #[test]
    fn a_grant_sends_tenant_b_to_tenant_as_profile_for_the_proof() {
        let (p, model, removals) = moving();
        let lines = unproven(&p, "tenant-b", true, &model, &removals);
        assert_eq!(lines.len(), 1, "{lines:#?}");
        assert!(
            !lines[0].contains("tenant-b"),
            "Tenant B's profile never holds the proof: {lines:#?}"
        );
        assert!(
            lines[0].contains("Tenant A's admin")
                && lines[0].contains("in Tenant A's profile")
                && lines[0].contains("`kubectl xtenant doctor --context aks-green -n orders --service-account writer --exchange`")
                && lines[0].contains("--force"),
            "{lines:#?}"
        );
    }
}
