//! What `verify` checks on the demo Job: waits for its newest pod, checks
//! what the webhook injected into it, waits for the Job to end, and reads the
//! logs: success is `Sent N messages` with N the requested count; AADSTS
//! codes are explained.

use std::time::Duration;

use anyhow::{Context, Result};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, LogParams};
use xtenant_shared::output::Format;

use crate::checks::pod::{self, Expect};
use crate::entra::aadsts;
use crate::exit::{Timeout, Usage};
use crate::output::{Check, Report, progress};
use crate::wait::{self, Deadline, JobState};

/// How long the demo Job's pod and end are waited for without `--timeout`.
pub const JOB_TIMEOUT: Duration = Duration::from_secs(300);

/// Everything `verify` needs, resolved.
#[derive(Debug, Clone)]
pub struct Plan {
    pub namespace: String,
    pub job_name: String,
    pub expect: Expect,
    pub messages: u32,
    pub timeout: Duration,
}

/// Runs every check; the report fails when any did.
pub async fn verify(client: Client, plan: &Plan, format: Format) -> Result<Report> {
    let mut report = Report::new("verify");
    report.set("namespace", plan.namespace.clone());
    report.set("job", plan.job_name.clone());
    let deadline = Deadline::after(plan.timeout);
    let jobs: Api<Job> = Api::namespaced(client.clone(), &plan.namespace);
    let pods: Api<Pod> = Api::namespaced(client, &plan.namespace);
    let job = jobs
        .get_opt(&plan.job_name)
        .await
        .with_context(|| format!("reading job/{}", plan.job_name))?
        .ok_or_else(|| {
            Usage(format!(
                "job/{} not found in namespace {}: run `kubectl xtenant deploy` first",
                plan.job_name, plan.namespace
            ))
        })?;
    let selector = wait::pod_selector(&job)?;
    progress(
        format,
        &format!("waiting for a pod of job/{}", plan.job_name),
    );
    let pod = wait::newest_pod(&pods, &selector, deadline).await?;
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    report.set("pod", pod_name.clone());
    for check in pod::check_pod(&pod, &plan.expect) {
        report.push(check);
    }
    progress(
        format,
        &format!(
            "waiting for job/{} to complete (up to {} s)",
            plan.job_name,
            plan.timeout.as_secs()
        ),
    );
    let finished = match wait::job_finished(&jobs, &plan.job_name, deadline).await {
        Ok(job) => wait::job_state(&job),
        Err(e) if e.is::<Timeout>() => {
            report.timed_out = true;
            report.push(Check::fail(
                "job",
                format!("{e}"),
                "look at `kubectl xtenant logs`; raise --timeout if the Job is slow",
            ));
            return Ok(report);
        }
        Err(e) => return Err(e),
    };
    // The newest pod may have changed if the Job retried.
    let pod_name = newest_name(&pods, &selector).await?.unwrap_or(pod_name);
    let container = pod::container(&pod, &plan.expect.container).map(|c| c.name.clone());
    let params = LogParams {
        container,
        ..LogParams::default()
    };
    let logs = match pods.logs(&pod_name, &params).await {
        Ok(logs) => logs,
        Err(e) => {
            report.push(Check::fail(
                "logs",
                format!("reading the logs of pod/{pod_name}: {e}"),
                "check your rights to pods/log",
            ));
            String::new()
        }
    };
    for check in outcome_checks(&finished, &logs, plan.messages) {
        report.push(check);
    }
    Ok(report)
}

async fn newest_name(pods: &Api<Pod>, selector: &str) -> Result<Option<String>> {
    let list = pods
        .list(&kube::api::ListParams::default().labels(selector))
        .await
        .context("listing the Job's pods")?;
    Ok(wait::newest(&list.items).and_then(|p| p.metadata.name.clone()))
}

/// The count in the last `Sent N messages` line of the logs.
pub fn sent_count(logs: &str) -> Option<u64> {
    logs.lines().rev().find_map(|line| {
        let rest = line.trim().strip_prefix("Sent ")?;
        let n = rest
            .strip_suffix(" messages")
            .or(rest.strip_suffix(" message"))?;
        n.trim().parse().ok()
    })
}

/// The verdict on the Job: its end state, the sent count and any AADSTS code.
pub fn outcome_checks(state: &JobState, logs: &str, expected: u32) -> Vec<Check> {
    let mut checks = Vec::new();
    match state {
        JobState::Complete => checks.push(Check::pass("job", "completed")),
        JobState::Failed(why) => checks.push(Check::fail(
            "job",
            format!("failed: {why}"),
            "see the log lines and AADSTS explanations below",
        )),
        JobState::Running => checks.push(Check::fail(
            "job",
            "still running",
            "wait, or raise --timeout",
        )),
    }
    match sent_count(logs) {
        Some(n) if n == u64::from(expected) => {
            checks.push(Check::pass("logs.sent", format!("Sent {n} messages")));
        }
        Some(n) => checks.push(Check::fail(
            "logs.sent",
            format!("Sent {n} messages, expected {expected}"),
            "check --messages against the Job's MESSAGE_COUNT",
        )),
        None => checks.push(Check::fail(
            "logs.sent",
            format!("no \"Sent {expected} messages\" line in the logs"),
            "read the logs: `kubectl xtenant logs`",
        )),
    }
    for code in aadsts::find_codes(logs) {
        let (what, fix) = aadsts::describe(code);
        checks.push(Check::fail(&format!("aadsts.{code}"), what, fix));
    }
    checks
}

#[cfg(test)]
mod tests;
