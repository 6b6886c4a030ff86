//! `bind`: gives an existing workload the cross-tenant identity (see
//! `crate::bind`); prints the report, or with `--dry-run` the patches.

use std::time::Duration;

use anyhow::Result;
use serde_json::Value;
use xtenant_shared::output::{self as stdout, Format};

use crate::bind::{Request, bind};
use crate::cli::{IdentityArgs, parse_duration};
use crate::context;
use crate::output::Report;
use crate::workload::binding::{self, Target};
use crate::workload::recreate::check_recreate;
use crate::workload::rollout::Wait;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The workload: deployment/NAME, statefulset/NAME, daemonset/NAME, cronjob/NAME or job/NAME
    #[arg(value_name = "KIND/NAME", value_parser = binding::parse_target)]
    pub target: Target,
    #[command(flatten)]
    pub identity: IdentityArgs,
    /// For a Job, whose pod template cannot change: delete it with its pods
    /// and create it again with the label, the rest of its spec kept
    #[arg(long)]
    pub recreate: bool,
    /// Leave out the restart annotation (a newly added label still rolls the pods)
    #[arg(long)]
    pub no_restart: bool,
    /// Print the patches as YAML and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Bind even if the pods run as the namespace's "default" ServiceAccount
    #[arg(long)]
    pub allow_default_sa: bool,
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// Whether and how long to wait for the rollout a changed template starts.
#[derive(Debug, Clone, clap::Args)]
pub struct WaitArgs {
    /// Return once the change is applied, without waiting for the rollout
    #[arg(long)]
    pub no_wait: bool,
    /// How long to wait for the rollout
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    pub timeout: Duration,
}

impl WaitArgs {
    /// The flags as the plain values the rollout wait takes.
    pub fn wait(&self) -> Wait {
        Wait {
            no_wait: self.no_wait,
            timeout: self.timeout,
        }
    }
}

impl Args {
    /// The flags as the plain request the library takes.
    pub fn request(&self) -> Request {
        Request {
            target: self.target.clone(),
            identity: self.identity.flags(),
            recreate: self.recreate,
            no_restart: self.no_restart,
            dry_run: self.dry_run,
            allow_default_sa: self.allow_default_sa,
            wait: self.wait.wait(),
        }
    }
}

pub async fn run(ctx: &context::Context, args: &Args) -> Result<u8> {
    check_recreate(&args.target, "bind", args.recreate)?;
    let settings = ctx.settings()?.clone();
    let target = ctx.cluster().await?;
    let context = ctx.kube_context();
    let format = ctx.format;
    let (client, ns) = (target.client.clone(), &target.namespace);
    let report = bind(
        client,
        ns,
        &args.request(),
        settings,
        context.as_deref(),
        format,
    )
    .await?;
    print(&report, args.dry_run, format)?;
    Ok(report.exit_code())
}

/// Prints the report; a dry run for people prints the patches as YAML on
/// stdout (ready for `kubectl apply --server-side`) and the checks on stderr.
pub fn print(report: &Report, dry_run: bool, format: Format) -> Result<()> {
    match report.data.get("patches") {
        Some(Value::Array(patches)) if dry_run && format == Format::Human => {
            eprint!("{}", report.human());
            for p in patches {
                stdout::print(format!("---\n{}", binding::to_yaml(p)?))?;
            }
        }
        _ => report.print(format)?,
    }
    Ok(())
}
