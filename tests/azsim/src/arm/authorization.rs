//! `Microsoft.Authorization`: built-in role definitions (filter by role name) and role assignments (PrincipalNotFound, RoleAssignmentExists).

use std::time::Duration;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::error::{self, ArmError, ArmResult};
use super::route::Target;
use super::{Req, store};

/// Built-in roles served (name, GUID, description); the GUIDs are Azure's, the same in
/// every tenant (data-plane roles for the graph's scopes: Service Bus, Key Vault, Blob).
const ROLES: &[(&str, &str, &str)] = &[
    (
        "Owner",
        "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        "Grants full access to manage all resources.",
    ),
    (
        "Contributor",
        "b24988ac-6180-42a0-ab88-20f7382dd24c",
        "Grants full access to manage all resources, but does not allow you to assign roles.",
    ),
    (
        "Reader",
        "acdd72a7-3385-48ef-bd42-f606fba81ae7",
        "View all resources, but does not allow you to make any changes.",
    ),
    (
        "Azure Service Bus Data Owner",
        "090c5cfd-751d-490a-894a-3ce6f1109419",
        "Allows for full access to Azure Service Bus resources.",
    ),
    (
        "Azure Service Bus Data Sender",
        "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
        "Allows for send access to Azure Service Bus resources.",
    ),
    (
        "Azure Service Bus Data Receiver",
        "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",
        "Allows for receive access to Azure Service Bus resources.",
    ),
    (
        "Key Vault Secrets User",
        "4633458b-17de-408a-b874-0445c86b69e6",
        "Read secret contents. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    ),
    (
        "Key Vault Secrets Officer",
        "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
        "Perform any action on the secrets of a key vault, except manage permissions. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    ),
    (
        "Key Vault Reader",
        "21090545-7ca7-4776-b22c-e363652d74d2",
        "Read metadata of key vaults and its certificates, keys, and secrets. Cannot read sensitive values such as secret contents or key material. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    ),
    (
        "Storage Blob Data Reader",
        "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
        "Allows for read access to Azure Storage blob containers and data",
    ),
    (
        "Storage Blob Data Contributor",
        "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        "Allows for read, write and delete access to Azure Storage blob containers and data",
    ),
    // The roles that hold the actions of the README's least-privilege table
    // (names, IDs and descriptions from learn.microsoft.com, "Azure built-in
    // roles": Containers, Identity and Privileged sections).
    (
        "Azure Kubernetes Service Cluster User Role",
        "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
        "List cluster user credential action.",
    ),
    (
        "Azure Kubernetes Service Contributor Role",
        "ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8",
        "Grants access to read and write Azure Kubernetes Service clusters",
    ),
    (
        "Managed Identity Contributor",
        "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59",
        "Create, Read, Update, and Delete User Assigned Identity",
    ),
    (
        "Managed Identity Operator",
        "f1a07417-d97a-45cb-824c-7a7467783830",
        "Read and Assign User Assigned Identity",
    ),
    (
        "Role Based Access Control Administrator",
        "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
        "Manage access to Azure resources by assigning roles using Azure RBAC. This role does not allow you to manage access using other ways, such as Azure Policy.",
    ),
    (
        "User Access Administrator",
        "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
        "Lets you manage user access to Azure resources.",
    ),
];

/// The built-in roles served: (name, GUID, description).
pub(crate) fn builtin_roles() -> &'static [(&'static str, &'static str, &'static str)] {
    ROLES
}

/// The creation and update date the simulator gives every built-in role.
const BUILT_IN_DATE: &str = "2015-02-02T21:55:09.8806423Z";

const ASSIGNMENT_TYPE: &str = "Microsoft.Authorization/roleAssignments";

fn definition(sub: &str, (name, guid, description): (&str, &str, &str)) -> Value {
    json!({
        "id": format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}"),
        "name": guid, "type": "Microsoft.Authorization/roleDefinitions",
        "properties": {
            "roleName": name, "type": "BuiltInRole", "description": description,
            "assignableScopes": ["/"],
            // Built-in roles carry their dates and no author (the list in
            // role/test_role_definition_scenario.yaml in the recordings).
            "createdOn": BUILT_IN_DATE, "updatedOn": BUILT_IN_DATE, "createdBy": null, "updatedBy": null,
            "permissions": crate::authz::builtin_permissions_json(guid),
        },
    })
}

/// Role definitions at any scope: list (with `roleName eq '...'`) or one by GUID.
pub fn definitions(req: &Req<'_>, t: &Target) -> ArmResult {
    if req.method != Method::GET {
        return Err(store::unsupported(req, &t.id()));
    }
    let filter = req.filter().unwrap_or_default();
    let wanted = filter
        .split_once("roleName eq '")
        .and_then(|(_, rest)| rest.split_once('\''))
        .map(|(n, _)| n.to_string());
    match t.pairs.first() {
        None => error::list(
            ROLES
                .iter()
                .filter(|r| wanted.as_ref().is_none_or(|w| r.0.eq_ignore_ascii_case(w)))
                .map(|r| definition(&t.sub, *r))
                .collect(),
        ),
        Some((_, guid)) => ROLES
            .iter()
            .find(|r| r.1.eq_ignore_ascii_case(guid))
            .map_or_else(
                || {
                    Err(ArmError::new(
                        StatusCode::NOT_FOUND,
                        "RoleDefinitionDoesNotExist",
                        "The specified role definition with ID '{guid}' does not exist."
                            .replace("{guid}", guid),
                    ))
                },
                |r| error::reply(StatusCode::OK, definition(&t.sub, *r)),
            ),
    }
}

/// Role assignments at any scope: list, get, create, delete.
pub fn assignments(req: &Req<'_>, t: &Target) -> ArmResult {
    let Some((_, name)) = t.pairs.first() else {
        return list(req, t);
    };
    let id = t.id();
    match req.method {
        Method::GET => {
            let g = req.sim.lock();
            g.get(&id).map_or_else(
                || {
                    Err(ArmError::new(
                        StatusCode::NOT_FOUND,
                        "RoleAssignmentNotFound",
                        format!("The role assignment '{name}' is not found."),
                    ))
                },
                |s| error::reply(StatusCode::OK, store::render(s)),
            )
        }
        Method::PUT => create(req, t, &id, name),
        Method::DELETE => {
            let found = req.sim.lock().get(&id).map(store::render);
            store::delete(req, &t.sub, &id, "roleAssignments.delete", false)?;
            match found {
                Some(b) => error::reply(StatusCode::OK, b),
                None => Ok(axum::response::IntoResponse::into_response(
                    StatusCode::NO_CONTENT,
                )),
            }
        }
        _ => Err(store::unsupported(req, &id)),
    }
}

fn create(req: &Req<'_>, t: &Target, id: &str, name: &str) -> ArmResult {
    let p = &req.body["properties"];
    let role = p["roleDefinitionId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let principal = p["principalId"].as_str().unwrap_or_default().to_string();
    let tenant = req
        .sim
        .config
        .tenant_of_subscription(&t.sub)
        .map(|x| x.id.clone())
        .unwrap_or_default();
    let role_guid = role.rsplit('/').next().unwrap_or_default().to_string();
    if !ROLES.iter().any(|r| r.1.eq_ignore_ascii_case(&role_guid)) {
        return Err(ArmError::bad(
            "RoleDefinitionDoesNotExist",
            format!("The specified role definition with ID '{role_guid}' does not exist."),
        ));
    }
    let mut g = req.sim.lock();
    if let Some(rg) = &t.rg {
        store::group_writable(&g, &t.sub, rg)?;
    }
    if t.scope.matches('/').count() > 2 && g.get(&t.scope).is_none() {
        return Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "ScopeNotFound",
            format!("The scope '{}' cannot be found.", t.scope),
        ));
    }
    if !principal_exists(req, &g, &tenant, &principal) {
        return Err(ArmError::bad(
            "PrincipalNotFound",
            format!(
                "Principal {} does not exist in the directory {tenant}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype",
                principal.replace('-', "")
            ),
        ));
    }
    refuse_update(g.get(id), &principal, &role_guid)?;
    let same = store::children(
        &g,
        &format!(
            "{}/providers/Microsoft.Authorization/roleAssignments",
            t.scope
        ),
        ASSIGNMENT_TYPE,
    )
    .into_iter()
    .find(|a| {
        a["properties"]["principalId"]
            .as_str()
            .is_some_and(|x| x.eq_ignore_ascii_case(&principal))
            && a["properties"]["roleDefinitionId"]
                .as_str()
                .is_some_and(|x| {
                    x.to_ascii_lowercase()
                        .ends_with(&role_guid.to_ascii_lowercase())
                })
    });
    if let Some(a) = same.filter(|a| {
        !a["name"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    }) {
        return Err(ArmError::new(
            StatusCode::CONFLICT,
            "RoleAssignmentExists",
            format!(
                "The role assignment already exists. The ID of the existing role assignment is {}.",
                a["name"].as_str().unwrap_or_default()
            ),
        ));
    }
    let now = store::now_iso();
    // ARM keeps a description and an ABAC condition as sent; a condition without
    // a version gets version 2.0.
    let text = |k: &str| p[k].as_str().filter(|v| !v.is_empty()).map(String::from);
    let (description, condition) = (text("description"), text("condition"));
    let condition_version = condition
        .as_ref()
        .map(|_| text("conditionVersion").unwrap_or_else(|| "2.0".into()));
    let body = json!({
        "id": id, "name": name, "type": ASSIGNMENT_TYPE,
        "properties": {
            "roleDefinitionId": format!("/subscriptions/{}/providers/Microsoft.Authorization/roleDefinitions/{role_guid}", t.sub),
            "principalId": principal, "principalType": p["principalType"].as_str().unwrap_or("ServicePrincipal"),
            "scope": t.scope, "condition": condition, "conditionVersion": condition_version,
            "createdOn": now, "updatedOn": now, "createdBy": null, "updatedBy": null, "delegatedManagedIdentityResourceId": null, "description": description,
        },
    });
    let (_, shown) = store::save(&mut g, id, body, &tenant, 0);
    // ARM answers 201 to every accepted assignment PUT, a replacement of the
    // description or condition included (role/test_role_assignment_create_update.yaml
    // in the recordings: the second PUT of ...0003 is 201).
    store::put_answer(true, shown)
}

/// ARM never changes who or what an assignment grants: a PUT of an existing
/// assignment's name with another principal or role is 409
/// `RoleAssignmentUpdateNotPermitted` with this fixed text (Azure's error body as
/// quoted in github.com/Azure/azure-resource-manager-schemas/issues/1771 and in ARM
/// template troubleshooting write-ups; the remedy is a new name). The same
/// principal and role again is an idempotent PUT.
fn refuse_update(
    existing: Option<&crate::state::Stored>,
    principal: &str,
    role_guid: &str,
) -> Result<(), ArmError> {
    let Some(old) = existing.filter(|s| s.delete_at.is_none()) else {
        return Ok(());
    };
    let p = &old.body["properties"];
    let same_principal = p["principalId"]
        .as_str()
        .is_some_and(|x| x.eq_ignore_ascii_case(principal));
    let same_role = p["roleDefinitionId"].as_str().is_some_and(|x| {
        x.rsplit('/')
            .next()
            .is_some_and(|g| g.eq_ignore_ascii_case(role_guid))
    });
    if same_principal && same_role {
        return Ok(());
    }
    Err(ArmError::new(
        StatusCode::CONFLICT,
        "RoleAssignmentUpdateNotPermitted",
        "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
    ))
}

/// Service principals of the tenant, and managed identities (and cluster identities)
/// once `principal_not_found_secs` have passed since their creation.
fn principal_exists(req: &Req<'_>, g: &crate::state::Inner, tenant: &str, principal: &str) -> bool {
    let sp = req.sim.config.tenant(tenant).is_some_and(|t| {
        t.principals
            .iter()
            .any(|p| p.object_id.eq_ignore_ascii_case(principal))
    }) || g.authz.principals.iter().any(|(t, p)| {
        t.eq_ignore_ascii_case(tenant) && p.object_id.eq_ignore_ascii_case(principal)
    });
    let delay = Duration::from_secs(g.faults.principal_not_found_secs);
    sp || g.resources.values().any(|r| {
        r.tenant.eq_ignore_ascii_case(tenant)
            && r.created.elapsed() >= delay
            && [
                &r.body["properties"]["principalId"],
                &r.body["identity"]["principalId"],
            ]
            .iter()
            .any(|v| {
                v.as_str()
                    .is_some_and(|x| x.eq_ignore_ascii_case(principal))
            })
    })
}

/// Where management groups live, lower-case.
const MANAGEMENT_GROUPS: &str = "/providers/microsoft.management/managementgroups";

/// Where assignments at the root (`/`) live, lower-case.
const ROOT_ASSIGNMENTS: &str = "/providers/microsoft.authorization/roleassignments";

fn list(req: &Req<'_>, t: &Target) -> ArmResult {
    let filter = req.filter().unwrap_or_default().to_string();
    let principal = filter
        .split_once("principalId eq '")
        .and_then(|(_, r)| r.split_once('\''))
        .map(|(p, _)| p.to_ascii_lowercase());
    let at_scope = filter.contains("atScope()");
    let scope = t.scope.to_ascii_lowercase();
    let g = req.sim.lock();
    let sub_prefix = format!("/subscriptions/{}", t.sub);
    // Assignments at a management group or the root apply to the
    // subscriptions below them, and a list answers them too (as in
    // role/test_role_assignment_create_update.yaml, whose lists hold scopes
    // `/providers/Microsoft.Management/managementGroups/CliMgmtGroup` and
    // `/`). azsim keeps no management-group tree: each holds every
    // subscription of its tenant.
    let inherited = g
        .under(MANAGEMENT_GROUPS)
        .chain(g.under(ROOT_ASSIGNMENTS))
        .filter(|s| s.tenant == req.caller_tenant);
    let items = g
        .under(&sub_prefix)
        .chain(g.get(&sub_prefix))
        .chain(inherited)
        .filter(|s| s.body["type"] == ASSIGNMENT_TYPE)
        .filter(|s| {
            let a = s.body["properties"]["scope"]
                .as_str()
                .unwrap_or_default()
                .to_ascii_lowercase();
            let from_above = a == "/" || a.starts_with(&format!("{MANAGEMENT_GROUPS}/"));
            let above = from_above || scope == a || scope.starts_with(&format!("{a}/"));
            let below = a.starts_with(&format!("{scope}/"));
            above || (!at_scope && below)
        })
        .filter(|s| {
            principal.as_ref().is_none_or(|p| {
                s.body["properties"]["principalId"]
                    .as_str()
                    .is_some_and(|x| x.eq_ignore_ascii_case(p))
            })
        })
        .map(store::render)
        .map(|mut b| {
            if let Some(p) = b["properties"].as_object_mut() {
                p.remove("provisioningState");
            }
            b
        })
        .collect();
    error::list(items)
}
