//! The sliver of Microsoft Graph that `az role assignment list/create` uses to show principal names.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::state::{RequestRecord, Sim, Surface};

/// `POST /v1.0/directoryObjects/getByIds`.
pub fn routes() -> Router<Arc<Sim>> {
    Router::new().route("/v1.0/directoryObjects/getByIds", post(get_by_ids))
}

async fn get_by_ids(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(claims) = token.and_then(|t| sim.key.verify::<Value>(t).ok()) else {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error": {"code": "InvalidAuthenticationToken", "message": "Access token is empty or invalid."}}))).into_response();
    };
    let tenant = claims["tid"].as_str().unwrap_or_default().to_string();
    let ids: Vec<String> = body["ids"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_ascii_lowercase))
                .collect()
        })
        .unwrap_or_default();
    let mut found = Vec::new();
    if let Some(t) = sim.config.tenant(&tenant) {
        for p in t
            .principals
            .iter()
            .filter(|p| ids.contains(&p.object_id.to_ascii_lowercase()))
        {
            found.push(json!({"@odata.type": "#microsoft.graph.servicePrincipal", "id": p.object_id, "appId": p.client_id, "displayName": format!("sp-{}", p.client_id), "servicePrincipalType": "Application", "servicePrincipalNames": [p.client_id]}));
        }
    }
    {
        let g = sim.lock();
        for r in g
            .resources
            .values()
            .filter(|r| r.tenant.eq_ignore_ascii_case(&tenant))
        {
            let p = &r.body["properties"];
            if p["principalId"]
                .as_str()
                .is_some_and(|x| ids.contains(&x.to_ascii_lowercase()))
            {
                found.push(json!({"@odata.type": "#microsoft.graph.servicePrincipal", "id": p["principalId"], "appId": p["clientId"], "displayName": r.body["name"], "servicePrincipalType": "ManagedIdentity", "servicePrincipalNames": [p["clientId"], r.body["id"]]}));
            }
        }
    }
    sim.record(RequestRecord {
        surface: Surface::Entra,
        method: "POST".into(),
        path: "/v1.0/directoryObjects/getByIds".into(),
        op: "graph.getByIds".into(),
        status: 200,
    });
    Json(json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects", "value": found})).into_response()
}
