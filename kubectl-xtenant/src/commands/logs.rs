//! `logs`: follows the logs of the Job's newest pod, like
//! `kubectl logs -f` on the pod the procedure looks up by hand.

use std::time::Duration;

use anyhow::{Context, Result};
use futures::TryStreamExt;

use crate::cli::{WorkloadArgs, parse_duration};
use crate::context;
use crate::exit;
use crate::workload::logs;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub workload: WorkloadArgs,
    /// Print the logs so far and exit instead of following
    #[arg(long)]
    pub no_follow: bool,
    /// How long to wait for the pod to start
    #[arg(long, default_value = "2m", value_parser = parse_duration)]
    pub timeout: Duration,
}

pub async fn run(ctx: &context::Context, args: &Args) -> Result<u8> {
    let settings = ctx.settings()?;
    let job_name = settings.job_name(args.workload.job_name.as_deref())?;
    let target = ctx.cluster().await?;
    let mut log = logs::open(
        &target.client,
        &target.namespace,
        &job_name,
        !args.no_follow,
        args.timeout,
    )
    .await?;
    eprintln!("pod/{}:", log.pod);
    while let Some(line) = log
        .lines
        .try_next()
        .await
        .context("reading the log stream")?
    {
        xtenant_shared::output::println(line)?;
        // Nobody reads a followed log any more (`| head`): stop following.
        if xtenant_shared::output::closed() {
            break;
        }
    }
    Ok(exit::OK)
}
