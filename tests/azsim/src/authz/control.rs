//! `POST /_azsim/principals`: a service principal with chosen role assignments, for
//! tests that sign `az` in as a less privileged caller.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::{PrincipalSpec, create_principal};
use crate::state::Sim;

/// `POST /_azsim/principals` with `{"tenant": "<id>", "roles": [{"role": "Reader" |
/// {"roleName", "actions", "notActions"}, "scope": "/subscriptions/…"}]}`; answers
/// 201 `{"tenantId", "clientId", "secret", "objectId"}`, or 400 naming the field.
pub fn routes() -> Router<Arc<Sim>> {
    Router::new().route("/_azsim/principals", post(principals))
}

async fn principals(
    State(sim): State<Arc<Sim>>,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let spec: PrincipalSpec = match serde_json::from_value(body) {
        Ok(s) => s,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(
                    json!({"error": format!("{e}; send {{\"tenant\": \"<id>\", \"roles\": [{{\"role\": \"<name>\", \"scope\": \"/subscriptions/…\"}}]}}")}),
                ),
            );
        }
    };
    match create_principal(&sim, &spec) {
        Ok(sp) => (
            StatusCode::CREATED,
            Json(
                json!({"tenantId": spec.tenant, "clientId": sp.client_id, "secret": sp.secret, "objectId": sp.object_id}),
            ),
        ),
        Err(e) => (StatusCode::BAD_REQUEST, Json(json!({"error": e}))),
    }
}
