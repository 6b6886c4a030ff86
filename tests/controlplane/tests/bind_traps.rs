//! The traps of binding an existing workload, against the real API server,
//! controllers and workload identity webhook: a Tenant-A `AZURE_TENANT_ID` in
//! `env` (bind refuses and changes nothing), one in an `envFrom` ConfigMap (a
//! warning: the webhook's entry wins in the new pod), the `default`
//! ServiceAccount (refused), and a pod older than the ServiceAccount's
//! annotations (`verify KIND/NAME` says a restart is needed).
//! Needs XTENANT_CONTROLPLANE_BIN and `cargo build -p kubectl-xtenant`.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::time::Duration;

use common::TENANT_A;
use common::plugin::{TENANT_B, check};
use common::workloads::{Cluster, USE, container, template, verified, with_identity};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, ServiceAccount};
use kube::api::{Api, Patch, PatchParams};
use serde_json::{Value, json};

#[test]
fn bind_refuses_or_warns_and_verify_asks_for_a_restart() {
    let c = Cluster::start();
    tenant_traps_and_the_default_service_account(&c);
    a_pod_older_than_the_annotations_needs_a_restart(&c);
}

/// A Tenant-A `AZURE_TENANT_ID` in env is refused with the fix and nothing
/// changes; one in an envFrom ConfigMap is a warning, and the webhook's entry
/// (Tenant B) wins in the new pod; the `default` ServiceAccount is refused.
fn tenant_traps_and_the_default_service_account(c: &Cluster) {
    let ns = "traps";
    let mut pinned = container("app");
    pinned["env"] = json!([{"name": "AZURE_TENANT_ID", "value": TENANT_A}]);
    let mut from_config = container("app");
    from_config["envFrom"] = json!([{"configMapRef": {"name": "settings"}}]);
    let deployment = |name: &str, sa: &str, c: Value| {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
               "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                        "template": template(name, sa, &json!([c]))}})
    };
    let mut anonymous = deployment("anonymous", "", container("app"));
    anonymous["spec"]["template"]["spec"]
        .as_object_mut()
        .unwrap()
        .remove("serviceAccountName");
    c.helm_installs::<Deployment>(
        ns,
        "app",
        &[
            deployment("pinned", "app", pinned),
            deployment("trap", "app", from_config),
            anonymous,
        ],
    );
    let cms: Api<ConfigMap> = Api::namespaced(c.client.clone(), ns);
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
                    "data": {"AZURE_TENANT_ID": TENANT_A}});
    c.rt.block_on(cms.patch("settings", &PatchParams::apply("helm"), &Patch::Apply(cm)))
        .unwrap();

    let before = c.snapshot::<Deployment>(ns, "pinned", "app");
    let run =
        c.kx.run(&with_identity(&["bind", "-n", ns, "deployment/pinned"]));
    assert_eq!(run.code, 1, "{}", run.stdout);
    let (verdict, detail, fix) = check(&run.json(), "container.app");
    assert_eq!(verdict, "fail");
    assert!(detail.contains(TENANT_A), "{detail}");
    assert!(fix.contains(TENANT_B), "{fix}");
    assert_eq!(c.snapshot::<Deployment>(ns, "pinned", "app"), before);

    let run =
        c.kx.run(&with_identity(&["bind", "-n", ns, "deployment/anonymous"]));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--allow-default-sa"), "{}", run.stderr);
    let default_sa = c.get::<ServiceAccount>(ns, "default");
    assert!(
        default_sa["metadata"]["annotations"].is_null(),
        "{default_sa:#}"
    );

    let run = c.kx.ok(&with_identity(&[
        "bind",
        "-n",
        ns,
        "deployment/trap",
        "--timeout",
        "90s",
    ]));
    let (verdict, detail, _) = check(&run.json(), "container.app");
    assert_eq!(verdict, "warn");
    assert!(
        detail.contains("configmap/settings") && detail.contains("wins"),
        "{detail}"
    );
    let pod = c.running_pod(ns, &format!("app=trap,{USE}=true"));
    assert_eq!(common::env(&pod)["AZURE_TENANT_ID"], TENANT_B);
    verified(&c.kx, ns, "deployment/trap");
}

/// A labelled Deployment whose ServiceAccount is annotated later, with
/// `--no-restart`: the running pod predates the annotations and verify says a
/// restart is needed; after a restart verify passes.
fn a_pod_older_than_the_annotations_needs_a_restart(c: &Cluster) {
    let ns = "old";
    let mut tpl = template("old", "old", &json!([container("app")]));
    tpl["metadata"]["labels"][USE] = json!("true");
    let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "old"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "old"}}, "template": tpl}});
    c.helm_installs::<Deployment>(ns, "old", &[d]);
    c.running_pod(ns, "app=old");
    // Creation and managedFields times are to the second, and a pod made
    // in the second of the annotations cannot be told older (a warning):
    // this pod must be a second older to be found.
    std::thread::sleep(Duration::from_millis(1100));
    let run = c.kx.ok(&with_identity(&[
        "bind",
        "-n",
        ns,
        "deployment/old",
        "--no-restart",
    ]));
    assert_eq!(check(&run.json(), "restart").0, "warn");

    let run =
        c.kx.run(&with_identity(&["verify", "-n", ns, "deployment/old"]));
    assert_eq!(run.code, 1, "{}", run.stdout);
    let report = run.json();
    let restart = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"].as_str().unwrap().ends_with("/restart"))
        .unwrap_or_else(|| panic!("no pod checked: {report:#}"));
    assert_eq!(restart["verdict"], "fail", "{restart:#}");
    assert!(
        restart["detail"]
            .as_str()
            .unwrap()
            .contains("restart needed"),
        "{restart:#}"
    );
    assert_eq!(restart["fix"], "kubectl rollout restart deployment/old");

    // bind again, restarting: twice in a row, each a new restart value.
    let first = c.kx.ok(&with_identity(&[
        "bind",
        "-n",
        ns,
        "deployment/old",
        "--no-wait",
    ]));
    let second = c.kx.ok(&with_identity(&[
        "bind",
        "-n",
        ns,
        "deployment/old",
        "--timeout",
        "90s",
    ]));
    let stamp = |r: &common::plugin::Run| r.json()["data"]["restartedAt"].clone();
    assert_ne!(stamp(&first), stamp(&second));
    verified(&c.kx, ns, "deployment/old");

    // doctor checks the bound workload's ServiceAccount and its token too.
    let run = c.kx.run(&with_identity(&[
        "doctor",
        "-n",
        ns,
        "--service-account",
        "old",
        "--issuer",
        c.issuer(),
    ]));
    let report = run.json();
    assert_eq!(run.code, 0, "{report:#}");
    for id in ["sa.client-id", "sa.tenant-id", "token.iss"] {
        assert_eq!(check(&report, id).0, "pass", "{id}: {report:#}");
    }
    let (verdict, sub, _) = check(&report, "token.sub");
    assert_eq!(verdict, "pass");
    assert!(sub.contains("system:serviceaccount:old:old"), "{sub}");
}
