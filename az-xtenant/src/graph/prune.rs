//! `--prune`: what xtenant created for the declared graph and the file no
//! longer declares — federated credentials, role assignments, and identities
//! no workload uses. Only objects the profile records as xtenant's, on
//! identities the declared graph made; never the demo's entries (its origin
//! is marked in the graph state), never a group, never anything made by hand. It only computes them: `apply --prune` deletes them
//! through the engine's delete walk (`engine::delete`).

use std::collections::BTreeSet;

use xtenant_shared::Profile;
use xtenant_shared::ownership::ObjectKind;

use crate::az::arm_id::ArmId;

/// One object to remove.
#[derive(Debug, Clone)]
pub struct Removal {
    pub kind: ObjectKind,
    pub id: String,
}

impl Removal {
    /// In words: "federated credential xt-aks-blue-orders-writer".
    pub fn what(&self) -> String {
        let name = ArmId::parse(&self.id).name();
        format!("{} {name}", self.kind.label())
    }
}

fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

/// What to remove: xtenant's objects tied to the graph's identities (or to
/// their principals, for role assignments) that `desired` (the ARM IDs the
/// file leads to) does not hold. Credentials and roles come before the
/// identities they belong to; credentials of an identity that goes are left
/// to go with it.
pub fn removals(p: &Profile, desired: &BTreeSet<String>) -> Vec<Removal> {
    // What the demo made stays, even where a graph declares it too: its
    // identity and its role assignments, recorded on its entries.
    let demo = p
        .graph
        .identities
        .values()
        .filter(|i| !i.origin.is_declared());
    let demo_identities: BTreeSet<String> = demo
        .clone()
        .filter_map(|i| i.id.as_deref().map(lower))
        .collect();
    let demo_roles: BTreeSet<String> = demo
        .flat_map(|i| i.role_assignments.iter().map(|r| lower(r)))
        .collect();
    let graph_identities: BTreeSet<String> = p
        .graph
        .declared_identities()
        .filter_map(|(_, i)| i.id.as_deref().map(lower))
        .filter(|id| !demo_identities.contains(id))
        .collect();
    let under = |id: &str| {
        graph_identities
            .iter()
            .any(|g| ArmId::parse(id).is_within(g))
    };
    let gone_identities: BTreeSet<String> = graph_identities
        .iter()
        .filter(|g| !desired.contains(*g) && p.owned.is_ours(g))
        .cloned()
        .collect();
    let mut out: Vec<Removal> = Vec::new();
    for o in p.owned.iter() {
        let id = lower(&o.id);
        if desired.contains(&id) || demo_roles.contains(&id) {
            continue;
        }
        let keep = match o.kind {
            ObjectKind::FederatedCredential => {
                !under(&id)
                    || gone_identities
                        .iter()
                        .any(|g| ArmId::parse(&id).is_inside(g))
            }
            // Role assignments the graph made carry its deterministic names;
            // the demo's one is excluded above.
            ObjectKind::RoleAssignment => false,
            ObjectKind::ManagedIdentity => !gone_identities.contains(&id),
            _ => true,
        };
        if !keep {
            out.push(Removal {
                kind: o.kind,
                id: o.id.clone(),
            });
        }
    }
    let rank = |k: ObjectKind| match k {
        ObjectKind::FederatedCredential => 0,
        ObjectKind::RoleAssignment => 1,
        _ => 2,
    };
    out.sort_by_key(|r| rank(r.kind));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use xtenant_shared::graph_state::IdentityState;

    const ID: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities";

    fn profile() -> Profile {
        let mut p = Profile::default();
        for name in ["writer", "old"] {
            let id = format!("{ID}/{name}");
            p.graph.identities.insert(
                name.into(),
                IdentityState {
                    id: Some(id.clone()),
                    ..IdentityState::default()
                },
            );
            p.owned.created(ObjectKind::ManagedIdentity, &id);
            p.owned.created(
                ObjectKind::FederatedCredential,
                &format!("{id}/federatedIdentityCredentials/xt-a"),
            );
        }
        p.owned.created(
            ObjectKind::FederatedCredential,
            &format!("{ID}/writer/federatedIdentityCredentials/xt-b"),
        );
        p.owned.created(
            ObjectKind::RoleAssignment,
            "/scope/providers/Microsoft.Authorization/roleAssignments/r-old",
        );
        // The demo's identity and credential are never the graph's.
        p.graph.demo_identity_mut().id = Some(format!("{ID}/demo"));
        p.owned
            .created(ObjectKind::ManagedIdentity, &format!("{ID}/demo"));
        p.owned.created(
            ObjectKind::FederatedCredential,
            &format!("{ID}/demo/federatedIdentityCredentials/f"),
        );
        p.owned.created(
            ObjectKind::ResourceGroup,
            "/subscriptions/s/resourceGroups/rg",
        );
        p
    }

    #[test]
    fn only_what_the_graph_made_and_no_longer_declares_goes() {
        let desired: BTreeSet<String> = [
            format!("{ID}/writer"),
            format!("{ID}/writer/federatedIdentityCredentials/xt-a"),
        ]
        .iter()
        .map(|s| lower(s))
        .collect();
        let r: Vec<String> = removals(&profile(), &desired)
            .iter()
            .map(Removal::what)
            .collect();
        assert_eq!(
            r,
            [
                "federated credential xt-b",
                "role assignment r-old",
                "managed identity old"
            ],
            "the old identity's own credential goes with it; demo and group stay"
        );
    }

    #[test]
    fn a_migrated_version_2_profile_keeps_the_demos_objects_out_of_the_prune() {
        use xtenant_testsupport::profiles::*;
        let mut p: Profile =
            serde_json::from_value(version_2_with_demo_and_graph()).expect("a profile");
        p.migrate();
        // The file keeps the writer and its credential; it never declares the demo.
        let desired: BTreeSet<String> = [
            identity_id(GRAPH_GROUP, GRAPH_IDENTITY),
            credential_id(GRAPH_GROUP, GRAPH_IDENTITY, GRAPH_CREDENTIAL),
        ]
        .iter()
        .map(|s| lower(s))
        .collect();
        let ids = |p: &Profile| -> Vec<String> {
            removals(p, &desired).into_iter().map(|r| r.id).collect()
        };
        let expected = [
            graph_role_id(),
            identity_id(GRAPH_GROUP, GRAPH_OLD_IDENTITY),
        ];
        assert_eq!(ids(&p), expected);
        // A graph declaring the demo's own identity leaves it, its role
        // assignment and its credential alone all the same.
        p.graph.identities.insert(
            "adopted".into(),
            IdentityState {
                id: Some(identity_id(DEMO_GROUP, DEMO_IDENTITY)),
                ..IdentityState::default()
            },
        );
        assert_eq!(ids(&p), expected);
    }
}
