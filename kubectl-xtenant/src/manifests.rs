//! The objects `deploy` applies: the annotated ServiceAccount and the
//! producer Job of the manual procedure, labelled as managed by xtenant.

use std::collections::BTreeMap;

use anyhow::Result;
use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{Container, EnvVar, PodSpec, PodTemplateSpec, ServiceAccount};
use kube::api::ObjectMeta;
use xtenant_shared::names::{ANNOTATION_CLIENT_ID, ANNOTATION_TENANT_ID, LABEL_USE};

/// Label on everything xtenant applies; `cleanup` deletes nothing else.
pub const LABEL_MANAGED_BY: &str = "app.kubernetes.io/managed-by";
pub const MANAGED_BY: &str = "xtenant";
/// Field manager for server-side apply.
pub const FIELD_MANAGER: &str = "xtenant";
/// Annotation on the Job holding a hash of its pod template: Job templates
/// are immutable, so a different hash means the Job must be replaced.
pub const ANNOTATION_TEMPLATE_HASH: &str = "xtenant/template-hash";

/// What the workload needs, resolved from flags and profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    pub namespace: String,
    pub service_account: String,
    pub job_name: String,
    pub client_id: String,
    pub tenant_b: String,
    pub servicebus_hostname: String,
    pub queue: String,
    pub messages: u32,
    pub image: String,
    pub backoff_limit: i32,
}

fn managed_labels() -> BTreeMap<String, String> {
    BTreeMap::from([(LABEL_MANAGED_BY.to_string(), MANAGED_BY.to_string())])
}

/// The ServiceAccount, annotated with the identity's client and tenant IDs.
pub fn service_account(w: &Workload) -> ServiceAccount {
    ServiceAccount {
        metadata: ObjectMeta {
            name: Some(w.service_account.clone()),
            namespace: Some(w.namespace.clone()),
            labels: Some(managed_labels()),
            annotations: Some(BTreeMap::from([
                (ANNOTATION_CLIENT_ID.to_string(), w.client_id.clone()),
                (ANNOTATION_TENANT_ID.to_string(), w.tenant_b.clone()),
            ])),
            ..ObjectMeta::default()
        },
        ..ServiceAccount::default()
    }
}

fn env(name: &str, value: &str) -> EnvVar {
    EnvVar {
        name: name.to_string(),
        value: Some(value.to_string()),
        value_from: None,
    }
}

/// The producer Job's pod template.
pub fn pod_template(w: &Workload) -> PodTemplateSpec {
    let mut labels = managed_labels();
    labels.insert(LABEL_USE.to_string(), "true".to_string());
    let container = Container {
        name: w.job_name.clone(),
        image: Some(w.image.clone()),
        env: Some(vec![
            env("OPERATION_MODE", "producer"),
            env("MESSAGE_COUNT", &w.messages.to_string()),
            env("AZURE_SERVICEBUS_QUEUE_NAME", &w.queue),
            env("AZURE_SERVICEBUS_HOSTNAME", &w.servicebus_hostname),
            // Set in `env` so the webhook leaves it alone; it would otherwise
            // add Tenant A, the cluster's tenant.
            env("AZURE_TENANT_ID", &w.tenant_b),
        ]),
        ..Container::default()
    };
    PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(labels),
            ..ObjectMeta::default()
        }),
        spec: Some(PodSpec {
            service_account_name: Some(w.service_account.clone()),
            restart_policy: Some("Never".to_string()),
            containers: vec![container],
            ..PodSpec::default()
        }),
    }
}

/// The producer Job, carrying the hash of its template.
pub fn job(w: &Workload) -> Result<Job> {
    let template = pod_template(w);
    let hash = template_hash(&template, w.backoff_limit)?;
    Ok(Job {
        metadata: ObjectMeta {
            name: Some(w.job_name.clone()),
            namespace: Some(w.namespace.clone()),
            labels: Some(managed_labels()),
            annotations: Some(BTreeMap::from([(
                ANNOTATION_TEMPLATE_HASH.to_string(),
                hash,
            )])),
            ..ObjectMeta::default()
        },
        spec: Some(JobSpec {
            backoff_limit: Some(w.backoff_limit),
            template,
            ..JobSpec::default()
        }),
        status: None,
    })
}

/// A stable hash (FNV-1a, 64 bit) of the template's JSON; stable across
/// builds, unlike the standard library's hasher.
pub fn template_hash(template: &PodTemplateSpec, backoff_limit: i32) -> Result<String> {
    let mut bytes = serde_json::to_vec(template)?;
    bytes.extend_from_slice(&backoff_limit.to_le_bytes());
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    Ok(format!("{hash:016x}"))
}

/// The hash recorded on an existing Job, if xtenant applied it.
pub fn recorded_hash(job: &Job) -> Option<&str> {
    job.metadata
        .annotations
        .as_ref()?
        .get(ANNOTATION_TEMPLATE_HASH)
        .map(String::as_str)
}

/// Both objects as a YAML stream, for `--dry-run`.
pub fn to_yaml(w: &Workload) -> Result<String> {
    let sa = with_type(
        serde_json::to_value(service_account(w))?,
        "v1",
        "ServiceAccount",
    );
    let job = with_type(serde_json::to_value(job(w)?)?, "batch/v1", "Job");
    Ok(format!(
        "{}---\n{}",
        serde_yaml::to_string(&sa)?,
        serde_yaml::to_string(&job)?
    ))
}

fn with_type(value: serde_json::Value, api_version: &str, kind: &str) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    out.insert("apiVersion".into(), api_version.into());
    out.insert("kind".into(), kind.into());
    if let serde_json::Value::Object(fields) = value {
        out.extend(
            fields
                .into_iter()
                .filter(|(k, _)| k != "apiVersion" && k != "kind"),
        );
    }
    serde_json::Value::Object(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn workload() -> Workload {
        Workload {
            namespace: "default".into(),
            service_account: "myserviceaccount".into(),
            job_name: "myproducer".into(),
            client_id: "11111111-1111-1111-1111-111111111111".into(),
            tenant_b: "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb".into(),
            servicebus_hostname: "sb-x.servicebus.windows.net".into(),
            queue: "myqueue".into(),
            messages: 100,
            image: xtenant_shared::names::DEFAULT_IMAGE.into(),
            backoff_limit: 0,
        }
    }

    #[test]
    fn service_account_carries_both_annotations() {
        let sa = service_account(&workload());
        let ann = sa.metadata.annotations.expect("annotations");
        assert_eq!(
            ann[ANNOTATION_CLIENT_ID],
            "11111111-1111-1111-1111-111111111111"
        );
        assert_eq!(
            ann[ANNOTATION_TENANT_ID],
            "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"
        );
        assert_eq!(
            sa.metadata.labels.expect("labels")[LABEL_MANAGED_BY],
            "xtenant"
        );
    }

    #[test]
    fn job_matches_the_procedure() {
        let job = job(&workload()).expect("job");
        let template = job.spec.expect("spec").template;
        let labels = template.metadata.expect("meta").labels.expect("labels");
        assert_eq!(labels[LABEL_USE], "true");
        let spec = template.spec.expect("pod spec");
        assert_eq!(spec.restart_policy.as_deref(), Some("Never"));
        assert_eq!(
            spec.service_account_name.as_deref(),
            Some("myserviceaccount")
        );
        let env: BTreeMap<_, _> = spec.containers[0]
            .env
            .iter()
            .flatten()
            .map(|e| (e.name.as_str(), e.value.as_deref().unwrap_or_default()))
            .collect();
        assert_eq!(env["OPERATION_MODE"], "producer");
        assert_eq!(env["MESSAGE_COUNT"], "100");
        assert_eq!(env["AZURE_SERVICEBUS_QUEUE_NAME"], "myqueue");
        assert_eq!(
            env["AZURE_SERVICEBUS_HOSTNAME"],
            "sb-x.servicebus.windows.net"
        );
        assert_eq!(
            env["AZURE_TENANT_ID"],
            "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"
        );
        assert_eq!(
            spec.containers[0].image.as_deref(),
            Some("ghcr.io/azure-samples/aks-app-samples/servicebusdemo:latest")
        );
    }

    #[test]
    fn hash_changes_with_the_template_only() {
        let a = job(&workload()).expect("job");
        let b = job(&workload()).expect("job");
        assert_eq!(recorded_hash(&a), recorded_hash(&b));
        let mut w = workload();
        w.messages = 5;
        let c = job(&w).expect("job");
        assert_ne!(recorded_hash(&a), recorded_hash(&c));
    }

    #[test]
    fn yaml_has_both_documents_with_types() {
        let yaml = to_yaml(&workload()).expect("yaml");
        let docs: Vec<&str> = yaml.split("---\n").collect();
        assert_eq!(docs.len(), 2, "{yaml}");
        assert!(
            docs[0].starts_with("apiVersion: v1\nkind: ServiceAccount\n"),
            "{yaml}"
        );
        assert!(
            docs[1].starts_with("apiVersion: batch/v1\nkind: Job\n"),
            "{yaml}"
        );
        assert!(
            docs[1].contains("azure.workload.identity/use: 'true'"),
            "{yaml}"
        );
    }
}
