//! Template deployments where ARM's rules reach past one resource, as the real
//! `az deployment group create` meets them: `mode` (Complete is refused loudly,
//! not run as Incremental), independent resources going on after one fails, and
//! a group's deployment history deleted with the group.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod behaviours;

use azsim::Harness;
use behaviours::{Run, az};
use serde_json::{Value, json};

const FIC: &str = "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials";

/// A credential `name` on identity `identity` (a name), optionally after `after`
/// (a resource ID).
fn credential(identity: &str, name: &str, subject: &str, after: Option<&str>) -> Value {
    let mut r = json!({
        "type": FIC,
        "apiVersion": "2023-01-31",
        "name": format!("{identity}/{name}"),
        "properties": {
            "issuer": "https://issuer.example/a/",
            "subject": subject,
            "audiences": ["api://AzureADTokenExchange"],
        },
    });
    if let Some(prev) = after {
        r["dependsOn"] = json!([prev]);
    }
    r
}

fn deploy(h: &Harness, sub: &str, name: &str, resources: &[Value], extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.json");
    let template = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": resources,
    });
    std::fs::write(&file, template.to_string()).unwrap();
    let mut args = vec![
        "deployment",
        "group",
        "create",
        "-g",
        "rg-arm",
        "-n",
        name,
        "--template-file",
        file.to_str().unwrap(),
    ];
    args.extend(extra);
    az(h, sub, &args)
}

/// A harness with group `rg-arm` and identities `id-1` and `id-2`; their IDs.
fn setup() -> (Harness, String, String, String) {
    let h = Harness::start();
    let sub = h.tenant_b().subscriptions[0].id.clone();
    az(
        &h,
        &sub,
        &["group", "create", "-n", "rg-arm", "-l", "eastus"],
    )
    .json();
    let mut ids = Vec::new();
    for n in ["id-1", "id-2"] {
        let id = az(&h, &sub, &["identity", "create", "-g", "rg-arm", "-n", n]).json();
        ids.push(id["id"].as_str().unwrap().to_string());
    }
    let mut f = h.faults();
    // Nothing here is timed: az may look again every second.
    f.deployment_retry_after_secs = Some(1);
    f.fic_write_ms = 300;
    h.server.sim.set_faults(f);
    let two = ids.pop().unwrap();
    (h, sub, ids.pop().unwrap(), two)
}

#[test]
fn complete_mode_is_refused_loudly_and_incremental_reported_as_sent() {
    let (h, sub, one, _) = setup();
    let r = [credential(
        "id-1",
        "c1",
        "system:serviceaccount:a:one",
        None,
    )];
    deploy(&h, &sub, "complete", &r, &["--mode", "Complete"])
        .fails(1, &["mode", "Complete", "Incremental"]);
    assert!(
        h.resource(&format!("{one}/federatedIdentityCredentials/c1"))
            .is_none(),
        "a refused Complete deployment wrote its resource"
    );
    let done = deploy(&h, &sub, "incremental", &r, &["--mode", "Incremental"]).json();
    assert_eq!(done["properties"]["mode"], "Incremental", "{done:#}");
}

#[test]
fn independent_resources_go_on_after_one_fails() {
    let (h, sub, one, two) = setup();
    let c2 = format!("{two}/federatedIdentityCredentials/c2");
    let resources = [
        // Fails at once: its identity does not exist.
        credential("id-missing", "x", "system:serviceaccount:a:x", None),
        // Depends on the failed one: never started.
        credential(
            "id-1",
            "after-x",
            "system:serviceaccount:a:after",
            Some(&format!(
                "{}/federatedIdentityCredentials/x",
                one.replace("/id-1", "/id-missing")
            )),
        ),
        // Independent of it: c2, then c3 once c2 is done (after the failure).
        credential("id-2", "c2", "system:serviceaccount:a:two", None),
        credential("id-2", "c3", "system:serviceaccount:a:three", Some(&c2)),
    ];
    deploy(&h, &sub, "partial", &resources, &[])
        .fails(1, &["DeploymentFailed", "ResourceNotFound"]);
    assert!(h.resource(&c2).is_some(), "c2 was not written");
    assert!(
        h.resource(&format!("{two}/federatedIdentityCredentials/c3"))
            .is_some(),
        "c3, independent of the failed resource, was not written after the failure"
    );
    assert!(
        h.resource(&format!("{one}/federatedIdentityCredentials/after-x"))
            .is_none(),
        "a resource depending on the failed one was written"
    );
}

#[test]
fn a_groups_deployments_go_with_the_group() {
    let (h, sub, _, _) = setup();
    let r = [credential(
        "id-1",
        "c1",
        "system:serviceaccount:a:one",
        None,
    )];
    deploy(&h, &sub, "kept", &r, &[]).json();
    az(
        &h,
        &sub,
        &["deployment", "group", "show", "-g", "rg-arm", "-n", "kept"],
    )
    .json();
    let del = az(&h, &sub, &["group", "delete", "-n", "rg-arm", "--yes"]);
    assert_eq!(del.code, 0, "{}", del.err);
    az(
        &h,
        &sub,
        &["group", "create", "-n", "rg-arm", "-l", "eastus"],
    )
    .json();
    az(
        &h,
        &sub,
        &["deployment", "group", "show", "-g", "rg-arm", "-n", "kept"],
    )
    .fails(3, &["DeploymentNotFound"]);
}
