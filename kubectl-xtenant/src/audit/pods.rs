//! The workloads and pods: a workload labelled on the object while its pod
//! template is not; a labelled pod created before its ServiceAccount's
//! current annotations; a container whose effective `AZURE_TENANT_ID` is not
//! the tenant the ServiceAccount names. The pod checks are `verify
//! KIND/NAME`'s, made on every labelled pod of the scope.

use k8s_openapi::api::core::v1::{Container, Pod};
use xtenant_shared::names::{ANNOTATION_TENANT_ID, LABEL_USE};

use super::about;
use super::accounts::{annotation, is_annotated};
use super::inventory::{Inventory, Workload};
use super::known::Known;
use crate::checks::pod;
use crate::checks::workload::{created_check, each_container, restart_fix};
use crate::output::Check;
use crate::workload::binding::{self, WorkloadKind};
use crate::workload::owned_pods;

const TENANT_VAR: &str = "AZURE_TENANT_ID";

/// The label check of every workload that carries the label anywhere.
pub fn workload_checks(inventory: &Inventory) -> Vec<Check> {
    let mut checks = Vec::new();
    for w in &inventory.workloads {
        let Ok(template) = binding::pod_template(w.kind, &w.object) else {
            continue;
        };
        let on_template = binding::is_labelled(&template);
        let on_object = object_labelled(w);
        if !on_template && !on_object {
            continue;
        }
        let target = w.target();
        let ns = w.namespace();
        let check = if on_template {
            Check::pass("label", format!("{LABEL_USE}=true on the pod template"))
        } else {
            let recreate = if w.kind == WorkloadKind::Job {
                " --recreate"
            } else {
                ""
            };
            Check::fail(
                "label",
                format!(
                    "{LABEL_USE}=true is on the {} object, not on its pod template: the webhook only reads pod labels, so its pods get no identity",
                    w.kind.word()
                ),
                format!("kubectl xtenant bind {target} -n {ns}{recreate}"),
            )
        };
        checks.push(about(ns, w.kind.word(), &target.name, check));
    }
    checks
}

/// The label on the object's own metadata (a CronJob's Job template too).
fn object_labelled(w: &Workload) -> bool {
    let is_true = |labels: &serde_json::Value| labels[LABEL_USE] == "true";
    let own = w.object.metadata.labels.as_ref();
    let own = own.and_then(|l| l.get(LABEL_USE)).map(String::as_str) == Some("true");
    let job_template = &w.object.data["spec"]["jobTemplate"]["metadata"]["labels"];
    own || (w.kind == WorkloadKind::CronJob && is_true(job_template))
}

/// The checks of every labelled, current pod whose ServiceAccount is annotated.
pub fn pod_checks(inventory: &Inventory, known: &Known) -> Vec<Check> {
    let mut checks = Vec::new();
    for pod in &inventory.pods {
        let labelled = pod.metadata.labels.as_ref().and_then(|l| l.get(LABEL_USE));
        if labelled.map(String::as_str) != Some("true")
            || pod.metadata.deletion_timestamp.is_some()
            || owned_pods::finished(pod)
        {
            continue;
        }
        let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
        let sa_name = pod_service_account(pod);
        let Some(sa) = inventory
            .service_account(ns, &sa_name)
            .filter(|sa| is_annotated(sa))
        else {
            continue;
        };
        let workload = inventory.controller(&pod.metadata);
        let name = pod.metadata.name.as_deref().unwrap_or_default();
        let annotated = owned_pods::annotated_at(sa);
        let restart = created_check(pod, annotated.as_ref(), || match workload {
            Some(w) => restart_fix(&w.target(), Some(ns)),
            None => format!("kubectl delete pod {name} -n {ns}, then create it again"),
        });
        let stale = restart.failed();
        checks.push(about(ns, "pod", name, restart));
        if stale {
            // Its environment is what the old annotations gave: checked
            // again once it is replaced.
            continue;
        }
        let tenant = annotation(sa, ANNOTATION_TENANT_ID)
            .map(str::to_string)
            .or_else(|| known.tenant_b(ns, &sa_name));
        let Some(tenant) = tenant else {
            let why = format!(
                "serviceaccount/{sa_name} has no {ANNOTATION_TENANT_ID} and the profile names no Tenant B for it"
            );
            checks.push(about(ns, "pod", name, Check::skip(TENANT_VAR, why)));
            continue;
        };
        let per_container = each_container(pod, |c| vec![tenant_check(c, &tenant, workload, ns)]);
        for check in per_container {
            checks.push(Check {
                id: format!("{ns}/pod/{}", check.id),
                ..check
            });
        }
    }
    checks
}

fn pod_service_account(pod: &Pod) -> String {
    let spec = pod.spec.as_ref();
    let name = spec.and_then(|s| s.service_account_name.clone());
    name.filter(|n| !n.is_empty())
        .unwrap_or_else(|| "default".into())
}

/// `inspect`'s tenant check, with the command that sets the tenant in the
/// workload's template.
fn tenant_check(c: &Container, tenant: &str, workload: Option<&Workload>, ns: &str) -> Check {
    let check = pod::tenant_check(c, tenant);
    if !check.failed() {
        return check;
    }
    let set = format!("-c {} {TENANT_VAR}={tenant}", c.name);
    let fix = match workload {
        Some(w) if w.kind != WorkloadKind::Job => {
            format!("kubectl set env {} -n {ns} {set}", w.target())
        }
        Some(w) => format!(
            "set {TENANT_VAR}={tenant} in container {} of {}'s manifest and create it again (a Job's pod template cannot change)",
            c.name,
            w.target()
        ),
        None => format!(
            "set {TENANT_VAR}={tenant} in container {} of the pod's manifest and create it again",
            c.name
        ),
    };
    Check {
        fix: Some(fix),
        ..check
    }
}
