//! What `bind` and `unbind` change on an existing workload and its
//! ServiceAccount, as the partial objects server-side apply takes: only the
//! fields xtenant needs, so every other field keeps its manager. Also the
//! checks of the pod template that decide whether binding can work.

use anyhow::{Context, Result};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use kube::api::{ApiResource, DynamicObject};
use serde_json::{Value, json};
use xtenant_shared::Kind;
use xtenant_shared::names::{ANNOTATION_CLIENT_ID, ANNOTATION_TENANT_ID, LABEL_USE};

/// The pod annotation `kubectl rollout restart` sets; a new value rolls the pods.
pub const ANNOTATION_RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";
/// The pod annotation naming containers the webhook leaves alone (`a;b`).
pub const ANNOTATION_SKIP_CONTAINERS: &str = "azure.workload.identity/skip-containers";

/// The kinds of workload `bind` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadKind {
    Deployment,
    StatefulSet,
    DaemonSet,
    CronJob,
    Job,
}

impl WorkloadKind {
    /// kubectl's names: singular, plural, short name, optionally `.group`.
    pub fn parse(text: &str) -> Option<Self> {
        let lower = text.to_ascii_lowercase();
        let name = lower
            .strip_suffix(".apps")
            .or_else(|| lower.strip_suffix(".batch"))
            .unwrap_or(&lower);
        Some(match name {
            "deployment" | "deployments" | "deploy" => Self::Deployment,
            "statefulset" | "statefulsets" | "sts" => Self::StatefulSet,
            "daemonset" | "daemonsets" | "ds" => Self::DaemonSet,
            "cronjob" | "cronjobs" | "cj" => Self::CronJob,
            "job" | "jobs" => Self::Job,
            _ => return None,
        })
    }

    /// The lower-case name used in `kind/name` messages.
    pub fn word(self) -> &'static str {
        match self {
            Self::Deployment => "deployment",
            Self::StatefulSet => "statefulset",
            Self::DaemonSet => "daemonset",
            Self::CronJob => "cronjob",
            Self::Job => "job",
        }
    }

    pub fn api_resource(self) -> ApiResource {
        match self {
            Self::Deployment => ApiResource::erase::<Deployment>(&()),
            Self::StatefulSet => ApiResource::erase::<StatefulSet>(&()),
            Self::DaemonSet => ApiResource::erase::<DaemonSet>(&()),
            Self::CronJob => ApiResource::erase::<CronJob>(&()),
            Self::Job => ApiResource::erase::<Job>(&()),
        }
    }

    /// Whether its controller replaces the pods when the template changes.
    pub fn rolls_out(self) -> bool {
        matches!(self, Self::Deployment | Self::StatefulSet | Self::DaemonSet)
    }

    /// Where the pod template sits in the object.
    fn template_path(self) -> &'static [&'static str] {
        match self {
            Self::CronJob => &["spec", "jobTemplate", "spec", "template"],
            _ => &["spec", "template"],
        }
    }
}

/// A workload named on the command line as `KIND/NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub kind: WorkloadKind,
    pub name: String,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.kind.word(), self.name)
    }
}

/// The clap value parser of `KIND/NAME`.
pub fn parse_target(text: &str) -> Result<Target, String> {
    let usage = "expected KIND/NAME with KIND one of deployment, statefulset, daemonset, cronjob, job (e.g. deployment/web)";
    let (kind, name) = text.split_once('/').ok_or(usage)?;
    let kind = WorkloadKind::parse(kind).ok_or(usage)?;
    // Workload names are DNS-1123 subdomains, as ServiceAccount names are.
    if !Kind::ServiceAccount.accepts(name) {
        return Err(format!("{name:?}: {}", Kind::ServiceAccount.rule()));
    }
    Ok(Target {
        kind,
        name: name.to_string(),
    })
}

/// The object's pod template.
pub fn pod_template(kind: WorkloadKind, obj: &DynamicObject) -> Result<PodTemplateSpec> {
    let mut node = &obj.data;
    for key in kind.template_path() {
        node = &node[*key];
    }
    serde_json::from_value(node.clone()).context("reading the pod template")
}

/// The ServiceAccount the pods run as (none named: the namespace's `default`).
pub fn service_account_name(template: &PodTemplateSpec) -> String {
    template
        .spec
        .as_ref()
        .and_then(|s| s.service_account_name.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "default".to_string())
}

/// A pod-template annotation's value.
pub fn template_annotation<'a>(template: &'a PodTemplateSpec, key: &str) -> Option<&'a str> {
    let m = template.metadata.as_ref()?.annotations.as_ref()?;
    m.get(key).map(String::as_str)
}

/// Whether the pod template carries the label the webhook looks for.
pub fn is_labelled(template: &PodTemplateSpec) -> bool {
    let labels = template.metadata.as_ref().and_then(|m| m.labels.as_ref());
    labels.and_then(|l| l.get(LABEL_USE)).map(String::as_str) == Some("true")
}

/// The head of a partial object: enough for server-side apply to find it.
fn head(ar: &ApiResource, name: &str, namespace: &str) -> Value {
    json!({
        "apiVersion": ar.api_version,
        "kind": ar.kind,
        "metadata": {"name": name, "namespace": namespace},
    })
}

/// The ServiceAccount annotations bind applies.
pub fn service_account_patch(name: &str, ns: &str, client_id: &str, tenant: &str) -> Value {
    let mut sa = head(
        &ApiResource::erase::<k8s_openapi::api::core::v1::ServiceAccount>(&()),
        name,
        ns,
    );
    sa["metadata"]["annotations"] = json!({
        ANNOTATION_CLIENT_ID: client_id,
        ANNOTATION_TENANT_ID: tenant,
    });
    sa
}

/// The workload fields bind applies: the label on the pod template and,
/// to roll the pods, the restart annotation.
pub fn workload_patch(target: &Target, ns: &str, restarted_at: Option<&str>) -> Value {
    let mut meta = json!({"labels": {LABEL_USE: "true"}});
    if let Some(at) = restarted_at {
        meta["annotations"] = json!({ANNOTATION_RESTARTED_AT: at});
    }
    let mut template = json!({"metadata": meta});
    for key in target.kind.template_path().iter().rev() {
        template = json!({ *key: template });
    }
    let mut obj = head(&target.kind.api_resource(), &target.name, ns);
    obj["spec"] = template["spec"].take();
    obj
}

/// The empty configuration unbind applies: server-side apply then removes
/// every field the xtenant manager owned and no other manager shares.
pub fn release_patch(ar: &ApiResource, name: &str, ns: &str) -> Value {
    head(ar, name, ns)
}

/// Whether `manager` owns the field at `path` (e.g. `["spec", "template",
/// "metadata", "annotations", "kubectl.kubernetes.io/restartedAt"]`) through
/// an Apply entry of the object's managedFields.
pub fn applied_by(obj: &DynamicObject, manager: &str, path: &[&str]) -> bool {
    let entries = obj.metadata.managed_fields.iter().flatten();
    entries
        .filter(|e| {
            e.manager.as_deref() == Some(manager) && e.operation.as_deref() == Some("Apply")
        })
        .filter_map(|e| e.fields_v1.as_ref())
        .any(|f| {
            let mut node = &f.0;
            path.iter().all(|key| match node.get(format!("f:{key}")) {
                Some(next) => {
                    node = next;
                    true
                }
                None => false,
            })
        })
}

/// The restart annotation's value for `now`, to the millisecond (so two
/// binds within a second still roll the pods), and never `current`.
pub fn restart_stamp(now: k8s_openapi::jiff::Timestamp, current: Option<&str>) -> String {
    let stamp = |t: k8s_openapi::jiff::Timestamp| t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let first = stamp(now);
    if current != Some(first.as_str()) {
        return first;
    }
    stamp(now + k8s_openapi::jiff::SignedDuration::from_millis(1))
}

/// A patch as YAML for `kubectl apply`, with strings that look like
/// timestamps quoted: YAML 1.1 readers would take them for timestamps.
pub fn to_yaml(patch: &Value) -> Result<String> {
    let plain = serde_yaml::to_string(patch).context("writing the patch as YAML")?;
    let mut out = String::with_capacity(plain.len());
    for line in plain.lines() {
        match line.split_once(": ") {
            Some((key, value)) if value.parse::<k8s_openapi::jiff::Timestamp>().is_ok() => {
                out.push_str(&format!("{key}: '{value}'\n"));
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    Ok(out)
}

/// The managedFields path of the restart annotation in `kind`'s template.
pub fn restarted_at_path(kind: WorkloadKind) -> Vec<&'static str> {
    let mut path = kind.template_path().to_vec();
    path.extend(["metadata", "annotations", ANNOTATION_RESTARTED_AT]);
    path
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn deployment(template: &Value) -> DynamicObject {
        serde_json::from_value(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": template},
        }))
        .expect("object")
    }

    #[test]
    fn targets_parse_like_kubectl() {
        let t = parse_target("deploy/web").expect("parses");
        assert_eq!(t.kind, WorkloadKind::Deployment);
        assert_eq!(t.to_string(), "deployment/web");
        assert_eq!(
            parse_target("CronJob.batch/nightly").expect("parses").kind,
            WorkloadKind::CronJob
        );
        assert!(parse_target("web").is_err());
        assert!(parse_target("pod/web").is_err());
        assert!(parse_target("deployment/Web_1").is_err());
    }

    #[test]
    fn the_workload_patch_touches_only_the_template_label_and_restart() {
        let t = parse_target("deployment/web").expect("parses");
        let p = workload_patch(&t, "ns", Some("2026-01-01T00:00:00Z"));
        assert_eq!(
            p,
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                   "metadata": {"name": "web", "namespace": "ns"},
                   "spec": {"template": {"metadata": {
                       "labels": {LABEL_USE: "true"},
                       "annotations": {ANNOTATION_RESTARTED_AT: "2026-01-01T00:00:00Z"}}}}})
        );
        let t = parse_target("cronjob/nightly").expect("parses");
        let p = workload_patch(&t, "ns", None);
        assert_eq!(
            p["spec"],
            json!({"jobTemplate": {"spec": {"template": {"metadata": {"labels": {LABEL_USE: "true"}}}}}})
        );
        assert_eq!(p["apiVersion"], "batch/v1");
    }

    #[test]
    fn restart_stamps_have_milliseconds_and_always_change() {
        let now: k8s_openapi::jiff::Timestamp =
            "2026-01-01T00:00:00.123456Z".parse().expect("time");
        let first = restart_stamp(now, None);
        assert_eq!(first, "2026-01-01T00:00:00.123Z");
        assert_eq!(restart_stamp(now, Some(&first)), "2026-01-01T00:00:00.124Z");
        let whole: k8s_openapi::jiff::Timestamp = "2026-01-01T00:00:00Z".parse().expect("time");
        assert_eq!(restart_stamp(whole, None), "2026-01-01T00:00:00.000Z");
    }

    #[test]
    fn timestamps_in_yaml_stay_strings() {
        let t = parse_target("deployment/web").expect("parses");
        let p = workload_patch(&t, "ns", Some("2026-01-01T00:00:00.123Z"));
        let yaml = to_yaml(&p).expect("yaml");
        assert!(
            yaml.contains("kubectl.kubernetes.io/restartedAt: '2026-01-01T00:00:00.123Z'"),
            "{yaml}"
        );
        let back: Value = serde_yaml::from_str(&yaml).expect("valid YAML");
        assert_eq!(back, p);
    }

    #[test]
    fn template_and_service_account_are_read() {
        let d = deployment(&json!({"metadata": {"labels": {"app": "web"}},
                                  "spec": {"serviceAccountName": "api", "containers": []}}));
        let t = pod_template(WorkloadKind::Deployment, &d).expect("template");
        assert_eq!(service_account_name(&t), "api");
        assert!(!is_labelled(&t));
        let d = deployment(&json!({"spec": {"containers": []}}));
        let t = pod_template(WorkloadKind::Deployment, &d).expect("template");
        assert_eq!(service_account_name(&t), "default");
    }

    #[test]
    fn ownership_is_read_from_managed_fields() {
        let mut d = deployment(&json!({}));
        d.metadata.managed_fields = serde_json::from_value(json!([
            {"manager": "xtenant", "operation": "Apply", "fieldsType": "FieldsV1",
             "fieldsV1": {"f:spec": {"f:template": {"f:metadata": {"f:annotations":
                 {"f:kubectl.kubernetes.io/restartedAt": {}}}}}}},
            {"manager": "helm", "operation": "Apply", "fieldsType": "FieldsV1",
             "fieldsV1": {"f:spec": {"f:replicas": {}}}},
        ]))
        .expect("fields");
        let path = restarted_at_path(WorkloadKind::Deployment);
        assert!(applied_by(&d, "xtenant", &path));
        assert!(!applied_by(&d, "helm", &path));
        assert!(applied_by(&d, "helm", &["spec", "replicas"]));
    }
}
