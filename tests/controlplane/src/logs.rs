//! Pod logs for simulated pods, through kwok's `Logs` and `ClusterLogs` resources
//! (`kwok.x-k8s.io/v1alpha1`): kwok serves the file named in `spec.logs[].logsFile`
//! as the containers' log, so `kubectl logs` and the API's log subresource work.
//!
//! kwok learns of these resources through a watch, so a log asked for right after one
//! is set can come back `no logs found`; each setter therefore waits until kwok's own
//! log endpoint serves the new text ([`Kwok::served`]).

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use kube::Client;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams};
use serde_json::json;

use crate::Error;
use crate::ready::POLL;
use xtenant_testsupport::wait::poll_async;

/// kwok's kubelet endpoint, which serves a container's log for any pod name its
/// `Logs` and `ClusterLogs` match, whether or not the pod exists.
pub struct Kwok<'a> {
    /// A client trusting the control plane's CA (kwok's serving certificate).
    pub http: &'a reqwest::Client,
    /// `https://127.0.0.1:<kwok's port>`.
    pub url: &'a str,
    pub timeout: Duration,
}

/// A pod name no test creates: probing it shows what a namespace's new pods will get.
const PROBE_POD: &str = "xtenant-logs-probe";

impl Kwok<'_> {
    /// Waits until kwok serves `text` as the log of pod `namespace/pod`.
    async fn served(&self, namespace: &str, pod: &str, text: &str) -> Result<(), Error> {
        let url = format!("{}/containerLogs/{namespace}/{pod}/probe", self.url);
        let what = format!("kwok to serve the log set for pod {namespace}/{pod}");
        poll_async(&what, self.timeout, POLL, || async {
            let r = self.http.get(&url).timeout(Duration::from_secs(2)).send();
            let body = r.await.map_err(|e| format!("GET {url}: {e}"))?;
            let body = body.text().await.map_err(|e| format!("GET {url}: {e}"))?;
            if body == text {
                Ok(())
            } else {
                Err(format!("GET {url} gave {body:?}"))
            }
        })
        .await
        .map_err(|e| Error::Setup(e.to_string()))
    }
}

/// Converts plain text into the CRI log format that kwok reads (one
/// `<RFC 3339 time> stdout F <line>` record per line).
pub fn cri_format(text: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        // Strictly increasing timestamps keep the lines in order.
        let _ = writeln!(out, "2025-01-01T00:00:00.{i:09}Z stdout F {line}");
    }
    out
}

fn resource(kind: &str, plural: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("kwok.x-k8s.io", "v1alpha1", kind),
        plural,
    )
}

fn spec(file: &Path) -> serde_json::Value {
    json!([{ "logsFile": file.to_string_lossy(), "follow": false }])
}

/// Gives the pod `namespace/name` the log `text` (all of its containers), once kwok serves it.
pub async fn set_pod_logs(
    client: &Client,
    kwok: &Kwok<'_>,
    dir: &Path,
    namespace: &str,
    name: &str,
    text: &str,
) -> Result<(), Error> {
    let file = dir.join(format!("pod-{namespace}-{name}.log"));
    std::fs::write(&file, cri_format(text)).map_err(|e| Error::io("writing", &file, e))?;
    let ar = resource("Logs", "logs");
    let obj = DynamicObject::new(name, &ar)
        .within(namespace)
        .data(json!({ "spec": { "logs": spec(&file) } }));
    Api::<DynamicObject>::namespaced_with(client.clone(), namespace, &ar)
        .patch(
            name,
            &PatchParams::apply("xtenant-controlplane").force(),
            &Patch::Apply(&obj),
        )
        .await
        .map_err(|e| Error::kube(format!("setting logs of pod {namespace}/{name}"), e))?;
    kwok.served(namespace, name, text).await
}

/// Gives every pod in `namespace` (present or future, e.g. a Job's pods) the log `text`,
/// once kwok serves it.
pub async fn set_namespace_logs(
    client: &Client,
    kwok: &Kwok<'_>,
    dir: &Path,
    namespace: &str,
    text: &str,
) -> Result<(), Error> {
    let file = dir.join(format!("namespace-{namespace}.log"));
    std::fs::write(&file, cri_format(text)).map_err(|e| Error::io("writing", &file, e))?;
    let ar = resource("ClusterLogs", "clusterlogs");
    let name = format!("namespace-{namespace}");
    let obj = DynamicObject::new(&name, &ar).data(json!({
        "spec": { "selector": { "matchNamespaces": [namespace] }, "logs": spec(&file) }
    }));
    Api::<DynamicObject>::all_with(client.clone(), &ar)
        .patch(
            &name,
            &PatchParams::apply("xtenant-controlplane").force(),
            &Patch::Apply(&obj),
        )
        .await
        .map_err(|e| Error::kube(format!("setting logs of pods in namespace {namespace}"), e))?;
    kwok.served(namespace, PROBE_POD, text).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cri_lines_keep_text_and_order() {
        let out = cri_format("first\nSent 100 messages\n");
        let lines: Vec<_> = out.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].ends_with(" stdout F first"), "{}", lines[0]);
        assert!(lines[1].ends_with(" stdout F Sent 100 messages"));
        assert!(lines[0] < lines[1], "timestamps must increase");
    }
}
