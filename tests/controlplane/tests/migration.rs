//! Blue → green with the real az against the simulator and the real control
//! plane. Green is the local API server (its issuer, its tokens); blue is a
//! cluster of Tenant A whose issuer is only a name. The workload gets green
//! beside blue, then leaves blue: the prune of blue's credential is refused
//! until `kubectl xtenant doctor --exchange` from green has been accepted at
//! Entra, then removes exactly that credential.
#![allow(clippy::unwrap_used)]

mod common;

use common::local::Local;
use serde_json::Value;

/// The graph file with the workload on `clusters`. Green is named like the
/// control plane's kubeconfig context, so `doctor` picks its binding.
fn graph(l: &Local, clusters: &str) -> String {
    format!(
        "tenantA: {{tenantId: {ta}, subscriptionId: {sa}}}
tenantB: {{tenantId: {tb}, subscriptionId: {sb}, resourceGroup: rg-move, location: eastus}}
clusters:
  - {{name: aks-blue, resourceGroup: rg-aks}}
  - {{name: {green}, resourceGroup: rg-aks}}
identities:
  - name: id-orders
workloads:
  - {{namespace: orders, serviceAccount: writer, identity: id-orders, clusters: [{clusters}]}}
",
        ta = l.h.tenant_a().id,
        sa = l.h.sub_a(0),
        tb = l.h.tenant_b().id,
        sb = l.h.sub_b(0),
        green = controlplane::kubeconfig::CONTEXT,
    )
}

/// The names of the identity's federated credentials, sorted.
fn credentials(l: &Local) -> Vec<String> {
    let id = format!(
        "/subscriptions/{}/resourceGroups/rg-move/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-orders",
        l.h.sub_b(0)
    );
    let mut names: Vec<String> =
        l.h.resources_of_type(
            "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
        )
        .iter()
        .filter(|c| {
            c["id"]
                .as_str()
                .is_some_and(|i| i.to_ascii_lowercase().starts_with(&id.to_ascii_lowercase()))
        })
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn blue_to_green_prunes_blue_only_once_green_is_proven() {
    let l = Local::start();
    let green = controlplane::kubeconfig::CONTEXT;
    let sa = l.h.sub_a(0);
    l.h.seed_cluster(&sa, "rg-aks", "aks-blue", "https://blue.example/issuer/");
    l.h.seed_cluster(&sa, "rg-aks", green, l.cp.issuer());
    let file = l.config.path().join("xtenant.yaml");
    let file_arg = file.to_str().unwrap();
    let write = |clusters: &str| std::fs::write(&file, graph(&l, clusters)).unwrap();
    let blue = "xt-aks-blue-orders-writer".to_string();
    let green_credential = format!("xt-{green}-orders-writer");

    write("aks-blue");
    l.ok("az-xtenant", &["apply", "-f", file_arg, "--yes"]);
    assert_eq!(credentials(&l), std::slice::from_ref(&blue));
    // Green joins: its credential is made beside blue's.
    write(&format!("aks-blue, {green}"));
    l.ok("az-xtenant", &["apply", "-f", file_arg, "--yes"]);
    assert_eq!(credentials(&l), [blue.clone(), green_credential.clone()]);

    // The workload leaves blue before green was ever proven: refused.
    write(green);
    let refused = l.run("az-xtenant", &["apply", "-f", file_arg, "--prune", "--yes"]);
    assert_eq!(refused.code, 2, "apply --prune must refuse");
    assert_eq!(credentials(&l), [blue, green_credential.clone()]);
    let plan = l.ok(
        "az-xtenant",
        &["plan", "-f", file_arg, "--prune", "-o", "json"],
    );
    let plan: Value = serde_json::from_str(&plan.stdout).unwrap();
    assert!(
        plan["unprovenMoves"][0]
            .as_str()
            .is_some_and(|m| m.contains("orders/writer leaves cluster aks-blue")),
        "{plan:#}"
    );

    // The workload runs on green; its token is exchanged at Entra for real.
    let profile = l.profile();
    let client_id = profile["graph"]["identities"]["id-orders"]["clientId"]
        .as_str()
        .unwrap()
        .to_string();
    l.rt.block_on(async {
        let client = l.cp.client().await.unwrap();
        common::namespace(&client, "orders").await;
        common::service_account(&client, "orders", "writer", Some(&client_id)).await;
    });
    let (code, report) = l.doctor_with(&["-n", "orders", "--service-account", "writer"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["data"]["proofRecorded"], true, "{report:#}");

    // Now the prune goes through, and takes exactly blue's credential.
    l.ok("az-xtenant", &["apply", "-f", file_arg, "--prune", "--yes"]);
    assert_eq!(credentials(&l), [green_credential]);
}
