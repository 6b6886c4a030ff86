//! What `verify KIND/NAME` checks: the checks `verify` makes on the demo Job's pod, made
//! on every current pod of a workload and on each of its containers (init
//! containers included), plus whether each pod was created after its
//! ServiceAccount got the identity's annotations: the webhook only mutates
//! pods when they are created. With `--timeout`, the workload's rollout is
//! waited for first, as `bind` waits for it.

use std::time::Duration;

use anyhow::{Context, Result};
use k8s_openapi::api::core::v1::{Container, Pod, PodTemplateSpec, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::Client;
use kube::api::Api;
use xtenant_shared::names::ANNOTATION_CLIENT_ID;
use xtenant_shared::output::Format;

use crate::checks::pod::{self, Expect};
use crate::checks::template;
use crate::output::{Check, Report};
use crate::settings::{IdentityFlags, Settings};
use crate::workload::binding::{self, Target, WorkloadKind};
use crate::workload::rollout::{self, Wait};
use crate::workload::{owned_pods, read};

/// Waiting for the workload's rollout before its pods are checked.
#[derive(Debug, Clone, Copy)]
pub struct RolloutWait {
    pub timeout: Duration,
    /// Where progress goes (people only).
    pub format: Format,
}

/// Reads the workload, its ServiceAccount and its current pods, and checks them.
pub async fn verify(
    client: Client,
    ns: &str,
    target: &Target,
    identity: &IdentityFlags,
    settings: Settings,
    context: Option<&str>,
    wait: Option<RolloutWait>,
) -> Result<Report> {
    let found = read(&client, ns, target).await?;
    let sa_name = binding::service_account_name(&found.template);
    let settings = settings.for_workload(ns, &sa_name, context);
    let expect = Expect {
        client_id: settings.client_id(identity.client_id.as_deref())?,
        tenant_b: settings.tenant_b(identity.tenant_id.as_deref())?,
        container: String::new(),
    };
    let mut report = Report::new("verify");
    report.set("namespace", ns);
    report.set("workload", target.to_string());
    report.set("serviceAccount", sa_name.clone());
    let sas: Api<ServiceAccount> = Api::namespaced(client.clone(), ns);
    let sa = sas
        .get_opt(&sa_name)
        .await
        .with_context(|| format!("reading serviceaccount/{sa_name}"))?;
    report.push(service_account_check(
        sa.as_ref(),
        &sa_name,
        target,
        &expect,
    ));
    let annotated = sa.as_ref().and_then(owned_pods::annotated_at);
    if let Some(wait) = wait {
        // As bind waits: the pods checked are then the rolled-out ones; a
        // rollout still going at the deadline makes the report time out.
        let args = Wait {
            no_wait: false,
            timeout: wait.timeout,
        };
        rollout::await_rollout(&mut report, &found, target, true, &args, wait.format).await?;
    }
    let pods = owned_pods::current(&client, ns, target.kind, &found.object).await?;
    let names: Vec<String> = pods
        .iter()
        .filter_map(|p| p.metadata.name.clone())
        .collect();
    report.set("pods", names);
    report.push(pods_check(target, pods.len()));
    for pod in &pods {
        for check in pod_checks(pod, &expect, annotated.as_ref(), target) {
            report.push(check);
        }
    }
    Ok(report)
}

/// The ServiceAccount exists and names the identity's client ID.
fn service_account_check(
    sa: Option<&ServiceAccount>,
    name: &str,
    target: &Target,
    expect: &Expect,
) -> Check {
    let id = "serviceaccount";
    let fix = format!("kubectl xtenant bind {target}");
    let Some(sa) = sa else {
        return Check::fail(
            id,
            format!("serviceaccount/{name}, which {target} runs as, does not exist"),
            format!("create it, then run `{fix}`"),
        );
    };
    let annotations = sa.metadata.annotations.as_ref();
    match annotations.and_then(|a| a.get(ANNOTATION_CLIENT_ID)) {
        Some(v) if v.eq_ignore_ascii_case(&expect.client_id) => Check::pass(
            id,
            format!("serviceaccount/{name}: {ANNOTATION_CLIENT_ID} {v}"),
        ),
        Some(v) => Check::fail(
            id,
            format!(
                "serviceaccount/{name}: {ANNOTATION_CLIENT_ID} is {v}, not the identity's client ID {}",
                expect.client_id
            ),
            fix,
        ),
        None => Check::fail(
            id,
            format!("serviceaccount/{name} has no {ANNOTATION_CLIENT_ID} annotation"),
            fix,
        ),
    }
}

/// How many pods there are to check; none is a failure except for a
/// CronJob between runs.
fn pods_check(target: &Target, count: usize) -> Check {
    match (count, target.kind) {
        (0, WorkloadKind::CronJob) => Check::warn(
            "pods",
            format!(
                "{target} has no running Job, so no pod to check: its next run will be checked"
            ),
            format!(
                "to check now: kubectl create job --from={target} {}-verify, then verify again",
                target.name
            ),
        ),
        (0, _) => Check::fail(
            "pods",
            format!("{target} has no current pod to check"),
            "scale it up or wait for its pods (kubectl get pods), then verify again",
        ),
        (n, _) => Check::pass("pods", format!("{target}: {n} current pod(s)")),
    }
}

/// The checks of one pod, each id led by the pod's name (and the container's).
pub fn pod_checks(
    pod: &Pod,
    expect: &Expect,
    annotated: Option<&Time>,
    target: &Target,
) -> Vec<Check> {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let restart = created_check(pod, annotated, || restart_fix(target, None));
    let mut checks = vec![
        prefixed(restart, &name),
        prefixed(pod::label_check(pod), &name),
    ];
    checks.extend(each_container(pod, |c| {
        pod::container_checks(pod, c, expect)
    }));
    checks
}

/// A check with its id led by `at` (a pod's name, or `pod/container`).
pub fn prefixed(c: Check, at: &str) -> Check {
    Check {
        id: format!("{at}/{}", c.id),
        ..c
    }
}

/// `checks` run on each container of the pod, init containers included, ids
/// led by `pod/container`; those the webhook skips are reported, not checked.
pub fn each_container(pod: &Pod, checks: impl Fn(&Container) -> Vec<Check>) -> Vec<Check> {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let as_template = PodTemplateSpec {
        metadata: Some(pod.metadata.clone()),
        spec: pod.spec.clone(),
    };
    let skip = template::skipped(&as_template);
    let mut out = Vec::new();
    for c in template::containers(&as_template) {
        let at = format!("{name}/{}", c.name);
        if skip.contains(&c.name) {
            let why =
                "listed in azure.workload.identity/skip-containers: the webhook injects nothing";
            out.push(Check::skip(&format!("{at}/container"), why));
            continue;
        }
        out.extend(checks(c).into_iter().map(|check| prefixed(check, &at)));
    }
    out
}

/// What replaces the pods of `target` (`-n` added when `ns` is given).
pub fn restart_fix(target: &Target, ns: Option<&str>) -> String {
    let in_ns = ns.map(|ns| format!(" -n {ns}")).unwrap_or_default();
    match target.kind {
        WorkloadKind::CronJob => {
            let in_ns = ns
                .map(|ns| format!(" in namespace {ns}"))
                .unwrap_or_default();
            format!(
                "the next run of {target}{in_ns} creates new pods; to replace this one now, delete its Job"
            )
        }
        WorkloadKind::Job => format!("kubectl xtenant bind {target}{in_ns} --recreate"),
        _ => format!("kubectl rollout restart {target}{in_ns}"),
    }
}

/// Whether the pod was created after the ServiceAccount's annotations were
/// set; an older pod was admitted without them and must be replaced.
pub fn created_check(pod: &Pod, annotated: Option<&Time>, fix: impl FnOnce() -> String) -> Check {
    let id = "restart";
    let created = pod.metadata.creation_timestamp.as_ref();
    let (Some(created), Some(annotated)) = (created, annotated) else {
        return Check::skip(
            id,
            "no record of when the ServiceAccount's workload identity annotations were set",
        );
    };
    let (created, annotated) = (created.0, annotated.0);
    if created > annotated {
        return Check::pass(
            id,
            format!("created {created}, after the ServiceAccount was annotated ({annotated})"),
        );
    }
    // Both times are to the second: within one second either came first.
    if created == annotated {
        return Check::warn(
            id,
            format!(
                "created {created}, the second the ServiceAccount was annotated: cannot tell whether the webhook saw the annotations (the times are to the second): restart to be sure"
            ),
            fix(),
        );
    }
    Check::fail(
        id,
        format!(
            "pod created before the ServiceAccount was annotated: restart needed (created {created}, annotated {annotated}); the webhook only mutates pods when they are created"
        ),
        fix(),
    )
}

#[cfg(test)]
mod tests;
