//! Generic resource storage used by every provider: render, get, list, save, delete (with LRO).

use std::time::{Duration, Instant};

use axum::Json;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::Req;
use super::error::{self, ArmError, ArmResult};
use super::route::Target;
use crate::keys::{format_utc, now_secs};
use crate::lro;
use crate::state::{Inner, Stored};

/// Current time in ARM's format (`2024-01-01T00:00:00Z`).
pub fn now_iso() -> String {
    format_utc(now_secs(), 'T')
}

/// Types ARM answers without `properties.provisioningState`: their writes are
/// synchronous (identity/test_identity_management.yaml,
/// identity/test_federated_identity_credential.yaml and
/// role/test_role_assignment_create_update.yaml in the recordings).
const WITHOUT_STATE: [&str; 3] = [
    "Microsoft.Authorization/roleAssignments",
    "Microsoft.ManagedIdentity/userAssignedIdentities",
    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
];

/// The resource as it is answered now (provisioning state follows its operation).
pub fn render(s: &Stored) -> Value {
    let mut body = s.body.clone();
    let pending = s.ready_at > Instant::now();
    let state = if let Some(forced) = &s.forced_state {
        forced.as_str()
    } else if s.delete_at.is_some() {
        "Deleting"
    } else if pending {
        s.pending_state
    } else {
        s.final_state
    };
    let stateless = body["type"]
        .as_str()
        .is_some_and(|t| WITHOUT_STATE.iter().any(|w| t.eq_ignore_ascii_case(w)));
    if let Some(p) = body.get_mut("properties").and_then(Value::as_object_mut) {
        if !stateless {
            p.insert("provisioningState".into(), json!(state));
        }
        // A cluster's node pools are created and updated with it: each shows
        // the cluster's state (acs/test_aks_create_default_service.yaml in the
        // recordings: `Creating`, then `Succeeded`).
        if let Some(pools) = p.get_mut("agentPoolProfiles").and_then(Value::as_array_mut) {
            for pool in pools.iter_mut().filter_map(Value::as_object_mut) {
                pool.insert("provisioningState".into(), json!(state));
            }
        }
        if let Some(status) = s.pending_status.filter(|_| pending) {
            p.insert("status".into(), json!(status));
        }
    }
    body
}

/// The stored name of a resource group (ARM keeps the creation casing), or 404.
/// A group being deleted is still found: reads inside it keep working.
pub fn group_name(inner: &Inner, sub: &str, rg: &str) -> Result<String, ArmError> {
    inner
        .get(&format!("/subscriptions/{sub}/resourceGroups/{rg}"))
        .and_then(|g| g.body["name"].as_str().map(String::from))
        .ok_or_else(|| ArmError::group_not_found(rg))
}

/// 409 `ResourceGroupBeingDeleted` when the group is being deleted (ARM refuses every
/// write inside it until the delete completes).
pub fn group_writable(inner: &Inner, sub: &str, rg: &str) -> Result<(), ArmError> {
    match inner.get(&format!("/subscriptions/{sub}/resourceGroups/{rg}")) {
        Some(g) if g.delete_at.is_some() => Err(ArmError::group_being_deleted(
            g.body["name"].as_str().unwrap_or(rg),
        )),
        _ => Ok(()),
    }
}

/// Resolves the resource group a request names (its stored casing) and
/// returns the target re-scoped to it, the group's name and its body (for
/// defaults such as the location). Fails as ARM does when the group does not
/// exist, or when the request writes inside a group being deleted.
pub fn in_group(req: &Req<'_>, t: &Target) -> Result<(Target, String, Value), ArmError> {
    let rg = t.rg.clone().unwrap_or_default();
    let g = req.sim.lock();
    let name = group_name(&g, &t.sub, &rg)?;
    if writes(req, t) {
        group_writable(&g, &t.sub, &name)?;
    }
    let scope = format!("/subscriptions/{}/resourceGroups/{name}", t.sub);
    let body = g
        .get(&scope)
        .map(|s| s.body.clone())
        .ok_or_else(|| ArmError::group_not_found(&rg))?;
    let mut t = t.clone();
    t.scope = scope;
    Ok((t, name, body))
}

/// True for a request that changes something (`list*` actions only read).
fn writes(req: &Req<'_>, t: &Target) -> bool {
    match req.method.as_str() {
        "PUT" | "PATCH" | "DELETE" => true,
        "POST" => !(t.is_action() && t.tail.as_deref().is_some_and(|a| a.starts_with("list"))),
        _ => false,
    }
}

/// The tenant that owns a subscription (empty when none does).
pub fn tenant_of(req: &Req<'_>, sub: &str) -> String {
    req.sim
        .config
        .tenant_of_subscription(sub)
        .map(|x| x.id.clone())
        .unwrap_or_default()
}

/// Answers a GET of a collection: the resources of `rtype` directly under `parent`.
pub fn list(req: &Req<'_>, parent: &str, rtype: &str) -> ArmResult {
    let g = req.sim.lock();
    error::list(children(&g, parent, rtype))
}

/// Answers a list at subscription scope (`GET /subscriptions/{s}/providers/{ns}/{type}`,
/// what `az aks list` / `az identity list` send without `-g`): every resource of
/// `rtype` in the subscription, whatever its group. `None` for any other request.
/// ARM documents these as `ManagedClusters_List` and
/// `UserAssignedIdentities_ListBySubscription` ("in the specified subscription";
/// learn.microsoft.com REST reference), answering 200 with `value`.
pub fn subscription_list(req: &Req<'_>, t: &Target, rtype: &str) -> Option<ArmResult> {
    if t.rg.is_some() || !t.pairs.is_empty() || t.tail.is_none() || req.method != "GET" {
        return None;
    }
    let g = req.sim.lock();
    let items = g
        .under(&format!("/subscriptions/{}", t.sub))
        .filter(|s| s.body["type"] == rtype)
        .map(render)
        .collect();
    Some(error::list(items))
}

/// Answers a GET of one resource.
pub fn get(req: &Req<'_>, id: &str, rtype: &str, name: &str, rg: &str) -> ArmResult {
    let g = req.sim.lock();
    match g.get(id) {
        Some(s) => error::reply(StatusCode::OK, render(s)),
        None => Err(ArmError::not_found(rtype, name, rg)),
    }
}

/// Direct children of `parent` whose `type` is `rtype`.
pub fn children(inner: &Inner, parent: &str, rtype: &str) -> Vec<Value> {
    let depth = parent.matches('/').count() + 1;
    inner
        .under(parent)
        .filter(|s| s.body["type"] == rtype)
        .filter(|s| {
            s.body["id"]
                .as_str()
                .is_some_and(|i| i.matches('/').count() == depth)
        })
        .map(render)
        .collect()
}

/// Stores a resource (create or replace). The operation takes `ms` to complete.
/// Returns whether it was created and the answer body.
pub fn save(inner: &mut Inner, id: &str, body: Value, tenant: &str, ms: u64) -> (bool, Value) {
    let now = Instant::now();
    let key = id.to_ascii_lowercase();
    let existing = inner.resources.get(&key);
    let created = existing.is_none_or(|e| e.delete_at.is_some());
    let stored = Stored {
        body,
        tenant: tenant.to_string(),
        created: existing.filter(|_| !created).map_or(now, |e| e.created),
        ready_at: now + Duration::from_millis(ms),
        pending_state: if created { "Creating" } else { "Updating" },
        pending_status: None,
        final_state: "Succeeded",
        forced_state: None,
        delete_at: None,
    };
    let shown = render(&stored);
    inner.resources.insert(key, stored);
    (created, shown)
}

/// The answer to a synchronous PUT that names a created resource in `Location`,
/// as Managed Identity does (201 with `Location: <resource ID>`, 200 without; no polling:
/// identity/test_federated_identity_credential.yaml in the recordings).
pub fn put_answer_located(created: bool, body: Value) -> ArmResult {
    let id = body["id"].as_str().unwrap_or_default().to_string();
    let mut r = put_answer(created, body)?;
    if let (true, Ok(v)) = (created, axum::http::HeaderValue::from_str(&id)) {
        r.headers_mut().insert("Location", v);
    }
    Ok(r)
}

/// The answer to a synchronous PUT: 201 when created, 200 when replaced.
pub fn put_answer(created: bool, body: Value) -> ArmResult {
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    error::reply(status, body)
}

/// Stores a resource whose PUT is long-running and answers with `Azure-AsyncOperation`.
/// `refuse` sees the existing resource first (under the same lock) and may refuse the write.
pub fn put_lro(
    req: &Req<'_>,
    (sub, id, tenant, op): (&str, &str, &str, &str),
    body: Value,
    refuse: impl Fn(&Stored) -> Result<(), ArmError>,
) -> ArmResult {
    let (created, shown, op_id) = {
        let mut g = req.sim.lock();
        if let Some(existing) = g.get(id) {
            refuse(existing)?;
        }
        let ms = g.faults.lro_at(op, &req.path);
        let failure = g.faults.take_lro_failure(op);
        let (created, shown) = save(&mut g, id, body, tenant, ms);
        if let (Some(f), Some(s)) = (&failure, g.resources.get_mut(&id.to_ascii_lowercase())) {
            s.final_state = if f.status.eq_ignore_ascii_case("Canceled") {
                "Canceled"
            } else {
                "Failed"
            };
        }
        let (op_id, _) = lro::begin(&mut g, ms, failure);
        (created, shown, op_id)
    };
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let r = (status, Json(shown)).into_response();
    Ok(lro::with_headers(req.sim, r, sub, &op_id, false))
}

/// Deletes a resource and everything under it. Long-running deletes answer 202 with
/// `Location`; others answer 200, or 204 when there was nothing to delete.
pub fn delete(req: &Req<'_>, sub: &str, id: &str, op: &str, long_running: bool) -> ArmResult {
    let mut g = req.sim.lock();
    let key = id.to_ascii_lowercase();
    if !g.resources.contains_key(&key) {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    if !long_running {
        let prefix = format!("{key}/");
        g.resources
            .retain(|k, _| *k != key && !k.starts_with(&prefix));
        return Ok(StatusCode::OK.into_response());
    }
    let ms = g.faults.lro_at(op, &req.path);
    let (op_id, done_at) = lro::begin(&mut g, ms, None);
    let prefix = format!("{key}/");
    for (k, r) in g.resources.iter_mut() {
        if *k == key || k.starts_with(&prefix) {
            r.delete_at.get_or_insert(done_at);
        }
    }
    drop(g);
    let r = StatusCode::ACCEPTED.into_response();
    Ok(lro::with_headers(req.sim, r, sub, &op_id, true))
}

/// Logs an unsupported request as an unknown route and answers 404.
pub fn unsupported(req: &Req<'_>, what: &str) -> ArmError {
    req.sim
        .lock()
        .unknown
        .push(format!("{} {}", req.method, req.path));
    ArmError::new(
        StatusCode::NOT_FOUND,
        "NoRouteInSimulator",
        format!("azsim does not support {} {what}", req.method),
    )
}

/// The `location` of a request body, or of the resource group.
pub fn location(req: &Req<'_>, group: Option<&Value>) -> String {
    req.body["location"]
        .as_str()
        .or_else(|| group.and_then(|g| g["location"].as_str()))
        .unwrap_or("eastus")
        .to_ascii_lowercase()
        .replace(' ', "")
}
