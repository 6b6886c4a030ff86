//! A checked graph as steps for the engine: one group step per identity
//! group, one read-only step per cluster, one step per identity, per role
//! grant and per federated credential. An identity's credentials form a
//! chain (Azure refuses concurrent writes on one identity); identities, and
//! everything else, proceed in parallel.

use std::collections::BTreeMap;

use anyhow::Result;
use xtenant_shared::names;

use super::model::Model;
use crate::engine::{Graph, Key, Node};
use crate::settings::{Place, Side};
use crate::steps::adopted_cluster::AdoptedClusterStep;
use crate::steps::credential::CredentialStep;
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
        }));
    }
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
            nodes.push(Box::new(RoleStep {
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
    let groups: BTreeMap<&str, &str> = m
        .identities
        .iter()
        .map(|i| (i.name.as_str(), i.resource_group.as_str()))
        .collect();
    let mut previous: BTreeMap<&str, Key> = BTreeMap::new();
    for b in &m.bindings {
        let key = format!(
            "credential:{}:{}:{}",
            b.cluster, b.namespace, b.service_account
        );
        let mut needs = vec![identity_key(&b.identity), cluster_key(&b.cluster)];
        needs.extend(previous.insert(&b.identity, key.clone()));
        let group = groups.get(b.identity.as_str()).copied().unwrap_or_default();
        nodes.push(Box::new(CredentialStep {
            key,
            needs,
            cluster: ClusterSlot::Graph(b.cluster.clone()),
            place: place(m, group),
            identity: b.identity.clone(),
            name: b.credential.clone(),
            subject: names::subject(&b.namespace, &b.service_account),
            audience: names::TOKEN_AUDIENCE.to_string(),
        }));
    }
    Graph::new(nodes)
}
