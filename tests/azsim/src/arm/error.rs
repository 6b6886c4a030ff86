//! ARM's error answers (`{"error": {"code", "message"}}`) and small response helpers.

use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An ARM error answer.
#[derive(Debug)]
pub struct ArmError {
    /// HTTP status.
    pub status: StatusCode,
    /// ARM error code (`ResourceNotFound`, `PrincipalNotFound`, ...).
    pub code: String,
    /// Human-readable message.
    pub message: String,
    /// Extra headers (`Retry-After`, `WWW-Authenticate`).
    pub headers: Vec<(&'static str, String)>,
}

impl ArmError {
    /// An error with no extra headers.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ArmError {
            status,
            code: code.into(),
            message: message.into(),
            headers: Vec::new(),
        }
    }

    /// 400 `code`.
    pub fn bad(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 404 `ResourceNotFound` for a resource in a group.
    pub fn not_found(rtype: &str, name: &str, rg: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!(
                "The Resource '{rtype}/{name}' under resource group '{rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
            ),
        )
    }

    /// 404 `ResourceGroupNotFound`.
    pub fn group_not_found(rg: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ResourceGroupNotFound",
            format!("Resource group '{rg}' could not be found."),
        )
    }

    /// 409 `ResourceGroupBeingDeleted`: a write inside a group whose delete is running.
    pub fn group_being_deleted(rg: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "ResourceGroupBeingDeleted",
            format!(
                "The resource group '{rg}' is in deprovisioning state and cannot perform this operation."
            ),
        )
    }

    /// 404 `ParentResourceNotFound`.
    pub fn parent_not_found(parent: &str, child: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ParentResourceNotFound",
            format!(
                "Failed to perform 'write' on resource(s) of type '{child}', because the parent resource '{parent}' could not be found."
            ),
        )
    }
}

impl IntoResponse for ArmError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message}});
        let mut r = (self.status, Json(body)).into_response();
        r.headers_mut()
            .insert("x-ms-failure-cause", HeaderValue::from_static("gateway"));
        for (k, v) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&v) {
                r.headers_mut().insert(k, v);
            }
        }
        r
    }
}

/// Result of an ARM handler.
pub type ArmResult = Result<Response, ArmError>;

/// A JSON answer with a status.
pub fn reply(status: StatusCode, body: Value) -> ArmResult {
    Ok((status, Json(body)).into_response())
}

/// `{"value": [...]}`.
pub fn list(items: Vec<Value>) -> ArmResult {
    reply(StatusCode::OK, json!({ "value": Value::Array(items) }))
}
