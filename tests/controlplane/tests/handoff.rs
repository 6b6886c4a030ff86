//! The two-admin hand-off down to the pod, with the real az against the
//! simulator and the real control plane as Tenant A's cluster: Tenant A
//! (its own az configuration, signed in to Tenant A only, its own profile)
//! asks with `request`; Tenant B (likewise, Tenant B only) runs `review` and
//! `grant`; Tenant A records the grant with `accept`. Then `kubectl xtenant
//! bind deployment/NAME`, with no ID typed, binds the workload to Tenant B's
//! identity, the real webhook injects Tenant B's client ID and tenant into
//! the rolled pod, `verify` finds it there, and `doctor --exchange` trades
//! the real service-account token for a Tenant B token at the simulator's
//! Entra, and `audit` knows the grant's identity and binding.
//! Needs XTENANT_CONTROLPLANE_BIN and XTENANT_AZ (./test.sh sets both).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::ffi::OsString;
use std::path::Path;
use std::time::{Duration, Instant};

use common::local::{Local, Run};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, PostParams};
use serde_json::{Value, json};

const NS: &str = "orders";
const SA: &str = "writer";
const IDS: &str = "rg-partner";

/// The graph file Tenant A keeps: one identity for one workload on the
/// local cluster (named like the kubeconfig context).
fn graph(l: &Local) -> String {
    format!(
        "tenantA: {{tenantId: {ta}, subscriptionId: {sa}}}
tenantB: {{tenantId: {tb}, subscriptionId: {sb}, resourceGroup: {IDS}, location: eastus}}
clusters:
  - {{name: {cluster}, resourceGroup: rg-aks}}
identities:
  - name: id-orders
workloads:
  - {{namespace: {NS}, serviceAccount: {SA}, identity: id-orders}}
",
        ta = l.h.tenant_a().id,
        sa = l.h.sub_a(0),
        tb = l.h.tenant_b().id,
        sb = l.h.sub_b(0),
        cluster = controlplane::kubeconfig::CONTEXT,
    )
}

/// One side's environment: its az configuration, and a CA bundle that
/// trusts the API server too (Tenant B's review fetches its issuer).
fn side_env(l: &Local, config: &Path) -> Vec<(String, OsString)> {
    vec![
        ("AZURE_CONFIG_DIR".into(), config.as_os_str().to_owned()),
        (
            "REQUESTS_CA_BUNDLE".into(),
            l.ca_bundle.as_os_str().to_owned(),
        ),
    ]
}

/// `az-xtenant --profile PROFILE ARGS` in the az configuration `config`.
fn side(l: &Local, profile: &str, config: &Path, args: &[&str]) -> Run {
    let mut argv = vec!["--profile", profile];
    argv.extend(args);
    l.run_env("az-xtenant", &argv, side_env(l, config))
}

/// The ARM and Entra requests since `mark` whose path names any of `ids`.
fn naming(l: &Local, mark: usize, ids: &[&str]) -> Vec<String> {
    use azsim::state::Surface;
    l.h.requests_since(mark)
        .iter()
        .filter(|r| matches!(r.surface, Surface::Arm | Surface::Entra))
        .filter(|r| {
            let path = r.path.to_ascii_lowercase();
            ids.iter().any(|id| path.contains(&id.to_ascii_lowercase()))
        })
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// A Deployment of the workload, as Tenant A's chart would make it.
fn deploy_workload(l: &Local) {
    let deployment: Deployment = serde_json::from_value(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "api", "namespace": NS},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "api"}},
            "template": {
                "metadata": {"labels": {"app": "api"}},
                "spec": {"serviceAccountName": SA,
                         "containers": [{"name": "app", "image": "example.invalid/app:1"}]}
            }
        }
    }))
    .unwrap();
    l.rt.block_on(async {
        let client = l.cp.client().await.unwrap();
        common::namespace(&client, NS).await;
        common::service_account(&client, NS, SA, None).await;
        Api::<Deployment>::namespaced(client, NS)
            .create(&PostParams::default(), &deployment)
            .await
            .unwrap();
    });
}

/// The running, labelled pod of the Deployment after bind's rollout.
fn bound_pod(l: &Local) -> Pod {
    let started = Instant::now();
    loop {
        let pods = l.rt.block_on(async {
            let client = l.cp.client().await.unwrap();
            let lp = ListParams::default().labels("app=api,azure.workload.identity/use=true");
            Api::<Pod>::namespaced(client, NS).list(&lp).await.unwrap()
        });
        let running = pods.items.into_iter().find(|p| {
            p.metadata.deletion_timestamp.is_none()
                && p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")
        });
        if let Some(pod) = running {
            return pod;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no running labelled pod of deployment/api after 60 s"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn a_grant_accepted_by_tenant_a_binds_and_exchanges_on_the_real_cluster() {
    let l = Local::start();
    let (ta, tb) = (l.h.tenant_a().id.clone(), l.h.tenant_b().id.clone());
    let (sa, sb) = (l.h.sub_a(0), l.h.sub_b(0));
    l.h.seed_cluster(
        &sa,
        "rg-aks",
        controlplane::kubeconfig::CONTEXT,
        l.cp.issuer(),
    );
    let file = l.config.path().join("xtenant.yaml");
    std::fs::write(&file, graph(&l)).unwrap();
    let a = l.h.one_tenant_config("a", l.h.tenant_a());
    let b = l.h.one_tenant_config("b", l.h.tenant_b());

    // Tenant A asks, reading its cluster's issuer live and nothing of Tenant B.
    let mark = l.h.mark();
    let request = side(&l, "a", &a, &["request", "-f", file.to_str().unwrap()]);
    assert_eq!(request.code, 0, "request failed");
    assert_eq!(naming(&l, mark, &[&tb, &sb]), Vec::<String>::new());
    assert!(
        request.stdout.contains(l.cp.issuer()),
        "the request carries the API server's issuer:\n{}",
        request.stdout
    );
    let request_file = l.config.path().join("request.yaml");
    std::fs::write(&request_file, &request.stdout).unwrap();
    let request_arg = request_file.to_str().unwrap();

    // Tenant B reviews: the issuer's discovery document answers and names it.
    let mark = l.h.mark();
    let review = side(&l, "b", &b, &["review", request_arg, "-o", "json"]);
    assert!(review.code == 0 || review.code == 1, "review refused");
    let findings: Value = serde_json::from_str(&review.stdout).unwrap();
    let discovery: Vec<&Value> = findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "discovery" || f["severity"] == "error")
        .collect();
    assert!(discovery.is_empty(), "{discovery:#?}");

    // Tenant B grants: the identity and its credential, no role.
    let grant = side(
        &l,
        "b",
        &b,
        &[
            "grant",
            request_arg,
            "-g",
            IDS,
            "--tenant-b",
            &tb,
            "--subscription-b",
            &sb,
            "--location",
            "eastus",
            "--yes",
        ],
    );
    assert_eq!(grant.code, 0, "grant failed");
    assert_eq!(naming(&l, mark, &[&ta, &sa]), Vec::<String>::new());
    let identity = format!(
        "/subscriptions/{sb}/resourceGroups/{IDS}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-orders"
    );
    let client_id = l.h.resource(&identity).unwrap()["properties"]["clientId"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(grant.stdout.contains(&client_id), "{}", grant.stdout);
    let grant_file = l.config.path().join("grant.yaml");
    std::fs::write(&grant_file, &grant.stdout).unwrap();

    // Tenant A records the grant; no az call.
    let mark = l.h.mark();
    let accept = side(&l, "a", &a, &["accept", grant_file.to_str().unwrap()]);
    assert_eq!(accept.code, 0, "accept failed");
    assert_eq!(
        naming(&l, mark, &[&ta, &sa, &tb, &sb]),
        Vec::<String>::new()
    );

    // bind with no ID typed: the client ID and Tenant B come from the grant.
    deploy_workload(&l);
    let bind = l.run_env(
        "kubectl-xtenant",
        &[
            "bind",
            "deployment/api",
            "-n",
            NS,
            "--profile",
            "a",
            "-o",
            "json",
        ],
        Vec::new(),
    );
    assert_eq!(bind.code, 0, "bind from the grant failed");
    let report: Value = serde_json::from_str(&bind.stdout).unwrap();
    assert_eq!(report["data"]["clientId"], client_id.as_str(), "{report:#}");
    assert_eq!(report["data"]["tenantId"], tb.as_str(), "{report:#}");

    // The real webhook admitted the rolled pod with Tenant B's identity.
    let pod = bound_pod(&l);
    let env = common::env(&pod);
    assert_eq!(env.get("AZURE_CLIENT_ID"), Some(&client_id), "{env:?}");
    assert_eq!(env.get("AZURE_TENANT_ID"), Some(&tb), "{env:?}");
    assert!(env.contains_key("AZURE_FEDERATED_TOKEN_FILE"), "{env:?}");
    let projected = pod
        .spec
        .as_ref()
        .and_then(|s| s.volumes.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|v| v.projected.as_ref()?.sources.as_ref())
        .flatten()
        .filter_map(|p| p.service_account_token.as_ref())
        .any(|t| t.audience.as_deref() == Some("api://AzureADTokenExchange"));
    assert!(projected, "no projected token for Entra: {:#?}", pod.spec);

    // verify, with no ID typed either, finds the same identity in the pod.
    let verify = l.run_env(
        "kubectl-xtenant",
        &[
            "verify",
            "deployment/api",
            "-n",
            NS,
            "--profile",
            "a",
            "-o",
            "json",
        ],
        Vec::new(),
    );
    let report: Value = serde_json::from_str(&verify.stdout).unwrap();
    assert_eq!(verify.code, 0, "verify from the grant failed: {report:#}");
    let checked = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["id"]
                .as_str()
                .is_some_and(|id| id.ends_with("/env.AZURE_TENANT_ID"))
        })
        .count();
    assert!(checked > 0, "no pod's tenant checked: {report:#}");

    // The real token is exchanged at the simulator's Entra for a Tenant B token.
    let (code, report) = l.doctor_with(&["-n", NS, "--service-account", SA, "--profile", "a"]);
    assert_eq!(code, 0, "doctor --exchange failed: {report:#}");
    let exchange = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "exchange")
        .cloned()
        .unwrap_or_default();
    assert_eq!(exchange["verdict"], "pass", "{report:#}");
    assert_eq!(report["data"]["proofRecorded"], true, "{report:#}");

    // audit, in Tenant A's profile, knows the grant's identity and binding:
    // the bound ServiceAccount's client ID is the graph's identity and its
    // subject has the credential the grant made.
    let audit = l.run_env(
        "kubectl-xtenant",
        &["audit", "-n", NS, "--profile", "a", "-o", "json"],
        Vec::new(),
    );
    let report: Value = serde_json::from_str(&audit.stdout).unwrap();
    let check = |id: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == format!("{NS}/serviceaccount/{SA}/{id}"))
            .cloned()
            .unwrap_or_default()
    };
    let client = check("client-id");
    assert_eq!(client["verdict"], "pass", "{report:#}");
    assert!(
        client["detail"]
            .as_str()
            .is_some_and(|d| d.contains(&client_id) && d.contains("identity id-orders")),
        "{report:#}"
    );
    assert_eq!(check("credential")["verdict"], "pass", "{report:#}");
    let failed: Vec<&Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["verdict"] == "fail")
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(audit.code, 0, "audit found something: {report:#}");
}
