//! `Microsoft.ServiceBus/namespaces` (`serviceBusEndpoint`, `disableLocalAuth`) and their queues.
//!
//! A namespace create answers 200 at once with `provisioningState: Created` and
//! `status: Activating` and no polling header; az then polls the namespace itself
//! until it is `Succeeded`/`Active` (recorded in azure-cli's `test_sb_queue.yaml`).
//! The location comes back as a display name (`West US`).

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::error::{self, ArmError, ArmResult};
use super::route::Target;
use super::{Req, store};

const NS_TYPE: &str = "Microsoft.ServiceBus/Namespaces";
const QUEUE_TYPE: &str = "Microsoft.ServiceBus/Namespaces/Queues";

/// Routes for namespaces and queues.
pub async fn handle(req: &Req<'_>, t: &Target, op: &str) -> ArmResult {
    // Every namespace of the subscription (servicebus/test_sb_namespace.yaml in
    // the recordings: `GET /subscriptions/{sub}/providers/Microsoft.ServiceBus/namespaces` → 200).
    if let Some(all) = store::subscription_list(req, t, NS_TYPE) {
        return all;
    }
    let (t, rg_name, group) = store::in_group(req, t)?;
    let tenant = store::tenant_of(req, &t.sub);
    match (t.pairs.len(), t.tail.is_some(), &req.method) {
        (0, true, &Method::GET) => store::list(
            req,
            &format!("{}/providers/Microsoft.ServiceBus/namespaces", t.scope),
            NS_TYPE,
        ),
        (1, false, &Method::GET) => store::get(req, &t.id(), NS_TYPE, &t.pairs[0].1, &rg_name),
        (1, false, &Method::PUT) => {
            let body = namespace(req, &t, Some(&group))?;
            namespace_put(req, &t.id(), body, &tenant, op)
        }
        (1, false, &Method::DELETE) => store::delete(req, &t.sub, &t.id(), op, true),
        (1, true, &Method::GET) => store::list(req, &format!("{}/queues", t.id()), QUEUE_TYPE),
        (2, false, &Method::GET) => {
            let g = req.sim.lock();
            match g.get(&t.id()) {
                Some(s) => error::reply(StatusCode::OK, store::render(s)),
                None => Err(entity_not_found(&t.pairs[0].1, "Queue", &t.pairs[1].1)),
            }
        }
        (2, false, &Method::PUT) => {
            let mut g = req.sim.lock();
            if g.get(&t.id_at(1)).is_none() {
                return Err(ArmError::parent_not_found(&t.id_at(1), QUEUE_TYPE));
            }
            let body = queue(req, &t);
            // Service Bus answers 200 for both create and update of a queue.
            let (_, shown) = store::save(&mut g, &t.id(), body, &tenant, 0);
            error::reply(StatusCode::OK, shown)
        }
        (2, false, &Method::DELETE) => store::delete(req, &t.sub, &t.id(), op, false),
        _ => Err(store::unsupported(req, &t.id())),
    }
}

/// Stores a namespace; a new one is `Created`/`Activating` until its operation time
/// (`lro_ms` of `namespaces.put`) has passed.
fn namespace_put(req: &Req<'_>, id: &str, body: Value, tenant: &str, op: &str) -> ArmResult {
    let mut g = req.sim.lock();
    let ms = g.faults.lro(op);
    let (created, mut shown) = store::save(&mut g, id, body, tenant, ms);
    if created {
        if let Some(s) = g.resources.get_mut(&id.to_ascii_lowercase()) {
            s.pending_state = "Created";
            s.pending_status = Some("Activating");
        }
        shown["properties"]["provisioningState"] = json!("Created");
        shown["properties"]["status"] = json!("Activating");
    }
    error::reply(StatusCode::OK, shown)
}

/// Service Bus's own 404 for a missing entity (the code is `NotFound`, not ARM's
/// `ResourceNotFound`).
fn entity_not_found(namespace: &str, kind: &str, name: &str) -> ArmError {
    ArmError::new(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!(
            "Entity '{namespace}:{kind}:{name}' wasn't found. To know more visit https://aka.ms/sbResourceMgrExceptions. TrackingId:{}, SystemTracker:{namespace}.servicebus.windows.net:{name}, Timestamp:{}",
            uuid::Uuid::new_v4(),
            store::now_iso()
        ),
    )
}

/// The display name Service Bus answers for a region (`eastus` → `East US`).
fn display_location(region: &str) -> String {
    const NAMES: &[(&str, &str)] = &[
        ("eastus", "East US"),
        ("eastus2", "East US 2"),
        ("westus", "West US"),
        ("westus2", "West US 2"),
        ("westus3", "West US 3"),
        ("centralus", "Central US"),
        ("northcentralus", "North Central US"),
        ("southcentralus", "South Central US"),
        ("northeurope", "North Europe"),
        ("westeurope", "West Europe"),
        ("uksouth", "UK South"),
        ("francecentral", "France Central"),
        ("germanywestcentral", "Germany West Central"),
        ("swedencentral", "Sweden Central"),
        ("switzerlandnorth", "Switzerland North"),
        ("canadacentral", "Canada Central"),
        ("australiaeast", "Australia East"),
        ("japaneast", "Japan East"),
        ("southeastasia", "Southeast Asia"),
    ];
    NAMES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(region))
        .map_or_else(|| region.to_string(), |(_, d)| (*d).to_string())
}

fn namespace(req: &Req<'_>, t: &Target, group: Option<&Value>) -> Result<Value, ArmError> {
    let name = &t.pairs[0].1;
    if name.len() < 6 || name.len() > 50 {
        return Err(ArmError::bad(
            "InvalidParameter",
            format!("The namespace name '{name}' must be 6 to 50 characters long."),
        ));
    }
    let old = req.sim.lock().get(&t.id()).map(|s| s.body.clone());
    let location = display_location(&store::location(req, group));
    let now = store::now_iso();
    let mut p = match req.body["properties"].clone() {
        Value::Object(m) => Value::Object(m),
        _ => json!({}),
    };
    p["disableLocalAuth"] = json!(p["disableLocalAuth"].as_bool().unwrap_or(false));
    p["serviceBusEndpoint"] = json!(format!("https://{name}.servicebus.windows.net:443/"));
    p["metricId"] = json!(format!("{}:{name}", t.sub));
    p["status"] = json!("Active");
    p["createdAt"] = old
        .as_ref()
        .map_or_else(|| json!(now), |o| o["properties"]["createdAt"].clone());
    p["updatedAt"] = json!(now);
    if p["minimumTlsVersion"].is_null() {
        p["minimumTlsVersion"] = json!("1.2");
    }
    if p["publicNetworkAccess"].is_null() {
        p["publicNetworkAccess"] = json!("Enabled");
    }
    if p["zoneRedundant"].is_null() {
        p["zoneRedundant"] = json!(false);
    }
    let sku = match &req.body["sku"] {
        Value::Object(s) => {
            let n = s.get("name").and_then(Value::as_str).unwrap_or("Standard");
            json!({"name": n, "tier": s.get("tier").and_then(Value::as_str).unwrap_or(n)})
        }
        _ => json!({"name": "Standard", "tier": "Standard"}),
    };
    Ok(json!({
        "id": t.id(), "name": name, "type": NS_TYPE, "location": location,
        "sku": sku, "tags": req.body.get("tags").cloned().unwrap_or(json!({})), "properties": p,
    }))
}

fn queue(req: &Req<'_>, t: &Target) -> Value {
    let now = store::now_iso();
    let mut p = match req.body["properties"].clone() {
        Value::Object(m) => Value::Object(m),
        _ => json!({}),
    };
    for (k, v) in [
        ("maxSizeInMegabytes", json!(1024)),
        ("lockDuration", json!("PT1M")),
        ("maxDeliveryCount", json!(10)),
        ("requiresDuplicateDetection", json!(false)),
        ("requiresSession", json!(false)),
        ("deadLetteringOnMessageExpiration", json!(false)),
        ("enableBatchedOperations", json!(true)),
        ("enablePartitioning", json!(false)),
        (
            "defaultMessageTimeToLive",
            json!("P10675199DT2H48M5.4775807S"),
        ),
    ] {
        if p[k].is_null() {
            p[k] = v;
        }
    }
    p["status"] = json!("Active");
    p["messageCount"] = json!(0);
    p["sizeInBytes"] = json!(0);
    p["createdAt"] = json!(now);
    p["updatedAt"] = json!(now);
    json!({"id": t.id(), "name": t.pairs[1].1, "type": QUEUE_TYPE, "location": req.body.get("location").cloned().unwrap_or(Value::Null), "properties": p})
}
