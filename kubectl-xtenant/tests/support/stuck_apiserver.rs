//! A plain-HTTP stand-in for an API server on loopback that knows one Job,
//! lists no pods, and never answers a watch: what `verify` sees while a Job's
//! pod is not created, so that its wait runs out of time.

use std::collections::HashMap;

use axum::Router;
use axum::extract::Query;
use axum::response::Json;
use axum::routing::get;
use serde_json::{Value, json};

/// Serves on a free loopback port; returns `http://127.0.0.1:<port>`.
pub async fn start(namespace: &str, job: &str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let job_json = json!({"apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": job, "namespace": namespace, "uid": "job-uid"},
        "spec": {"template": {"spec": {"containers": []}}}});
    let app = Router::new()
        .route(
            &format!("/apis/batch/v1/namespaces/{namespace}/jobs/{job}"),
            get(move || async move { Json(job_json) }),
        )
        .route(&format!("/api/v1/namespaces/{namespace}/pods"), get(pods));
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

/// An empty list; a watch that never sends anything.
async fn pods(Query(query): Query<HashMap<String, String>>) -> Json<Value> {
    if query.get("watch").is_some_and(|w| w == "true" || w == "1") {
        std::future::pending::<()>().await;
    }
    Json(json!({"apiVersion": "v1", "kind": "PodList",
        "metadata": {"resourceVersion": "1"}, "items": []}))
}
