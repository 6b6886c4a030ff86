//! The steps of the procedure, and the demo's graph made of them: one
//! cluster in Tenant A; one Service Bus namespace and queue, one identity,
//! one role grant and one federated credential in Tenant B.
//!
//! ```text
//! group-a ─ cluster ───────────────┐
//! group-b ─ namespace ─ queue      ├─ credential
//!         │           └─ role ─┐   │
//!         └ identity ──────────┴───┘
//! ```

pub mod adopted_cluster;
pub mod cluster;
pub mod credential;
pub mod credential_set;
pub mod group;
pub mod identity;
pub mod retry;
pub mod role;
pub mod servicebus;
pub mod slot;

use anyhow::Result;
use xtenant_shared::{Profile, names};

use crate::az::arm_id;
use crate::engine::{Graph, Key, Node};
use crate::settings::{self, Place};
use slot::{ClusterSlot, IdentitySlot};

/// Which part of the demo a subcommand runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Tenant A: group and cluster (`cluster`).
    Cluster,
    /// Tenant B: group, Service Bus, identity, role (`resources`).
    Resources,
    /// Tenant B: the credential (`trust`).
    Trust,
    /// Everything (`up`, `status`, `cleanup`).
    All,
}

fn same_group(a: &Place, b: &Place) -> bool {
    a.subscription.eq_ignore_ascii_case(&b.subscription)
        && a.resource_group.eq_ignore_ascii_case(&b.resource_group)
}

/// Names generated once and then kept (the procedure's `$RANDOM`): the
/// Service Bus namespace, and the identity named after it. Recorded before
/// anything is made, so every run uses the same.
pub fn settle_names(p: &mut Profile) {
    let r = &mut p.resources;
    let ns = r
        .servicebus_namespace
        .get_or_insert_with(settings::generate_namespace)
        .clone();
    r.identity_name
        .get_or_insert_with(|| names::identity_name(&ns));
    r.queue_name
        .get_or_insert_with(|| names::DEFAULT_QUEUE.to_string());
}

/// The demo's graph, or the part of it a subcommand runs. Every value is
/// checked first: a bad one stops here, before any az call.
pub fn demo(p: &Profile, part: Part) -> Result<Graph> {
    let wants_a = matches!(part, Part::Cluster | Part::All);
    let wants_b = part != Part::Cluster;
    let a = if wants_a {
        Some(settings::cluster(p)?)
    } else {
        None
    };
    let b = if wants_b {
        Some(settings::resources(p)?)
    } else {
        None
    };
    let shared_group = match (&a, &b) {
        (Some(a), Some(b)) => same_group(&a.place, &b.place),
        _ => false,
    };
    let group_b: Key = if shared_group { "group-a" } else { "group-b" }.into();
    let mut nodes: Vec<Box<dyn Node>> = Vec::new();
    if let Some(a) = a {
        nodes.push(Box::new(group::GroupStep {
            key: "group-a".into(),
            place: a.place.clone(),
        }));
        nodes.push(Box::new(cluster::ClusterStep {
            s: a,
            group: "group-a".into(),
        }));
    }
    if let Some(b) = b {
        let ns = b
            .namespace
            .clone()
            .unwrap_or_else(settings::generate_namespace);
        let identity = b
            .identity
            .clone()
            .unwrap_or_else(|| names::identity_name(&ns));
        if matches!(part, Part::Resources | Part::All) {
            if !shared_group {
                nodes.push(Box::new(group::GroupStep {
                    key: group_b.clone(),
                    place: b.place.clone(),
                }));
            }
            let pl = &b.place;
            nodes.push(Box::new(servicebus::NamespaceStep {
                place: pl.clone(),
                name: ns.clone(),
                group: group_b.clone(),
            }));
            nodes.push(Box::new(servicebus::QueueStep {
                place: pl.clone(),
                namespace: ns.clone(),
                name: b.queue.clone(),
            }));
            nodes.push(Box::new(identity::IdentityStep {
                key: "identity".into(),
                place: pl.clone(),
                name: identity.clone(),
                group: group_b,
                slot: IdentitySlot::Demo,
            }));
            nodes.push(Box::new(role::RoleStep {
                key: "role".into(),
                identity: IdentitySlot::Demo,
                identity_step: "identity".into(),
                place: pl.clone(),
                role: names::SERVICEBUS_ROLE.to_string(),
                scope: arm_id::namespace(&pl.subscription, &pl.resource_group, &ns),
                scope_step: Some("namespace".into()),
            }));
        }
        if matches!(part, Part::Trust | Part::All) {
            let subject = settings::subject(p)?;
            let name = b
                .credential
                .clone()
                .unwrap_or_else(|| names::federated_credential_name(&identity));
            nodes.push(Box::new(credential::CredentialStep {
                key: "credential".into(),
                needs: vec!["identity".into(), "cluster".into()],
                cluster: ClusterSlot::Demo,
                place: b.place,
                identity,
                name,
                subject,
                audience: names::TOKEN_AUDIENCE.to_string(),
            }));
        }
    }
    Graph::new(nodes)
}
