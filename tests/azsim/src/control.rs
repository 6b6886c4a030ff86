//! The simulator's own control endpoint (`/_azsim/...`): faults, counters, the unknown-route log.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::faults::Faults;
use crate::state::Sim;

/// `GET/PUT /_azsim/faults`, `GET /_azsim/stats`, `GET /_azsim/requests`.
pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/_azsim/faults", get(get_faults).put(put_faults))
        .route("/_azsim/stats", get(stats))
        .route("/_azsim/requests", get(requests))
}

async fn get_faults(State(sim): State<Arc<Sim>>) -> Json<Faults> {
    Json(sim.faults())
}

async fn put_faults(State(sim): State<Arc<Sim>>, Json(f): Json<Faults>) -> Json<Faults> {
    sim.set_faults(f);
    Json(sim.faults())
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
