//! The declared graph against the fake az: `plan` shows the creates and
//! writes nothing; `apply` makes them through the engine (one credential per
//! workload, an identity's credentials in one template deployment) without
//! reading anything its plan read, and records the bindings; a second `plan` is empty; a bad file stops before any az call.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::json;
use support::*;

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
    azure(&w, 1);
    let out = w.run(&["apply", "-f", &file, "--yes"]);
    assert!(out.status.success(), "{}", describe(&out));
    // The apply goes on with what its plan read: each read once.
    let calls = w.calls();
    let reads: Vec<&Vec<String>> = calls
        .iter()
        .filter(|c| ["show", "list"].contains(&verb(c).as_str()))
        .collect();
    let distinct: std::collections::BTreeSet<&&Vec<String>> = reads.iter().collect();
    assert_eq!(reads.len(), distinct.len(), "repeated reads: {reads:#?}");
    // The identity's two credentials: one deployment, written in a chain.
    let writes = writes(&w);
    assert!(
        !writes
            .iter()
            .any(|c| c.starts_with("identity federated-credential create")),
        "{writes:#?}"
    );
    let deployments: Vec<&String> = writes
        .iter()
        .filter(|c| c.starts_with("deployment group create"))
        .collect();
    assert_eq!(deployments.len(), 1, "{writes:#?}");
    assert!(
        deployments[0].starts_with(&format!(
            "deployment group create --resource-group {RG} --name xtenant-credentials-"
        )) && deployments[0].contains(" --template-file "),
        "{deployments:#?}"
    );
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

/// `api.v1` and `api-v1` would share one credential name: the file is
/// refused with both workloads named, before any az call.
#[test]
fn two_workloads_with_one_credential_name_are_refused_before_any_az_call() {
    let w = World::new();
    let file = graph_file(&w);
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("serviceAccount: writer", "serviceAccount: api.v1")
        .replace("serviceAccount: reader", "serviceAccount: api-v1");
    std::fs::write(&file, text).unwrap();
    let out = w.run(&["plan", "-f", &file]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{file}:22:21: workloads[1].serviceAccount: orders/api-v1 in cluster {AKS} would get the federated credential name \"xt-{AKS}-orders-api-v1\", which orders/api.v1 in cluster {AKS} (workloads[0], {file}:19:21) already gets")),
        "{err}"
    );
    assert!(w.calls().is_empty(), "no az call: {:?}", w.calls());
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
    w.on(
        &format!("identity_list@{SB}"),
        vec![Resp::Json(json!([identity()]))],
    );
    w.on(
        &format!("role_assignment_list@{SB}"),
        vec![Resp::Json(json!([role_assignment()]))],
    );
    w.on(
        &format!("identity_federated-credential_list@{SB}"),
        vec![Resp::Json(json!([
            graph_credential("writer"),
            graph_credential("reader"),
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
    // What a deleted credential does not revoke is said, with what does.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("stops new token exchanges only")
            && err.contains("up to 24 hours")
            && err.contains("role assignments"),
        "{err}"
    );
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
    w.on(
        &format!("identity_list@{SB}"),
        vec![Resp::Json(json!([identity()]))],
    );
    w.on(
        &format!("aks_list@{SA}"),
        vec![Resp::Json(json!([cluster(true)]))],
    );
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

#[test]
fn a_deployment_left_running_by_a_stopped_run_is_waited_for_then_read_again() {
    use Resp::*;
    let w = World::new();
    let file = graph_file(&w);
    azure(&w, 1);
    w.on(
        &format!("deployment_group_create@{SB}"),
        vec![Fail(
            1,
            "ERROR: (DeploymentActive) Unable to edit or replace deployment 'x': previous deployment is still active (state: Running).".into(),
        )],
    );
    let state = |s: &str| Json(json!({"properties": {"provisioningState": s}}));
    w.on(
        &format!("deployment_group_show@{SB}"),
        vec![state("Running"), state("Succeeded")],
    );
    // The plan finds none; the earlier run's deployment then wrote both.
    w.on(
        &format!("identity_federated-credential_list@{SB}"),
        vec![
            Json(json!([])),
            Json(json!([
                graph_credential("writer"),
                graph_credential("reader")
            ])),
        ],
    );
    let out = w.run_env(
        &["apply", "-f", &file, "--yes"],
        &[("XTENANT_POLL_SECS", "1")],
    );
    assert!(out.status.success(), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("from an earlier run is still running"),
        "{err}"
    );
    let deployments = writes(&w)
        .iter()
        .filter(|c| c.starts_with("deployment group create"))
        .count();
    assert_eq!(
        deployments,
        1,
        "nothing is written twice: {:#?}",
        writes(&w)
    );
    assert_eq!(
        w.calls()
            .iter()
            .filter(|c| c.starts_with(&[
                "deployment".to_string(),
                "group".to_string(),
                "show".to_string()
            ]))
            .count(),
        2
    );
    credentials_recorded_as_made(&w, "found after the wait, both are recorded as made");
}

/// az's poll of a running deployment has been answered 404
/// `DeploymentNotFound` while ARM went on writing (az then exits non-zero):
/// the deployment is read again, waited for while it runs, and the run
/// succeeds when the credentials are there; a deployment that did fail
/// still fails the run.
#[test]
fn a_deployment_whose_poll_answered_404_is_read_again_before_failing() {
    use Resp::*;
    let lost = || {
        Fail(
            3,
            "ERROR: (DeploymentNotFound) Deployment 'xtenant-credentials-x' could not be found.\nCode: DeploymentNotFound\nMessage: Deployment 'xtenant-credentials-x' could not be found.".into(),
        )
    };
    let state = |s: &str| Json(json!({"properties": {"provisioningState": s}}));
    let w = World::new();
    let file = graph_file(&w);
    azure(&w, 1);
    w.on(&format!("deployment_group_create@{SB}"), vec![lost()]);
    w.on(
        &format!("deployment_group_show@{SB}"),
        vec![state("Running"), state("Succeeded")],
    );
    let out = w.run_env(
        &["apply", "-f", &file, "--yes"],
        &[("XTENANT_POLL_SECS", "1")],
    );
    assert!(out.status.success(), "{}", describe(&out));
    let calls: Vec<String> = w.calls().iter().map(|c| c.join(" ")).collect();
    let count = |p: &str| calls.iter().filter(|c| c.starts_with(p)).count();
    assert_eq!(count("deployment group create"), 1, "{calls:#?}");
    assert_eq!(count("deployment group show"), 2, "{calls:#?}");
    credentials_recorded_as_made(&w, "both recorded as made");

    // Read again, the deployment failed and the credentials are not there.
    let w = World::new();
    let file = graph_file(&w);
    azure(&w, 1);
    w.on(&format!("deployment_group_create@{SB}"), vec![lost()]);
    w.on(
        &format!("deployment_group_show@{SB}"),
        vec![state("Failed")],
    );
    w.on(
        &format!("identity_federated-credential_list@{SB}"),
        vec![Json(json!([]))],
    );
    let out = w.run_env(
        &["apply", "-f", &file, "--yes"],
        &[("XTENANT_POLL_SECS", "1")],
    );
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("DeploymentNotFound"),
        "{}",
        describe(&out)
    );
    assert!(
        w.calls()
            .iter()
            .any(|c| c.join(" ").starts_with("deployment group show")),
        "read again before failing: {:?}",
        w.calls()
    );
}

/// Blue → green: the workloads move to a second cluster; the blue
/// credentials are pruned only once a green token was exchanged for real.
#[test]
fn prune_keeps_a_moving_workloads_old_credential_until_the_new_one_is_proven() {
    use Resp::*;
    let w = World::new();
    let file = graph_file(&w);
    azure(&w, 1);
    w.ok(&["apply", "-f", &file, "--yes"]);
    // Green joins; both workloads leave blue for it.
    let green_issuer = "https://green.example/issuer/";
    let mut green = cluster(true);
    green["id"] = json!(
        cluster(true)["id"]
            .as_str()
            .unwrap()
            .replace(&format!("/{AKS}"), "/aks-green")
    );
    green["oidcIssuerProfile"]["issuerUrl"] = json!(green_issuer);
    w.on(
        &format!("aks_list@{SA}"),
        vec![Json(json!([cluster(true), green]))],
    );
    let text = std::fs::read_to_string(&file).unwrap().replace(
        "clusters:\n",
        &format!("clusters:\n  - name: aks-green\n    resourceGroup: {RG}\n"),
    );
    let text = text.replace(
        "    identity: sb-crosstenantdemo-12345-identity\n",
        "    identity: sb-crosstenantdemo-12345-identity\n    clusters: [aks-green]\n",
    );
    std::fs::write(&file, text).unwrap();
    w.clear_calls();

    let plan = w.ok(&["plan", "-f", &file, "--prune"]);
    let unproven: Vec<&str> = plan
        .lines()
        .filter(|l| l.starts_with("! not proven: "))
        .collect();
    assert_eq!(unproven.len(), 2, "{plan}");
    assert!(
        unproven[0].contains("orders/reader leaves cluster")
            && unproven[0]
                .contains("--context aks-green -n orders --service-account reader --exchange"),
        "{plan}"
    );
    assert!(
        unproven[0].contains(&format!(
            "is not made yet: first apply a file that keeps cluster {AKS} beside aks-green"
        )),
        "no green credential was made: {plan}"
    );
    let out = w.run(&["apply", "-f", &file, "--prune", "--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nothing was changed"),
        "{}",
        describe(&out)
    );
    assert!(
        writes(&w).is_empty(),
        "refused before any write: {:?}",
        writes(&w)
    );

    // The green credentials, as an apply records them when it makes them.
    let made: u64 = 1_800_000_000;
    let mut p = w.profile();
    for sa in ["writer", "reader"] {
        p["owned"].as_array_mut().unwrap().push(json!({
            "kind": "federatedCredential",
            "id": format!("{}/federatedIdentityCredentials/xt-aks-green-orders-{sa}", support::audit::identity_id()),
            "state": "created",
            "createdAt": made,
        }));
    }
    std::fs::write(w.profile_path(), p.to_string()).unwrap();
    // `kubectl xtenant doctor --exchange` from green records a proof per
    // workload; it counts only for the client ID the workloads keep, and only
    // when made after the credential it proves.
    let prove = |client: &str, at: u64| {
        let mut p = w.profile();
        p["graph"]["proofs"] = json!(["writer", "reader"].map(|sa| json!({
            "issuer": green_issuer, "subject": format!("system:serviceaccount:orders:{sa}"),
            "clientId": client, "at": at
        })));
        std::fs::write(w.profile_path(), p.to_string()).unwrap();
        w.ok(&["plan", "-f", &file, "--prune"])
    };
    let unproven = |plan: &str| {
        plan.lines()
            .filter(|l| l.starts_with("! not proven: "))
            .count()
    };
    let stale = prove(CLIENT, 1);
    assert_eq!(
        unproven(&stale),
        2,
        "a proof from 1970 proves nothing: {stale}"
    );
    let other = prove("99999999-0000-4000-8000-000000000009", made + 60);
    assert_eq!(unproven(&other), 2, "another identity's client: {other}");
    let plan = prove(CLIENT, made + 60);
    assert_eq!(unproven(&plan), 0, "{plan}");
    let removes = plan
        .lines()
        .filter(|l| l.starts_with("- Tenant B: federated credential xt-"))
        .count();
    assert_eq!(removes, 2, "{plan}");
}

/// ARM sends no `Retry-After` for a deployment, so az would look at it again
/// only after 30 s: the deployment is started with `--no-wait` and watched
/// with `az deployment group show` at xtenant's own poll interval.
#[test]
fn a_deployment_is_started_then_watched_at_xtenants_own_cadence() {
    use Resp::*;
    let w = World::new();
    let file = graph_file(&w);
    azure(&w, 1);
    let state = |s: &str| Json(json!({"properties": {"provisioningState": s}}));
    w.on(
        &format!("deployment_group_show@{SB}"),
        vec![state("Accepted"), state("Running"), state("Succeeded")],
    );
    let out = w.run_env(
        &["apply", "-f", &file, "--yes"],
        &[("XTENANT_POLL_SECS", "1")],
    );
    assert!(out.status.success(), "{}", describe(&out));
    let calls: Vec<String> = w.calls().iter().map(|c| c.join(" ")).collect();
    let creates: Vec<&String> = calls
        .iter()
        .filter(|c| c.starts_with("deployment group create"))
        .collect();
    assert!(
        creates.len() == 1 && creates[0].contains(" --no-wait"),
        "{calls:#?}"
    );
    let shows = calls
        .iter()
        .filter(|c| c.starts_with("deployment group show"))
        .count();
    assert_eq!(shows, 3, "watched until it succeeded: {calls:#?}");
    credentials_recorded_as_made(&w, "both recorded as made");
}

/// A caller whose role on Tenant B's group leaves out
/// `Microsoft.Resources/deployments/*` gets the credentials written one at
/// a time (rights on the identity only), told why once.
#[test]
fn without_the_right_to_deploy_credentials_are_written_one_at_a_time() {
    use Resp::*;
    let w = World::new();
    let file = graph_file(&w);
    azure(&w, 1);
    w.on(
        &format!("deployment_group_create@{SB}"),
        vec![Fail(
            1,
            "ERROR: (AuthorizationFailed) The client 'c' with object id 'c' does not have authorization to perform action 'Microsoft.Resources/deployments/validate/action' over scope '/subscriptions/x/resourcegroups/rg/providers/Microsoft.Resources/deployments/d' or the scope is invalid. If access was recently granted, please refresh your credentials.".into(),
        )],
    );
    let out = w.run_env(
        &["apply", "-f", &file, "--yes"],
        &[("XTENANT_POLL_SECS", "1")],
    );
    assert!(out.status.success(), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    let said: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("writing federated credentials one at a time instead"))
        .collect();
    assert!(
        said.len() == 1 && said[0].contains("Microsoft.Resources/deployments/validate/action"),
        "{err}"
    );
    let calls: Vec<String> = w.calls().iter().map(|c| c.join(" ")).collect();
    let direct = calls
        .iter()
        .filter(|c| c.starts_with("identity federated-credential create"))
        .count();
    assert_eq!(direct, 2, "{calls:#?}");
    credentials_recorded_as_made(&w, "both recorded as made");
}

/// The profile records the graph's credentials, and nothing as only intended.
fn credentials_recorded_as_made(w: &World, why: &str) {
    let owned = w.profile()["owned"].to_string();
    assert!(
        owned.contains("federatedIdentityCredentials/xt-") && !owned.contains("intended"),
        "{why}: {owned}"
    );
}

#[test]
fn prune_on_a_migrated_profile_with_a_demo_removes_only_what_the_graph_dropped() {
    use xtenant_testsupport::profiles::*;
    let w = World::new();
    std::fs::create_dir_all(w.profile_path().parent().unwrap()).unwrap();
    let v2 = version_2_with_demo_and_graph();
    std::fs::write(w.profile_path(), v2.to_string()).unwrap();
    // The file keeps the writer; orders-old and its role assignment are gone
    // from it; the demo was never in it.
    let file = w.path().join("xtenant.yaml");
    std::fs::write(
        &file,
        format!(
            "tenantA:
  tenantId: {TENANT_A}
  subscriptionId: {SUB_A}
tenantB:
  tenantId: {TENANT_B}
  subscriptionId: {SUB_B}
  resourceGroup: {GRAPH_GROUP}
  location: eastus
clusters:
  - name: {GRAPH_CLUSTER}
    resourceGroup: {GRAPH_GROUP}
identities:
  - name: {GRAPH_IDENTITY}
workloads:
  - namespace: orders
    serviceAccount: writer
    identity: {GRAPH_IDENTITY}
"
        ),
    )
    .unwrap();
    let file = file.to_str().unwrap();
    w.on(
        "account_list",
        vec![Resp::Json(json!([
            {"id": SUB_A, "tenantId": TENANT_A, "user": {"name": "u"}},
            {"id": SUB_B, "tenantId": TENANT_B, "user": {"name": "u"}}
        ]))],
    );
    let graph = &v2["graph"];
    w.on(
        &format!("aks_list@{SUB_A}"),
        vec![Resp::Json(json!([{
            "id": graph["clusters"][GRAPH_CLUSTER]["id"], "name": GRAPH_CLUSTER,
            "resourceGroup": GRAPH_GROUP, "provisioningState": "Succeeded",
            "oidcIssuerProfile": {"enabled": true, "issuerUrl": GRAPH_ISSUER},
            "securityProfile": {"workloadIdentity": {"enabled": true}}
        }]))],
    );
    w.on(
        &format!("group_show@{SUB_B}"),
        vec![Resp::Json(
            json!({"id": group_id(SUB_B, GRAPH_GROUP), "name": GRAPH_GROUP, "location": "eastus", "tags": null}),
        )],
    );
    let writer = &graph["identities"][GRAPH_IDENTITY];
    w.on(
        &format!("identity_list@{SUB_B}"),
        vec![Resp::Json(json!([{
            "id": writer["id"], "name": GRAPH_IDENTITY, "clientId": writer["clientId"],
            "principalId": writer["principalId"], "tenantId": TENANT_B
        }]))],
    );
    w.on(
        &format!("identity_federated-credential_list@{SUB_B}"),
        vec![Resp::Json(json!([{
            "name": GRAPH_CREDENTIAL, "issuer": GRAPH_ISSUER,
            "subject": "system:serviceaccount:orders:writer",
            "audiences": ["api://AzureADTokenExchange"]
        }]))],
    );
    w.on(
        &format!("role_assignment_list@{SUB_B}"),
        vec![Resp::Json(json!([]))],
    );
    w.on(
        &format!("role_assignment_delete@{SUB_B}"),
        vec![Resp::Raw("")],
    );
    w.on(&format!("identity_delete@{SUB_B}"), vec![Resp::Raw("")]);

    let out = w.run(&["apply", "-f", file, "--prune", "--yes"]);
    assert!(out.status.success(), "{}", describe(&out));
    let writes = writes(&w);
    assert_eq!(writes.len(), 2, "{writes:#?}");
    assert!(
        writes[0].starts_with("role assignment delete") && writes[0].contains(&graph_role_id()),
        "{writes:#?}"
    );
    assert!(
        writes[1].starts_with(&format!(
            "identity delete --resource-group {GRAPH_GROUP} --name {GRAPH_OLD_IDENTITY}"
        )),
        "{writes:#?}"
    );
    assert!(
        !writes.iter().any(|c| c.contains(DEMO_GROUP)),
        "nothing of the demo: {writes:#?}"
    );
    // The demo's records are as the migration made them; the graph's pruned
    // objects are forgotten.
    let p = w.profile();
    let demo = &p["graph"]["identities"]["@demo"];
    assert_eq!(demo["clientId"], DEMO_CLIENT, "{p:#}");
    assert_eq!(demo["roleAssignments"][0], demo_role_id().as_str());
    assert_eq!(p["graph"]["clusters"]["@demo"]["issuerUrl"], DEMO_ISSUER);
    let owned = p["owned"].to_string();
    for kept in [
        identity_id(DEMO_GROUP, DEMO_IDENTITY),
        demo_role_id(),
        credential_id(DEMO_GROUP, DEMO_IDENTITY, DEMO_CREDENTIAL),
    ] {
        assert!(owned.contains(&kept), "{kept} forgotten: {owned}");
    }
    for gone in [
        graph_role_id(),
        identity_id(GRAPH_GROUP, GRAPH_OLD_IDENTITY),
    ] {
        assert!(!owned.contains(&gone), "{gone} still recorded: {owned}");
    }
    let bindings: Vec<&str> = p["graph"]["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["credential"].as_str().unwrap())
        .collect();
    assert_eq!(bindings, [DEMO_CREDENTIAL, GRAPH_CREDENTIAL], "{p:#}");
}
