//! A scripted Kubernetes API server for tests, on `tower-test`: every request
//! is recorded, answered by a routing function, and watches are held open
//! (never answered), as a quiet real server would.

use std::sync::{Arc, Mutex};

use http::{Request, Response};
use kube::Client;
use kube::client::Body;
use serde_json::{Value, json};

/// One request the client made.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub path: String,
    pub query: String,
    pub body: Value,
}

impl Call {
    pub fn is(&self, method: &str, path_suffix: &str) -> bool {
        self.method == method && self.path.ends_with(path_suffix)
    }
}

/// The answer to a call: status and JSON body.
pub type Reply = (u16, Value);

/// The recorded calls.
pub type Calls = Arc<Mutex<Vec<Call>>>;

/// A client whose requests `route` answers; `None` means 404 Not Found.
pub fn client(route: impl Fn(&Call) -> Option<Reply> + Send + Sync + 'static) -> (Client, Calls) {
    let (service, mut handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    let calls: Calls = Arc::default();
    let log = Arc::clone(&calls);
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Some((request, send)) = handle.next_request().await {
            let (parts, body) = request.into_parts();
            let bytes = body.collect_bytes().await.unwrap_or_default();
            let call = Call {
                method: parts.method.to_string(),
                path: parts.uri.path().to_string(),
                query: parts.uri.query().unwrap_or_default().to_string(),
                body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            };
            log.lock().expect("lock").push(call.clone());
            if call.query.contains("watch=true") {
                held.push(send);
                continue;
            }
            let (status, body) = route(&call).unwrap_or_else(|| not_found(&call.path));
            let text = match &body {
                Value::String(s) => s.clone().into_bytes(),
                other => other.to_string().into_bytes(),
            };
            let response = Response::builder()
                .status(status)
                .body(Body::from(text))
                .expect("response");
            send.send_response(response);
        }
    });
    (Client::new(service, "default"), calls)
}

/// A Kubernetes 404 Status.
pub fn not_found(path: &str) -> Reply {
    (
        404,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                 "message": format!("{path} not found"), "reason": "NotFound", "code": 404}),
    )
}

/// A list of objects, as a list or watch-list answer.
pub fn list(kind: &str, items: &[Value]) -> Reply {
    (
        200,
        json!({"kind": format!("{kind}List"), "apiVersion": "v1",
                 "metadata": {"resourceVersion": "1"}, "items": items}),
    )
}

/// The methods and paths called, for order assertions.
pub fn trace(calls: &Calls) -> Vec<String> {
    calls
        .lock()
        .expect("lock")
        .iter()
        .map(|c| format!("{} {}", c.method, c.path))
        .collect()
}
