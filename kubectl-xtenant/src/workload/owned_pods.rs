//! The current pods of a workload, found through its selector and kept only
//! when the workload owns them: directly (StatefulSet, DaemonSet, Job),
//! through a ReplicaSet (Deployment) or through a Job (CronJob). Pods being
//! deleted are not current; neither are a CronJob's finished ones.

use std::collections::BTreeSet;

use anyhow::{Context, Result};
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Pod, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, Time};
use kube::Client;
use kube::api::{Api, DynamicObject, ListParams};
use kube::core::Selector;
use xtenant_shared::names::{ANNOTATION_CLIENT_ID, ANNOTATION_TENANT_ID};

use crate::workload::binding::WorkloadKind;

/// The label every pod of a Job carries.
const JOB_POD_LABEL: &str = "batch.kubernetes.io/controller-uid";

/// Whether `meta` names one of `owners` (by uid) as its controller.
fn owned_by(meta: &ObjectMeta, owners: &BTreeSet<String>) -> bool {
    let refs = meta.owner_references.iter().flatten();
    refs.filter(|r| r.controller == Some(true))
        .any(|r| owners.contains(&r.uid))
}

/// The list parameters of the workload's own label selector.
fn selector_params(obj: &DynamicObject) -> Result<ListParams> {
    let selector: LabelSelector = serde_json::from_value(obj.data["spec"]["selector"].clone())
        .context("reading spec.selector")?;
    let selector = Selector::try_from(selector).context("reading spec.selector")?;
    Ok(ListParams::default().labels_from(&selector))
}

/// The uids of what `uid` controls among `api`'s objects.
async fn controlled<K>(api: Api<K>, params: &ListParams, uid: &str) -> Result<BTreeSet<String>>
where
    K: kube::Resource + Clone + std::fmt::Debug + serde::de::DeserializeOwned,
{
    let owner = BTreeSet::from([uid.to_string()]);
    let list = api.list(params).await.context("listing owned objects")?;
    Ok(list
        .items
        .iter()
        .map(kube::Resource::meta)
        .filter(|m| owned_by(m, &owner))
        .filter_map(|m| m.uid.clone())
        .collect())
}

/// The workload's current pods, by name.
pub async fn current(
    client: &Client,
    ns: &str,
    kind: WorkloadKind,
    obj: &DynamicObject,
) -> Result<Vec<Pod>> {
    let uid = obj
        .metadata
        .uid
        .as_deref()
        .context("the workload has no uid")?;
    let (params, owners) = match kind {
        WorkloadKind::Deployment => {
            let params = selector_params(obj)?;
            let sets: Api<ReplicaSet> = Api::namespaced(client.clone(), ns);
            let owners = controlled(sets, &params, uid).await?;
            (params, owners)
        }
        WorkloadKind::CronJob => {
            let jobs: Api<Job> = Api::namespaced(client.clone(), ns);
            let owners = controlled(jobs, &ListParams::default(), uid).await?;
            (ListParams::default().labels(JOB_POD_LABEL), owners)
        }
        _ => (selector_params(obj)?, BTreeSet::from([uid.to_string()])),
    };
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let list = pods
        .list(&params)
        .await
        .with_context(|| format!("listing the pods of {}", kind.word()))?;
    let mut current: Vec<Pod> = list
        .items
        .into_iter()
        .filter(|p| owned_by(&p.metadata, &owners) && p.metadata.deletion_timestamp.is_none())
        .filter(|p| kind != WorkloadKind::CronJob || !finished(p))
        .collect();
    current.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    Ok(current)
}

/// Whether the pod has run to its end (Succeeded or Failed).
pub fn finished(pod: &Pod) -> bool {
    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
    matches!(phase, Some("Succeeded" | "Failed"))
}

/// When the ServiceAccount's workload identity annotations were last set:
/// the newest time of a managedFields entry that owns one of them.
pub fn annotated_at(sa: &ServiceAccount) -> Option<Time> {
    let entries = sa.metadata.managed_fields.iter().flatten();
    entries
        .filter(|e| {
            let fields = e.fields_v1.as_ref().map(|f| &f.0);
            let annotations = fields.and_then(|f| f.get("f:metadata")?.get("f:annotations"));
            annotations.is_some_and(|a| {
                [ANNOTATION_CLIENT_ID, ANNOTATION_TENANT_ID]
                    .iter()
                    .any(|k| a.get(format!("f:{k}")).is_some())
            })
        })
        .filter_map(|e| e.time.clone())
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_annotation_time_is_the_newest_entry_that_owns_an_annotation() {
        let sa: ServiceAccount = serde_json::from_value(json!({
            "metadata": {"name": "web", "managedFields": [
                {"manager": "helm", "operation": "Apply", "time": "2026-01-01T00:00:00Z",
                 "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:annotations": {"f:meta.helm.sh/release-name": {}}}}},
                {"manager": "xtenant", "operation": "Apply", "time": "2026-01-02T00:00:00Z",
                 "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:annotations": {
                     "f:azure.workload.identity/client-id": {}, "f:azure.workload.identity/tenant-id": {}}}}},
                {"manager": "kubectl", "operation": "Update", "time": "2026-01-03T00:00:00Z",
                 "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:labels": {"f:x": {}}}}},
            ]}
        }))
        .expect("sa");
        let at = annotated_at(&sa).expect("annotated");
        assert_eq!(at.0.to_string(), "2026-01-02T00:00:00Z");
        assert_eq!(annotated_at(&ServiceAccount::default()), None);
    }

    #[test]
    fn only_controller_references_own() {
        let meta: ObjectMeta = serde_json::from_value(json!({"ownerReferences": [
            {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "a", "uid": "u1", "controller": false},
            {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "b", "uid": "u2", "controller": true},
        ]}))
        .expect("meta");
        assert!(!owned_by(&meta, &BTreeSet::from(["u1".to_string()])));
        assert!(owned_by(&meta, &BTreeSet::from(["u2".to_string()])));
    }
}
