//! Caller permissions: every ARM request is authorised as ARM does it, against the
//! `actions`/`notActions` of the roles assigned to the token's principal at the
//! request's scope or above it (resource, group, subscription, management group, root).
//!
//! The service principals of the configuration (the ones the harness signs `az` in
//! as) are Owner of every subscription of their tenant without a stored assignment,
//! so that tests which do not care about permissions are not affected. Everyone else
//! (principals made through [`create_principal`], managed identities signing in with a
//! federated credential) has exactly the role assignments stored in the simulator.

mod actions;
mod builtin;
mod control;
mod roles;
mod set_roles;

use axum::http::{Method, StatusCode};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use crate::arm::ArmError;
use crate::arm::route::Route;
use crate::config::ServicePrincipal;
use crate::state::{Inner, Sim};
pub use actions::{Needed, needed};
pub use builtin::permissions_json as builtin_permissions_json;
pub use control::routes;
pub use roles::{RoleDefinition, matches};
pub use set_roles::set_principal_roles;

/// Principals and custom roles made while the simulator runs.
#[derive(Default, Debug)]
pub struct Directory {
    /// Service principals, with their tenant.
    pub principals: Vec<(String, ServicePrincipal)>,
    /// Custom role definitions (assignable anywhere in their tenant).
    pub roles: Vec<(String, RoleDefinition)>,
    /// Every action a request needed, by the caller's tenant (each once, whoever
    /// asked and whether it was granted): what a least-privilege role must hold.
    pub needed: std::collections::BTreeSet<(String, String)>,
}

/// Who a bearer token is for.
#[derive(Clone, Debug)]
pub struct Caller {
    /// `tid`.
    pub tenant: String,
    /// `appid`: the application (client) ID.
    pub client_id: String,
    /// `oid`: the principal's object ID.
    pub object_id: String,
}

impl Caller {
    /// From a verified token's claims.
    pub fn from_claims(claims: &Value) -> Caller {
        let s = |k: &str| claims[k].as_str().unwrap_or_default().to_string();
        Caller {
            tenant: s("tid"),
            client_id: s("appid"),
            object_id: s("oid"),
        }
    }

    /// ARM's refusal of `needed`. No recording in the reference set holds one; the
    /// wording is ARM's as quoted from real refusals (403, `AuthorizationFailed`, in
    /// Azure/azure-quickstart-templates#8920 and Azure/Azure-Landing-Zones#3395;
    /// the client is the application ID for a service principal, as in
    /// microsoft/metered-billing-accelerator#220).
    pub fn refusal(&self, n: &Needed) -> ArmError {
        ArmError::new(
            StatusCode::FORBIDDEN,
            "AuthorizationFailed",
            format!(
                "The client '{}' with object id '{}' does not have authorization to perform action '{}' over scope '{}' or the scope is invalid. If access was recently granted, please refresh your credentials.",
                self.client_id, self.object_id, n.action, n.scope
            ),
        )
    }
}

/// A service principal of `tenant` by client ID: configured, or made at run time.
pub fn service_principal(sim: &Sim, tenant: &str, client_id: &str) -> Option<ServicePrincipal> {
    let configured = sim.config.tenant(tenant).and_then(|t| {
        t.principals
            .iter()
            .find(|p| p.client_id.eq_ignore_ascii_case(client_id))
            .cloned()
    });
    configured.or_else(|| {
        sim.lock()
            .authz
            .principals
            .iter()
            .find(|(t, p)| {
                t.eq_ignore_ascii_case(tenant) && p.client_id.eq_ignore_ascii_case(client_id)
            })
            .map(|(_, p)| p.clone())
    })
}

/// Refuses a request `caller` may not make: the action the route needs
/// (`AuthorizationFailed`), then, for a deployment's validate or PUT, each
/// resource of its template (ARM's preflight: 400 `InvalidTemplateDeployment`,
/// wording as quoted from real refusals in
/// Azure-Samples/azure-search-openai-demo#242 and #1483).
pub fn check(
    sim: &Sim,
    caller: &Caller,
    method: &Method,
    route: &Route,
    body: &Value,
) -> Result<(), ArmError> {
    let Some(n) = needed(method, route) else {
        return Ok(());
    };
    let mut g = sim.lock();
    let tenant = caller.tenant.to_ascii_lowercase();
    g.authz.needed.insert((tenant.clone(), n.action.clone()));
    let writes = actions::template_writes(method, route, body);
    for w in &writes {
        g.authz
            .needed
            .insert((tenant.clone(), w.needed.action.clone()));
    }
    if !permitted(sim, &g, caller, &n) {
        return Err(caller.refusal(&n));
    }
    for w in writes {
        if !permitted(sim, &g, caller, &w.needed) {
            return Err(ArmError::bad(
                "InvalidTemplateDeployment",
                format!(
                    "The template deployment failed with error: 'Authorization failed for template resource '{}' of type '{}'. The client '{}' with object id '{}' does not have permission to perform action '{}' at scope '{}'.'.",
                    w.name,
                    w.rtype,
                    caller.client_id,
                    caller.object_id,
                    w.needed.action,
                    w.needed.scope
                ),
            ));
        }
    }
    Ok(())
}

/// Management groups (and the root) hold every subscription of their tenant here.
fn covers(assignment_scope: &str, scope: &str) -> bool {
    let (a, s) = (
        assignment_scope.trim_end_matches('/').to_ascii_lowercase(),
        scope.to_ascii_lowercase(),
    );
    a.is_empty()
        || a.starts_with("/providers/microsoft.management/managementgroups/")
        || s == a
        || s.starts_with(&format!("{a}/"))
}

fn permitted(sim: &Sim, g: &Inner, caller: &Caller, n: &Needed) -> bool {
    let configured = sim.config.tenant(&caller.tenant).is_some_and(|t| {
        t.principals
            .iter()
            .any(|p| p.object_id.eq_ignore_ascii_case(&caller.object_id))
    });
    configured
        || g.resources.values().any(|r| {
            let p = &r.body["properties"];
            r.delete_at.is_none()
                && r.tenant.eq_ignore_ascii_case(&caller.tenant)
                && r.body["type"] == "Microsoft.Authorization/roleAssignments"
                && p["principalId"]
                    .as_str()
                    .is_some_and(|x| x.eq_ignore_ascii_case(&caller.object_id))
                && covers(p["scope"].as_str().unwrap_or("-"), &n.scope)
                && role(
                    g,
                    &caller.tenant,
                    p["roleDefinitionId"].as_str().unwrap_or_default(),
                )
                .is_some_and(|d| d.allows(&n.action))
        })
}

/// A role definition by ID (or GUID): built-in, or custom in `tenant`.
fn role(g: &Inner, tenant: &str, definition_id: &str) -> Option<RoleDefinition> {
    let guid = definition_id.rsplit('/').next().unwrap_or_default();
    roles::builtin(guid, "").or_else(|| {
        g.authz
            .roles
            .iter()
            .find(|(t, d)| t.eq_ignore_ascii_case(tenant) && d.id.eq_ignore_ascii_case(guid))
            .map(|(_, d)| d.clone())
    })
}

/// A role to give a new principal: a built-in one by name or GUID, or a custom
/// definition (`{"roleName", "actions", "notActions"}`).
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum RoleSpec {
    /// A built-in role's name or GUID.
    Builtin(String),
    /// A custom role, made in the principal's tenant.
    Custom {
        /// `roleName`.
        #[serde(rename = "roleName")]
        name: String,
        /// `actions`.
        actions: Vec<String>,
        /// `notActions`.
        #[serde(default, rename = "notActions")]
        not_actions: Vec<String>,
    },
}

/// One assignment for a new principal.
#[derive(Clone, Debug, Deserialize)]
pub struct Grant {
    /// The role.
    pub role: RoleSpec,
    /// Where: `/`, a management group, a subscription, a group or a resource ID.
    pub scope: String,
}

/// A service principal to make: its tenant and its role assignments.
#[derive(Clone, Debug, Deserialize)]
pub struct PrincipalSpec {
    /// Tenant ID.
    pub tenant: String,
    /// Its role assignments (none: it may sign in and do nothing).
    #[serde(default)]
    pub roles: Vec<Grant>,
}

/// Makes a service principal that can sign in with a client secret, with the given
/// role assignments stored as ARM's (so `az role assignment list` shows them). Bad
/// input (unknown tenant or role, a scope not starting with `/`) changes nothing.
pub fn create_principal(sim: &Sim, spec: &PrincipalSpec) -> Result<ServicePrincipal, String> {
    let tenant = tenant_id(sim, &spec.tenant)?;
    let resolved = resolve(&spec.roles)?;
    let sp = ServicePrincipal {
        client_id: Uuid::new_v4().to_string(),
        secret: format!("secret-{}", Uuid::new_v4().simple()),
        object_id: Uuid::new_v4().to_string(),
    };
    sim.lock()
        .authz
        .principals
        .push((tenant.clone(), sp.clone()));
    assign(sim, &tenant, &sp.object_id, resolved);
    Ok(sp)
}

/// The configured ID of `tenant`, or the error naming the field.
fn tenant_id(sim: &Sim, tenant: &str) -> Result<String, String> {
    Ok(sim
        .config
        .tenant(tenant)
        .ok_or_else(|| format!("tenant: no tenant '{tenant}' in the simulator"))?
        .id
        .clone())
}

/// A grant checked and its role found or made: the definition, its scope, and
/// whether it is a custom role (to store in the tenant).
struct Resolved {
    definition: RoleDefinition,
    scope: String,
    custom: bool,
}

/// Checks every grant before anything is stored; the error names the field.
fn resolve(roles: &[Grant]) -> Result<Vec<Resolved>, String> {
    let mut resolved = Vec::new();
    for (i, grant) in roles.iter().enumerate() {
        if !grant.scope.starts_with('/') {
            return Err(format!(
                "roles[{i}].scope: '{}' is not a scope; give `/`, a management group, subscription, group or resource ID",
                grant.scope
            ));
        }
        let definition = match &grant.role {
            RoleSpec::Builtin(name) => builtin_by_name(name).ok_or_else(|| {
                format!("roles[{i}].role: no built-in role '{name}' in the simulator; give a name or GUID of a served role, or a custom definition {{\"roleName\", \"actions\", \"notActions\"}}")
            })?,
            RoleSpec::Custom { name, actions, not_actions } => RoleDefinition {
                id: Uuid::new_v4().to_string(),
                name: name.clone(),
                actions: actions.clone(),
                not_actions: not_actions.clone(),
            },
        };
        resolved.push(Resolved {
            definition,
            scope: grant.scope.clone(),
            custom: matches!(grant.role, RoleSpec::Custom { .. }),
        });
    }
    Ok(resolved)
}

/// Stores `resolved` as role assignments of the principal `object_id` of `tenant`
/// (and each custom role as a definition of the tenant).
fn assign(sim: &Sim, tenant: &str, object_id: &str, resolved: Vec<Resolved>) {
    for Resolved {
        definition,
        scope,
        custom,
    } in resolved
    {
        let under_sub = if scope.to_ascii_lowercase().starts_with("/subscriptions/") {
            scope.split('/').take(3).collect::<Vec<_>>().join("/")
        } else {
            String::new()
        };
        let definition_id = format!(
            "{under_sub}/providers/Microsoft.Authorization/roleDefinitions/{}",
            definition.id
        );
        if custom {
            sim.lock()
                .authz
                .roles
                .push((tenant.to_string(), definition));
        }
        crate::arm::seed::inherited_assignment(sim, tenant, &scope, object_id, &definition_id);
    }
}

/// Names and GUIDs of the built-in roles the simulator serves.
fn builtin_by_name(name: &str) -> Option<RoleDefinition> {
    crate::arm::builtin_roles()
        .iter()
        .find(|(n, guid, _)| n.eq_ignore_ascii_case(name) || guid.eq_ignore_ascii_case(name))
        .and_then(|(n, guid, _)| roles::builtin(guid, n))
}
