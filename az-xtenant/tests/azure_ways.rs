//! Azure's own ways, met through the fake az: a cluster AKS is busy with, an
//! operation that ends Failed, a resource group still being deleted, and a
//! credential write refused because another write on the identity is in
//! flight. Each is waited for or retried, visibly, and `up` converges; or it
//! is reported with what to do.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::json;
use support::*;

const FAST: &[(&str, &str)] = &[("XTENANT_POLL_SECS", "1")];

fn count(w: &World, prefix: &str) -> usize {
    w.calls()
        .iter()
        .filter(|c| c.join(" ").starts_with(prefix))
        .count()
}

#[test]
fn a_busy_cluster_is_waited_for_and_a_refused_update_tried_again() {
    let w = World::new();
    w.init();
    fresh(&w);
    w.on(&format!("group_show@{SA}"), vec![Resp::Json(group(false))]);
    let mut updating = cluster(false);
    updating["provisioningState"] = json!("Updating");
    let not_allowed = "ERROR: (OperationNotAllowed) Operation is not allowed because there's an in progress update managed cluster operation (Updating).";
    w.on(
        &format!("aks_show@{SA}"),
        vec![
            Resp::Json(updating.clone()),
            Resp::Json(cluster(false)),
            Resp::Json(updating),
            Resp::Json(cluster(false)),
            Resp::Json(cluster(true)),
        ],
    );
    w.on(
        &format!("aks_update@{SA}"),
        vec![Resp::Fail(1, not_allowed.into()), Resp::Json(cluster(true))],
    );
    let out = w.run_env(&["up"], FAST);
    assert!(out.status.success(), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("busy with another operation"), "{err}");
    assert_eq!(count(&w, "aks update"), 2, "refused once, then made");
    assert_eq!(count(&w, "aks create"), 0);
    assert_eq!(
        w.profile()["graph"]["clusters"]["@demo"]["issuerUrl"],
        issuer()
    );
}

#[test]
fn a_failed_cluster_operation_says_what_to_do() {
    let w = World::new();
    w.init();
    fresh(&w);
    let failed =
        "ERROR: (ReconcileVMSSAgentPoolFailed) Code=\"OperationNotAllowed\" Status: Failed";
    w.on(
        &format!("aks_create@{SA}"),
        vec![Resp::Fail(1, failed.into())],
    );
    let out = w.run_env(&["up"], FAST);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ReconcileVMSSAgentPoolFailed"),
        "AKS's own message: {err}"
    );
    assert!(
        err.contains(&format!("az aks show --subscription {SA} -g {RG} -n {AKS}"))
            && err.contains("run `az-xtenant up` again"),
        "{err}"
    );
    // Tenant B did not wait for Tenant A's failure.
    assert_eq!(count(&w, "identity create"), 1);
}

#[test]
fn a_group_being_deleted_is_waited_for_then_made_again() {
    let w = World::new();
    w.init();
    fresh(&w);
    let mut deleting = group(true);
    deleting["properties"] = json!({"provisioningState": "Deleting"});
    w.on(
        &format!("group_show@{SB}"),
        vec![
            Resp::Json(deleting.clone()),
            Resp::Json(deleting),
            not_found(RG),
            Resp::Json(group(true)),
        ],
    );
    let out = w.run_env(&["up"], FAST);
    assert!(out.status.success(), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is being deleted; waiting"), "{err}");
    assert_eq!(
        count(&w, &format!("group create --name {RG}")),
        2,
        "both groups made"
    );

    // Past --group-wait: a timeout (4) naming the flag, nothing made in the group.
    let w = World::new();
    w.init();
    fresh(&w);
    let mut deleting = group(true);
    deleting["properties"] = json!({"provisioningState": "Deleting"});
    w.on(&format!("group_show@{SB}"), vec![Resp::Json(deleting)]);
    let out = w.run_env(&["resources", "--group-wait", "1"], FAST);
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--group-wait"));
    assert_eq!(count(&w, "servicebus namespace create"), 0);
}

#[test]
fn a_concurrent_credential_write_is_retried() {
    let w = World::new();
    w.init();
    fresh(&w);
    let busy = "ERROR: (ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity) Too many Federated Identity Credentials are written concurrently for the managed identity.";
    w.on(
        &format!("identity_federated-credential_create@{SB}"),
        vec![Resp::Fail(1, busy.into()), Resp::Json(credential())],
    );
    let out = w.run(&["up"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("another credential write"));
    assert_eq!(count(&w, "identity federated-credential create"), 2);
}

#[test]
fn a_full_identity_is_refused_before_the_write() {
    let w = World::new();
    w.init();
    fresh(&w);
    let others: Vec<serde_json::Value> = (0..20)
        .map(|i| json!({"name": format!("other-{i}"), "issuer": format!("https://other/{i}/"),
                        "subject": "system:serviceaccount:x:y", "audiences": ["api://AzureADTokenExchange"]}))
        .collect();
    // The identity holding them is there, and its group.
    w.on(&format!("group_show@{SB}"), vec![Resp::Json(group(false))]);
    w.on(&format!("identity_show@{SB}"), vec![Resp::Json(identity())]);
    w.on(
        &format!("identity_federated-credential_list@{SB}"),
        vec![Resp::Json(json!(others))],
    );
    let out = w.run(&["up"]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already has 20 federated credentials"));
    assert_eq!(count(&w, "identity federated-credential create"), 0);
}
