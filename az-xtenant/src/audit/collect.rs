//! What the audit reads: Tenant B's identities (named, or every one in the
//! given groups), their federated credentials and role assignments, and
//! Tenant A's clusters in every subscription it is told of. Each list is read
//! once (the az given remembers answers); issuers of no live cluster are
//! asked for their discovery document, once per issuer.

use std::collections::BTreeSet;

use anyhow::Result;
use xtenant_shared::exit::Usage;
use xtenant_shared::issuer;
use xtenant_shared::ownership::Ownership;

use super::{CredentialReport, FanIn, IdentityReport, LiveCluster, Origin, Reach, RoleReport};
use crate::az::MAX_CREDENTIALS;
use crate::az::arm_id::{self, ArmId};
use crate::az::{Az, Discovery};

/// What to read.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub subscription_b: String,
    pub subscriptions_a: Vec<String>,
    /// Identities to read, as (resource group, name).
    pub identities: Vec<(String, String)>,
    /// Groups whose every identity is read.
    pub groups: Vec<String>,
    /// Only identities with these names (all when empty).
    pub only: Vec<String>,
    /// Credentials something declares, as (identity, credential), lowercase.
    pub declared: BTreeSet<(String, String)>,
}

/// What was read.
#[derive(Debug, Clone)]
pub struct Estate {
    pub identities: Vec<IdentityReport>,
    pub clusters: Vec<LiveCluster>,
}

fn last(id: &str) -> &str {
    ArmId::parse(id).name()
}

fn group_of(id: &str) -> String {
    ArmId::parse(id).resource_group().to_string()
}

/// The name AKS gives the one credential an identity binding writes.
const IDENTITY_BINDING_NAME: &str = "aks-identity-binding";

/// Where the issuer of an identity binding's credential starts:
/// `https://ib.oic.prod-aks.azure.com/<identity's tenant>/<client ID>`.
const IDENTITY_BINDING_ISSUER: &str = "https://ib.oic.prod-aks.azure.com/";

/// Whether a credential is the one an AKS identity binding wrote: its issuer
/// is no cluster's and publishes nothing to check, and its audience is
/// `api://AKSIdentityBinding`, by design.
fn is_identity_binding(name: &str, issuer: &str) -> bool {
    name.eq_ignore_ascii_case(IDENTITY_BINDING_NAME)
        && issuer
            .to_ascii_lowercase()
            .starts_with(IDENTITY_BINDING_ISSUER)
}

/// Reads everything the audit needs.
pub fn collect(az: &Az, scope: &Scope, owned: &Ownership) -> Result<Estate> {
    let mut clusters = Vec::new();
    for sub in &scope.subscriptions_a {
        for c in az.aks_list_all(sub)? {
            if let Some(issuer) = c.issuer_url() {
                clusters.push(LiveCluster {
                    name: last(&c.id).to_string(),
                    resource_group: group_of(&c.id),
                    subscription: sub.clone(),
                    issuer: issuer.to_string(),
                });
            }
        }
    }
    let sub = &scope.subscription_b;
    let mut found = Vec::new();
    for (rg, name) in &scope.identities {
        if let Some(i) = az.identity_in_group(sub, rg, name)? {
            found.push(i);
        }
    }
    for rg in &scope.groups {
        found.extend(az.identity_list(sub, rg)?);
    }
    let mut seen = BTreeSet::new();
    found.retain(|i| seen.insert(i.id.to_ascii_lowercase()));
    if !scope.only.is_empty() {
        found.retain(|i| {
            scope
                .only
                .iter()
                .any(|n| n.eq_ignore_ascii_case(last(&i.id)))
        });
        if let Some(missing) = scope
            .only
            .iter()
            .find(|n| !found.iter().any(|i| n.eq_ignore_ascii_case(last(&i.id))))
        {
            return Err(Usage(format!(
                "--identity {missing}: no such identity in Tenant B's subscription {sub} among those audited; name an identity of the graph, or add its group with --resource-group"
            ))
            .into());
        }
    }
    let assignments = if found.is_empty() {
        Vec::new()
    } else {
        az.role_assignments_everywhere(&arm_id::subscription(sub))?
    };
    let mut identities = Vec::new();
    for i in &found {
        let name = last(&i.id).to_string();
        let rg = group_of(&i.id);
        let mut credentials = Vec::new();
        for c in az.credential_list(sub, &rg, &name)? {
            let id = arm_id::credential(&i.id, &c.name);
            let cluster = clusters.iter().find(|k| k.issuer == c.issuer).cloned();
            // An issuer a live cluster's differs from only by a slash or case
            // is that cluster's: its document answers, and says nothing new.
            let near_live = clusters
                .iter()
                .any(|k| issuer::compare(&k.issuer, &c.issuer).is_near());
            let binding = is_identity_binding(&c.name, &c.issuer);
            let (issuer_answers, issuer_error) = if cluster.is_some() || near_live || binding {
                (None, None)
            } else {
                match az.discovery(&c.issuer)? {
                    Discovery::Answers(_) => (Some(true), None),
                    Discovery::Gone(why) => (Some(false), Some(why)),
                    Discovery::Unreachable(why) => (None, Some(why)),
                }
            };
            let key = (name.to_ascii_lowercase(), c.name.to_ascii_lowercase());
            let origin = if binding {
                Origin::AksIdentityBinding
            } else if scope.declared.contains(&key) {
                Origin::Declared
            } else if owned.is_ours(&id) {
                Origin::Undeclared
            } else {
                Origin::Unmanaged
            };
            credentials.push(CredentialReport {
                name: c.name,
                id,
                issuer: c.issuer,
                subject: c.subject,
                audiences: c.audiences,
                cluster,
                issuer_answers,
                issuer_error,
                origin,
            });
        }
        let mut role_assignments = Vec::new();
        for a in assignments
            .iter()
            .filter(|a| a.principal_id.eq_ignore_ascii_case(&i.principal_id))
        {
            let scope_id = a.scope.clone().unwrap_or_default();
            let role = a
                .role_definition_name
                .clone()
                .or_else(|| a.role_definition_id.as_deref().map(|d| last(d).to_string()))
                .unwrap_or_default();
            // Only a scope in the subscription can be looked up there; one
            // above it or in another subscription is never called gone.
            let scope_reach = Reach::of(sub, &scope_id);
            let scope_exists = match scope_reach {
                Reach::Subscription => Some(az.resource_exists(sub, &scope_id)?),
                Reach::Inherited | Reach::OtherSubscription => None,
            };
            role_assignments.push(RoleReport {
                id: a.id.clone(),
                principal_id: a.principal_id.clone(),
                role,
                scope_exists,
                scope_reach,
                scope: scope_id,
            });
        }
        identities.push(IdentityReport {
            name,
            resource_group: rg,
            subscription: sub.clone(),
            used: credentials.len(),
            limit: MAX_CREDENTIALS,
            fan_in: FanIn::of(&credentials),
            credentials,
            role_assignments,
        });
    }
    Ok(Estate {
        identities,
        clusters,
    })
}
