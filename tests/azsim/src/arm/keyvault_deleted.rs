//! Key Vault soft delete: a vault deleted, alone or with its group, stays in the
//! subscription's `deletedVaults` with its name taken until it is purged
//! (learn.microsoft.com, "Azure Key Vault soft-delete overview": soft delete is
//! always on, the name cannot be reused while the vault is soft deleted, a purge
//! frees it; REST "Vaults - Get Deleted", "List Deleted", "Purge Deleted").

use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::error::{self, ArmError, ArmResult};
use super::route::Target;
use super::{Req, store};
use crate::keys::{format_utc, now_secs};
use crate::lro;
use crate::state::Inner;

/// Keeps `vault` (its stored body) as soft deleted from now.
pub fn soft_delete(inner: &mut Inner, vault: &Value) {
    let name = vault["name"].as_str().unwrap_or_default();
    let id = vault["id"].as_str().unwrap_or_default();
    let sub = id.split('/').nth(2).unwrap_or_default();
    let location = vault["location"].as_str().unwrap_or_default();
    let days = vault["properties"]["softDeleteRetentionInDays"]
        .as_u64()
        .unwrap_or(90);
    let now = now_secs();
    let deleted = json!({
        "id": format!("/subscriptions/{sub}/providers/Microsoft.KeyVault/locations/{location}/deletedVaults/{name}"),
        "name": name, "type": "Microsoft.KeyVault/deletedVaults",
        "properties": {
            "vaultId": id, "location": location,
            "deletionDate": format_utc(now, 'T'),
            "scheduledPurgeDate": format_utc(now + days * 86_400, 'T'),
            "tags": vault.get("tags").cloned().unwrap_or(json!({})),
            "purgeProtectionEnabled": vault["properties"]["enablePurgeProtection"] == true,
        },
    });
    inner
        .deleted_vaults
        .insert(name.to_ascii_lowercase(), deleted);
}

/// The refusal of a vault PUT whose name is soft deleted (ARM answers 409
/// `ConflictError` until the deleted vault is purged or recovered).
pub fn refuse_if_deleted(inner: &Inner, name: &str) -> Result<(), ArmError> {
    if !inner
        .deleted_vaults
        .contains_key(&name.to_ascii_lowercase())
    {
        return Ok(());
    }
    Err(ArmError::new(
        StatusCode::CONFLICT,
        "ConflictError",
        "A vault with the same name already exists in deleted state. You need to either recover or purge existing key vault. Follow this link https://go.microsoft.com/fwlink/?linkid=2149745 for more information on soft delete.",
    ))
}

/// True when `name` is held by a soft deleted vault.
pub fn is_deleted(inner: &Inner, name: &str) -> bool {
    inner
        .deleted_vaults
        .contains_key(&name.to_ascii_lowercase())
}

/// Routes under `/subscriptions/{s}/providers/Microsoft.KeyVault`: `deletedVaults`
/// (list), `locations/{l}/deletedVaults/{name}` (get) and its `purge`; `None`
/// for any other request.
pub fn handle(req: &Req<'_>, t: &Target) -> Option<ArmResult> {
    if t.rg.is_some() {
        return None;
    }
    let tail = t.tail.as_deref().unwrap_or_default();
    if t.pairs.is_empty() && tail.eq_ignore_ascii_case("deletedVaults") {
        let g = req.sim.lock();
        let prefix = format!("/subscriptions/{}/", t.sub).to_ascii_lowercase();
        let items = g
            .deleted_vaults
            .values()
            .filter(|d| {
                d["id"]
                    .as_str()
                    .is_some_and(|i| i.to_ascii_lowercase().starts_with(&prefix))
            })
            .cloned()
            .collect();
        return Some(error::list(items));
    }
    let [(loc_kind, _), (kind, name)] = t.pairs.as_slice() else {
        return None;
    };
    if !loc_kind.eq_ignore_ascii_case("locations") || !kind.eq_ignore_ascii_case("deletedVaults") {
        return None;
    }
    let mut g = req.sim.lock();
    let key = name.to_ascii_lowercase();
    let Some(found) = g.deleted_vaults.get(&key).cloned() else {
        return Some(Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "DeletedVaultNotFound",
            format!("Deleted vault '{name}' could not be found."),
        )));
    };
    Some(match (tail, req.method.as_str()) {
        ("", "GET") => error::reply(StatusCode::OK, found),
        (p, "POST") if p.eq_ignore_ascii_case("purge") => {
            // The name is free once the purge is accepted; its operation is
            // polled through `Location`.
            g.deleted_vaults.remove(&key);
            let (op_id, _) = lro::begin(&mut g, 0, None);
            drop(g);
            let r = StatusCode::ACCEPTED.into_response();
            Ok(lro::with_headers(req.sim, r, &t.sub, &op_id, true))
        }
        _ => Err(store::unsupported(req, &t.id())),
    })
}
