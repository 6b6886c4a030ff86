//! `unbind`: removes exactly what `bind` added (see `crate::bind::unbind`).

use anyhow::Result;

use crate::bind::unbind::{Request, unbind};
use crate::commands::bind::{WaitArgs, print};
use crate::context;
use crate::workload::binding::{self, Target};
use crate::workload::recreate::check_recreate;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The workload: deployment/NAME, statefulset/NAME, daemonset/NAME, cronjob/NAME or job/NAME
    #[arg(value_name = "KIND/NAME", value_parser = binding::parse_target)]
    pub target: Target,
    /// For a Job, whose pod template cannot change: delete it with its pods
    /// and create it again without the label, the rest of its spec kept
    #[arg(long)]
    pub recreate: bool,
    /// Print the patches as YAML and change nothing
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub wait: WaitArgs,
}

pub async fn run(ctx: &context::Context, args: &Args) -> Result<u8> {
    check_recreate(&args.target, "unbind", args.recreate)?;
    let target = ctx.cluster().await?;
    let request = Request {
        target: args.target.clone(),
        dry_run: args.dry_run,
        wait: args.wait.wait(),
    };
    let report = unbind(
        target.client.clone(),
        &target.namespace,
        &request,
        ctx.format,
    )
    .await?;
    print(&report, args.dry_run, ctx.format)?;
    Ok(report.exit_code())
}
