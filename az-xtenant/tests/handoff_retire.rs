//! `grant --retire` against the fake az: it needs no `--location` (nothing
//! is made), removes what the profile's grants made, and then deletes
//! Tenant B's resource group only when the grants made it (recorded as
//! created, tagged) and nothing is left in it; a group holding something
//! else, or one that was there before the grant, is reported and left.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::json;
use support::handoff::*;
use support::*;

/// Tenant B's world after a grant, ready for the retire's deletes; the
/// group lists `left` once the identity is gone.
fn granted(group_before: Option<serde_json::Value>, left: serde_json::Value) -> (World, String) {
    let (_, b, _, file) = handed_over();
    if let Some(g) = group_before {
        b.on(&format!("group_show@{SB}"), vec![Resp::Json(g)]);
    }
    let out = b.run(&grant_args(&file, &[]));
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    retirable_leaving(&b, left);
    b.clear_calls();
    (b, file)
}

fn retire(b: &World, file: &str) -> std::process::Output {
    b.run(&retire_args(file))
}

fn calls(b: &World) -> Vec<String> {
    b.calls().iter().map(|c| c.join(" ")).collect()
}

#[test]
fn retire_needs_no_location_and_deletes_the_group_the_grant_made_once_empty() {
    let (b, file) = granted(None, json!([]));
    let out = retire(&b, &file);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let calls = calls(&b);
    assert!(
        calls.iter().any(|c| c.starts_with("identity delete")),
        "{calls:#?}"
    );
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with(&format!("group delete --name {RG}"))),
        "{calls:#?}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("removed resource group {RG}")),
        "{err}"
    );
    let owned = b.profile()["owned"].clone();
    assert!(
        owned.as_array().is_none_or(Vec::is_empty),
        "nothing left on record: {owned:#}"
    );
}

#[test]
fn retire_leaves_a_group_that_holds_something_else_and_says_so() {
    let other = json!([{"id": format!("/subscriptions/{SB}/resourceGroups/{RG}/providers/Microsoft.Storage/storageAccounts/stkept"),
                        "name": "stkept", "type": "Microsoft.Storage/storageAccounts"}]);
    let (b, file) = granted(None, other);
    let out = retire(&b, &file);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let calls = calls(&b);
    assert!(
        !calls.iter().any(|c| c.starts_with("group delete")),
        "{calls:#?}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("left resource group {RG}")) && err.contains("stkept"),
        "{err}"
    );
}

#[test]
fn retire_leaves_a_group_that_was_there_before_the_grant() {
    // Untagged and there from the start: the grant adopted it.
    let (b, file) = granted(Some(group(false)), json!([]));
    let out = retire(&b, &file);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let calls = calls(&b);
    assert!(
        !calls.iter().any(|c| c.starts_with("group delete")),
        "{calls:#?}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("left resource group {RG}")) && err.contains("did not make it"),
        "{err}"
    );
}
