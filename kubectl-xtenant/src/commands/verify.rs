//! `verify`: the demo Job (`checks::job`), or with KIND/NAME every current
//! pod of a workload (`checks::workload`), checked and printed.

use std::time::Duration;

use anyhow::Result;

use crate::checks::job::{JOB_TIMEOUT, Plan, verify};
use crate::checks::pod::Expect;
use crate::checks::workload as checks;
use crate::cli::{IdentityArgs, WorkloadArgs, parse_duration};
use crate::context;
use crate::workload::binding::{self, Target};

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// A workload to check instead of the demo Job: every current pod of
    /// deployment/NAME, statefulset/NAME, daemonset/NAME, cronjob/NAME or job/NAME
    #[arg(value_name = "KIND/NAME", value_parser = binding::parse_target, conflicts_with_all = ["job_name", "service_account", "messages"])]
    pub target: Option<Target>,
    #[command(flatten)]
    pub workload: WorkloadArgs,
    #[command(flatten)]
    pub identity: IdentityArgs,
    /// Number of messages the Job was asked to send [profile: workload.messageCount]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub messages: Option<u32>,
    /// How long to wait for the pod and for the Job to end [default: 5m]; with
    /// KIND/NAME, how long to wait for its rollout before checking its pods
    /// (without it, no wait)
    #[arg(long, value_parser = parse_duration)]
    pub timeout: Option<Duration>,
}

pub async fn run(ctx: &context::Context, args: &Args) -> Result<u8> {
    if let Some(target) = &args.target {
        return run_workload(ctx, target, &args.identity, args.timeout).await;
    }
    let settings = ctx.settings()?;
    let job_name = settings.job_name(args.workload.job_name.as_deref())?;
    let expect = Expect {
        client_id: settings.client_id(args.identity.client_id.as_deref())?,
        tenant_b: settings.tenant_b(args.identity.tenant_id.as_deref())?,
        container: job_name.clone(),
    };
    let target = ctx.cluster().await?;
    let plan = Plan {
        namespace: target.namespace.clone(),
        job_name,
        expect,
        messages: settings.messages(args.messages),
        timeout: args.timeout.unwrap_or(JOB_TIMEOUT),
    };
    let report = verify(target.client.clone(), &plan, ctx.format).await?;
    report.print(ctx.format)?;
    Ok(report.exit_code())
}

async fn run_workload(
    ctx: &context::Context,
    target: &Target,
    identity: &IdentityArgs,
    timeout: Option<Duration>,
) -> Result<u8> {
    let settings = ctx.settings()?.clone();
    let context = ctx.kube_context();
    let cluster = ctx.cluster().await?;
    let (client, ns) = (cluster.client.clone(), &cluster.namespace);
    let format = ctx.format;
    let wait = timeout.map(|timeout| checks::RolloutWait { timeout, format });
    let ctx = context.as_deref();
    let identity = identity.flags();
    let report = checks::verify(client, ns, target, &identity, settings, ctx, wait).await?;
    report.print(format)?;
    Ok(report.exit_code())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timeout_is_taken_with_a_workload() {
        use clap::Parser;
        let cli = crate::cli::Cli::try_parse_from([
            "kubectl-xtenant",
            "verify",
            "deployment/web",
            "--timeout",
            "60s",
        ])
        .expect("verify deployment/web --timeout 60s parses");
        let crate::cli::Command::Verify(args) = cli.command else {
            panic!("not verify");
        };
        assert_eq!(args.timeout, Some(Duration::from_secs(60)));
    }
}
