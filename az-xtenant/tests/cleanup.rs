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
    assert!(p["graph"]["clusters"]["@demo"]["issuerUrl"].is_null());
    assert!(p["graph"]["identities"]["@demo"]["clientId"].is_null());
    assert!(p["graph"]["identities"]["@demo"]["principalId"].is_null());
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

#[test]
fn a_migrated_profile_with_a_demo_and_a_graph_cleans_up_only_the_demo() {
    use serde_json::json;
    use xtenant_testsupport::profiles::*;
    let w = World::new();
    std::fs::create_dir_all(w.profile_path().parent().unwrap()).unwrap();
    let v2 = version_2_with_demo_and_graph();
    std::fs::write(w.profile_path(), v2.to_string()).unwrap();
    w.on(
        "account_list",
        vec![Resp::Json(json!([
            {"id": SUB_A, "tenantId": TENANT_A, "user": {"name": "u"}},
            {"id": SUB_B, "tenantId": TENANT_B, "user": {"name": "u"}}
        ]))],
    );
    for sub in [SUB_A, SUB_B] {
        let group = json!({"id": group_id(sub, DEMO_GROUP), "name": DEMO_GROUP, "location": "eastus",
                           "tags": {"created-by": "xtenant", "xtenant-profile": v2["id"]}});
        w.on(&format!("group_show@{sub}"), vec![Resp::Json(group)]);
        w.on(&format!("group_delete@{sub}"), vec![Resp::Raw("")]);
    }
    w.ok(&["cleanup", "--yes"]);
    let deleting: Vec<String> = w
        .calls()
        .iter()
        .map(|c| c.join(" "))
        .filter(|c| c.contains(" delete"))
        .collect();
    assert_eq!(
        deleting,
        [SUB_A, SUB_B].map(|sub| format!(
            "group delete --name {DEMO_GROUP} --yes --subscription {sub} -o json --only-show-errors"
        )),
        "the demo's two groups, nothing of the graph"
    );
    let p = w.profile();
    assert_eq!(p["schemaVersion"], 3);
    // The graph's records stay whole; the demo's are forgotten.
    let owned: Vec<&str> = p["owned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    let graph_owned: Vec<&str> = v2["owned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .filter(|id| id.contains(GRAPH_GROUP))
        .collect();
    assert_eq!(owned, graph_owned, "{p:#}");
    let g = &p["graph"];
    assert_eq!(g["clusters"], v2["graph"]["clusters"], "{g:#}");
    assert_eq!(g["identities"], v2["graph"]["identities"], "{g:#}");
    assert_eq!(g["bindings"], v2["graph"]["bindings"], "{g:#}");
    assert_eq!(
        p["cluster"]["clusterName"], DEMO_CLUSTER,
        "settings are kept"
    );
    assert_eq!(
        p["resources"]["identityName"], DEMO_IDENTITY,
        "names are kept"
    );
}
