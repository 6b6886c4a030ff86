//! `cleanup` against the fake az: only groups xtenant created and tagged are
//! deleted; adopted ones never, but what xtenant created inside them is;
//! `--yes` is needed off a terminal.
#![allow(clippy::unwrap_used)]

mod support;

use support::*;

fn deletes(w: &World) -> Vec<String> {
    w.calls()
        .iter()
        .map(|c| c.join(" "))
        .filter(|c| c.starts_with("group delete"))
        .collect()
}

#[test]
fn deletes_created_groups_in_both_tenants_and_forgets_ids() {
    let w = World::new();
    w.init();
    fresh(&w);
    w.ok(&["up"]);
    w.on(&format!("group_delete@{SA}"), vec![Resp::Raw("")]);
    w.on(&format!("group_delete@{SB}"), vec![Resp::Raw("")]);
    w.ok(&["cleanup", "--yes"]);
    assert_eq!(
        deletes(&w),
        vec![
            format!(
                "group delete --name {RG} --yes --subscription {SA} -o json --only-show-errors"
            ),
            format!(
                "group delete --name {RG} --yes --subscription {SB} -o json --only-show-errors"
            ),
        ]
    );
    let p = w.profile();
    assert!(
        p["owned"].is_null(),
        "nothing is recorded as ours any more: {p}"
    );
    assert!(p["cluster"]["issuerUrl"].is_null());
    assert!(p["resources"]["clientId"].is_null());
    assert!(p["resources"]["principalId"].is_null());
    assert_eq!(p["cluster"]["tenantId"], TA, "settings are kept");
}

#[test]
fn an_adopted_group_is_never_deleted() {
    let w = World::new();
    w.init();
    fresh(&w);
    w.on(&format!("group_show@{SA}"), vec![Resp::Json(group(false))]);
    w.ok(&["up"]);
    w.on(&format!("group_delete@{SB}"), vec![Resp::Raw("")]);
    w.on(&format!("aks_delete@{SA}"), vec![Resp::Raw("")]);
    w.ok(&["cleanup", "--yes", "--no-wait"]);
    assert_eq!(
        deletes(&w),
        vec![format!(
            "group delete --name {RG} --yes --no-wait --subscription {SB} -o json --only-show-errors"
        )]
    );
    // The cluster xtenant created inside the adopted group goes; the group stays.
    let aks_deletes: Vec<String> = w
        .calls()
        .iter()
        .map(|c| c.join(" "))
        .filter(|c| c.starts_with("aks delete"))
        .collect();
    assert_eq!(
        aks_deletes,
        vec![format!(
            "aks delete --resource-group {RG} --name {AKS} --yes --subscription {SA} -o json --only-show-errors"
        )]
    );
    assert_eq!(w.profile()["owned"], serde_json::Value::Null);
}

#[test]
fn a_group_without_the_tag_is_kept_even_if_the_profile_says_created() {
    let w = World::new();
    w.init();
    fresh(&w);
    w.ok(&["up"]);
    w.on(&format!("group_show@{SA}"), vec![Resp::Json(group(false))]);
    w.on(&format!("group_show@{SB}"), vec![Resp::Json(group(false))]);
    let out = w.run(&["cleanup", "--yes"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not carry this profile's tag"));
    assert!(deletes(&w).is_empty());
    let deleted_anything = w
        .calls()
        .iter()
        .any(|c| c.get(1).is_some_and(|v| v == "delete"));
    assert!(
        !deleted_anything,
        "nothing inside a group of doubtful ownership is touched"
    );
}

#[test]
fn without_yes_off_a_terminal_nothing_is_deleted() {
    let w = World::new();
    w.init();
    fresh(&w);
    w.ok(&["up"]);
    let out = w.run(&["cleanup"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
    assert!(deletes(&w).is_empty());
    assert_eq!(
        w.profile()["owned"].as_array().map(Vec::len),
        Some(8),
        "{}",
        w.profile()
    );
}

#[test]
fn dry_run_prints_the_deletes_and_changes_nothing() {
    let w = World::new();
    w.init();
    fresh(&w);
    w.ok(&["up"]);
    let before = w.profile();
    let out = w.ok(&["cleanup", "--dry-run"]);
    assert!(
        out.contains(&format!(
            "az group delete --name {RG} --yes --subscription {SA}"
        )),
        "{out}"
    );
    assert!(deletes(&w).is_empty());
    assert_eq!(w.profile(), before);
}

/// A group Azure deleted between cleanup's look and its delete counts as
/// deleted and is forgotten, as `apply --prune` and `audit --fix` count
/// theirs: all three delete through one walk.
#[test]
fn a_group_gone_before_its_delete_counts_as_deleted() {
    let w = World::new();
    w.init();
    fresh(&w);
    w.ok(&["up"]);
    w.on(&format!("group_delete@{SA}"), vec![Resp::Raw("")]);
    w.on(
        &format!("group_delete@{SB}"),
        vec![Resp::Fail(
            3,
            format!("ERROR: (ResourceGroupNotFound) Resource group '{RG}' could not be found."),
        )],
    );
    let out = w.run(&["cleanup", "--yes"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(deletes(&w).len(), 2, "{:?}", deletes(&w));
    let p = w.profile();
    assert!(p["owned"].is_null(), "both groups are forgotten: {p}");
}
