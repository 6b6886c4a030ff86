//! `deploy`: server-side apply of the annotated ServiceAccount and the
//! producer Job. Job templates are immutable, so a Job whose template changed
//! is deleted (with its pods) and created again rather than patched.

use std::time::Duration;

use anyhow::{Context, Result};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::Client;
use kube::api::{Api, Patch, PatchParams};
use serde::Serialize;
use xtenant_shared::Kind;
use xtenant_shared::output::{self as stdout, Format};
use xtenant_shared::validate::parser;

use crate::cli::{IdentityArgs, WorkloadArgs, parse_duration};
use crate::context;
use crate::exit;
use crate::manifests::{self, FIELD_MANAGER, Workload};
use crate::output::{Check, Report, progress};
use crate::settings::Settings;
use crate::wait::Deadline;
use crate::workload::job::delete_job;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub workload: WorkloadArgs,
    #[command(flatten)]
    pub identity: IdentityArgs,
    /// Service Bus host, <namespace>.servicebus.windows.net [profile: resources.servicebusHostname]
    #[arg(long, value_parser = parser(Kind::HostName))]
    pub servicebus_hostname: Option<String>,
    /// Queue to send to [profile: resources.queueName; default: myqueue]
    #[arg(long, value_parser = parser(Kind::Queue))]
    pub queue: Option<String>,
    /// Number of messages to send [profile: workload.messageCount; default: 100]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub messages: Option<u32>,
    /// Container image of the producer [profile: workload.image]
    #[arg(long)]
    pub image: Option<String>,
    /// Retries of a failed pod before the Job fails
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(i32).range(0..=10))]
    pub backoff_limit: i32,
    /// Replace the Job even if its template is unchanged (to run it again)
    #[arg(long)]
    pub rerun: bool,
    /// Print the manifests as YAML and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// How long to wait for a replaced Job to be gone
    #[arg(long, default_value = "2m", value_parser = parse_duration)]
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

/// Resolves the workload from flags, profile and defaults.
pub fn resolve(args: &Args, settings: &Settings, namespace: String) -> Result<Workload> {
    Ok(Workload {
        namespace,
        service_account: settings.service_account(args.workload.service_account.as_deref())?,
        job_name: settings.job_name(args.workload.job_name.as_deref())?,
        client_id: settings.client_id(args.identity.client_id.as_deref())?,
        tenant_b: settings.tenant_b(args.identity.tenant_id.as_deref())?,
        servicebus_hostname: settings.servicebus_hostname(args.servicebus_hostname.as_deref())?,
        queue: settings.queue(args.queue.as_deref())?,
        messages: settings.messages(args.messages),
        image: settings.image(args.image.as_deref()),
        backoff_limit: args.backoff_limit,
    })
}

pub async fn run(ctx: &context::Context, args: &Args) -> Result<u8> {
    let settings = ctx.settings()?;
    if args.dry_run {
        let workload = resolve(args, settings, ctx.offline_namespace())?;
        stdout::print(manifests::to_yaml(&workload)?)?;
        return Ok(exit::OK);
    }
    // Resolve before connecting: bad input changes nothing.
    let offline = resolve(args, settings, String::new())?;
    let target = ctx.cluster().await?;
    let workload = Workload {
        namespace: target.namespace.clone(),
        ..offline
    };
    let report = deploy(target.client.clone(), &workload, args, ctx.format).await?;
    report.print(ctx.format)?;
    Ok(report.exit_code())
}

/// Applies both objects and reports what was done.
pub async fn deploy(client: Client, w: &Workload, args: &Args, format: Format) -> Result<Report> {
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
    let action = apply_job(&jobs, w, args, format).await?;
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
    args: &Args,
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
            if !args.rerun
                && manifests::recorded_hash(&job) == manifests::recorded_hash(&desired) =>
        {
            return Ok(JobAction::Unchanged);
        }
        Some(job) => {
            progress(format, &format!("deleting job/{} and its pods", w.job_name));
            delete_job(jobs, &job, Deadline::after(args.timeout)).await?;
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
#[path = "deploy_tests.rs"]
mod scenarios;
