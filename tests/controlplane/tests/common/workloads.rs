//! Workloads applied as a chart would ("helm"), read back and compared, for
//! the bind, unbind and verify tests on each kind of workload.

use std::time::{Duration, Instant};

use controlplane::{ControlPlane, Options};
use k8s_openapi::api::core::v1::{Pod, ServiceAccount};
use kube::Client;
use kube::api::{Api, ApiResource, DynamicObject, ListParams, Patch, PatchParams};
use serde_json::{Value, json};
use tokio::runtime::Runtime;

use super::TENANT_A;
use super::plugin::{CLIENT_ID, Plugin, TENANT_B};

pub const USE: &str = "azure.workload.identity/use";
pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

/// The identity flags and a bounded wait, after `extra`.
pub fn with_identity<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = extra.to_vec();
    args.extend([
        "--client-id",
        CLIENT_ID,
        "--tenant-id",
        TENANT_B,
        "-o",
        "json",
    ]);
    args
}

/// One cluster, its client and the plugin pointed at it.
pub struct Cluster {
    pub rt: Runtime,
    pub client: Client,
    pub kx: Plugin,
    cp: ControlPlane,
}

impl Cluster {
    /// Starts a control plane, after checking the plugin is built and fresh.
    pub fn start() -> Self {
        xtenant_testsupport::workspace_bin("kubectl-xtenant");
        let rt = Runtime::new().unwrap();
        let cp = rt
            .block_on(ControlPlane::start(Options::from_env(TENANT_A)))
            .unwrap();
        let client = rt.block_on(cp.client()).unwrap();
        let kx = Plugin::new(&cp);
        Self { rt, client, kx, cp }
    }

    /// The API server's issuer, as its discovery document names it.
    pub fn issuer(&self) -> &str {
        self.cp.issuer()
    }

    pub fn api<K>(&self, ns: &str) -> Api<DynamicObject>
    where
        K: kube::Resource<DynamicType = ()>,
    {
        Api::namespaced_with(self.client.clone(), ns, &ApiResource::erase::<K>(&()))
    }

    /// Creates the namespace and applies `objects` as "helm".
    pub fn helm_installs<K>(&self, ns: &str, sa: &str, objects: &[Value])
    where
        K: kube::Resource<DynamicType = ()>,
    {
        self.rt.block_on(super::namespace(&self.client, ns));
        let helm = PatchParams::apply("helm");
        let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": sa, "labels": {"helm.sh/chart": "app-1.0.0"},
                         "annotations": {"meta.helm.sh/release-name": "app"}}});
        let sas: Api<ServiceAccount> = Api::namespaced(self.client.clone(), ns);
        let name = sa["metadata"]["name"].as_str().unwrap().to_string();
        self.rt
            .block_on(sas.patch(&name, &helm, &Patch::Apply(&sa)))
            .unwrap();
        let api = self.api::<K>(ns);
        for o in objects {
            let name = o["metadata"]["name"].as_str().unwrap().to_string();
            self.rt
                .block_on(api.patch(&name, &helm, &Patch::Apply(o)))
                .unwrap();
        }
    }

    pub fn get<K>(&self, ns: &str, name: &str) -> Value
    where
        K: kube::Resource<DynamicType = ()>,
    {
        let obj = self.rt.block_on(self.api::<K>(ns).get(name)).unwrap();
        serde_json::to_value(obj).unwrap()
    }

    /// What unbind must give back and bind must keep: the spec, the labels
    /// and annotations and helm's managedFields of the workload and its
    /// ServiceAccount.
    pub fn snapshot<K>(&self, ns: &str, name: &str, sa: &str) -> Value
    where
        K: kube::Resource<DynamicType = ()>,
    {
        let kept = |mut o: Value| {
            // The API server counts a DaemonSet's template changes here.
            if let Some(a) = o["metadata"]["annotations"].as_object_mut() {
                a.remove("deprecated.daemonset.template.generation");
            }
            let helm = o["metadata"]["managedFields"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["manager"] == "helm")
                .unwrap_or_else(|| panic!("helm's managedFields entry is gone: {o:#}"))["fieldsV1"]
                .clone();
            normalized(json!({
                "spec": o["spec"], "labels": o["metadata"]["labels"],
                "annotations": o["metadata"]["annotations"], "helm": helm,
            }))
        };
        json!({
            "workload": kept(self.get::<K>(ns, name)),
            "serviceAccount": kept(self.get::<ServiceAccount>(ns, sa)),
        })
    }

    pub fn pods(&self, ns: &str, selector: &str) -> Vec<Pod> {
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), ns);
        let lp = ListParams::default().labels(selector);
        self.rt.block_on(pods.list(&lp)).unwrap().items
    }

    /// Waits for a running pod matching `selector`.
    pub fn running_pod(&self, ns: &str, selector: &str) -> Pod {
        let start = Instant::now();
        loop {
            let running = self.pods(ns, selector).into_iter().find(|p| {
                p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")
                    && p.metadata.deletion_timestamp.is_none()
            });
            if let Some(pod) = running {
                return pod;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "no running pod {selector} in {ns} after 60 s"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

/// Drops nulls and empty maps, which server-side apply may leave or remove.
pub fn normalized(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| (k, normalized(v)))
                .filter(|(_, v)| !v.is_null() && v.as_object().is_none_or(|m| !m.is_empty()))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(normalized).collect()),
        v => v,
    }
}

/// A pod template running as `sa`, labelled `app`, with `containers`.
pub fn template(app: &str, sa: &str, containers: &Value) -> Value {
    json!({"metadata": {"labels": {"app": app, "tier": "back"}, "annotations": {"checksum/config": "abc"}},
           "spec": {"serviceAccountName": sa, "containers": containers}})
}

pub fn container(name: &str) -> Value {
    json!({"name": name, "image": "example.invalid/app:1"})
}

/// The template's labels with the webhook's label added.
pub fn labelled(before: &Value, path: &[&str]) -> Value {
    let mut labels = before.clone();
    for key in path {
        labels = labels[*key].clone();
    }
    labels[USE] = json!("true");
    labels
}

pub fn at<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(v, |v, k| &v[*k])
}

/// Every check of a `verify` report passed, each pod's restart check included.
pub fn verified(kx: &Plugin, ns: &str, target: &str) -> Value {
    let run = kx.run(&with_identity(&["verify", "-n", ns, target]));
    let report = run.json();
    assert_eq!(run.code, 0, "verify {target}: {report:#}");
    let ids: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert!(
        ids.iter().any(|id| id.ends_with("/restart")),
        "no pod checked: {report:#}"
    );
    report
}

/// Waits for a pod matching `selector`, in any phase.
pub fn wait_for_pod(c: &Cluster, ns: &str, selector: &str) -> Pod {
    let start = Instant::now();
    loop {
        if let Some(pod) = c.pods(ns, selector).into_iter().next() {
            return pod;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no pod {selector} in {ns}"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}
