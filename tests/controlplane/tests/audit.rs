//! `kubectl xtenant audit` against the real API server, controllers and
//! workload identity webhook, with a profile whose graph records this
//! cluster's credentials. One namespace holds each mistake, made for real: the
//! label on the Deployment object only, a pod started before its
//! ServiceAccount was annotated (`bind --no-restart`), Tenant A's
//! `AZURE_TENANT_ID` in a container's env, a ServiceAccount annotated with a
//! client ID no identity has, and a recorded credential whose ServiceAccount
//! does not exist. audit finds each exactly once, with its fix; a namespace
//! bound with `bind` is clean (exit 0).
//! Needs XTENANT_CONTROLPLANE_BIN and `cargo build -p kubectl-xtenant`.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::time::Duration;

use common::TENANT_A;
use common::plugin::{CLIENT_ID, TENANT_B};
use common::workloads::{Cluster, USE, container, template, with_identity};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::api::{Patch, PatchParams};
use serde_json::{Value, json};

const UNKNOWN: &str = "99999999-9999-4999-8999-999999999999";
const CLUSTER: &str = "aks-local";

#[test]
fn audit_finds_each_mistake_once_and_passes_a_bound_namespace() {
    let c = Cluster::start();
    mistakes(&c);
    clean(&c);
    without_a_profile_the_comparison_is_skipped(&c);
    c.kx.write_profile(&profile(
        c.issuer(),
        &[
            ("mistakes", "labelonly"),
            ("mistakes", "old"),
            ("mistakes", "pinned"),
            ("mistakes", "ghost"),
            ("clean", "web"),
        ],
    ));
    each_mistake_is_found_once(&c);
    let run = c.kx.run(&["audit", "-n", "clean", "-o", "json"]);
    let report = run.json();
    assert_eq!(run.code, 0, "{report:#}");
    for id in [
        "clean/serviceaccount/web/client-id",
        "clean/serviceaccount/web/credential",
        "clean/deployment/web/label",
    ] {
        assert_eq!(verdict(&report, id), "pass", "{id}: {report:#}");
    }
    let checked = |suffix: &str| ids(&report).iter().any(|id| id.ends_with(suffix));
    assert!(
        checked("/restart") && checked("/app/env.AZURE_TENANT_ID"),
        "{report:#}"
    );

    // For people: a table, each fix under its finding.
    let run = c.kx.run(&["audit", "-n", "mistakes"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.starts_with("      NAMESPACE"), "{}", run.stdout);
    assert!(
        run.stdout.ends_with("audit: 5 findings\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("fix: kubectl rollout restart deployment/old -n mistakes"),
        "{}",
        run.stdout
    );

    // Every namespace: the same findings, none elsewhere.
    let run = c.kx.run(&["audit", "-A", "-o", "json"]);
    let report = run.json();
    assert_eq!(run.code, 1, "{report:#}");
    assert_eq!(report["data"]["findings"], 5, "{report:#}");
    assert_eq!(report["data"]["namespaces"], "all");

    let run = c.kx.run(&["audit", "-A", "-n", "clean"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("-A"), "{}", run.stderr);
    let run = c.kx.run(&["audit", "-n", "nowhere"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("nowhere"), "{}", run.stderr);
}

/// Without a profile there is nothing to compare subjects with: said, not failed.
fn without_a_profile_the_comparison_is_skipped(c: &Cluster) {
    let run = c.kx.run(&["audit", "-n", "clean", "-o", "json"]);
    let report = run.json();
    assert_eq!(run.code, 0, "{report:#}");
    assert_eq!(verdict(&report, "profile"), "skip", "{report:#}");
}

fn each_mistake_is_found_once(c: &Cluster) {
    let run = c.kx.run(&["audit", "-n", "mistakes", "-o", "json"]);
    let report = run.json();
    assert_eq!(run.code, 1, "{report:#}");
    assert_eq!(report["data"]["cluster"], CLUSTER, "{report:#}");
    let findings: Vec<(String, String)> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["verdict"] == "fail")
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            (s("id"), s("fix"))
        })
        .collect();
    let expected: [(&str, &str, String); 5] = [
        (
            "mistakes/deployment/labelonly/label",
            "",
            "kubectl xtenant bind deployment/labelonly -n mistakes".into(),
        ),
        (
            "mistakes/pod/old-",
            "/restart",
            "kubectl rollout restart deployment/old -n mistakes".into(),
        ),
        (
            "mistakes/pod/pinned-",
            "/app/env.AZURE_TENANT_ID",
            format!("kubectl set env deployment/pinned -n mistakes -c app AZURE_TENANT_ID={TENANT_B}"),
        ),
        (
            "mistakes/serviceaccount/legacy/client-id",
            "",
            "kubectl annotate serviceaccount legacy -n mistakes azure.workload.identity/client-id- azure.workload.identity/tenant-id-".into(),
        ),
        (
            "mistakes/serviceaccount/ghost/credential",
            "",
            "remove the workload mistakes/ghost of cluster aks-local from xtenant.yaml and run `az-xtenant apply -f xtenant.yaml --prune`".into(),
        ),
    ];
    for (prefix, suffix, fix) in &expected {
        let found: Vec<&(String, String)> = findings
            .iter()
            .filter(|(id, _)| id.starts_with(prefix) && id.ends_with(suffix))
            .collect();
        assert_eq!(found.len(), 1, "{prefix}…{suffix}: {findings:#?}");
        let first_line = found[0].1.lines().next().unwrap_or_default();
        assert_eq!(first_line, fix, "{prefix}");
    }
    assert_eq!(findings.len(), expected.len(), "{findings:#?}");
    assert_eq!(report["data"]["findings"], 5);
}

/// The five mistakes, in namespace `mistakes`.
fn mistakes(c: &Cluster) {
    let ns = "mistakes";
    // The label on the Deployment object, not on its pod template.
    let mut labelonly = deployment("labelonly", "labelonly", false, &container("app"));
    labelonly["metadata"]["labels"] = json!({USE: "true"});
    c.helm_installs::<Deployment>(ns, "labelonly", &[labelonly]);
    annotate(c, ns, "labelonly", CLIENT_ID);

    // A labelled Deployment whose ServiceAccount is annotated after its pod
    // started, without a restart.
    service_account(c, ns, "old");
    apply::<Deployment>(c, ns, &deployment("old", "old", true, &container("app")));
    c.running_pod(ns, "app=old");
    // Creation and managedFields times are to the second, and a pod made
    // in the second of the annotations cannot be told older (a warning):
    // this pod must be a second older to be found.
    std::thread::sleep(Duration::from_millis(1100));
    c.kx.ok(&with_identity(&[
        "bind",
        "-n",
        ns,
        "deployment/old",
        "--no-restart",
    ]));

    // Tenant A pinned in env: the webhook leaves it.
    annotate(c, ns, "pinned", CLIENT_ID);
    let mut pinned = container("app");
    pinned["env"] = json!([{"name": "AZURE_TENANT_ID", "value": TENANT_A}]);
    apply::<Deployment>(c, ns, &deployment("pinned", "pinned", true, &pinned));
    c.running_pod(ns, "app=pinned");

    // A client ID no identity of the profile has.
    annotate(c, ns, "legacy", UNKNOWN);
}

/// A namespace whose Deployment was bound with `bind`, and recorded.
fn clean(c: &Cluster) {
    let ns = "clean";
    c.helm_installs::<Deployment>(
        ns,
        "web",
        &[deployment("web", "web", false, &container("app"))],
    );
    c.kx.ok(&with_identity(&[
        "bind",
        "-n",
        ns,
        "deployment/web",
        "--timeout",
        "90s",
    ]));
}

fn deployment(name: &str, sa: &str, labelled: bool, app: &Value) -> Value {
    let mut tpl = template(name, sa, &json!([app]));
    if labelled {
        tpl["metadata"]["labels"][USE] = json!("true");
    }
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
           "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}}, "template": tpl}})
}

fn apply<K>(c: &Cluster, ns: &str, object: &Value)
where
    K: kube::Resource<DynamicType = ()>,
{
    let name = object["metadata"]["name"].as_str().unwrap().to_string();
    c.rt.block_on(
        c.api::<K>(ns)
            .patch(&name, &PatchParams::apply("helm"), &Patch::Apply(object)),
    )
    .unwrap();
}

fn service_account(c: &Cluster, ns: &str, name: &str) {
    let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name}});
    apply::<ServiceAccount>(c, ns, &sa);
}

/// Annotates (creating if need be) a ServiceAccount, as a chart would.
fn annotate(c: &Cluster, ns: &str, name: &str, client_id: &str) {
    let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": name, "annotations": {
            "azure.workload.identity/client-id": client_id,
            "azure.workload.identity/tenant-id": TENANT_B}}});
    apply::<ServiceAccount>(c, ns, &sa);
}

/// A profile whose graph binds `bound` on this cluster to one identity.
fn profile(issuer: &str, bound: &[(&str, &str)]) -> Value {
    let bindings: Vec<Value> = bound
        .iter()
        .map(|(ns, sa)| {
            json!({"cluster": CLUSTER, "namespace": ns, "serviceAccount": sa,
                   "identity": "app-writer", "credential": format!("xt-{CLUSTER}-{ns}-{sa}")})
        })
        .collect();
    json!({"schemaVersion": 2, "graph": {
        "tenantB": TENANT_B,
        "clusters": {CLUSTER: {"id": null, "issuerUrl": issuer}},
        "identities": {"app-writer": {"id": null, "clientId": CLIENT_ID, "principalId": null}},
        "bindings": bindings}})
}

fn ids(report: &Value) -> Vec<String> {
    let checks = report["checks"].as_array().unwrap();
    checks
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

fn verdict(report: &Value, id: &str) -> String {
    let checks = report["checks"].as_array().unwrap();
    let c = checks.iter().find(|c| c["id"] == id);
    let c = c.unwrap_or_else(|| panic!("no check {id} in {report:#}"));
    c["verdict"].as_str().unwrap().to_string()
}
