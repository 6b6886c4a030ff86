//! A Job's pod template cannot change once created, so `bind job/NAME
//! --recreate` deletes the Job and creates it again from what it was: its
//! spec kept, the fields the API server and the Job controller generated
//! dropped (they are generated again), the webhook's label on the template.

use std::time::Duration;

use anyhow::{Context, Result};
use k8s_openapi::api::batch::v1::Job;
use kube::api::{Api, DynamicObject, PostParams};
use serde_json::{Map, Value};
use xtenant_shared::names::LABEL_USE;
use xtenant_shared::output::Format;

use super::Found;
use super::binding::{Target, WorkloadKind};
use super::job::delete_job;
use crate::exit::Usage;
use crate::manifests::FIELD_MANAGER;
use crate::output::{Check, progress};
use crate::wait::Deadline;

/// The labels the API server puts on a Job's pod template (and, when the Job
/// has none of its own, on the Job) to select its pods.
pub const GENERATED_LABELS: [&str; 4] = [
    "controller-uid",
    "batch.kubernetes.io/controller-uid",
    "job-name",
    "batch.kubernetes.io/job-name",
];

/// Metadata the API server sets on every object.
const GENERATED_METADATA: [&str; 8] = [
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "managedFields",
    "generation",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
];

/// The Job to create in place of `job`, with the pod template labelled
/// `azure.workload.identity/use: "true"` when `label` (else without it).
pub fn job(job: &DynamicObject, label: bool) -> Value {
    let mut out = Map::new();
    if let Some(types) = &job.types {
        out.insert("apiVersion".into(), types.api_version.clone().into());
        out.insert("kind".into(), types.kind.clone().into());
    }
    let mut meta = serde_json::to_value(&job.metadata).unwrap_or_default();
    if let Some(m) = meta.as_object_mut() {
        for key in GENERATED_METADATA {
            m.remove(key);
        }
    }
    let mut spec = job.data["spec"].clone();
    // A selector the user wrote (manualSelector) is theirs; else generated.
    if spec["manualSelector"] != Value::Bool(true) {
        if let Some(s) = spec.as_object_mut() {
            s.remove("selector");
        }
        drop_generated_labels(&mut meta);
        drop_generated_labels(&mut spec["template"]["metadata"]);
    }
    let labels = &mut spec["template"]["metadata"]["labels"];
    if label {
        labels[LABEL_USE] = "true".into();
    } else if let Some(l) = labels.as_object_mut() {
        l.remove(LABEL_USE);
    }
    out.insert("metadata".into(), meta);
    out.insert("spec".into(), spec);
    Value::Object(out)
}

/// What a dry run of `--recreate` would do, besides the printed objects.
pub fn dry_run_check(target: &Target) -> Check {
    Check::pass(
        "workload",
        format!(
            "{target} would be deleted with its pods and created again as printed (dry run: nothing changed)"
        ),
    )
}

/// Deletes the Job with its pods, waits until it is gone, and creates
/// `replacement` in its place (as `xtenant`).
pub async fn replace(
    found: &Found,
    replacement: &Value,
    timeout: Duration,
    format: Format,
) -> Result<Check> {
    let name = found.object.metadata.name.clone().unwrap_or_default();
    let target = format!("job/{name}");
    let ns = found.object.metadata.namespace.clone().unwrap_or_default();
    let job: Job = serde_json::from_value(serde_json::to_value(&found.object)?)
        .with_context(|| format!("reading {target}"))?;
    let jobs: Api<Job> = Api::namespaced(found.api.clone().into_client(), &ns);
    progress(format, &format!("deleting {target} and its pods"));
    delete_job(&jobs, &job, Deadline::after(timeout)).await?;
    let object: DynamicObject =
        serde_json::from_value(replacement.clone()).context("building the new Job")?;
    let params = PostParams {
        field_manager: Some(FIELD_MANAGER.to_string()),
        ..PostParams::default()
    };
    if let Err(e) = found.api.create(&params, &object).await {
        // The Job is gone: leave its definition where the user can apply it.
        let yaml = crate::workload::binding::to_yaml(replacement).unwrap_or_default();
        return Err(anyhow::Error::new(e).context(format!(
            "creating {target} again failed after it was deleted; save this as a file and `kubectl apply -f` it (or create the Job from its manifest):\n{yaml}"
        )));
    }
    let label = if replacement["spec"]["template"]["metadata"]["labels"][LABEL_USE] == "true" {
        "with"
    } else {
        "without"
    };
    Ok(Check::pass(
        "workload",
        format!(
            "{target}: deleted with its pods and created again {label} the pod template label {LABEL_USE}=true; the webhook mutates its new pods"
        ),
    ))
}

/// Removes the generated selector labels; an emptied map goes too.
fn drop_generated_labels(meta: &mut Value) {
    let Some(m) = meta.as_object_mut() else {
        return;
    };
    if let Some(Value::Object(labels)) = m.get_mut("labels") {
        for key in GENERATED_LABELS {
            labels.remove(key);
        }
        if labels.is_empty() {
            m.remove("labels");
        }
    }
}

/// A Job's template cannot change: without `--recreate`, explain and change
/// nothing. `--recreate` is for a Job only.
pub fn check_recreate(target: &Target, verb: &str, recreate: bool) -> Result<()> {
    if target.kind != WorkloadKind::Job && recreate {
        return Err(Usage(format!(
            "--recreate is for a Job, whose pod template cannot change; {target}'s can: run `kubectl xtenant {verb} {target}` without it; nothing was changed"
        ))
        .into());
    }
    if target.kind != WorkloadKind::Job || recreate {
        return Ok(());
    }
    Err(Usage(format!(
        "cannot {verb} {target} in place: a Job's pod template is immutable once created, and the webhook only mutates pods created with the label. \
         Run `kubectl xtenant {verb} {target} --recreate` to delete the Job with its pods and create it again (the rest of its spec kept), \
         or change spec.template.metadata.labels in its manifest and create it again (or {verb} the CronJob that creates it); nothing was changed"
    ))
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn as_created() -> DynamicObject {
        let generated = json!({"batch.kubernetes.io/controller-uid": "u1", "batch.kubernetes.io/job-name": "once",
                               "controller-uid": "u1", "job-name": "once"});
        let mut template_labels = generated.clone();
        template_labels["app"] = json!("once");
        serde_json::from_value(json!({
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": "once", "namespace": "ns", "uid": "u1", "resourceVersion": "7",
                         "creationTimestamp": "2026-01-01T00:00:00Z", "generation": 1,
                         "labels": generated, "annotations": {"team": "a"},
                         "managedFields": [{"manager": "kubectl", "operation": "Update"}]},
            "spec": {"backoffLimit": 2, "completions": 1,
                     "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "u1"}},
                     "template": {"metadata": {"labels": template_labels},
                                  "spec": {"serviceAccountName": "w", "restartPolicy": "Never",
                                           "containers": [{"name": "c", "image": "i"}]}}},
            "status": {"active": 1},
        }))
        .expect("job")
    }

    #[test]
    fn the_recreated_job_keeps_its_spec_and_drops_what_was_generated() {
        let j = job(&as_created(), true);
        assert_eq!(
            j,
            json!({
                "apiVersion": "batch/v1", "kind": "Job",
                "metadata": {"name": "once", "namespace": "ns", "annotations": {"team": "a"}},
                "spec": {"backoffLimit": 2, "completions": 1,
                         "template": {"metadata": {"labels": {"app": "once", LABEL_USE: "true"}},
                                      "spec": {"serviceAccountName": "w", "restartPolicy": "Never",
                                               "containers": [{"name": "c", "image": "i"}]}}},
            })
        );
        let without = job(&as_created(), false);
        assert_eq!(
            without["spec"]["template"]["metadata"]["labels"],
            json!({"app": "once"})
        );
    }

    #[test]
    fn a_manual_selector_is_kept() {
        let mut j = as_created();
        j.data["spec"]["manualSelector"] = json!(true);
        let out = job(&j, true);
        assert_eq!(
            out["spec"]["selector"],
            json!({"matchLabels": {"batch.kubernetes.io/controller-uid": "u1"}})
        );
        assert_eq!(
            out["spec"]["template"]["metadata"]["labels"]["job-name"],
            "once"
        );
    }
}
