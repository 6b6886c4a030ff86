//! `Microsoft.KeyVault/vaults`: create/update, show, list, delete (soft, see
//! `keyvault_deleted`), name check; RBAC authorization by default.
//!
//! az checks the vault is not there (GET, 404), then PUTs it; Key Vault answers 200 with
//! `provisioningState: RegisteringDns` and no polling header, and az polls the vault until
//! it is `Succeeded` (recorded in azure-cli's `test_keyvault_rbac.yaml`). Vault names are
//! global (a DNS name). `az keyvault list` also lists managed HSMs (none here) and, without
//! `-g`, finds vaults through `GET /subscriptions/{s}/resources`.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::error::{self, ArmError, ArmResult};
use super::route::Target;
use super::{Req, keyvault_deleted, store};
use crate::state::Inner;

/// The ARM type of a vault.
pub const TYPE: &str = "Microsoft.KeyVault/vaults";

/// Routes for vaults (and the empty list of managed HSMs).
pub fn handle(req: &Req<'_>, t: &Target, op: &str) -> ArmResult {
    let tail = t.tail.as_deref().unwrap_or_default();
    if let Some(answer) = keyvault_deleted::handle(req, t) {
        return answer;
    }
    if t.pairs.is_empty() && tail.eq_ignore_ascii_case("checkNameAvailability") {
        return name_check(req);
    }
    if t.pairs.is_empty() && req.method == Method::GET && t.rg.is_none() {
        return error::list(in_subscription(&req.sim.lock(), &t.sub, tail));
    }
    let (t, rg_name, group) = store::in_group(req, t)?;
    match (t.pairs.len(), t.tail.as_deref(), &req.method) {
        (0, Some("managedHSMs"), &Method::GET) => error::list(Vec::new()),
        (0, Some("vaults"), &Method::GET) => {
            store::list(req, &format!("{}/providers/{TYPE}", t.scope), TYPE)
        }
        (1, None, &Method::GET) => store::get(req, &t.id(), TYPE, &t.pairs[0].1, &rg_name),
        (1, None, &Method::PUT) => put(req, &t, &group, op),
        (1, None, &Method::DELETE) => {
            let found = req.sim.lock().get(&t.id()).map(|s| s.body.clone());
            let answer = store::delete(req, &t.sub, &t.id(), op, false)?;
            if let Some(vault) = found {
                keyvault_deleted::soft_delete(&mut req.sim.lock(), &vault);
            }
            Ok(answer)
        }
        _ => Err(store::unsupported(req, &t.id())),
    }
}

/// Every resource of `kind` (`vaults`) in the subscription.
fn in_subscription(g: &Inner, sub: &str, kind: &str) -> Vec<Value> {
    let rtype = format!("Microsoft.KeyVault/{kind}");
    g.under(&format!("/subscriptions/{sub}"))
        .filter(|s| {
            s.body["type"]
                .as_str()
                .is_some_and(|x| x.eq_ignore_ascii_case(&rtype))
        })
        .map(store::render)
        .collect()
}

/// A vault with this name anywhere but at `id` (names are global).
fn taken_elsewhere(g: &Inner, name: &str, id: &str) -> bool {
    g.resources.values().any(|r| {
        r.body["type"] == TYPE
            && r.body["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
            && !r.body["id"]
                .as_str()
                .is_some_and(|i| i.eq_ignore_ascii_case(id))
    })
}

fn put(req: &Req<'_>, t: &Target, group: &Value, op: &str) -> ArmResult {
    let (id, name) = (t.id(), t.pairs[0].1.clone());
    let tenant = store::tenant_of(req, &t.sub);
    let location = store::location(req, Some(group));
    let mut g = req.sim.lock();
    keyvault_deleted::refuse_if_deleted(&g, &name)?;
    if taken_elsewhere(&g, &name, &id) {
        return Err(ArmError::new(
            StatusCode::CONFLICT,
            "VaultAlreadyExists",
            format!(
                "The vault name '{name}' is already in use. Vault names are globally unique so it is possible that the name is already taken. If you are sure that the vault name was not taken then it is possible that a vault with the same name was recently deleted but not purged."
            ),
        ));
    }
    let body = vault(&req.body, (&id, &name, &location, &tenant));
    let ms = g.faults.lro(op);
    let (created, mut shown) = store::save(&mut g, &id, body, &tenant, ms);
    if created && ms > 0 {
        if let Some(s) = g.resources.get_mut(&id.to_ascii_lowercase()) {
            s.pending_state = "RegisteringDns";
        }
        shown["properties"]["provisioningState"] = json!("RegisteringDns");
    }
    error::reply(StatusCode::OK, shown)
}

/// The vault as Key Vault stores it: what was sent, with the service's defaults.
/// RBAC authorization is on unless the request turns it off (az's default since 2.61).
pub fn vault(sent: &Value, (id, name, location, tenant): (&str, &str, &str, &str)) -> Value {
    let p = &sent["properties"];
    let or = |k: &str, d: Value| p.get(k).filter(|v| !v.is_null()).cloned().unwrap_or(d);
    json!({
        "id": id, "name": name, "type": TYPE, "location": location,
        "tags": sent.get("tags").filter(|v| !v.is_null()).cloned().unwrap_or(json!({})),
        "properties": {
            "sku": or("sku", json!({"family": "A", "name": "standard"})),
            "tenantId": or("tenantId", json!(tenant)),
            "accessPolicies": or("accessPolicies", json!([])),
            "enabledForDeployment": or("enabledForDeployment", json!(false)),
            "enabledForDiskEncryption": or("enabledForDiskEncryption", json!(false)),
            "enabledForTemplateDeployment": or("enabledForTemplateDeployment", json!(false)),
            "enableSoftDelete": true,
            "softDeleteRetentionInDays": or("softDeleteRetentionInDays", json!(90)),
            "enableRbacAuthorization": or("enableRbacAuthorization", json!(true)),
            "enablePurgeProtection": p.get("enablePurgeProtection").cloned().unwrap_or(Value::Null),
            "networkAcls": or("networkAcls", json!({"bypass": "AzureServices", "defaultAction": "Allow", "ipRules": [], "virtualNetworkRules": []})),
            "publicNetworkAccess": or("publicNetworkAccess", json!("Enabled")),
            "vaultUri": format!("https://{}.vault.azure.net/", name.to_ascii_lowercase()),
            "provisioningState": "Succeeded",
        },
    })
}

/// `POST /subscriptions/{s}/providers/Microsoft.KeyVault/checkNameAvailability`.
fn name_check(req: &Req<'_>) -> ArmResult {
    let name = req.body["name"].as_str().unwrap_or_default();
    let taken = {
        let g = req.sim.lock();
        taken_elsewhere(&g, name, "") || keyvault_deleted::is_deleted(&g, name)
    };
    let answer = if taken {
        json!({"nameAvailable": false, "reason": "AlreadyExists", "message": format!("The vault name '{name}' is already in use.")})
    } else {
        json!({"nameAvailable": true})
    };
    error::reply(StatusCode::OK, answer)
}
