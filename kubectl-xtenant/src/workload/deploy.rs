//! Deploying the demo: server-side apply of the annotated ServiceAccount and
//! the producer Job. Job templates are immutable, so a Job whose template
//! changed is deleted (with its pods) and created again rather than patched.

use std::time::Duration;

use anyhow::{Context, Result};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::Client;
use kube::api::{Api, Patch, PatchParams};
use serde::Serialize;
use xtenant_shared::output::Format;

use crate::manifests::{self, FIELD_MANAGER, Workload};
use crate::output::{Check, Report, progress};
use crate::wait::Deadline;
use crate::workload::job::delete_job;

/// How to treat a Job that is already there.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Replace the Job even if its template is unchanged.
    pub rerun: bool,
    /// How long to wait for a replaced Job to be gone.
    pub timeout: Duration,
}

/// What happened to the Job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobAction {
    Created,
    Unchanged,
    Replaced,
}

/// Applies both objects and reports what was done.
pub async fn deploy(
    client: Client,
    w: &Workload,
    options: &Options,
    format: Format,
) -> Result<Report> {
    let mut report = Report::new("deploy");
    let sas: Api<ServiceAccount> = Api::namespaced(client.clone(), &w.namespace);
    let ssa = PatchParams::apply(FIELD_MANAGER).force();
    sas.patch(
        &w.service_account,
        &ssa,
        &Patch::Apply(manifests::service_account(w)),
    )
    .await
    .with_context(|| format!("applying serviceaccount/{}", w.service_account))?;
    report.push(Check::pass(
        "serviceaccount",
        format!(
            "serviceaccount/{} applied (client-id {}, tenant-id {})",
            w.service_account, w.client_id, w.tenant_b
        ),
    ));
    let jobs: Api<Job> = Api::namespaced(client, &w.namespace);
    let action = apply_job(&jobs, w, options, format).await?;
    report.push(Check::pass(
        "job",
        format!("job/{} {}", w.job_name, action_word(action)),
    ));
    report.set("namespace", w.namespace.clone());
    report.set("serviceAccount", w.service_account.clone());
    report.set("job", w.job_name.clone());
    report.set("jobAction", serde_json::to_value(action)?);
    Ok(report)
}

fn action_word(action: JobAction) -> &'static str {
    match action {
        JobAction::Created => "created",
        JobAction::Unchanged => "unchanged (template identical; --rerun runs it again)",
        JobAction::Replaced => "replaced (template changed: deleted with its pods, then created)",
    }
}

async fn apply_job(
    jobs: &Api<Job>,
    w: &Workload,
    options: &Options,
    format: Format,
) -> Result<JobAction> {
    let desired = manifests::job(w)?;
    let existing = jobs
        .get_opt(&w.job_name)
        .await
        .with_context(|| format!("reading job/{}", w.job_name))?;
    let action = match existing {
        None => JobAction::Created,
        Some(job)
            if !options.rerun
                && manifests::recorded_hash(&job) == manifests::recorded_hash(&desired) =>
        {
            return Ok(JobAction::Unchanged);
        }
        Some(job) => {
            progress(format, &format!("deleting job/{} and its pods", w.job_name));
            delete_job(jobs, &job, Deadline::after(options.timeout)).await?;
            JobAction::Replaced
        }
    };
    let ssa = PatchParams::apply(FIELD_MANAGER).force();
    jobs.patch(&w.job_name, &ssa, &Patch::Apply(&desired))
        .await
        .with_context(|| format!("applying job/{}", w.job_name))?;
    Ok(action)
}

#[cfg(test)]
mod tests;
