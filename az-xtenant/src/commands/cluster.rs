//! `cluster` (Tenant A): resource group; AKS cluster with OIDC issuer and
//! workload identity (created, or adopted and updated); the issuer URL
//! recorded byte for byte — the Tenant A part of the demo graph. Optionally
//! merges the cluster's credentials into a kubeconfig.

use std::path::PathBuf;

use anyhow::Result;

use crate::commands::WaitArgs;
use az_xtenant::context::Ctx;
use az_xtenant::engine;
use az_xtenant::error::UsageError;
use az_xtenant::settings;
use az_xtenant::steps::{self, Part};

/// Ensure Tenant A's resource group and AKS cluster, and record the issuer URL.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also merge the cluster's credentials into a kubeconfig (`az aks get-credentials`)
    #[arg(long)]
    pub get_credentials: bool,
    /// Kubeconfig file to merge the credentials into (default: az's, ~/.kube/config)
    #[arg(long, value_name = "FILE", requires = "get_credentials")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub wait: WaitArgs,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<()> {
    ctx.require_profile()?;
    let p = ctx.snapshot();
    let s = settings::cluster(&p)?;
    let graph = steps::demo(&p, Part::Cluster)?;
    let file = args
        .file
        .as_ref()
        .map(|f| {
            f.to_str()
                .map(str::to_string)
                .ok_or_else(|| UsageError(format!("--file {f:?} is not valid UTF-8")))
        })
        .transpose()?;
    let az = ctx.caching_az_for(std::slice::from_ref(&s.place))?;
    engine::apply(ctx, &az, &graph, &args.wait.waits())?;
    if args.get_credentials {
        let pl = &s.place;
        az.aks_get_credentials(
            &pl.subscription,
            &pl.resource_group,
            &s.name,
            file.as_deref(),
        )?;
        let into = file.as_deref().unwrap_or("the default kubeconfig");
        ctx.progress.done(&format!(
            "Tenant A: credentials of {} merged into {into}",
            s.name
        ));
    }
    Ok(())
}
