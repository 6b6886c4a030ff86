//! Entra ID per tenant: OIDC discovery, JWKS, and the token endpoint (client secret and federated assertion).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde_json::{Value, json};

use crate::federated;
use crate::keys::{format_utc, now_secs};
use crate::state::{RequestRecord, Sim, Surface};

/// Routes under `/<tenant>/...`.
pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(discovery),
        )
        .route("/{tenant}/.well-known/openid-configuration", get(discovery))
        .route("/{tenant}/discovery/v2.0/keys", get(keys))
        .route("/{tenant}/discovery/keys", get(keys))
        .route("/{tenant}/oauth2/v2.0/token", post(token))
}

/// An error in Entra's JSON format.
#[derive(Debug)]
pub struct EntraError {
    /// HTTP status.
    pub status: StatusCode,
    /// OAuth error (`invalid_client`, `invalid_request`, `unauthorized_client`).
    pub error: &'static str,
    /// AADSTS number.
    pub code: u32,
    /// Message after `AADSTSnnnnn: `.
    pub message: String,
}

impl EntraError {
    /// A 400 error.
    pub fn bad(error: &'static str, code: u32, message: impl Into<String>) -> Self {
        EntraError {
            status: StatusCode::BAD_REQUEST,
            error,
            code,
            message: message.into(),
        }
    }

    /// The tenant does not exist (AADSTS90002).
    pub fn tenant_not_found(tenant: &str) -> Self {
        Self::bad(
            "invalid_request",
            90002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            ),
        )
    }

    /// The client is not an application of the tenant (AADSTS700016).
    pub fn app_not_found(client: &str, tenant: &str) -> Self {
        Self::bad(
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
            ),
        )
    }
}

impl IntoResponse for EntraError {
    fn into_response(self) -> Response {
        let trace = uuid::Uuid::new_v4().to_string();
        let corr = uuid::Uuid::new_v4().to_string();
        let ts = format_utc(now_secs(), ' ');
        let body = json!({
            "error": self.error,
            "error_description": format!(
                "AADSTS{}: {} Trace ID: {trace} Correlation ID: {corr} Timestamp: {ts}",
                self.code, self.message
            ),
            "error_codes": [self.code],
            "timestamp": ts,
            "trace_id": trace,
            "correlation_id": corr,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
        });
        (self.status, Json(body)).into_response()
    }
}

fn record(sim: &Sim, method: &str, path: String, op: &str, status: StatusCode) {
    sim.record(RequestRecord {
        surface: Surface::Entra,
        method: method.into(),
        path,
        op: op.into(),
        status: status.as_u16(),
    });
}

async fn discovery(State(sim): State<Arc<Sim>>, Path(tenant): Path<String>) -> Response {
    let status;
    let resp = if sim.config.tenant(&tenant).is_none() {
        status = StatusCode::BAD_REQUEST;
        EntraError::tenant_not_found(&tenant).into_response()
    } else {
        status = StatusCode::OK;
        let b = format!("{}/{tenant}", sim.base_url);
        Json(json!({
            "token_endpoint": format!("{b}/oauth2/v2.0/token"),
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": format!("{b}/discovery/v2.0/keys"),
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": format!("{b}/v2.0"),
            "request_uri_parameter_supported": false,
            "userinfo_endpoint": format!("{b}/openid/userinfo"),
            "authorization_endpoint": format!("{b}/oauth2/v2.0/authorize"),
            "device_authorization_endpoint": format!("{b}/oauth2/v2.0/devicecode"),
            "http_logout_supported": true,
            "frontchannel_logout_supported": true,
            "end_session_endpoint": format!("{b}/oauth2/v2.0/logout"),
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "tid", "oid"],
            "tenant_region_scope": "NA",
            "cloud_instance_name": "azsim.local",
            "cloud_graph_host_name": "graph.azsim.local",
            "msgraph_host": "graph.azsim.local",
        }))
        .into_response()
    };
    record(
        &sim,
        "GET",
        format!("/{tenant}/.well-known/openid-configuration"),
        "discovery",
        status,
    );
    resp
}

async fn keys(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(sim.key.jwks())
}

async fn token(
    State(sim): State<Arc<Sim>>,
    Path(tenant): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let result = match sim.fault_gate("token").await {
        Some(rule) => {
            let mut r = EntraError {
                status: StatusCode::from_u16(rule.status)
                    .unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
                error: "temporarily_unavailable",
                code: 90033,
                message: "A transient error has occurred. Please try again.".into(),
            }
            .into_response();
            if let Some(s) = rule.retry_after_secs {
                r.headers_mut().insert("Retry-After", s.into());
            }
            Err(r)
        }
        None => issue(&sim, &tenant, &form)
            .await
            .map_err(IntoResponse::into_response),
    };
    let resp = match result {
        Ok(body) => Json(body).into_response(),
        Err(r) => r,
    };
    record(
        &sim,
        "POST",
        format!("/{tenant}/oauth2/v2.0/token"),
        "token",
        resp.status(),
    );
    resp
}

/// Who a token is for.
struct Grant {
    tenant: String,
    client_id: String,
    object_id: String,
}

async fn issue(
    sim: &Sim,
    tenant: &str,
    form: &HashMap<String, String>,
) -> Result<Value, EntraError> {
    let t = sim
        .config
        .tenant(tenant)
        .ok_or_else(|| EntraError::tenant_not_found(tenant))?;
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    if field("grant_type") != "client_credentials" {
        return Err(EntraError::bad(
            "unsupported_grant_type",
            70003,
            format!(
                "The app requested an unsupported grant type '{}'.",
                field("grant_type")
            ),
        ));
    }
    let client_id = field("client_id");
    let grant = if form.contains_key("client_assertion") {
        federated::check(sim, &t.id, client_id, field("client_assertion")).await?
    } else {
        let sp = crate::authz::service_principal(sim, &t.id, client_id)
            .ok_or_else(|| EntraError::app_not_found(client_id, tenant))?;
        if sp.secret != field("client_secret") {
            return Err(EntraError {
                status: StatusCode::UNAUTHORIZED,
                error: "invalid_client",
                code: 7_000_215,
                message: "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.".into(),
            });
        }
        (sp.client_id, sp.object_id)
    };
    let grant = Grant {
        tenant: t.id.clone(),
        client_id: grant.0,
        object_id: grant.1,
    };
    let scope = field("scope");
    let resource = scope
        .split_whitespace()
        .find(|s| s.ends_with("/.default"))
        .map(|s| s.trim_end_matches(".default").trim_end_matches('/'))
        .unwrap_or("https://management.core.windows.net");
    let now = now_secs();
    let claims = json!({
        "aud": format!("{resource}/"),
        "iss": format!("https://sts.windows.net/{}/", grant.tenant),
        "iat": now, "nbf": now, "exp": now + 3600,
        "appid": grant.client_id, "oid": grant.object_id, "sub": grant.object_id,
        "tid": grant.tenant, "idtyp": "app", "ver": "1.0",
    });
    let token = sim
        .key
        .sign(&claims)
        .map_err(|e| EntraError::bad("server_error", 50000, format!("signing failed: {e}")))?;
    Ok(json!({
        "token_type": "Bearer",
        "expires_in": 3599,
        "ext_expires_in": 3599,
        "access_token": token,
    }))
}
