//! `Microsoft.Storage/storageAccounts`: name check, create (202 + `Location`), show, list, delete.
//!
//! `az storage account create` first posts `checkNameAvailability` (and only warns when
//! the name is taken), then PUTs the account. A new account answers 202 with an empty
//! body and a `Location` whose final poll answers the account (Storage's own wire
//! format); an existing one answers 200 at once. Names are global (DNS), 3-24
//! lower-case letters and digits.

use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::error::{self, ArmError, ArmResult};
use super::route::Target;
use super::{Req, store};
use crate::lro;
use crate::state::Inner;

/// The ARM type of a storage account.
pub const TYPE: &str = "Microsoft.Storage/storageAccounts";

/// Routes for storage accounts.
pub fn handle(req: &Req<'_>, t: &Target, op: &str) -> ArmResult {
    let tail = t.tail.as_deref().unwrap_or_default();
    if t.pairs.is_empty() && tail.eq_ignore_ascii_case("checkNameAvailability") {
        return name_check(req);
    }
    if t.pairs.is_empty() && req.method == Method::GET && t.rg.is_none() {
        let g = req.sim.lock();
        let items = g
            .under(&format!("/subscriptions/{}", t.sub))
            .filter(|s| s.body["type"] == TYPE)
            .map(store::render)
            .collect();
        return error::list(items);
    }
    let (t, rg_name, group) = store::in_group(req, t)?;
    match (t.pairs.len(), t.tail.is_some(), &req.method) {
        (0, true, &Method::GET) => store::list(req, &format!("{}/providers/{TYPE}", t.scope), TYPE),
        (1, false, &Method::GET) => store::get(req, &t.id(), TYPE, &t.pairs[0].1, &rg_name),
        (1, false, &Method::PUT) => put(req, &t, &group, op),
        (1, false, &Method::DELETE) => store::delete(req, &t.sub, &t.id(), op, false),
        _ => Err(store::unsupported(req, &t.id())),
    }
}

/// Why a name cannot be used: `AccountNameInvalid` or `AlreadyExists` (elsewhere than `id`).
fn unusable(g: &Inner, name: &str, id: &str) -> Option<(&'static str, String)> {
    let valid = (3..=24).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if !valid {
        return Some((
            "AccountNameInvalid",
            format!(
                "{name} is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only."
            ),
        ));
    }
    let taken = g.resources.values().any(|r| {
        r.body["type"] == TYPE
            && r.body["name"] == name
            && !r.body["id"]
                .as_str()
                .is_some_and(|i| i.eq_ignore_ascii_case(id))
    });
    taken.then(|| {
        (
            "AlreadyExists",
            format!("The storage account named {name} is already taken."),
        )
    })
}

/// `POST /subscriptions/{s}/providers/Microsoft.Storage/checkNameAvailability`.
fn name_check(req: &Req<'_>) -> ArmResult {
    let name = req.body["name"].as_str().unwrap_or_default();
    let answer = match unusable(&req.sim.lock(), name, "") {
        Some((reason, message)) => {
            json!({"nameAvailable": false, "reason": reason, "message": message})
        }
        None => json!({"nameAvailable": true}),
    };
    error::reply(StatusCode::OK, answer)
}

fn put(req: &Req<'_>, t: &Target, group: &Value, op: &str) -> ArmResult {
    let (id, name) = (t.id(), t.pairs[0].1.clone());
    let tenant = store::tenant_of(req, &t.sub);
    let location = store::location(req, Some(group));
    let mut g = req.sim.lock();
    if let Some((reason, message)) = unusable(&g, &name, &id) {
        return Err(match reason {
            "AlreadyExists" => {
                ArmError::new(StatusCode::CONFLICT, "StorageAccountAlreadyTaken", message)
            }
            _ => ArmError::bad(reason, message),
        });
    }
    let body = account(&req.body, (&id, &name, &location));
    let ms = g.faults.lro(op);
    let (created, shown) = store::save(&mut g, &id, body, &tenant, ms);
    if !created {
        return error::reply(StatusCode::OK, shown);
    }
    let (op_id, _) = lro::begin_for(&mut g, ms, None, Some(id));
    drop(g);
    let r = StatusCode::ACCEPTED.into_response();
    Ok(lro::with_headers(req.sim, r, &t.sub, &op_id, true))
}

/// The account as Storage stores it: what was sent, with the service's defaults.
pub fn account(sent: &Value, (id, name, location): (&str, &str, &str)) -> Value {
    let p = &sent["properties"];
    let or = |k: &str, d: Value| p.get(k).filter(|v| !v.is_null()).cloned().unwrap_or(d);
    let sku = sent["sku"]["name"].as_str().unwrap_or("Standard_RAGRS");
    let tier = if sku.starts_with("Premium") {
        "Premium"
    } else {
        "Standard"
    };
    let endpoint = |svc: &str| format!("https://{name}.{svc}.core.windows.net/");
    json!({
        "id": id, "name": name, "type": TYPE, "location": location,
        "tags": sent.get("tags").filter(|v| !v.is_null()).cloned().unwrap_or(json!({})),
        "sku": {"name": sku, "tier": tier},
        "kind": sent["kind"].as_str().unwrap_or("StorageV2"),
        "properties": {
            "provisioningState": "Succeeded",
            "creationTime": store::now_iso(),
            "primaryLocation": location, "statusOfPrimary": "available",
            "primaryEndpoints": {
                "blob": endpoint("blob"), "queue": endpoint("queue"), "table": endpoint("table"),
                "file": endpoint("file"), "dfs": endpoint("dfs"), "web": endpoint("z13.web"),
            },
            "accessTier": or("accessTier", json!("Hot")),
            "supportsHttpsTrafficOnly": or("supportsHttpsTrafficOnly", json!(true)),
            "minimumTlsVersion": or("minimumTlsVersion", json!("TLS1_2")),
            "allowBlobPublicAccess": or("allowBlobPublicAccess", json!(false)),
            "allowSharedKeyAccess": or("allowSharedKeyAccess", Value::Null),
            "isHnsEnabled": or("isHnsEnabled", Value::Null),
            "encryption": {"keySource": "Microsoft.Storage", "requireInfrastructureEncryption": false, "services": {
                "blob": {"enabled": true, "keyType": "Account"}, "file": {"enabled": true, "keyType": "Account"},
            }},
            "networkAcls": or("networkRuleSet", json!({"bypass": "AzureServices", "defaultAction": "Allow", "ipRules": [], "virtualNetworkRules": []})),
        },
    })
}
