//! The two-admin hand-off as az-xtenant carries it out: a trust request made
//! from a graph file and Tenant A's live clusters (Tenant A's calls only),
//! and the live half of Tenant B's review — each issuer's discovery document
//! fetched anonymously and compared with the issuer asked for. The documents
//! and the checks that need no call are `xtenant_shared::handoff`'s.

use std::collections::BTreeMap;
use std::time::SystemTime;

use anyhow::{Result, bail};
use xtenant_shared::handoff::review::{Check, Finding};
use xtenant_shared::handoff::{
    RequestedCluster, RequestedIdentity, RequestedWorkload, RoleRequest, TrustRequest,
};

use crate::az::{Az, Discovery};
use crate::error::UsageError;
use crate::graph::model::Model;
use crate::settings::{Place, Side};

/// Reads a request file (`review`, `grant`); unreadable or malformed is bad
/// input naming the file. The digest is checked by the review.
pub fn read_request(path: &std::path::Path) -> Result<TrustRequest, UsageError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        UsageError(format!(
            "{name}: cannot read the request: {e}; pass the file `az-xtenant request` wrote"
        ))
    })?;
    TrustRequest::from_yaml(&name, &text).map_err(|e| UsageError(e.to_string()))
}

/// The places a request reads: Tenant A's cluster subscriptions, nothing of
/// Tenant B's.
pub fn places_a(m: &Model) -> Vec<Place> {
    let mut places: Vec<Place> = Vec::new();
    for c in &m.clusters {
        if !places
            .iter()
            .any(|p| p.subscription.eq_ignore_ascii_case(&c.subscription))
        {
            places.push(Place {
                side: Side::A,
                tenant: m.tenant_a.clone(),
                subscription: c.subscription.clone(),
                resource_group: String::new(),
                location: m.location.clone(),
            });
        }
    }
    places
}

/// The graph narrowed to `only` (identity names; all when empty): its
/// identities, the workloads bound to them and the clusters those run in.
/// An unknown name is a usage error naming it.
pub fn narrow(m: &Model, only: &[String]) -> Result<Model, UsageError> {
    if let Some(unknown) = only
        .iter()
        .find(|n| !m.identities.iter().any(|i| i.name.eq_ignore_ascii_case(n)))
    {
        let known: Vec<&str> = m.identities.iter().map(|i| i.name.as_str()).collect();
        return Err(UsageError(format!(
            "--identity {unknown}: the file declares no such identity (it declares: {})",
            known.join(", ")
        )));
    }
    let wanted = |name: &str| only.is_empty() || only.iter().any(|n| n.eq_ignore_ascii_case(name));
    let mut out = m.clone();
    out.identities.retain(|i| wanted(&i.name));
    out.bindings.retain(|b| wanted(&b.identity));
    out.clusters
        .retain(|c| out.bindings.iter().any(|b| b.cluster == c.name));
    Ok(out)
}

/// Reads each cluster of `m` in Tenant A and makes the request. A cluster
/// that does not exist, or has no OIDC issuer, stops it with the fix.
pub fn request(az: &Az, m: &Model, made_at: SystemTime) -> Result<TrustRequest> {
    let mut clusters = Vec::new();
    for c in &m.clusters {
        let Some(live) = az.aks_show(&c.subscription, &c.resource_group, &c.name)? else {
            bail!(
                "cluster {} (resource group {}, subscription {}) does not exist in Tenant A; create it, or correct clusters[] in the file",
                c.name,
                c.resource_group,
                c.subscription
            );
        };
        let Some(issuer) = live
            .oidc_issuer_profile
            .as_ref()
            .and_then(|p| p.issuer_url.clone())
        else {
            bail!(
                "cluster {} has no OIDC issuer: run `az aks update --resource-group {} --name {} --enable-oidc-issuer --enable-workload-identity --subscription {}`",
                c.name,
                c.resource_group,
                c.name,
                c.subscription
            );
        };
        clusters.push(RequestedCluster {
            name: c.name.clone(),
            resource_id: live.id.clone(),
            issuer,
        });
    }
    let identities = m
        .identities
        .iter()
        .map(|i| RequestedIdentity {
            name: i.name.clone(),
            roles: i
                .roles
                .iter()
                .map(|g| RoleRequest {
                    role: g.role.clone(),
                    scope: g.scope.clone(),
                })
                .collect(),
        })
        .collect();
    // One workload per (namespace, ServiceAccount, identity), with its clusters.
    let mut workloads: BTreeMap<(String, String, String), Vec<String>> = BTreeMap::new();
    for b in &m.bindings {
        let on = workloads
            .entry((
                b.namespace.clone(),
                b.service_account.clone(),
                b.identity.clone(),
            ))
            .or_default();
        if !on.contains(&b.cluster) {
            on.push(b.cluster.clone());
        }
    }
    let workloads = workloads
        .into_iter()
        .map(|((ns, sa, identity), on)| {
            let on: Vec<&str> = on.iter().map(String::as_str).collect();
            RequestedWorkload::new(&ns, &sa, &identity, &on)
        })
        .collect();
    // What the review would refuse is refused here, before anything is sent.
    TrustRequest::new(&m.tenant_a, made_at, clusters, identities, workloads)
        .map_err(|e| UsageError(e.to_string()).into())
}

/// Where Tenant B makes a request's identities: its tenant, subscription,
/// resource group and location.
pub struct GrantPlace<'a> {
    pub tenant_b: &'a str,
    pub subscription_b: &'a str,
    pub resource_group: &'a str,
    pub location: &'a str,
}

/// Which roles a grant assigns: Tenant B decides.
pub enum GrantedRoles {
    /// None (the default).
    None,
    /// Those the request asks for (`--grant-roles`).
    Asked,
    /// Tenant B's own list (`--roles-from FILE`), from `source` (its name).
    Given {
        source: String,
        roles: Vec<GivenRole>,
    },
}

/// One entry of Tenant B's own role list.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GivenRole {
    pub identity: String,
    pub role: String,
    pub scope: String,
}

/// The file of `--roles-from`: `roles:` a list of (identity, role, scope).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RolesFile {
    roles: Vec<GivenRole>,
}

/// Reads `--roles-from`'s file; a malformed one names the file and the key.
pub fn read_roles(source: &str, text: &str) -> Result<GrantedRoles, UsageError> {
    let file: RolesFile = serde_saphyr::from_str(text).map_err(|e| {
        UsageError(format!(
            "--roles-from {source}: {e}; it holds `roles:`, a list of `identity`, `role` and `scope`"
        ))
    })?;
    Ok(GrantedRoles::Given {
        source: source.to_string(),
        roles: file.roles,
    })
}

/// The graph a grant makes: the request's clusters as the request describes
/// them (nothing of Tenant A is read), its identities in Tenant B's group,
/// one credential per workload and cluster, and the roles Tenant B grants
/// ([`GrantedRoles`]), each of which must name an ARM scope in Tenant B's
/// subscription (and, from a list, an identity the request asks for).
pub fn grant_model(
    request: &TrustRequest,
    at: &GrantPlace<'_>,
    granted: &GrantedRoles,
) -> Result<Model, UsageError> {
    use crate::az::arm_id::ArmId;
    use crate::az::types::KnownCluster;
    use crate::graph::model::{Cluster, Grant, Identity, credential_name};
    use xtenant_shared::graph_state::Binding;

    let clusters = request
        .clusters
        .iter()
        .map(|c| {
            let id = ArmId::parse(&c.resource_id);
            Cluster {
                name: c.name.clone(),
                subscription: id.subscription().to_string(),
                resource_group: id.resource_group().to_string(),
                known: Some(KnownCluster {
                    id: c.resource_id.clone(),
                    issuer: c.issuer.clone(),
                }),
            }
        })
        .collect();
    let own = format!("/subscriptions/{}/", at.subscription_b).to_ascii_lowercase();
    let in_b = |scope: &str| scope.to_ascii_lowercase().starts_with(&own);
    let mut refused = Vec::new();
    let mut identities = Vec::new();
    for (i, asked) in request.identities.iter().enumerate() {
        let mut roles = Vec::new();
        match granted {
            GrantedRoles::None => {}
            GrantedRoles::Asked => {
                for (j, r) in asked.roles.iter().enumerate() {
                    if !in_b(&r.scope) {
                        refused.push(format!(
                            "identities[{i}].roles[{j}].scope {:?} is not an ARM ID in subscription {}",
                            r.scope, at.subscription_b
                        ));
                    }
                    roles.push(Grant {
                        role: r.role.clone(),
                        scope: r.scope.clone(),
                    });
                }
            }
            GrantedRoles::Given { roles: given, .. } => {
                for g in given.iter().filter(|g| g.identity == asked.name) {
                    roles.push(Grant {
                        role: g.role.clone(),
                        scope: g.scope.clone(),
                    });
                }
            }
        }
        identities.push(Identity {
            name: asked.name.clone(),
            resource_group: at.resource_group.to_string(),
            roles,
        });
    }
    if let GrantedRoles::Given { source, roles } = granted {
        for (j, g) in roles.iter().enumerate() {
            if !request.identities.iter().any(|i| i.name == g.identity) {
                refused.push(format!(
                    "{source}: roles[{j}].identity {:?} is not an identity the request asks for",
                    g.identity
                ));
            }
            if !in_b(&g.scope) {
                refused.push(format!(
                    "{source}: roles[{j}].scope {:?} is not an ARM ID in subscription {}",
                    g.scope, at.subscription_b
                ));
            }
        }
    }
    if !refused.is_empty() {
        return Err(UsageError(format!(
            "the roles to grant are refused: {}; correct them, or grant none and assign roles yourself; nothing was changed",
            refused.join("; ")
        )));
    }
    let mut bindings = Vec::new();
    for w in &request.workloads {
        for c in &w.clusters {
            bindings.push(Binding {
                cluster: c.clone(),
                namespace: w.namespace.clone(),
                service_account: w.service_account.clone(),
                identity: w.identity.clone(),
                credential: credential_name(c, &w.namespace, &w.service_account),
            });
        }
    }
    Ok(Model {
        tenant_a: request.tenant_a.clone(),
        tenant_b: at.tenant_b.to_string(),
        subscription_b: at.subscription_b.to_string(),
        location: at.location.to_string(),
        clusters,
        identities,
        bindings,
    })
}

/// Per identity the request names: the federated credentials Tenant B's
/// identity of that name in `rg` already holds that the request does not ask
/// for again (the budget counts them). An identity not there yet holds none.
pub fn existing_credentials(
    az: &Az,
    sub: &str,
    rg: &str,
    request: &TrustRequest,
) -> Result<BTreeMap<String, usize>> {
    let asked = request.credentials();
    let mut out = BTreeMap::new();
    for i in &request.identities {
        if az.identity_in_group(sub, rg, &i.name)?.is_none() {
            continue;
        }
        let held = az
            .credential_list(sub, rg, &i.name)?
            .into_iter()
            .filter(|c| {
                !asked.iter().any(|(issuer, subject, identity)| {
                    *identity == i.name && *issuer == c.issuer && *subject == c.subject
                })
            })
            .count();
        out.insert(i.name.clone(), held);
    }
    Ok(out)
}

/// Each issuer's discovery document, fetched without a token: it must answer
/// and name the issuer asked for, byte for byte (Entra compares issuers so).
pub fn discovery_findings(az: &Az, request: &TrustRequest) -> Result<Vec<Finding>> {
    let mut out = Vec::new();
    for (n, c) in request.clusters.iter().enumerate() {
        let at = format!("clusters[{n}].issuer");
        let finding = match az.discovery(&c.issuer)? {
            Discovery::Answers(Some(named)) if named == c.issuer => None,
            Discovery::Answers(named) => Some(Finding::warning(
                Check::Discovery,
                at,
                format!(
                    "the discovery document of {} names the issuer {}, not the one asked for",
                    c.issuer,
                    named
                        .as_deref()
                        .map_or("(none)".into(), |s| format!("{s:?}"))
                ),
                "ask Tenant A for the issuer exactly as `az aks show` reports it; a credential for another spelling never matches",
            )),
            Discovery::Gone(why) => Some(Finding::warning(
                Check::Discovery,
                at,
                format!("{} publishes no discovery document: {why}", c.issuer),
                "ask Tenant A whether the cluster still exists; trust no issuer that does not answer",
            )),
            Discovery::Unreachable(why) => Some(Finding::warning(
                Check::Discovery,
                at,
                format!(
                    "could not read the discovery document of {}: {why}",
                    c.issuer
                ),
                "check the network path to the issuer and review again",
            )),
        };
        out.extend(finding);
    }
    Ok(out)
}
