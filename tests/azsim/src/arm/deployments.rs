//! `Microsoft.Resources/deployments` at resource-group scope: ARM's own
//! convergence engine, for the templates az-xtenant generates — literal
//! names and properties, `dependsOn` by resource ID. Validation (`POST
//! …/validate`) refuses a template without `$schema`, `contentVersion` or
//! `resources` (see `template_parse`), what it cannot run and a resource
//! defined twice (`InvalidTemplate`); a deployment (`PUT`) runs in the background: each
//! resource as soon as the ones it depends on are done, independent ones at
//! once, each through the same provider code as a direct `PUT` (so latency,
//! holds, faults and refusals apply inside it). A failed resource fails the
//! deployment (`DeploymentFailed` with each failed resource's error in
//! `details`, as vm/test_specialized_image.yaml in the recordings nests it);
//! what depends on it is never started, independent resources go on. Only
//! `mode: Incremental` runs; `Complete` is refused. A group's deployments are
//! deleted with it. A `PUT` of a
//! deployment whose namesake is still running is refused with
//! `DeploymentActive`, as ARM does.
//!
//! Timing as ARM's (resource/test_resource_group_deployment.yaml in the
//! recordings): the `PUT` answers 201 with `provisioningState: Accepted` and
//! an `Azure-AsyncOperation` status URL but no `Retry-After`; the status then
//! reads `Accepted`, `Running`, `Succeeded`. Without `Retry-After` az polls at
//! its SDK's default interval, 30 s (azure-mgmt-resource's
//! `polling_interval`, used by azure-core's `LROBasePolling._extract_delay`
//! when no header says otherwise); [`Faults::deployment_retry_after_secs`]
//! sends a short one for tests that time nothing.
//!
//! [`Faults::deployment_retry_after_secs`]: crate::faults::Faults

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::Json;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::error::{ArmError, ArmResult};
use super::route::{Route, Target};
use super::{Req, dispatch, store};
use crate::state::{RequestRecord, Sim, Surface};

const TYPE: &str = "Microsoft.Resources/deployments";

/// Resource types a template here may hold.
const DEPLOYABLE: &[&str] = &[
    "Microsoft.ManagedIdentity/userAssignedIdentities",
    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
];

/// A deployment as ARM keeps it.
#[derive(Clone, Debug)]
pub struct Deployment {
    /// `id`, `name`, `type` and the request's `properties` (template included).
    pub body: Value,
    /// `Accepted`, `Running`, `Succeeded` or `Failed`.
    pub state: &'static str,
    /// The error of a failed deployment.
    pub error: Option<Value>,
    /// IDs of the resources it wrote.
    pub output: Vec<String>,
}

impl Deployment {
    /// Accepted or running: not yet ended.
    pub fn active(&self) -> bool {
        matches!(self.state, "Accepted" | "Running")
    }

    fn render(&self) -> Value {
        let mut b = self.body.clone();
        let p = &mut b["properties"];
        if let Some(o) = p.as_object_mut() {
            o.remove("template");
        }
        p["provisioningState"] = json!(self.state);
        if p["mode"].is_null() {
            p["mode"] = json!("Incremental");
        }
        p["outputResources"] =
            Value::Array(self.output.iter().map(|id| json!({"id": id})).collect());
        if let Some(e) = &self.error {
            p["error"] = e.clone();
        }
        b
    }
}

/// One resource of a template, checked.
#[derive(Clone, Debug)]
struct Planned {
    id: String,
    api_version: String,
    body: Value,
    depends_on: Vec<String>,
}

/// Routes for deployments, their validation and their operation status.
pub async fn handle(req: &Req<'_>, t: &Target, op: &str) -> ArmResult {
    let (t, rg, _) = store::in_group(req, t)?;
    let id = t.id_at(1);
    match (t.pairs.len(), t.tail.as_deref(), &req.method) {
        (1, None, &Method::GET) => {
            let g = req.sim.lock();
            let d = g.deployments.get(&id.to_ascii_lowercase()).ok_or_else(|| {
                ArmError::new(
                    StatusCode::NOT_FOUND,
                    "DeploymentNotFound",
                    format!("Deployment '{}' could not be found.", t.pairs[0].1),
                )
            })?;
            super::error::reply(StatusCode::OK, d.render())
        }
        (1, Some(a), &Method::POST) if a.eq_ignore_ascii_case("validate") => {
            let planned = plan(req, &t, &rg)?;
            let resources: Vec<Value> = planned.iter().map(|p| json!({"id": p.id})).collect();
            super::error::reply(
                StatusCode::OK,
                json!({"id": id, "name": t.pairs[0].1, "type": TYPE, "properties": {
                    "provisioningState": "Succeeded", "mode": mode(req)?,
                    "validatedResources": resources}}),
            )
        }
        (1, None, &Method::PUT) => start(req, &t, &rg, &id).await,
        (2, None, &Method::GET) if t.pairs[1].0.eq_ignore_ascii_case("operationStatuses") => {
            let g = req.sim.lock();
            let d = g.deployments.get(&id.to_ascii_lowercase()).ok_or_else(|| {
                ArmError::new(
                    StatusCode::NOT_FOUND,
                    "OperationNotFound",
                    format!("The operation '{}' was not found.", t.pairs[1].1),
                )
            })?;
            let mut body = json!({"status": d.state});
            if let Some(e) = &d.error {
                body["error"] = e.clone();
            }
            let mut r = (StatusCode::OK, Json(body)).into_response();
            if let Some(Ok(v)) = g
                .faults
                .deployment_retry_after_secs
                .filter(|_| d.active())
                .map(|secs| HeaderValue::from_str(&secs.to_string()))
            {
                r.headers_mut().insert("Retry-After", v);
            }
            Ok(r)
        }
        _ => {
            let _ = op;
            Err(store::unsupported(req, &t.id()))
        }
    }
}

/// The deployment's `mode`: `Incremental` (also when left out). `Complete`
/// (ARM deletes every resource of the group the template leaves out) is not
/// modelled, so it is refused rather than run as if it were Incremental;
/// anything else is not a mode ARM knows (its values: learn.microsoft.com,
/// "Azure Resource Manager deployment modes").
fn mode(req: &Req<'_>) -> Result<&'static str, ArmError> {
    match req.body["properties"]["mode"].as_str() {
        None => Ok("Incremental"),
        Some(m) if m.eq_ignore_ascii_case("Incremental") => Ok("Incremental"),
        Some(m) if m.eq_ignore_ascii_case("Complete") => Err(ArmError::bad(
            "InvalidDeploymentMode",
            "azsim does not model deployments in mode 'Complete' (ARM would delete every resource of the group the template leaves out): deploy with mode 'Incremental'.",
        )),
        Some(m) => Err(ArmError::bad(
            "InvalidRequestContent",
            format!(
                "The request content was invalid and could not be deserialized: 'Error converting value \"{m}\" to type 'DeploymentMode'. Path 'properties.mode'.' The mode is 'Incremental' or 'Complete'."
            ),
        )),
    }
}

fn invalid(message: impl Into<String>) -> ArmError {
    ArmError::bad("InvalidTemplate", message)
}

/// The template's resources in the group, checked the way validation does.
fn plan(req: &Req<'_>, t: &Target, rg: &str) -> Result<Vec<Planned>, ArmError> {
    let template = &req.body["properties"]["template"];
    super::template_parse::required_properties(template)?;
    mode(req)?;
    let Some(items) = template["resources"].as_array() else {
        return Err(invalid(
            "Deployment template validation failed: 'The template resources are missing.'",
        ));
    };
    let group = format!("/subscriptions/{}/resourceGroups/{rg}", t.sub);
    let mut out = Vec::new();
    for (n, r) in items.iter().enumerate() {
        let at = |what: &str| {
            invalid(format!(
                "Deployment template validation failed: 'The template resource at index {n} {what}.'"
            ))
        };
        let rtype = r["type"].as_str().unwrap_or_default();
        let name = r["name"].as_str().unwrap_or_default();
        let api_version = r["apiVersion"].as_str().unwrap_or_default();
        if rtype.contains('[') || name.contains('[') {
            return Err(at(
                "uses a template expression, which azsim does not evaluate",
            ));
        }
        let Some(known) = DEPLOYABLE.iter().find(|k| k.eq_ignore_ascii_case(rtype)) else {
            return Err(at(&format!(
                "has type '{rtype}', which azsim does not deploy (it deploys {DEPLOYABLE:?})"
            )));
        };
        if api_version.is_empty() {
            return Err(at("has no apiVersion"));
        }
        let mut types = known.split('/');
        let namespace = types.next().unwrap_or_default();
        let types: Vec<&str> = types.collect();
        let names: Vec<&str> = name.split('/').collect();
        if names.len() != types.len() || names.iter().any(|s| s.is_empty()) {
            return Err(at(&format!(
                "has the incorrect segment lengths: name '{name}' must have one segment per type segment of '{known}'"
            )));
        }
        let mut id = format!("{group}/providers/{namespace}");
        for (ty, nm) in types.iter().zip(&names) {
            id.push_str(&format!("/{ty}/{nm}"));
        }
        let depends_on = match &r["dependsOn"] {
            Value::Null => Vec::new(),
            Value::Array(d) => d
                .iter()
                .map(|x| {
                    x.as_str()
                        .map(String::from)
                        .ok_or_else(|| at("has a dependsOn that is not a string"))
                })
                .collect::<Result<_, _>>()?,
            _ => return Err(at("has a dependsOn that is not an array")),
        };
        let mut body = json!({"properties": r["properties"].clone()});
        if let Some(l) = r.get("location") {
            body["location"] = l.clone();
        }
        if let Some(tags) = r.get("tags") {
            body["tags"] = tags.clone();
        }
        // ARM refuses a template that defines one resource twice, naming it
        // as type and name segments in turn ("Deployment template validation
        // failed: 'The resource 'Microsoft.CognitiveServices/accounts/A/
        // deployments/D' at line '1' and column '2306' is defined multiple
        // times in a template. Please see https://aka.ms/arm-syntax-resources
        // for usage details.'", code InvalidTemplate, as quoted from a real
        // deployment in
        // https://github.com/Azure-Samples/azure-search-openai-demo/issues/1449).
        // azsim reads the body as parsed JSON and knows no line or column, so
        // it leaves that part out.
        if out.iter().any(|o: &Planned| o.id.eq_ignore_ascii_case(&id)) {
            let mut qualified = namespace.to_string();
            for (ty, nm) in types.iter().zip(&names) {
                qualified.push_str(&format!("/{ty}/{nm}"));
            }
            return Err(invalid(format!(
                "Deployment template validation failed: 'The resource '{qualified}' is defined multiple times in a template. Please see https://aka.ms/arm-syntax-resources for usage details.'."
            )));
        }
        out.push(Planned {
            id,
            api_version: api_version.to_string(),
            body,
            depends_on,
        });
    }
    for p in &out {
        for d in &p.depends_on {
            if !out.iter().any(|o| o.id.eq_ignore_ascii_case(d)) {
                return Err(invalid(format!(
                    "Deployment template validation failed: 'The resource '{d}' is not defined in the template.'"
                )));
            }
        }
    }
    Ok(out)
}

async fn start(req: &Req<'_>, t: &Target, rg: &str, id: &str) -> ArmResult {
    let planned = plan(req, t, rg)?;
    let name = &t.pairs[0].1;
    let Some(sim) = req.sim.shared() else {
        return Err(ArmError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "azsim: deployments need the running server",
        ));
    };
    let operation = uuid::Uuid::new_v4().to_string();
    let body = {
        let mut g = req.sim.lock();
        let key = id.to_ascii_lowercase();
        if g.deployments.get(&key).is_some_and(Deployment::active) {
            return Err(ArmError::new(
                StatusCode::CONFLICT,
                "DeploymentActive",
                format!(
                    "Unable to edit or replace deployment '{name}': previous deployment is still active (state: Running). Please see https://aka.ms/arm-deploy for usage details."
                ),
            ));
        }
        let d = Deployment {
            body: json!({"id": id, "name": name, "type": TYPE, "properties": req.body["properties"].clone()}),
            state: "Accepted",
            error: None,
            output: Vec::new(),
        };
        let shown = d.render();
        g.deployments.insert(key, d);
        shown
    };
    tokio::spawn(run(sim, req.caller_tenant.clone(), id.to_string(), planned));
    let mut r = (StatusCode::CREATED, Json(body)).into_response();
    let status = format!(
        "{}{id}/operationStatuses/{operation}?api-version=2024-03-01",
        req.sim.base_url
    );
    let retry = req.sim.lock().faults.deployment_retry_after_secs;
    let headers = [("Azure-AsyncOperation", Some(status))]
        .into_iter()
        .chain([("Retry-After", retry.map(|s| s.to_string()))]);
    for (k, v) in headers {
        if let Some(Ok(v)) = v.map(|v| HeaderValue::from_str(&v)) {
            r.headers_mut().insert(k, v);
        }
    }
    Ok(r)
}

/// Carries a deployment out: each resource once what it depends on is done.
async fn run(sim: Arc<Sim>, tenant: String, id: String, planned: Vec<Planned>) {
    if let Some(d) = sim.lock().deployments.get_mut(&id.to_ascii_lowercase()) {
        d.state = "Running";
    }
    let mut waiting: BTreeMap<usize, Planned> = planned.into_iter().enumerate().collect();
    let mut done: Vec<String> = Vec::new();
    let mut running = tokio::task::JoinSet::new();
    let mut failures: Vec<Value> = Vec::new();
    // A failed resource stops only what depends on it: ARM goes on with the
    // independent ones (each runs once its dependencies are done, and the
    // failed one never is) and reports every failure in `details`.
    loop {
        let ready: Vec<usize> = waiting
            .iter()
            .filter(|(_, p)| {
                p.depends_on
                    .iter()
                    .all(|d| done.iter().any(|x| x.eq_ignore_ascii_case(d)))
            })
            .map(|(n, _)| *n)
            .collect();
        for n in ready {
            if let Some(p) = waiting.remove(&n) {
                let (sim, tenant) = (sim.clone(), tenant.clone());
                running.spawn(async move {
                    let r = put(&sim, &tenant, &p).await;
                    (p.id, r)
                });
            }
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        match joined {
            Ok((rid, Ok(()))) => done.push(rid),
            Ok((_, Err(e))) => failures.push(e),
            Err(e) => {
                failures.push(json!({"code": "InternalServerError", "message": e.to_string()}));
            }
        }
    }
    let mut g = sim.lock();
    if let Some(d) = g.deployments.get_mut(&id.to_ascii_lowercase()) {
        d.output = done;
        if failures.is_empty() && waiting.is_empty() {
            d.state = "Succeeded";
        } else {
            d.state = "Failed";
            d.error = Some(json!({
                "code": "DeploymentFailed",
                "target": id,
                "message": "At least one resource deployment operation failed. Please list deployment operations for details. Please see https://aka.ms/arm-deployment-operations for usage details.",
                "details": failures,
            }));
        }
    }
}

/// One resource of a deployment, written the way a direct PUT is.
async fn put(sim: &Sim, tenant: &str, p: &Planned) -> Result<(), Value> {
    let path = format!("{}?api-version={}", p.id, p.api_version);
    let Some(route) = Route::parse(&Method::PUT, &p.id) else {
        return Err(
            json!({"code": "InvalidTemplate", "message": format!("no route for {}", p.id)}),
        );
    };
    let op = route.op_name(&Method::PUT);
    let answer = match sim.fault_gate_at(&op, &path).await {
        Some(rule) => Err(super::injected(&rule)),
        None => {
            let req = Req {
                sim,
                method: Method::PUT,
                query: HashMap::from([("api-version".to_string(), p.api_version.clone())]),
                body: p.body.clone(),
                caller_tenant: tenant.to_string(),
                path: path.clone(),
            };
            dispatch(&req, &route, &op).await
        }
    };
    let status = match &answer {
        Ok(r) => r.status(),
        Err(e) => e.status,
    };
    sim.record(RequestRecord {
        surface: Surface::Arm,
        method: "PUT".into(),
        path,
        op,
        status: status.as_u16(),
    });
    answer
        .map(drop)
        .map_err(|e| json!({"code": e.code, "message": e.message}))
}
