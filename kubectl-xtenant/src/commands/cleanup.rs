//! `cleanup`: deletes the Job, its pods and the ServiceAccount that xtenant
//! manages (`workload::cleanup`) and prints what was done.

use std::time::Duration;

use anyhow::Result;

use crate::cli::{WorkloadArgs, parse_duration};
use crate::context;
use crate::workload::cleanup::cleanup;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub workload: WorkloadArgs,
    /// How long to wait for the Job and its pods to be gone
    #[arg(long, default_value = "2m", value_parser = parse_duration)]
    pub timeout: Duration,
}

pub async fn run(ctx: &context::Context, args: &Args) -> Result<u8> {
    let settings = ctx.settings()?;
    let job_name = settings.job_name(args.workload.job_name.as_deref())?;
    let sa_name = settings.service_account(args.workload.service_account.as_deref())?;
    let target = ctx.cluster().await?;
    let report = cleanup(
        target.client.clone(),
        &target.namespace,
        &job_name,
        &sa_name,
        args.timeout,
    )
    .await?;
    report.print(ctx.format)?;
    Ok(report.exit_code())
}
