//! A plain-HTTP stand-in for an API server on loopback, for running the
//! built plugin against a few objects: a GET of a known path answers the
//! object, a GET of a collection lists the known objects in it (none for an
//! unknown one), a watch never sends anything, and a PATCH answers what the
//! test set for it (else the object as it was).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Json, Response};
use serde_json::{Value, json};

/// Objects by path, and the answers to PATCHes of some of them.
#[derive(Default, Clone)]
pub struct Objects {
    pub get: HashMap<String, Value>,
    pub patched: HashMap<String, Value>,
}

/// Serves `objects` on a free loopback port; returns `http://127.0.0.1:<port>`.
pub async fn start(objects: Objects) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let objects = Arc::new(objects);
    let app = Router::new().fallback(move |method: Method, uri: Uri| {
        let objects = Arc::clone(&objects);
        async move { answer(&objects, &method, &uri).await }
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

async fn answer(objects: &Objects, method: &Method, uri: &Uri) -> Response {
    let path = uri.path();
    let query = uri.query().unwrap_or_default();
    if *method == Method::PATCH {
        let found = objects.patched.get(path).or_else(|| objects.get.get(path));
        return match found {
            Some(o) => Json(o.clone()).into_response(),
            None => not_found(path),
        };
    }
    if *method != Method::GET {
        return not_found(path);
    }
    if query
        .split('&')
        .any(|q| q == "watch=true" || q == "watch=1")
    {
        std::future::pending::<()>().await;
    }
    if let Some(o) = objects.get.get(path) {
        return Json(o.clone()).into_response();
    }
    if !is_collection(path) {
        return not_found(path);
    }
    let prefix = format!("{path}/");
    let items: Vec<Value> = objects
        .get
        .iter()
        .filter(|(p, _)| p.strip_prefix(&prefix).is_some_and(|n| !n.contains('/')))
        .map(|(_, o)| o.clone())
        .collect();
    Json(json!({"apiVersion": "v1", "kind": "List",
        "metadata": {"resourceVersion": "1"}, "items": items}))
    .into_response()
}

/// `/api/v1/<plural>`, `/api/v1/namespaces/<ns>/<plural>` and their `/apis/<group>/<version>/…`
/// twins: an odd number of segments after the version.
fn is_collection(path: &str) -> bool {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let after_version = match segments.first() {
        Some(&"api") => segments.len().saturating_sub(2),
        _ => segments.len().saturating_sub(3),
    };
    after_version % 2 == 1
}

fn not_found(path: &str) -> Response {
    let status = json!({"apiVersion": "v1", "kind": "Status", "status": "Failure",
        "message": format!("{path} not found"), "reason": "NotFound", "code": 404});
    (StatusCode::NOT_FOUND, Json(status)).into_response()
}
