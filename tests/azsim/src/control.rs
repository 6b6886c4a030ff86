//! The simulator's own control endpoint (`/_azsim/...`): faults, held calls, forced
//! provisioning states, counters, the unknown-route log.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::faults::Faults;
use crate::state::Sim;

/// `GET/PUT /_azsim/faults`, `GET /_azsim/held`, `POST /_azsim/release/{op}`,
/// `PUT /_azsim/state`, `GET /_azsim/stats`, `GET /_azsim/requests`.
pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/_azsim/faults", get(get_faults).put(put_faults))
        .route("/_azsim/held", get(held))
        .route("/_azsim/release/{op}", post(release))
        .route("/_azsim/state", put(force_state))
        .route("/_azsim/stats", get(stats))
        .route("/_azsim/requests", get(requests))
        .route(
            "/_azsim/issuer/.well-known/openid-configuration",
            get(issuer_discovery),
        )
        .route("/_azsim/issuer/openid/v1/jwks", get(issuer_keys))
        .route(
            "/_azsim/issuers/{name}/.well-known/openid-configuration",
            get(named_issuer_discovery),
        )
}

/// Stand-in issuers by name (one per seeded cluster, say): the discovery
/// document answers until the issuer is retired, then 404 like a deleted
/// cluster's.
async fn named_issuer_discovery(
    State(sim): State<Arc<Sim>>,
    Path(name): Path<String>,
) -> (StatusCode, Json<Value>) {
    if sim.lock().retired_issuers.contains(&name) {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "not found", "issuer": name})),
        );
    }
    let iss = format!("{}/_azsim/issuers/{name}/", sim.base_url);
    (
        StatusCode::OK,
        Json(json!({
            "issuer": iss,
            "jwks_uri": format!("{iss}openid/v1/jwks"),
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        })),
    )
}

/// A stand-in OIDC issuer (like a cluster's service-account issuer) whose tokens
/// [`Sim::mint_assertion`](crate::state::Sim) signs; for tests without a cluster.
async fn issuer_discovery(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let iss = format!("{}/_azsim/issuer/", sim.base_url);
    Json(json!({
        "issuer": iss,
        "jwks_uri": format!("{iss}openid/v1/jwks"),
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
    }))
}

async fn issuer_keys(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(sim.key.jwks())
}

async fn get_faults(State(sim): State<Arc<Sim>>) -> Json<Faults> {
    Json(sim.faults())
}

async fn put_faults(State(sim): State<Arc<Sim>>, Json(f): Json<Faults>) -> Json<Faults> {
    sim.set_faults(f);
    Json(sim.faults())
}

/// Calls held right now, per operation.
async fn held(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!(sim.lock().held))
}

async fn release(State(sim): State<Arc<Sim>>, Path(op): Path<String>) -> StatusCode {
    sim.release(&op);
    StatusCode::NO_CONTENT
}

/// `{"id": "<resource ID>", "provisioningState": "Stopping"}` (or `null` to clear).
async fn force_state(State(sim): State<Arc<Sim>>, Json(v): Json<Value>) -> StatusCode {
    let id = v["id"].as_str().unwrap_or_default();
    let state = v["provisioningState"].as_str();
    if sim.force_state(id, state) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

async fn stats(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let g = sim.lock();
    let writes: Vec<String> = g
        .requests
        .iter()
        .filter(|r| r.is_write())
        .map(|r| format!("{} {} -> {}", r.method, r.path, r.status))
        .collect();
    Json(json!({
        "requests": g.requests.len(),
        "writes": writes.len(),
        "write_log": writes,
        "unknown": g.unknown,
        "resources": g.resources.len(),
    }))
}

async fn requests(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!(sim.lock().requests))
}
