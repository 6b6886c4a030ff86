//! Long-running operations the way ARM answers them: `Azure-AsyncOperation` status documents and `Location` polling.

use std::time::{Duration, Instant};

use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::arm::{ArmError, ArmResult};
use crate::faults::LroFailure;
use crate::state::{Inner, Operation, Sim};

/// Starts an operation that completes after `ms` milliseconds, ending as `failure`
/// says (or `Succeeded`); returns its ID and completion time.
pub fn begin(inner: &mut Inner, ms: u64, failure: Option<LroFailure>) -> (String, Instant) {
    begin_for(inner, ms, failure, None)
}

/// Like [`begin`] for an operation whose `Location` poll answers `resource` once done.
pub fn begin_for(
    inner: &mut Inner,
    ms: u64,
    failure: Option<LroFailure>,
    resource: Option<String>,
) -> (String, Instant) {
    let id = uuid::Uuid::new_v4().to_string();
    let done_at = Instant::now() + Duration::from_millis(ms);
    let op = Operation {
        done_at,
        failure,
        resource,
        started: crate::arm::now_iso(),
    };
    inner.operations.insert(id.clone(), op);
    (id, done_at)
}

/// URL of an operation's status document.
pub fn status_url(sim: &Sim, sub: &str, id: &str) -> String {
    format!(
        "{}/subscriptions/{sub}/providers/Microsoft.Simulator/operations/{id}?api-version=2024-01-01",
        sim.base_url
    )
}

/// URL polled through `Location` (202 until done).
pub fn result_url(sim: &Sim, sub: &str, id: &str) -> String {
    format!(
        "{}/subscriptions/{sub}/providers/Microsoft.Simulator/operations/{id}/result?api-version=2024-01-01",
        sim.base_url
    )
}

/// Adds the polling headers of an accepted operation to a response.
pub fn with_headers(
    sim: &Sim,
    mut r: Response,
    sub: &str,
    id: &str,
    location_only: bool,
) -> Response {
    let retry = sim.faults().poll_interval_secs;
    let h = r.headers_mut();
    let mut put = |k: &'static str, v: String| {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(k, v);
        }
    };
    if location_only {
        put("Location", result_url(sim, sub, id));
    } else {
        put("Azure-AsyncOperation", status_url(sim, sub, id));
    }
    put("Retry-After", retry.to_string());
    r
}

/// Answers a status poll.
pub fn status(sim: &Sim, id: &str, result: bool) -> ArmResult {
    let g = sim.lock();
    let op = g.operations.get(id).cloned().ok_or_else(|| {
        ArmError::new(
            StatusCode::NOT_FOUND,
            "OperationNotFound",
            format!("The operation '{id}' was not found."),
        )
    })?;
    // The resource as it is once done (a Location poll that answers it, like Storage's).
    let resource = op
        .resource
        .as_deref()
        .and_then(|r| g.get(r))
        .map(crate::arm::render);
    drop(g);
    let done = op.done_at <= Instant::now();
    if result {
        return match (done, op.failure) {
            // The Location form of a failed operation answers the operation's error.
            (true, Some(f)) => Err(ArmError::bad(&f.code, f.message)),
            (true, None) => Ok(match resource {
                Some(body) => (StatusCode::OK, Json(body)).into_response(),
                None => StatusCode::OK.into_response(),
            }),
            // The poller keeps the original Location when none is returned; only pace it.
            (false, _) => Ok(with_retry(sim, StatusCode::ACCEPTED.into_response())),
        };
    }
    // The Azure-AsyncOperation document: `name`, `status`, `startTime`, then
    // `endTime` once ended, and `error` when it did not succeed (the AKS
    // operation documents in acs/test_aks_create_default_service.yaml in the
    // recordings, which carry no `id`).
    let ended = crate::arm::now_iso();
    let body = match (done, op.failure) {
        (false, _) => json!({"name": id, "status": "InProgress", "startTime": op.started}),
        (true, None) => {
            json!({"name": id, "status": "Succeeded", "startTime": op.started, "endTime": ended})
        }
        (true, Some(f)) => json!({
            "name": id, "status": f.status, "startTime": op.started, "endTime": ended,
            "error": {"code": f.code, "message": f.message},
        }),
    };
    let r = (StatusCode::OK, Json(body)).into_response();
    Ok(if done { r } else { with_retry(sim, r) })
}

fn with_retry(sim: &Sim, mut r: Response) -> Response {
    if let Ok(v) = HeaderValue::from_str(&sim.faults().poll_interval_secs.to_string()) {
        r.headers_mut().insert("Retry-After", v);
    }
    r
}
