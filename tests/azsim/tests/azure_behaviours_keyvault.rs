//! Key Vault soft delete as the real `az` meets it: a deleted vault (alone or with
//! its group) keeps its name until it is purged.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod behaviours;

use azsim::Harness;
use behaviours::az;
use serde_json::Value;

fn deleted_names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["name"].as_str().map(String::from))
        .collect()
}

#[test]
fn a_deleted_vault_keeps_its_name_until_purged() {
    let h = Harness::start();
    let sub = h.tenant_b().subscriptions[0].id.clone();
    az(
        &h,
        &sub,
        &["group", "create", "-n", "rg-kv", "-l", "eastus"],
    )
    .json();
    let create = ["keyvault", "create", "-g", "rg-kv", "-n", "kv-soft"];
    az(&h, &sub, &create).json();
    let del = az(&h, &sub, &["keyvault", "delete", "-n", "kv-soft"]);
    assert_eq!(del.code, 0, "{}", del.err);

    let deleted = az(&h, &sub, &["keyvault", "list-deleted"]).json();
    assert_eq!(deleted_names(&deleted), ["kv-soft"], "{deleted}");
    assert_eq!(deleted[0]["properties"]["location"], "eastus", "{deleted}");
    az(&h, &sub, &create).fails(1, &["ConflictError", "deleted state"]);

    let purged = az(&h, &sub, &["keyvault", "purge", "-n", "kv-soft"]);
    assert_eq!(purged.code, 0, "{}", purged.err);
    assert_eq!(
        deleted_names(&az(&h, &sub, &["keyvault", "list-deleted"]).json()),
        Vec::<String>::new()
    );
    az(&h, &sub, &create).json();
    assert_eq!(h.unknown_routes(), Vec::<String>::new());
}

#[test]
fn a_vault_deleted_with_its_group_is_soft_deleted() {
    let h = Harness::start();
    let sub = h.tenant_b().subscriptions[0].id.clone();
    az(
        &h,
        &sub,
        &["group", "create", "-n", "rg-gone", "-l", "eastus"],
    )
    .json();
    az(
        &h,
        &sub,
        &["keyvault", "create", "-g", "rg-gone", "-n", "kv-in-group"],
    )
    .json();
    let del = az(&h, &sub, &["group", "delete", "-n", "rg-gone", "--yes"]);
    assert_eq!(del.code, 0, "{}", del.err);
    let deleted = az(&h, &sub, &["keyvault", "list-deleted"]).json();
    assert_eq!(deleted_names(&deleted), ["kv-in-group"], "{deleted}");
}
