//! A fake Entra: a local HTTPS stand-in for an OIDC issuer's discovery
//! endpoint and for Entra's token endpoint, on loopback, with a certificate
//! from its own CA. For any tool's tests that exchange a token.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

/// How the fake answers.
#[derive(Clone)]
pub struct Behaviour {
    /// `issuer` in the discovery document; `None` means the server's own base URL with a slash.
    pub issuer_in_doc: Option<String>,
    /// Status and JSON body of the token endpoint.
    pub token_answer: (u16, Value),
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            issuer_in_doc: None,
            token_answer: (
                200,
                json!({"token_type": "Bearer", "expires_in": 3599, "access_token": "not-a-real-token"}),
            ),
        }
    }
}

/// The running fake.
pub struct FakeEntra {
    /// `https://127.0.0.1:<port>`, no trailing slash.
    pub base: String,
    /// PEM of the CA that signed the server's certificate.
    pub ca_pem: String,
    /// The forms posted to the token endpoint, with the tenant from the path.
    pub token_requests: Arc<Mutex<Vec<HashMap<String, String>>>>,
    handle: axum_server::Handle,
}

impl Drop for FakeEntra {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}

#[derive(Clone)]
struct AppState {
    issuer: String,
    answer: (u16, Value),
    requests: Arc<Mutex<Vec<HashMap<String, String>>>>,
}

async fn discovery(State(s): State<AppState>) -> Json<Value> {
    Json(
        json!({"issuer": s.issuer, "jwks_uri": format!("{}openid/v1/jwks", s.issuer),
                "response_types_supported": ["id_token"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"]}),
    )
}

async fn token(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
    Form(mut form): Form<HashMap<String, String>>,
) -> (StatusCode, Json<Value>) {
    form.insert("tenant".into(), tenant);
    s.requests.lock().expect("lock").push(form);
    let status = StatusCode::from_u16(s.answer.0).expect("status");
    (status, Json(s.answer.1))
}

/// Starts the fake on a free loopback port.
pub async fn start(behaviour: Behaviour) -> FakeEntra {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (ca_pem, cert_pem, key_pem) = certificates();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let base = format!(
        "https://127.0.0.1:{}",
        listener.local_addr().expect("addr").port()
    );
    let requests = Arc::new(Mutex::new(Vec::new()));
    let state = AppState {
        issuer: behaviour
            .issuer_in_doc
            .unwrap_or_else(|| format!("{base}/")),
        answer: behaviour.token_answer,
        requests: Arc::clone(&requests),
    };
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/{tenant}/oauth2/v2.0/token", post(token))
        .with_state(state);
    let config = axum_server::tls_rustls::RustlsConfig::from_pem(
        cert_pem.into_bytes(),
        key_pem.into_bytes(),
    )
    .await
    .expect("tls config");
    let handle = axum_server::Handle::new();
    let server = axum_server::from_tcp_rustls(listener, config).handle(handle.clone());
    tokio::spawn(async move { server.serve(app.into_make_service()).await });
    FakeEntra {
        base,
        ca_pem,
        token_requests: requests,
        handle,
    }
}

/// A CA and a server certificate for 127.0.0.1 and localhost it signed.
fn certificates() -> (String, String, String) {
    let ca = crate::tls::Ca::new("entra fake CA").expect("ca");
    let leaf = ca.serving("entra fake").expect("server certificate");
    (ca.pem().to_string(), leaf.cert_pem, leaf.key_pem)
}
