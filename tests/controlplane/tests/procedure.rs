//! The whole procedure locally: the simulator's AKS issuer is the local API server's
//! issuer; `az-xtenant up` (the real az against the simulator) → `kubectl xtenant deploy`
//! → `verify` → `doctor --exchange`, in which the simulator's Entra verifies the real
//! service-account token against the API server's JWKS. Then each usual mistake is made
//! and doctor must name it.
//! Needs XTENANT_CONTROLPLANE_BIN and XTENANT_AZ (./test.sh sets both).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use common::local::{Local, PRODUCER_OK};
use controlplane::cluster::WEBHOOK_CONFIGURATION;
use k8s_openapi::api::admissionregistration::v1::MutatingWebhookConfiguration;
use kube::api::{Api, DeleteParams};
use serde_json::Value;

fn verdict(report: &Value, id: &str) -> String {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .map(|c| c["verdict"].as_str().unwrap_or_default().to_string())
        .unwrap_or_else(|| format!("no check {id}"))
}

/// The failing checks of a report, as `id: detail (fix)` lines.
fn failures(report: &Value) -> String {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["verdict"] == "fail")
        .map(|c| format!("{}: {} ({})", c["id"], c["detail"], c["fix"]))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_whole_procedure_locally_and_each_mistake_caught_by_doctor() {
    let l = Local::start();
    l.ok("az-xtenant", &["init"]);
    l.ok("az-xtenant", &["up"]);
    let profile = l.profile();
    assert_eq!(
        profile["graph"]["clusters"]["@demo"]["issuerUrl"],
        l.cp.issuer()
    );

    l.rt.block_on(l.cp.set_namespace_logs("default", PRODUCER_OK))
        .unwrap();
    l.ok("kubectl-xtenant", &["deploy"]);
    let verify = l.ok("kubectl-xtenant", &["verify", "--timeout", "60s"]);
    assert!(
        verify.stdout.contains("Sent 100 messages"),
        "{}",
        verify.stdout
    );

    // The real token, signed by the API server, is exchanged at the simulator's Entra.
    let (code, report) = l.doctor();
    assert_eq!(code, 0, "doctor --exchange failed:\n{}", failures(&report));
    assert_eq!(verdict(&report, "exchange"), "pass");

    let issuer = l.cp.issuer().to_string();
    let subject = "system:serviceaccount:default:myserviceaccount";
    // The accepted exchange is kept in the profile: the proof a migration's
    // `apply --prune` asks for.
    assert_eq!(report["data"]["proofRecorded"], true, "{report:#}");
    let proofs = l.profile()["graph"]["proofs"].clone();
    assert_eq!(proofs.as_array().map(Vec::len), Some(1), "{proofs:#}");
    assert_eq!(proofs[0]["issuer"], issuer.as_str());
    assert_eq!(proofs[0]["subject"], subject);
    assert_eq!(
        proofs[0]["clientId"],
        l.profile()["graph"]["identities"]["@demo"]["clientId"]
    );

    // 1. A namespace typo in the credential's subject.
    l.set_credential(&issuer, "system:serviceaccount:defualt:myserviceaccount");
    let (code, report) = l.doctor();
    assert_ne!(code, 0);
    let f = failures(&report);
    assert_eq!(verdict(&report, "aadsts.700213"), "fail", "{f}");
    assert!(
        f.contains("subject"),
        "the fix should name the subject:\n{f}"
    );

    // 2. The issuer without its trailing slash.
    l.set_credential(issuer.trim_end_matches('/'), subject);
    let (code, report) = l.doctor();
    assert_ne!(code, 0);
    let f = failures(&report);
    assert_eq!(verdict(&report, "aadsts.700211"), "fail", "{f}");
    assert!(f.contains("issuer"), "the fix should name the issuer:\n{f}");

    // Back to the right credential: doctor passes again.
    l.set_credential(&issuer, subject);
    let (code, report) = l.doctor();
    assert_eq!(code, 0, "{}", failures(&report));

    // 3. The workload's tenant ID left at Tenant A.
    let tenant_a = l.h.tenant_a().id.clone();
    l.ok("kubectl-xtenant", &["deploy", "--tenant-id", &tenant_a]);
    let (code, report) = l.doctor();
    assert_ne!(code, 0);
    assert_eq!(
        verdict(&report, "sa.tenant-id"),
        "fail",
        "{}",
        failures(&report)
    );
    l.ok("kubectl-xtenant", &["deploy"]);

    // 4. The credential deleted.
    let p = l.profile();
    let r = &p["resources"];
    let s = |k: &str| r[k].as_str().unwrap().to_string();
    l.h.az_cmd(&[
        "identity",
        "federated-credential",
        "delete",
        "--name",
        p["graph"]["bindings"][0]["credential"].as_str().unwrap(),
        "--identity-name",
        &s("identityName"),
        "--resource-group",
        &s("resourceGroup"),
        "--subscription",
        &s("subscriptionId"),
        "--yes",
    ])
    .run()
    .unwrap();
    let (code, report) = l.doctor();
    assert_ne!(code, 0);
    let f = failures(&report);
    // Entra has no credential left for this issuer.
    assert_eq!(verdict(&report, "exchange"), "fail", "{f}");
    assert_eq!(verdict(&report, "aadsts.700211"), "fail", "{f}");
    l.ok("az-xtenant", &["trust"]);
    let (code, report) = l.doctor();
    assert_eq!(
        code,
        0,
        "trust did not restore the credential:\n{}",
        failures(&report)
    );

    // 5. The webhook not installed.
    l.rt.block_on(async {
        let client = l.cp.client().await.unwrap();
        Api::<MutatingWebhookConfiguration>::all(client)
            .delete(WEBHOOK_CONFIGURATION, &DeleteParams::default())
            .await
            .unwrap();
    });
    let (code, report) = l.doctor();
    assert_ne!(code, 0);
    assert_eq!(verdict(&report, "webhook"), "fail", "{}", failures(&report));

    l.ok("kubectl-xtenant", &["cleanup"]);
    l.ok("az-xtenant", &["cleanup", "--yes"]);
}
