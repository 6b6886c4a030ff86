//! The declared graph against the fake az: `plan` shows the creates and
//! writes nothing; `apply` makes them through the engine (one credential per
//! workload, each identity's writes one after the other) and records the
//! bindings; a second `plan` is empty; a bad file stops before any az call.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::json;
use support::*;

fn graph_file(w: &World) -> String {
    let path = w.path().join("xtenant.yaml");
    let text = format!(
        "tenantA:
  tenantId: {TA}
  subscriptionId: {SA}
tenantB:
  tenantId: {TB}
  subscriptionId: {SB}
  resourceGroup: {RG}
  location: eastus
clusters:
  - name: {AKS}
    resourceGroup: {RG}
identities:
  - name: {IDENTITY}
    roles:
      - role: Azure Service Bus Data Owner
        scope: {scope}
workloads:
  - namespace: orders
    serviceAccount: writer
    identity: {IDENTITY}
  - namespace: orders
    serviceAccount: reader
    identity: {IDENTITY}
",
        scope = ns_id()
    );
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn credential(sa: &str) -> serde_json::Value {
    json!({"name": format!("xt-{AKS}-orders-{sa}"), "issuer": issuer(),
           "subject": format!("system:serviceaccount:orders:{sa}"),
           "audiences": ["api://AzureADTokenExchange"]})
}

/// Azure before the apply: the cluster exists, nothing in Tenant B does.
/// Reads answer "absent" `before` times, then what the apply made. (The
/// credential list is read once by a plan, which reads each thing once, and
/// once per credential by the apply.)
fn azure(w: &World, before: usize) {
    use Resp::*;
    w.logged_in();
    let twice = |absent: Resp, after: serde_json::Value| {
        let mut v: Vec<Resp> = (0..before)
            .map(|_| match &absent {
                Fail(c, m) => Fail(*c, m.clone()),
                Json(j) => Json(j.clone()),
                Raw(r) => Raw(r),
            })
            .collect();
        v.push(Json(after));
        v
    };
    w.on(&format!("aks_show@{SA}"), vec![Json(cluster(true))]);
    w.on(
        &format!("group_show@{SB}"),
        twice(not_found(RG), group(true)),
    );
    w.on(&format!("group_create@{SB}"), vec![Json(group(true))]);
    w.on(
        &format!("identity_show@{SB}"),
        twice(not_found(IDENTITY), identity()),
    );
    w.on(&format!("identity_create@{SB}"), vec![Json(identity())]);
    w.on(
        &format!("role_assignment_list@{SB}"),
        twice(Json(json!([])), json!([role_assignment()])),
    );
    w.on(
        &format!("role_assignment_create@{SB}"),
        vec![Json(role_assignment())],
    );
    w.on(&format!("identity_federated-credential_list@{SB}"), {
        let mut v: Vec<Resp> = (0..before + 1).map(|_| Json(json!([]))).collect();
        v.push(Json(json!([credential("writer"), credential("reader")])));
        v
    });
    w.on(
        &format!("identity_federated-credential_create@{SB}"),
        vec![Raw("{}")],
    );
}

fn writes(w: &World) -> Vec<String> {
    w.calls()
        .iter()
        .filter(|c| !["show", "list"].contains(&verb(c).as_str()))
        .map(|c| c.join(" "))
        .collect()
}

#[test]
fn plan_shows_every_create_and_the_budget_and_writes_nothing() {
    let w = World::new();
    let file = graph_file(&w);
    azure(&w, 10);
    let out = w.run(&["plan", "-f", &file, "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    let plan = String::from_utf8_lossy(&out.stdout);
    for line in [
        format!("+ Tenant B: resource group {RG}"),
        format!("+ Tenant B: managed identity {IDENTITY}"),
        format!("+ Tenant B: role assignment Azure Service Bus Data Owner on {NS}"),
        format!("+ Tenant B: federated credential xt-{AKS}-orders-writer"),
        format!("+ Tenant B: federated credential xt-{AKS}-orders-reader"),
        format!("budget: {IDENTITY}: 2/20 federated credentials used, 0 not managed by xtenant"),
        "plan: 5 to create, 0 to update, 0 to remove, 1 unchanged".to_string(),
    ] {
        assert!(plan.lines().any(|l| l == line), "{line:?} not in\n{plan}");
    }
    assert!(writes(&w).is_empty(), "{:?}", writes(&w));
    let json: serde_json::Value =
        serde_json::from_slice(&w.run(&["plan", "-f", &file, "-o", "json"]).stdout).unwrap();
    assert_eq!(json["changes"].as_array().unwrap().len(), 5, "{json:#}");
    assert_eq!(json["budget"][0]["used"], 2);
}

#[test]
fn apply_makes_the_graph_then_plan_is_empty() {
    let w = World::new();
    let file = graph_file(&w);
    azure(&w, 2);
    let out = w.run(&["apply", "-f", &file, "--yes"]);
    assert!(out.status.success(), "{}", describe(&out));
    let writes = writes(&w);
    let creds: Vec<&String> = writes
        .iter()
        .filter(|c| c.starts_with("identity federated-credential create"))
        .collect();
    assert_eq!(creds.len(), 2, "{writes:#?}");
    assert!(creds.iter().any(|c| c.contains(&format!("--name xt-{AKS}-orders-writer --issuer {} --subject system:serviceaccount:orders:writer", issuer()))), "{creds:#?}");
    let role = writes
        .iter()
        .find(|c| c.starts_with("role assignment create"))
        .unwrap();
    assert!(
        role.contains("--description Created by xtenant (profile "),
        "{role}"
    );
    let p = w.profile();
    assert_eq!(
        p["graph"]["identities"][IDENTITY]["clientId"], CLIENT,
        "{p:#}"
    );
    assert_eq!(p["graph"]["clusters"][AKS]["issuerUrl"], issuer());
    assert_eq!(p["graph"]["bindings"].as_array().unwrap().len(), 2);
    assert_eq!(p["graph"]["tenantB"], TB);
    let owned = p["owned"].to_string();
    assert!(
        owned.contains("federatedIdentityCredentials/xt-") && !owned.contains("intended"),
        "{owned}"
    );

    w.clear_calls();
    let out = w.run(&["plan", "-f", &file, "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("plan: 0 to create, 0 to update, 0 to remove, 6 unchanged")
    );
    assert!(self::writes(&w).is_empty());
    // A plan with nothing to do reads each thing once: one az call per
    // cluster, identity and scope, one credential list per identity.
    let calls = w.calls();
    let distinct: std::collections::BTreeSet<&Vec<String>> = calls.iter().collect();
    assert_eq!(calls.len(), distinct.len(), "repeated reads: {calls:#?}");
    assert_eq!(calls.len(), 6, "{calls:#?}");
}

#[test]
fn apply_off_a_terminal_without_yes_changes_nothing() {
    let w = World::new();
    let file = graph_file(&w);
    azure(&w, 10);
    let out = w.run(&["apply", "-f", &file]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
    assert!(writes(&w).is_empty());
}

#[test]
fn a_bad_file_is_refused_at_its_line_before_any_az_call() {
    let w = World::new();
    let file = graph_file(&w);
    let text = std::fs::read_to_string(&file).unwrap().replace(
        "identity: sb-crosstenantdemo-12345-identity\n  - namespace",
        "identity: nobody\n  - namespace",
    );
    std::fs::write(&file, text).unwrap();
    for cmd in ["plan", "apply"] {
        let out = w.run(&[cmd, "-f", &file, "--yes"][..if cmd == "plan" { 3 } else { 4 }]);
        assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!(
                "{file}:20:15: workloads[0].identity: no identity named \"nobody\""
            )),
            "{err}"
        );
    }
    assert!(w.calls().is_empty(), "no az call: {:?}", w.calls());
    let out = w.run(&["plan", "-f", "/nonexistent/xtenant.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
}

#[test]
fn prune_removes_only_what_xtenant_made_and_the_file_dropped() {
    let w = World::new();
    let file = graph_file(&w);
    azure(&w, 2);
    w.ok(&["apply", "-f", &file, "--yes"]);
    // Everything exists now, plus a credential made by hand on the identity.
    let hand_made = json!({"name": "by-hand", "issuer": "https://elsewhere/", "subject": "system:serviceaccount:x:y",
                           "audiences": ["api://AzureADTokenExchange"]});
    w.on(&format!("group_show@{SB}"), vec![Resp::Json(group(true))]);
    w.on(&format!("identity_show@{SB}"), vec![Resp::Json(identity())]);
    w.on(
        &format!("role_assignment_list@{SB}"),
        vec![Resp::Json(json!([role_assignment()]))],
    );
    w.on(
        &format!("identity_federated-credential_list@{SB}"),
        vec![Resp::Json(json!([
            credential("writer"),
            credential("reader"),
            hand_made
        ]))],
    );
    w.on(
        &format!("identity_federated-credential_delete@{SB}"),
        vec![Resp::Raw("")],
    );
    // The reader workload leaves the file.
    let text = std::fs::read_to_string(&file).unwrap();
    let cut = text
        .find("  - namespace: orders\n    serviceAccount: reader")
        .unwrap();
    std::fs::write(&file, &text[..cut]).unwrap();

    w.clear_calls();
    let out = w.run(&["plan", "-f", &file]);
    assert!(out.status.success(), "{}", describe(&out));
    let plan = String::from_utf8_lossy(&out.stdout);
    assert!(
        !plan.contains("- Tenant B"),
        "without --prune nothing is removed:\n{plan}"
    );
    let plan = w.ok(&["plan", "-f", &file, "--prune"]);
    let removes: Vec<&str> = plan.lines().filter(|l| l.starts_with('-')).collect();
    assert_eq!(
        removes,
        [format!(
            "- Tenant B: federated credential xt-{AKS}-orders-reader: created by xtenant, no longer declared"
        )],
        "{plan}"
    );
    assert!(
        plan.contains(&format!(
            "budget: {IDENTITY}: 2/20 federated credentials used, 1 not managed by xtenant"
        )),
        "the pruned credential no longer counts; the hand-made one does:\n{plan}"
    );
    assert!(writes(&w).is_empty());

    let out = w.run(&["apply", "-f", &file, "--prune", "--yes"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        writes(&w),
        [format!(
            "identity federated-credential delete --resource-group {RG} --identity-name {IDENTITY} --name xt-{AKS}-orders-reader --yes --subscription {SB} -o json --only-show-errors"
        )],
        "exactly the dropped credential; the hand-made one, the identity and the role stay"
    );
    assert!(!w.profile()["owned"].to_string().contains("orders-reader"));
}

#[test]
fn export_turns_the_demo_into_a_graph_that_plans_nothing_new() {
    let w = World::new();
    w.init();
    fresh(&w);
    w.ok(&["up"]);
    let yaml = w.ok(&["export"]);
    assert!(yaml.contains(&format!("name: {IDENTITY}")), "{yaml}");
    let file = w.path().join("exported.yaml");
    std::fs::write(&file, &yaml).unwrap();
    let file = file.to_str().unwrap();
    w.clear_calls();
    let out = w.run(&["plan", "-f", file, "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let plan = String::from_utf8_lossy(&out.stdout);
    // The demo's credential has another name but the same (issuer, subject):
    // it is used, not duplicated.
    assert!(
        plan.contains("plan: 0 to create, 0 to update, 0 to remove"),
        "{plan}"
    );
    assert!(writes(&w).is_empty());
}

#[test]
fn credentials_made_by_others_count_in_the_budget_and_stop_the_apply_before_any_write() {
    let w = World::new();
    let file = graph_file(&w);
    azure(&w, 10);
    let others: Vec<serde_json::Value> = (0..19)
        .map(|i| {
            json!({"name": format!("other-{i}"), "issuer": format!("https://other/{i}/"),
                   "subject": "system:serviceaccount:x:y", "audiences": ["api://AzureADTokenExchange"]})
        })
        .collect();
    w.on(
        &format!("identity_federated-credential_list@{SB}"),
        vec![Resp::Json(json!(others))],
    );
    for cmd in [
        &["plan", "-f", &file][..],
        &["apply", "-f", &file, "--yes"][..],
    ] {
        let out = w.run(cmd);
        assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("would have 21 federated credentials (19 of them not managed by xtenant)"),
            "{err}"
        );
    }
    assert!(writes(&w).is_empty(), "no partial apply: {:?}", writes(&w));
}
