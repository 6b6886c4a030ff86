//! `resources` (Tenant B): resource group; Service Bus namespace (local auth
//! disabled) and queue; user-assigned identity; "Azure Service Bus Data
//! Owner" on the namespace — the Tenant B part of the demo graph.

use anyhow::Result;

use crate::commands::WaitArgs;
use az_xtenant::context::Ctx;
use az_xtenant::engine;
use az_xtenant::settings;
use az_xtenant::steps::{self, Part};

/// Ensure Tenant B's resource group, Service Bus namespace and queue, identity and role.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub wait: WaitArgs,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<()> {
    ctx.require_profile()?;
    let mut p = ctx.snapshot();
    steps::settle_names(&mut p);
    let graph = steps::demo(&p, Part::Resources)?;
    let place = settings::resources(&p)?.place;
    let az = ctx.caching_az_for(std::slice::from_ref(&place))?;
    ctx.record(steps::settle_names)?;
    engine::apply(ctx, &az, &graph, &args.wait.waits())
}
