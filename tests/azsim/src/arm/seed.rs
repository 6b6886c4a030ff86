//! Resources stored directly (no HTTP, no faults, no request log), built by the same
//! code as their ARM creates so that they read back exactly as if az had made them.

use std::collections::HashMap;

use axum::http::Method;
use serde_json::{Value, json};

use super::route::{Route, Target};
use super::{Req, aks, keyvault, storage, store};
use crate::state::Sim;

/// Why a seed failed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The subscription is not configured.
    #[error("no configured subscription {0}")]
    Subscription(String),
    /// The resource's own checks refused it (`{code}: {message}`).
    #[error("{0}")]
    Refused(String),
}

fn tenant(sim: &Sim, sub: &str) -> Result<String, SeedError> {
    sim.config
        .tenant_of_subscription(sub)
        .map(|t| t.id.clone())
        .ok_or_else(|| SeedError::Subscription(sub.to_string()))
}

/// Creates the resource group when missing; returns its stored body.
pub fn group(sim: &Sim, sub: &str, rg: &str, location: &str) -> Result<Value, SeedError> {
    let tenant = tenant(sim, sub)?;
    let id = format!("/subscriptions/{sub}/resourceGroups/{rg}");
    let mut g = sim.lock();
    if let Some(existing) = g.get(&id) {
        return Ok(existing.body.clone());
    }
    let body = json!({
        "id": id, "name": rg, "type": "Microsoft.Resources/resourceGroups",
        "location": location,
        "properties": {"provisioningState": "Succeeded"},
    });
    store::save(&mut g, &id, body.clone(), &tenant, 0);
    Ok(body)
}

/// A PUT of `body` at `id`, as a provider's builder sees it.
fn put_req<'a>(sim: &'a Sim, id: &str, body: Value, tenant: &str) -> (Req<'a>, Target) {
    let Some(Route::Resource(t)) = Route::parse(&Method::PUT, id) else {
        unreachable!("seed IDs are provider resources: {id}")
    };
    let req = Req {
        sim,
        method: Method::PUT,
        query: HashMap::new(),
        body,
        caller_tenant: tenant.to_string(),
        path: id.to_string(),
    };
    (req, t)
}

/// An AKS cluster with the OIDC issuer and workload identity on, issuing `issuer`
/// (also remembered for the name, should the cluster be created again by az).
pub fn cluster(
    sim: &Sim,
    (sub, rg, name): (&str, &str, &str),
    issuer: &str,
) -> Result<Value, SeedError> {
    let tenant = tenant(sim, sub)?;
    let group = group(sim, sub, rg, "eastus")?;
    sim.lock()
        .cluster_issuers
        .insert(name.to_ascii_lowercase(), issuer.to_string());
    let id = format!(
        "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{name}"
    );
    let sent = json!({
        "location": group["location"],
        "identity": {"type": "SystemAssigned"},
        "properties": {
            "oidcIssuerProfile": {"enabled": true},
            "securityProfile": {"workloadIdentity": {"enabled": true}},
            "agentPoolProfiles": [{"name": "nodepool1", "count": 1, "mode": "System"}],
        },
    });
    let (req, t) = put_req(sim, &id, sent, &tenant);
    // A seeded cluster takes the chosen issuer even when it existed with another.
    sim.lock().resources.remove(&id.to_ascii_lowercase());
    let body = aks::cluster(&req, &t, &id, name, rg, &group)
        .map_err(|e| SeedError::Refused(format!("{}: {}", e.code, e.message)))?;
    Ok(store::save(&mut sim.lock(), &id, body, &tenant, 0).1)
}

/// A Key Vault (RBAC authorization) in `rg`, created with the group when missing.
pub fn vault(sim: &Sim, (sub, rg, name): (&str, &str, &str)) -> Result<Value, SeedError> {
    let tenant = tenant(sim, sub)?;
    let group = group(sim, sub, rg, "eastus")?;
    let location = group["location"].as_str().unwrap_or("eastus");
    let id = format!(
        "/subscriptions/{sub}/resourceGroups/{rg}/providers/{}/{name}",
        keyvault::TYPE
    );
    let body = keyvault::vault(&json!({}), (&id, name, location, &tenant));
    Ok(store::save(&mut sim.lock(), &id, body, &tenant, 0).1)
}

/// A StorageV2 account in `rg`, created with the group when missing.
pub fn storage_account(sim: &Sim, (sub, rg, name): (&str, &str, &str)) -> Result<Value, SeedError> {
    let tenant = tenant(sim, sub)?;
    let group = group(sim, sub, rg, "eastus")?;
    let location = group["location"].as_str().unwrap_or("eastus");
    let id = format!(
        "/subscriptions/{sub}/resourceGroups/{rg}/providers/{}/{name}",
        storage::TYPE
    );
    let body = storage::account(&json!({}), (&id, name, location));
    Ok(store::save(&mut sim.lock(), &id, body, &tenant, 0).1)
}

/// A role assignment above every subscription of `tenant`, at a management
/// group (`/providers/Microsoft.Management/managementGroups/<mg>`) or the
/// root (`/`): shaped like the inherited ones `role assignment list --all`
/// answers in role/test_role_assignment_create_update.yaml (the ID under the
/// scope, the role definition under the subscription it is listed from).
pub fn inherited_assignment(
    sim: &Sim,
    tenant: &str,
    scope: &str,
    principal: &str,
    role_definition_id: &str,
) -> Value {
    let name = uuid::Uuid::new_v4().to_string();
    let id = format!(
        "{}/providers/Microsoft.Authorization/roleAssignments/{name}",
        scope.trim_end_matches('/')
    );
    let body = json!({
        "id": id, "name": name, "type": "Microsoft.Authorization/roleAssignments",
        "properties": {
            "roleDefinitionId": role_definition_id, "principalId": principal,
            "principalType": "ServicePrincipal", "scope": scope,
            "condition": null, "conditionVersion": null, "description": null,
        },
    });
    store::save(&mut sim.lock(), &id, body.clone(), tenant, 0);
    body
}
