//! Failures against a fake `az` on PATH: not logged in (and `login`), az
//! missing, malformed JSON, az errors with their exit code, a subscription of
//! the wrong tenant, az crashing in its own imports (run once more).
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::json;
use support::*;

fn joined(calls: &[Vec<String>]) -> Vec<String> {
    calls.iter().map(|c| c.join(" ")).collect()
}

#[test]
fn not_logged_in_names_the_login_to_run() {
    let w = World::new();
    w.init();
    fresh(&w);
    w.on(
        "account_list",
        vec![Resp::Json(json!([{"id": SB, "tenantId": TB}]))],
    );
    let out = w.run(&["up"]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("az login --tenant {TA}")), "{err}");
    assert_eq!(
        joined(&w.calls()),
        vec!["account list -o json --only-show-errors"]
    );
}

#[test]
fn login_runs_az_login_only_for_the_missing_tenant() {
    let w = World::new();
    w.init();
    w.on(
        "account_list",
        vec![
            Resp::Json(json!([{"id": SB, "tenantId": TB}])),
            Resp::Json(json!([{"id": SA, "tenantId": TA}, {"id": SB, "tenantId": TB}])),
        ],
    );
    w.on("login", vec![Resp::Raw("")]);
    w.ok(&["login"]);
    let logins: Vec<_> = joined(&w.calls())
        .into_iter()
        .filter(|c| c.starts_with("login"))
        .collect();
    assert_eq!(logins, vec![format!("login --tenant {TA} -o none")]);
}

#[test]
fn az_missing_says_how_to_install_it() {
    let mut w = World::new();
    w.init();
    w.with_az = false;
    let out = w.run(&["up"]);
    assert_eq!(out.status.code(), Some(127), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("pip install azure-cli") && err.contains("brew install azure-cli"),
        "{err}"
    );
    assert!(w.calls().is_empty());
}

#[test]
fn malformed_json_names_the_command() {
    let w = World::new();
    w.init();
    fresh(&w);
    // A cluster can be read only in a group that is there.
    w.on(&format!("group_show@{SA}"), vec![Resp::Json(group(false))]);
    w.on(&format!("aks_show@{SA}"), vec![Resp::Raw("{not json")]);
    let out = w.run(&["cluster"]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("az aks show") && err.contains("not the expected JSON"),
        "{err}"
    );
}

/// `az-xtenant cluster` against a fresh Azure whose `az group create`
/// answers `answers` (the last repeats).
fn cluster_with_group_create(answers: Vec<Resp>) -> (World, std::process::Output) {
    let w = World::new();
    w.init();
    fresh(&w);
    w.on(&format!("group_create@{SA}"), answers);
    let out = w.run(&["cluster"]);
    (w, out)
}

#[test]
fn az_failure_shows_command_message_and_exit_code() {
    let msg = "ERROR: (AuthorizationFailed) The client does not have authorization";
    let (w, out) = cluster_with_group_create(vec![Resp::Fail(4, msg.into())]);
    // An operation failed: 3, with az's own exit code in the message.
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("(exit code 4)"),
        "az's exit code is shown: {}",
        describe(&out)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("az group create --name") && err.contains(msg),
        "{err}"
    );
    // The intent was written before the create; the create never happened.
    let owned = &w.profile()["owned"];
    assert_eq!(owned[0]["kind"], "resourceGroup", "{owned}");
    assert_eq!(owned[0]["state"], "intended", "{owned}");
}

#[test]
fn wrong_tenant_subscription_is_refused_before_any_write() {
    let w = World::new();
    w.init();
    fresh(&w);
    w.on(
        "account_list",
        vec![Resp::Json(
            json!([{"id": SA, "tenantId": TB}, {"id": SB, "tenantId": TB}]),
        )],
    );
    let out = w.run(&["up"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "the profile is wrong: {}",
        describe(&out)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(SA) && err.contains("belongs to tenant"),
        "{err}"
    );
    assert_eq!(w.calls().len(), 1);
}

/// What az prints when two of its threads import the same Python modules at
/// once (its "unexpected error", exit 1), as a CI run of the simulator tier
/// got from the real az.
const AZ_IMPORT_DEADLOCK: &str = "ERROR: The command failed with an unexpected error. Here is the traceback:
ERROR: deadlock detected by _ModuleLock('requests.structures') at 140424663282704
Traceback (most recent call last):
  File \"<frozen importlib._bootstrap>\", line 116, in acquire
_frozen_importlib._DeadlockError: deadlock detected by _ModuleLock('requests.structures') at 140424663282704
To check existing issues, please visit: https://github.com/Azure/azure-cli/issues";

fn group_creates(w: &World) -> usize {
    joined(&w.calls())
        .iter()
        .filter(|c| c.starts_with("group create"))
        .count()
}

#[test]
fn az_crashing_in_its_own_imports_is_run_once_more() {
    let (w, out) = cluster_with_group_create(vec![
        Resp::Fail(1, AZ_IMPORT_DEADLOCK.into()),
        Resp::Json(group(true)),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(group_creates(&w), 2, "{:#?}", w.calls());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("az group create --name")
            && err.contains("crashed inside az")
            && err.contains("running it once more"),
        "{err}"
    );
}

#[test]
fn az_crashing_in_its_imports_twice_fails_with_its_message() {
    let (w, out) = cluster_with_group_create(vec![Resp::Fail(1, AZ_IMPORT_DEADLOCK.into())]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert_eq!(group_creates(&w), 2, "once more, not again and again");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("(exit code 1)") && err.contains("_DeadlockError"),
        "{err}"
    );
}

#[test]
fn other_unexpected_az_errors_are_not_run_again() {
    let crash = "ERROR: The command failed with an unexpected error. Here is the traceback:\nKeyError: 'properties'";
    let (w, out) =
        cluster_with_group_create(vec![Resp::Fail(1, crash.into()), Resp::Json(group(true))]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert_eq!(group_creates(&w), 1);
}
