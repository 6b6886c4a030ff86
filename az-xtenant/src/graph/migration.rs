//! The guard on moving workloads between clusters (blue → green): the
//! credentials of the cluster a workload leaves are pruned only once a token
//! from a cluster it stays on has been exchanged at Entra for real —
//! `kubectl xtenant doctor --exchange` records that in the profile. Until
//! then the old credential is the workload's only proven way in.

use std::collections::BTreeSet;

use xtenant_shared::Profile;
use xtenant_shared::names;
use xtenant_shared::ownership::ObjectKind;

use super::model::Model;
use super::prune::Removal;

/// For each workload whose credentials `removals` take from a cluster while
/// no cluster it stays on has a proven exchange: what is missing and the
/// command that proves it.
pub fn unproven(
    profile: &Profile,
    profile_name: &str,
    model: &Model,
    removals: &[Removal],
) -> Vec<String> {
    let g = &profile.graph;
    let mut out = BTreeSet::new();
    for r in removals
        .iter()
        .filter(|r| r.kind == ObjectKind::FederatedCredential)
    {
        let name = r.id.rsplit('/').next().unwrap_or_default();
        // The workload the credential was made for, as the last apply recorded it.
        let Some(old) = g
            .bindings
            .iter()
            .find(|b| b.credential.eq_ignore_ascii_case(name))
        else {
            continue;
        };
        let (ns, sa) = (&old.namespace, &old.service_account);
        let staying: Vec<&str> = model
            .bindings
            .iter()
            .filter(|b| &b.namespace == ns && &b.service_account == sa && b.cluster != old.cluster)
            .map(|b| b.cluster.as_str())
            .collect();
        // A workload that leaves the graph altogether is not moving.
        let Some(first) = staying.first() else {
            continue;
        };
        let subject = names::subject(ns, sa);
        let proven = staying.iter().any(|c| {
            g.clusters
                .get(*c)
                .and_then(|s| s.issuer_url.as_deref())
                .is_some_and(|issuer| g.proven(issuer, &subject))
        });
        if !proven {
            out.insert(format!(
                "{ns}/{sa} leaves cluster {} for {}, and no token from {} has been exchanged at Entra yet: run `kubectl xtenant doctor --profile {profile_name} --context {first} -n {ns} --service-account {sa} --exchange` against it first",
                old.cluster,
                staying.join(", "),
                if staying.len() == 1 { "it" } else { "any of them" },
            ));
        }
    }
    out.into_iter().collect()
}
