//! `plan -f xtenant.yaml`: what `apply` would change — `+` create, `~`
//! update — and each identity's credential budget. Reads only.

use std::path::PathBuf;

use anyhow::Result;
use xtenant_shared::exit;
use xtenant_shared::output::{self, Format};

use az_xtenant::context::Ctx;
use az_xtenant::graph::{self, model::Model};
use az_xtenant::settings::{Place, Side};

/// Show what `apply` would change for a declared graph; changes nothing.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The graph file
    #[arg(short = 'f', long, value_name = "FILE", default_value = "xtenant.yaml")]
    pub file: PathBuf,
    /// Exit 4 when there are changes to apply (0 when there are none), as Terraform does
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Also show what xtenant created that the file no longer declares (`-`)
    #[arg(long)]
    pub prune: bool,
}

/// Where az must be logged in: Tenant A's cluster subscriptions and Tenant B's.
pub fn places(m: &Model) -> Vec<Place> {
    let mut places: Vec<Place> = Vec::new();
    let subs = m
        .clusters
        .iter()
        .map(|c| (Side::A, m.tenant_a.clone(), c.subscription.clone()))
        .chain([(Side::B, m.tenant_b.clone(), m.subscription_b.clone())]);
    for (side, tenant, subscription) in subs {
        if !places
            .iter()
            .any(|p| p.subscription.eq_ignore_ascii_case(&subscription))
        {
            places.push(Place {
                side,
                tenant,
                subscription,
                resource_group: String::new(),
                location: m.location.clone(),
            });
        }
    }
    places
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let model = graph::model::load(&args.file)?;
    let g = graph::build::graph(&model)?;
    let az = ctx.caching_az_for(&places(&model))?;
    let plan = graph::plan::compute(ctx, &az, &model, &g, args.prune, false)?;
    match ctx.format {
        Format::Json => output::json(&plan)?,
        Format::Human => output::print(plan.human())?,
    }
    Ok(if args.detailed_exitcode && !plan.is_empty() {
        exit::CHANGES_PENDING
    } else {
        exit::OK
    })
}
