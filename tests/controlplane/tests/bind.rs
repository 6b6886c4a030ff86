//! `kubectl xtenant bind` and `unbind` against the real API server, controllers
//! and workload identity webhook. A chart installed a Deployment (two containers
//! and an init container) and its ServiceAccount by server-side apply as "helm",
//! with labels and annotations of its own. bind adds only the pod-template label
//! and the SA annotations (selector, helm's fields and helm's managedFields
//! untouched); the controller rolls the pods and the webhook injects the identity
//! into every container of the new ones, and bind waits for that rollout. unbind
//! returns both objects to what they were. A CronJob is labelled on its job
//! template, and a Job made from it gets the identity.
//! Needs XTENANT_CONTROLPLANE_BIN and `cargo build -p kubectl-xtenant`.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::TENANT_A;
use common::plugin::{CLIENT_ID, Plugin, TENANT_B, check};
use common::workloads::verified;
use controlplane::{ControlPlane, Options};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Pod, ServiceAccount};
use kube::api::{Api, ListParams, Patch, PatchParams};
use serde_json::{Value, json};
use tokio::runtime::Runtime;

const NS: &str = "default";
const USE: &str = "azure.workload.identity/use";
const INJECTED: [&str; 4] = [
    "AZURE_CLIENT_ID",
    "AZURE_TENANT_ID",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_AUTHORITY_HOST",
];

/// The chart's objects, applied as "helm".
async fn helm_installs(deployments: &Api<Deployment>, sas: &Api<ServiceAccount>) {
    let helm = PatchParams::apply("helm");
    let sa = json!({
        "apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "web", "labels": {"helm.sh/chart": "web-1.0.0"},
                     "annotations": {"meta.helm.sh/release-name": "web"}},
    });
    sas.patch("web", &helm, &Patch::Apply(sa)).await.unwrap();
    let container = |name: &str| json!({"name": name, "image": "example.invalid/web:1"});
    let deployment = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"helm.sh/chart": "web-1.0.0"}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web", "tier": "front"},
                             "annotations": {"checksum/config": "abc123"}},
                "spec": {"serviceAccountName": "web",
                         "initContainers": [container("migrate")],
                         "containers": [container("app"), container("sidecar")]},
            },
        },
    });
    deployments
        .patch("web", &helm, &Patch::Apply(deployment))
        .await
        .unwrap();
}

/// What must come back after unbind, and stay through bind.
#[derive(Debug, PartialEq)]
struct Snapshot {
    template_labels: BTreeMap<String, String>,
    template_annotations: BTreeMap<String, String>,
    selector: Value,
    helm_fields: Value,
    sa_annotations: BTreeMap<String, String>,
    sa_labels: BTreeMap<String, String>,
}

fn helm_entry(
    fields: Option<&Vec<k8s_openapi::apimachinery::pkg::apis::meta::v1::ManagedFieldsEntry>>,
) -> Value {
    let entry = fields
        .into_iter()
        .flatten()
        .find(|e| e.manager.as_deref() == Some("helm"))
        .unwrap_or_else(|| panic!("helm's managedFields entry is gone: {fields:#?}"));
    entry.fields_v1.clone().unwrap().0
}

async fn snapshot(deployments: &Api<Deployment>, sas: &Api<ServiceAccount>) -> Snapshot {
    let d = deployments.get("web").await.unwrap();
    let sa = sas.get("web").await.unwrap();
    let spec = d.spec.clone().unwrap();
    let meta = spec.template.metadata.clone().unwrap_or_default();
    Snapshot {
        template_labels: meta.labels.unwrap_or_default(),
        template_annotations: meta.annotations.unwrap_or_default(),
        selector: serde_json::to_value(&spec.selector).unwrap(),
        helm_fields: json!([
            helm_entry(d.metadata.managed_fields.as_ref()),
            helm_entry(sa.metadata.managed_fields.as_ref())
        ]),
        sa_annotations: sa.metadata.annotations.unwrap_or_default(),
        sa_labels: sa.metadata.labels.unwrap_or_default(),
    }
}

/// Waits for a pod of the Deployment that carries the label (the webhook mutated it at create).
async fn labelled_pod(pods: &Api<Pod>) -> Pod {
    let start = Instant::now();
    let selector = format!("app=web,{USE}=true");
    loop {
        let list = pods
            .list(&ListParams::default().labels(&selector))
            .await
            .unwrap();
        if let Some(pod) = list.items.into_iter().next() {
            return pod;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no labelled pod of deployment/web after 60 s"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn env_of(c: &k8s_openapi::api::core::v1::Container) -> BTreeMap<String, String> {
    c.env
        .iter()
        .flatten()
        .map(|e| (e.name.clone(), e.value.clone().unwrap_or_default()))
        .collect()
}

/// One control plane for both scenarios: starting two at once races for ports.
#[test]
fn bind_and_unbind_a_deployment_and_a_cron_job() {
    // Refuse a missing or stale plugin before spending time on start-up.
    xtenant_testsupport::workspace_bin("kubectl-xtenant");
    let rt = Runtime::new().unwrap();
    let cp = rt
        .block_on(ControlPlane::start(Options::from_env(TENANT_A)))
        .unwrap();
    let kx = Plugin::new(&cp);
    deployment_with_helm_fields(&rt, &cp, &kx);
    cron_job(&rt, &cp, &kx);
}

/// bind labels only the pod template; the rolled pod has the identity in every
/// container; unbind restores what the chart applied.
fn deployment_with_helm_fields(rt: &Runtime, cp: &ControlPlane, kx: &Plugin) {
    let client = rt.block_on(cp.client()).unwrap();
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), NS);
    let sas: Api<ServiceAccount> = Api::namespaced(client.clone(), NS);
    let pods: Api<Pod> = Api::namespaced(client, NS);
    rt.block_on(helm_installs(&deployments, &sas));
    let before = rt.block_on(snapshot(&deployments, &sas));

    // A dry run changes nothing.
    let args = [
        "deployment/web",
        "--client-id",
        CLIENT_ID,
        "--tenant-id",
        TENANT_B,
    ];
    let run = kx.ok(&[&["bind", "--dry-run"], &args[..]].concat());
    assert!(
        run.stdout.contains("azure.workload.identity/use: 'true'"),
        "{}",
        run.stdout
    );
    assert_eq!(rt.block_on(snapshot(&deployments, &sas)), before);

    let run = kx.ok(&[&["bind", "-o", "json"], &args[..]].concat());
    let report = run.json();
    for id in [
        "container.migrate",
        "container.app",
        "container.sidecar",
        "serviceaccount",
        "workload",
        "restart",
        "rollout",
    ] {
        assert_eq!(check(&report, id).0, "pass", "{id}: {report:#}");
    }
    let bound = rt.block_on(snapshot(&deployments, &sas));
    // Only the label and the restart annotation were added to the pod template.
    let mut labels = before.template_labels.clone();
    labels.insert(USE.into(), "true".into());
    assert_eq!(bound.template_labels, labels);
    let mut annotations = bound.template_annotations.clone();
    assert!(
        annotations
            .remove("kubectl.kubernetes.io/restartedAt")
            .is_some()
    );
    assert_eq!(annotations, before.template_annotations);
    assert_eq!(bound.selector, before.selector, "the selector changed");
    assert_eq!(
        bound.helm_fields, before.helm_fields,
        "helm's managedFields changed"
    );
    assert_eq!(bound.sa_labels, before.sa_labels);
    let mut sa_annotations = before.sa_annotations.clone();
    sa_annotations.insert("azure.workload.identity/client-id".into(), CLIENT_ID.into());
    sa_annotations.insert("azure.workload.identity/tenant-id".into(), TENANT_B.into());
    assert_eq!(bound.sa_annotations, sa_annotations);

    // The controller rolled the pods; the real webhook mutated every container of the new one.
    let pod = rt.block_on(labelled_pod(&pods));
    let spec = pod.spec.unwrap();
    let containers: Vec<_> = spec
        .init_containers
        .iter()
        .flatten()
        .chain(&spec.containers)
        .collect();
    assert_eq!(containers.len(), 3);
    for c in containers {
        let env = env_of(c);
        for name in INJECTED {
            assert!(env.contains_key(name), "{}: no {name} in {env:?}", c.name);
        }
        assert_eq!(env["AZURE_CLIENT_ID"], CLIENT_ID, "{}", c.name);
        assert_eq!(env["AZURE_TENANT_ID"], TENANT_B, "{}", c.name);
    }

    // verify KIND/NAME checks every container of every current pod, the init container's too.
    let report = verified(kx, NS, "deployment/web");
    for name in ["migrate", "app", "sidecar"] {
        let suffix = format!("/{name}/env.AZURE_TENANT_ID");
        let c = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"].as_str().unwrap().ends_with(&suffix))
            .unwrap_or_else(|| panic!("container {name} not checked: {report:#}"));
        assert_eq!(c["verdict"], "pass", "{c:#}");
    }

    // unbind returns both objects to what the chart made, and waits for the pods without it.
    let run = kx.ok(&["unbind", "-o", "json", "deployment/web"]);
    assert_eq!(check(&run.json(), "rollout").0, "pass");
    let after = rt.block_on(snapshot(&deployments, &sas));
    assert_eq!(after, before);
}

/// A CronJob is labelled on its job template; a Job made from it (as
/// `kubectl create job --from=cronjob/...` does) gets the identity; unbind restores it.
fn cron_job(rt: &Runtime, cp: &ControlPlane, kx: &Plugin) {
    let client = rt.block_on(cp.client()).unwrap();
    let cronjobs: Api<CronJob> = Api::namespaced(client.clone(), NS);
    let jobs: Api<Job> = Api::namespaced(client.clone(), NS);
    let sas: Api<ServiceAccount> = Api::namespaced(client.clone(), NS);
    let pods: Api<Pod> = Api::namespaced(client, NS);
    let helm = PatchParams::apply("helm");
    let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "nightly"}});
    rt.block_on(sas.patch("nightly", &helm, &Patch::Apply(sa)))
        .unwrap();
    let cj = json!({
        "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly"},
        "spec": {"schedule": "0 3 * * *", "suspend": true, "jobTemplate": {"spec": {"template": {
            "metadata": {"labels": {"app": "nightly"}},
            "spec": {"serviceAccountName": "nightly", "restartPolicy": "Never",
                     "containers": [{"name": "report", "image": "example.invalid/report:1"}]}}}}},
    });
    rt.block_on(cronjobs.patch("nightly", &helm, &Patch::Apply(cj)))
        .unwrap();
    let template_labels = |cj: &CronJob| {
        let spec = cj.spec.clone().unwrap().job_template.spec.unwrap();
        spec.template.metadata.unwrap().labels.unwrap_or_default()
    };
    let before = template_labels(&rt.block_on(cronjobs.get("nightly")).unwrap());
    let run = kx.ok(&[
        "bind",
        "-o",
        "json",
        "cronjob/nightly",
        "--client-id",
        CLIENT_ID,
        "--tenant-id",
        TENANT_B,
    ]);
    let (verdict, detail, _) = check(&run.json(), "restart");
    assert_eq!(verdict, "pass");
    assert!(detail.contains("next run"), "{detail}");
    let cj = rt.block_on(cronjobs.get("nightly")).unwrap();
    let mut labels = before.clone();
    labels.insert(USE.into(), "true".into());
    assert_eq!(template_labels(&cj), labels);

    // The next run: a Job from the CronJob's template; the webhook mutates its pod.
    let job = Job {
        metadata: kube::api::ObjectMeta {
            name: Some("nightly-manual".into()),
            ..Default::default()
        },
        spec: cj.spec.unwrap().job_template.spec,
        status: None,
    };
    rt.block_on(jobs.create(&kube::api::PostParams::default(), &job))
        .unwrap();
    let pod = rt.block_on(async {
        let start = Instant::now();
        loop {
            let lp = ListParams::default().labels("job-name=nightly-manual");
            if let Some(pod) = pods.list(&lp).await.unwrap().items.into_iter().next() {
                break pod;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "no pod of the Job"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    });
    let env = env_of(&pod.spec.unwrap().containers[0]);
    assert_eq!(
        env.get("AZURE_TENANT_ID").map(String::as_str),
        Some(TENANT_B)
    );
    assert_eq!(
        env.get("AZURE_CLIENT_ID").map(String::as_str),
        Some(CLIENT_ID)
    );

    kx.ok(&["unbind", "cronjob/nightly"]);
    let cj = rt.block_on(cronjobs.get("nightly")).unwrap();
    assert_eq!(template_labels(&cj), before);
    let sa = rt.block_on(sas.get("nightly")).unwrap();
    assert_eq!(sa.metadata.annotations.unwrap_or_default(), BTreeMap::new());
}
