//! `up`: the Tenant A and Tenant B steps at the same time (AKS takes minutes),
//! then the trust. Each finished step is saved, so an interrupted run resumes;
//! a re-run after success only reads.

use anyhow::{Result, anyhow};

use crate::commands::cluster::{self, WaitArgs};
use crate::commands::resources::{self, PrincipalWait};
use crate::commands::{Ctx, login, trust};
use crate::settings;
use xtenant_shared::validate::{Kind, check};

/// Cluster and resources concurrently, then the trust.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub wait: WaitArgs,
    #[command(flatten)]
    pub principal: PrincipalWait,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<()> {
    ctx.require_profile()?;
    let p = ctx.snapshot();
    let cs = settings::cluster(&p)?;
    let rs = settings::resources(&p)?;
    settings::subject(&p)?;
    if let Some(issuer) = &p.cluster.issuer_url {
        check("cluster.issuerUrl (profile)", Kind::IssuerUrl, issuer)?;
    }
    let az = ctx.az()?;
    login::check(&az, &[cs.place.clone(), rs.place.clone()])?;

    if az.dry_run() {
        // Sequential, so the printed plan reads in order.
        cluster::ensure(ctx, &az, &cs, &args.wait)?;
        resources::ensure(ctx, &az, &rs, &args.principal)?;
    } else {
        let (a, b) = std::thread::scope(|scope| {
            let a = scope.spawn(|| cluster::ensure(ctx, &az, &cs, &args.wait));
            let b = scope.spawn(|| resources::ensure(ctx, &az, &rs, &args.principal));
            (joined(a.join(), "Tenant A"), joined(b.join(), "Tenant B"))
        });
        match (a, b) {
            (Ok(()), Ok(())) => {}
            (Err(e), Ok(())) | (Ok(()), Err(e)) => return Err(e),
            (Err(ea), Err(eb)) => {
                // Both failed: show B's error here, return A's for the exit code.
                eprintln!("error: {eb:#}");
                return Err(ea);
            }
        }
    }
    trust::ensure(ctx, &az, &rs)?;
    if !az.dry_run() {
        ctx.progress.done(&format!(
            "up: done; `az-xtenant env` prints the values, profile at {}",
            ctx.store.path().display()
        ));
    }
    Ok(())
}

fn joined(r: std::thread::Result<Result<()>>, side: &str) -> Result<()> {
    match r {
        Ok(r) => r.map_err(|e| e.context(format!("{side} step"))),
        Err(_) => Err(anyhow!("the {side} step stopped unexpectedly")),
    }
}
