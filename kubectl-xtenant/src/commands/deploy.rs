//! `deploy`: resolves the demo workload from flags, profile and defaults,
//! then applies it (`workload::deploy`) or with `--dry-run` prints it.

use std::time::Duration;

use anyhow::Result;
use xtenant_shared::Kind;
use xtenant_shared::output as stdout;
use xtenant_shared::validate::parser;

use crate::cli::{IdentityArgs, WorkloadArgs, parse_duration};
use crate::context;
use crate::exit;
use crate::manifests::{self, Workload};
use crate::settings::Settings;
use crate::workload::deploy::{Options, deploy};

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
    let options = Options {
        rerun: args.rerun,
        timeout: args.timeout,
    };
    let report = deploy(target.client.clone(), &workload, &options, ctx.format).await?;
    report.print(ctx.format)?;
    Ok(report.exit_code())
}
