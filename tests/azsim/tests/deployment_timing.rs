//! Template deployments timed and refused as ARM does them, met by the real
//! `az deployment group create`: no `Retry-After`, so az waits its default
//! 30 s before it looks again (a short one only when a test asks for it),
//! and a caller without `Microsoft.Resources/deployments/*` on the group
//! refused with 403 `AuthorizationFailed` while a direct credential write on
//! the identity goes through.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod behaviours;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use azsim::Harness;
use behaviours::{Run, az};
use serde_json::json;

fn setup(h: &Harness) -> (String, String) {
    let sub = h.tenant_b().subscriptions[0].id.clone();
    az(h, &sub, &["group", "create", "-n", "rg-t", "-l", "eastus"]).json();
    let id = az(h, &sub, &["identity", "create", "-g", "rg-t", "-n", "id-t"]).json();
    (sub, id["id"].as_str().unwrap().to_string())
}

/// Deploys one credential named `name`; answers az's run and how long after the
/// deployment's PUT az read the operation's status for the last time (none
/// when no status read followed a PUT), seen in the simulator's request log: a
/// figure az's start-up and the machine's load do not stretch, unlike the
/// whole command's wall time.
fn deploy_one(h: &Harness, sub: &str, identity: &str, name: &str) -> (Run, Option<Duration>) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.json");
    let template = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [{
            "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
            "apiVersion": "2023-01-31",
            "name": format!("{}/{name}", identity.rsplit('/').next().unwrap()),
            "properties": {
                "issuer": "https://issuer.example/t/",
                "subject": format!("system:serviceaccount:t:{name}"),
                "audiences": ["api://AzureADTokenExchange"],
            },
        }],
    });
    std::fs::write(&file, template.to_string()).unwrap();
    let mark = h.mark();
    let done = AtomicBool::new(false);
    let (run, gap) = std::thread::scope(|s| {
        let watcher = s.spawn(|| last_poll_after_put(h, mark, name, &done));
        let run = deploy(h, sub, name, &file);
        done.store(true, Ordering::SeqCst);
        (run, watcher.join().unwrap())
    });
    (run, gap)
}

fn deploy(h: &Harness, sub: &str, name: &str, file: &std::path::Path) -> Run {
    az(
        h,
        sub,
        &[
            "deployment",
            "group",
            "create",
            "-g",
            "rg-t",
            "-n",
            name,
            "--template-file",
            file.to_str().unwrap(),
        ],
    )
}

/// Watches the request log from `mark` until `done`: the time from the PUT of
/// deployment `name` to the last GET of an operation status after it (the read
/// that saw the deployment done).
fn last_poll_after_put(
    h: &Harness,
    mark: usize,
    name: &str,
    done: &AtomicBool,
) -> Option<Duration> {
    let put_path = format!("/deployments/{name}?");
    let mut put: Option<(Instant, usize)> = None;
    let mut polls = 0;
    let mut last = None;
    loop {
        let finished = done.load(Ordering::SeqCst);
        let log = h.requests_since(mark);
        if put.is_none() {
            put = log
                .iter()
                .position(|r| r.method == "PUT" && r.path.contains(&put_path))
                .map(|i| (Instant::now(), i));
        }
        if let Some((at, i)) = put {
            let seen = log[i + 1..]
                .iter()
                .filter(|r| r.method == "GET" && r.path.contains("/operationStatuses/"))
                .count();
            if seen > polls {
                polls = seen;
                last = Some(at.elapsed());
            }
        }
        if finished {
            return last;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_deployment_is_seen_done_at_azs_default_cadence_unless_a_test_asks_for_less() {
    let h = Harness::start();
    let (sub, identity) = setup(&h);
    // ARM's own timing: the deployment is done in well under a second, but
    // without Retry-After az looks again only after 30 s.
    let (run, waited) = deploy_one(&h, &sub, &identity, "slow");
    assert_eq!(run.json()["properties"]["provisioningState"], "Succeeded");
    let waited = waited.expect("a status read after the deployment's PUT");
    assert!(
        waited >= Duration::from_secs(25),
        "az saw the deployment done {waited:?} after its PUT: the simulator sent a Retry-After ARM does not send"
    );
    // The knob: a short Retry-After, for tests that time nothing.
    h.update_faults(|f| f.deployment_retry_after_secs = Some(1));
    let (run, waited) = deploy_one(&h, &sub, &identity, "fast");
    assert_eq!(run.json()["properties"]["provisioningState"], "Succeeded");
    let waited = waited.expect("a status read after the deployment's PUT");
    assert!(
        waited < Duration::from_secs(10),
        "az saw the deployment done {waited:?} after its PUT despite Retry-After: 1"
    );
}

#[test]
fn a_caller_without_deployment_rights_is_refused_but_may_write_credentials() {
    let h = Harness::start();
    let (sub, identity) = setup(&h);
    // A custom role over the group with the credential actions and none of
    // `Microsoft.Resources/deployments/*`.
    let tb = h.tenant_b().id.clone();
    let writer = h.create_principal(
        &tb,
        &json!([{"role": {"roleName": "credential writer", "actions": [
            "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read",
            "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
        ]}, "scope": format!("/subscriptions/{sub}/resourceGroups/rg-t")}]),
    );
    h.sign_in_as(&tb, &writer);
    let (run, _) = deploy_one(&h, &sub, &identity, "denied");
    run.fails(
        1,
        &[
            "AuthorizationFailed",
            "does not have authorization to perform action 'Microsoft.Resources/deployments/validate/action' over scope '/subscriptions/",
            // The scope as the request spelt it (az writes `resourcegroups`).
            "/rg-t/providers/Microsoft.Resources/deployments/denied' or the scope is invalid. If access was recently granted, please refresh your credentials.",
        ],
    );
    az(
        &h,
        &sub,
        &[
            "identity",
            "federated-credential",
            "create",
            "-g",
            "rg-t",
            "--identity-name",
            "id-t",
            "-n",
            "direct",
            "--issuer",
            "https://issuer.example/t/",
            "--subject",
            "system:serviceaccount:t:direct",
            "--audiences",
            "api://AzureADTokenExchange",
        ],
    )
    .json();
}
