//! `up`: the whole demo graph — Tenant A's cluster and Tenant B's resources
//! at the same time (AKS takes minutes), then the trust. Each finished step
//! is saved, creates are recorded before they are made, so an interrupted
//! run resumes; a re-run after success only reads.

use anyhow::Result;
use xtenant_shared::validate::{Kind, check};

use crate::commands::WaitArgs;
use az_xtenant::context::Ctx;
use az_xtenant::engine;
use az_xtenant::settings::{self, DEMO_ISSUER};
use az_xtenant::steps::{self, Part};

/// Cluster and resources concurrently, then the trust; resumable.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub wait: WaitArgs,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<()> {
    ctx.require_profile()?;
    let mut p = ctx.snapshot();
    if let Some(issuer) = p.demo_issuer() {
        check(DEMO_ISSUER, Kind::IssuerUrl, issuer)?;
    }
    steps::settle_names(&mut p);
    let graph = steps::demo(&p, Part::All)?;
    let places = [settings::cluster(&p)?.place, settings::resources(&p)?.place];
    let az = ctx.caching_az_for(&places)?;
    ctx.record(steps::settle_names)?;
    engine::apply(ctx, &az, &graph, &args.wait.waits())?;
    if !az.dry_run() {
        ctx.progress.done(&format!(
            "up: done; `az-xtenant env` prints the values, profile at {}",
            ctx.store.path().display()
        ));
    }
    Ok(())
}
