//! Azure Resource Manager: authentication, tenant isolation, routing to the resource providers, faults.

mod aks;
mod authorization;
mod deployments;
pub mod error;
mod groups;
mod identity;
mod keyvault;
mod keyvault_deleted;
mod providers;
pub(crate) mod route;
pub(crate) mod seed;
mod servicebus;
mod storage;
mod store;
mod template_parse;

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::lro;
use crate::state::{RequestRecord, Sim, Surface};
pub(crate) use authorization::builtin_roles;
pub use deployments::Deployment;
pub use error::{ArmError, ArmResult};
pub use keyvault::TYPE as VAULT_TYPE;
pub use keyvault_deleted::soft_delete as soft_delete_vault;
use route::Route;
pub use store::{now_iso, render};

/// A parsed ARM request, after authentication.
pub struct Req<'a> {
    /// Shared state.
    pub sim: &'a Sim,
    /// HTTP method.
    pub method: Method,
    /// Query parameters.
    pub query: HashMap<String, String>,
    /// JSON body (`null` when empty).
    pub body: Value,
    /// Tenant of the caller's token.
    pub caller_tenant: String,
    /// Path and query as requested (for the unknown-route log).
    pub path: String,
}

impl Req<'_> {
    /// The filter (`$filter`), if any.
    pub fn filter(&self) -> Option<&str> {
        self.query.get("$filter").map(String::as_str)
    }
}

/// Fallback handler: everything that is not Entra or the control endpoint.
pub async fn handle(
    State(sim): State<Arc<Sim>>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let full = uri.path_and_query().map_or(path.clone(), |p| p.to_string());
    let query: HashMap<String, String> = uri.query().map(url_pairs).unwrap_or_default();
    let Some(route) = Route::parse(&method, &path) else {
        sim.lock().unknown.push(format!("{method} {full}"));
        let r = ArmError::new(
            StatusCode::NOT_FOUND,
            "NoRouteInSimulator",
            format!("azsim has no route for {method} {path}"),
        );
        record(&sim, &method, &full, "unknown", StatusCode::NOT_FOUND);
        return r.into_response();
    };
    let op = route.op_name(&method);
    let call = Call {
        method,
        full,
        headers,
        body,
        query,
        route,
        op,
    };
    // Every call goes on in a task of its own, only its answer goes back through
    // the connection: Azure carries out what it has received even when the
    // client goes away meanwhile (a write held or slow in flight, a client
    // killed), where dropping the handler with the connection would lose it.
    let task = tokio::spawn(async move {
        let Some(held) = sim.take_hold_before(&call.op, &call.full) else {
            return respond(&sim, call).await;
        };
        if sim.wait_before(&held).await {
            respond(&sim, call).await
        } else {
            ArmError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "AbandonedBySimulator",
                "azsim: this call was abandoned before it took effect.",
            )
            .into_response()
        }
    });
    task.await.unwrap_or_else(|e| {
        ArmError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            format!("azsim: {e}"),
        )
        .into_response()
    })
}

/// One routed ARM call, owned so that it can go on without its client.
struct Call {
    method: Method,
    full: String,
    headers: HeaderMap,
    body: Bytes,
    query: HashMap<String, String>,
    route: Route,
    op: String,
}

async fn respond(sim: &Sim, c: Call) -> Response {
    let (method, full, op) = (&c.method, &c.full, &c.op);
    let resp = match answer(
        sim,
        (method, full),
        &c.headers,
        &c.body,
        c.query,
        &c.route,
        op,
    )
    .await
    {
        Ok(r) => r,
        Err(e) => e.into_response(),
    };
    record(sim, method, full, op, resp.status());
    // A held call has taken effect and is logged; only its answer waits.
    sim.hold_point(op).await;
    sim.hold_after_point(op, full).await;
    resp
}

fn url_pairs(q: &str) -> HashMap<String, String> {
    q.split('&')
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            Some((percent_decode(k)?, percent_decode(v)?))
        })
        .collect()
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let h = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(h, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn record(sim: &Sim, method: &Method, path: &str, op: &str, status: StatusCode) {
    sim.record(RequestRecord {
        surface: Surface::Arm,
        method: method.to_string(),
        path: path.to_string(),
        op: op.to_string(),
        status: status.as_u16(),
    });
}

async fn answer(
    sim: &Sim,
    (method, path): (&Method, &str),
    headers: &HeaderMap,
    body: &Bytes,
    query: HashMap<String, String>,
    route: &Route,
    op: &str,
) -> ArmResult {
    let caller = crate::authz::Caller::from_claims(&authenticate(sim, headers)?);
    let caller_tenant = caller.tenant.clone();
    if let Some(sub) = route.subscription() {
        authorize(sim, &caller_tenant, sub)?;
    }
    if let Some(rule) = sim.fault_gate_at(op, path).await {
        return Err(injected(&rule));
    }
    let body = if body.is_empty() {
        Value::Null
    } else {
        parse_body(body)?
    };
    // ARM authorises a request once it knows the caller and the subscription,
    // before any provider sees it (a deployment's template is read for it).
    crate::authz::check(sim, &caller, method, route, &body)?;
    let req = Req {
        sim,
        method: method.clone(),
        query,
        body,
        caller_tenant,
        path: path.to_string(),
    };
    dispatch(&req, route, op).await
}

/// A request body: JSON, or the JSONC ARM also reads (az splices a
/// deployment's template in as `template:{…}`, its key unquoted).
fn parse_body(body: &[u8]) -> Result<Value, ArmError> {
    serde_json::from_slice(body).or_else(|e| {
        std::str::from_utf8(body)
            .ok()
            .and_then(|text| json5::from_str(text).ok())
            .ok_or_else(|| {
                ArmError::bad(
                    "InvalidRequestContent",
                    format!("The request content was invalid and could not be deserialized: {e}"),
                )
            })
    })
}

fn injected(rule: &crate::faults::ErrorRule) -> ArmError {
    let status = StatusCode::from_u16(rule.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let generic = match rule.status {
        429 => "SubscriptionRequestsThrottled",
        503 => "ServiceUnavailable",
        502 => "BadGateway",
        504 => "GatewayTimeout",
        _ => "InternalServerError",
    };
    let message = rule.message.clone().unwrap_or_else(|| {
        format!(
            "Injected by azsim: HTTP {} for this operation.",
            rule.status
        )
    });
    let mut e = ArmError::new(status, rule.code.as_deref().unwrap_or(generic), message);
    if let Some(s) = rule.retry_after_secs {
        e.headers.push(("Retry-After", s.to_string()));
    }
    e
}

/// The claims of a valid bearer token.
fn authenticate(sim: &Sim, headers: &HeaderMap) -> Result<Value, ArmError> {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ArmError::new(
                StatusCode::UNAUTHORIZED,
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is missing.",
            )
        })?;
    let token = auth.strip_prefix("Bearer ").unwrap_or(auth);
    sim.key.verify(token).map_err(|e| {
        ArmError::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            format!("The access token is invalid: {e}"),
        )
    })
}

/// Tenant isolation: the subscription must exist and belong to the token's tenant.
fn authorize(sim: &Sim, caller: &str, sub: &str) -> Result<(), ArmError> {
    let owner = sim.config.tenant_of_subscription(sub).ok_or_else(|| {
        ArmError::new(
            StatusCode::NOT_FOUND,
            "SubscriptionNotFound",
            format!("The subscription '{sub}' could not be found."),
        )
    })?;
    if owner.id.eq_ignore_ascii_case(caller) {
        return Ok(());
    }
    let mut e = ArmError::new(
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationTokenTenant",
        format!(
            "The access token is from the wrong issuer 'https://sts.windows.net/{caller}/'. It must match the tenant 'https://sts.windows.net/{}/' associated with this subscription. Please use the authority (URL) 'https://login.windows.net/{}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.",
            owner.id, owner.id
        ),
    );
    e.headers.push((
        "WWW-Authenticate",
        format!(
            "Bearer authorization_uri=\"{}/{}\", error=\"invalid_token\", error_description=\"The access token is from the wrong issuer.\"",
            sim.base_url, owner.id
        ),
    ));
    Err(e)
}

/// A routed call's answer. Boxed: a template deployment sends its resources
/// back through here.
fn dispatch<'a>(
    req: &'a Req<'a>,
    route: &'a Route,
    op: &'a str,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = ArmResult> + Send + 'a>> {
    Box::pin(dispatch_inner(req, route, op))
}

async fn dispatch_inner(req: &Req<'_>, route: &Route, op: &str) -> ArmResult {
    match route {
        Route::Tenants => tenants(req),
        Route::Subscriptions => subscriptions(req),
        Route::Subscription(sub) => subscription(req, sub),
        Route::Provider { sub, namespace } => {
            error::reply(StatusCode::OK, providers::registration(sub, namespace))
        }
        Route::Operation { id, result, .. } => lro::status(req.sim, id, *result),
        Route::Groups(sub) => groups::list(req, sub),
        Route::Group(sub, rg) => groups::handle(req, sub, rg).await,
        Route::GroupResources(sub, rg) => groups::resources(req, sub, rg),
        Route::SubscriptionResources(sub) => groups::subscription_resources(req, sub),
        Route::Resource(t) if t.namespace == "Microsoft.KeyVault" => keyvault::handle(req, t, op),
        Route::Resource(t) if t.namespace == "Microsoft.Storage" => storage::handle(req, t, op),
        Route::Resource(t) if t.namespace == "Microsoft.Resources" => {
            deployments::handle(req, t, op).await
        }
        Route::Resource(t) => match t.kind() {
            "managedClusters" => aks::handle(req, t, op).await,
            "userAssignedIdentities" | "federatedIdentityCredentials" => {
                identity::handle(req, t, op).await
            }
            "namespaces" | "queues" => servicebus::handle(req, t, op).await,
            "roleDefinitions" => authorization::definitions(req, t),
            "roleAssignments" => authorization::assignments(req, t),
            _ => Err(store::unsupported(req, &t.id())),
        },
    }
}

fn tenants(req: &Req<'_>) -> ArmResult {
    let items = req
        .sim
        .config
        .tenants
        .iter()
        .filter(|t| t.id == req.caller_tenant)
        .map(|t| json!({"id": format!("/tenants/{}", t.id), "tenantId": t.id, "displayName": t.name, "tenantCategory": "Home", "defaultDomain": format!("{}.onmicrosoft.com", t.name.replace(' ', "").to_lowercase())}))
        .collect();
    error::list(items)
}

fn subscription_json(tenant: &str, s: &crate::config::Subscription) -> Value {
    json!({
        "id": format!("/subscriptions/{}", s.id), "subscriptionId": s.id, "tenantId": tenant,
        "displayName": s.name, "state": "Enabled",
        "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01", "spendingLimit": "Off"},
        "authorizationSource": "RoleBased", "managedByTenants": [],
    })
}

fn subscriptions(req: &Req<'_>) -> ArmResult {
    let items = req
        .sim
        .config
        .tenant(&req.caller_tenant)
        .map(|t| {
            t.subscriptions
                .iter()
                .map(|s| subscription_json(&t.id, s))
                .collect()
        })
        .unwrap_or_default();
    error::list(items)
}

fn subscription(req: &Req<'_>, sub: &str) -> ArmResult {
    let t = req.sim.config.tenant_of_subscription(sub);
    let s = t.and_then(|t| {
        t.subscriptions
            .iter()
            .find(|s| s.id.eq_ignore_ascii_case(sub))
    });
    match (t, s) {
        (Some(t), Some(s)) => error::reply(StatusCode::OK, subscription_json(&t.id, s)),
        _ => Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "SubscriptionNotFound",
            format!("The subscription '{sub}' could not be found."),
        )),
    }
}
