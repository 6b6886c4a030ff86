//! A checked graph as steps for the engine: one group step per identity
//! group, one read-only step per cluster, one step per identity and per role
//! grant, and one node per identity for its federated credentials (written
//! one after the other: Azure refuses concurrent writes on one identity);
//! identities, and everything else, proceed in parallel.

use std::collections::BTreeMap;

use anyhow::Result;
use xtenant_shared::names;

use super::model::Model;
use crate::engine::{Graph, Key, Node};
use crate::settings::{Place, Side};
use crate::steps::adopted_cluster::AdoptedClusterStep;
use crate::steps::credential::CredentialStep;
use crate::steps::credential_set::CredentialSetStep;
use crate::steps::group::GroupStep;
use crate::steps::identity::IdentityStep;
use crate::steps::role::RoleStep;
use crate::steps::slot::{ClusterSlot, IdentitySlot};

fn place(m: &Model, resource_group: &str) -> Place {
    Place {
        side: Side::B,
        tenant: m.tenant_b.clone(),
        subscription: m.subscription_b.clone(),
        resource_group: resource_group.to_string(),
        location: m.location.clone(),
    }
}

pub fn identity_key(name: &str) -> Key {
    format!("identity:{name}")
}

pub fn cluster_key(name: &str) -> Key {
    format!("cluster:{name}")
}

/// The engine's graph for a model.
pub fn graph(m: &Model) -> Result<Graph> {
    let mut nodes: Vec<Box<dyn Node>> = Vec::new();
    let mut groups: Vec<&str> = m
        .identities
        .iter()
        .map(|i| i.resource_group.as_str())
        .collect();
    groups.sort_unstable();
    groups.dedup();
    for g in groups {
        nodes.push(Box::new(GroupStep {
            key: format!("group:{g}"),
            place: place(m, g),
        }));
    }
    for c in &m.clusters {
        nodes.push(Box::new(AdoptedClusterStep {
            key: cluster_key(&c.name),
            name: c.name.clone(),
            subscription: c.subscription.clone(),
            resource_group: c.resource_group.clone(),
            known: c.known.clone(),
        }));
    }
    let mut roles: Vec<Box<dyn Node>> = Vec::new();
    for i in &m.identities {
        let pl = place(m, &i.resource_group);
        nodes.push(Box::new(IdentityStep {
            key: identity_key(&i.name),
            place: pl.clone(),
            name: i.name.clone(),
            group: format!("group:{}", i.resource_group),
            slot: IdentitySlot::Graph(i.name.clone()),
        }));
        for (n, g) in i.roles.iter().enumerate() {
            roles.push(Box::new(RoleStep {
                key: format!("role:{}:{n}", i.name),
                place: pl.clone(),
                identity: IdentitySlot::Graph(i.name.clone()),
                identity_step: identity_key(&i.name),
                role: g.role.clone(),
                scope: g.scope.clone(),
                scope_step: None,
            }));
        }
    }
    // One node per identity for its credentials, written in one go.
    let mut sets: BTreeMap<&str, CredentialSetStep> = BTreeMap::new();
    for i in &m.identities {
        sets.insert(
            &i.name,
            CredentialSetStep {
                key: format!("credentials:{}", i.name),
                needs: vec![identity_key(&i.name)],
                place: place(m, &i.resource_group),
                identity: i.name.clone(),
                members: Vec::new(),
            },
        );
    }
    for b in &m.bindings {
        let Some(set) = sets.get_mut(b.identity.as_str()) else {
            continue;
        };
        let cluster = cluster_key(&b.cluster);
        if !set.needs.contains(&cluster) {
            set.needs.push(cluster);
        }
        set.members.push(CredentialStep {
            key: format!(
                "credential:{}:{}:{}",
                b.cluster, b.namespace, b.service_account
            ),
            needs: Vec::new(),
            cluster: ClusterSlot::Graph(b.cluster.clone()),
            place: set.place.clone(),
            identity: b.identity.clone(),
            name: b.credential.clone(),
            subject: names::subject(&b.namespace, &b.service_account),
            audience: names::TOKEN_AUDIENCE.to_string(),
        });
    }
    // The executor starts ready nodes in this order, as many as it may at
    // once: the credential chains, the longest work, go before the grants.
    nodes.extend(
        sets.into_values()
            .filter(|s| !s.members.is_empty())
            .map(|s| Box::new(s) as Box<dyn Node>),
    );
    nodes.extend(roles);
    Graph::new(nodes)
}
