//! `request -f xtenant.yaml [--identity NAME…]`: Tenant A's side of the
//! two-admin hand-off. Reads each cluster's issuer live in Tenant A (no call
//! reaches Tenant B), records the request in the profile and prints it, YAML
//! with a digest, for Tenant B's admin to `review`.

use std::path::PathBuf;
use std::time::SystemTime;

use anyhow::Result;
use xtenant_shared::output;
use xtenant_shared::validate::{Kind, parser};

use az_xtenant::context::Ctx;
use az_xtenant::graph;
use az_xtenant::handoff;

/// Print a trust request for Tenant B's admin (signed in to Tenant A only)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The graph file whose clusters, workloads and identities to ask for
    #[arg(short = 'f', long, value_name = "FILE", default_value = "xtenant.yaml")]
    pub file: PathBuf,
    /// Ask only for these identities (and their workloads); repeatable
    #[arg(long = "identity", value_name = "NAME", value_parser = parser(Kind::Identity))]
    pub identities: Vec<String>,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<()> {
    let model = graph::model::load(&args.file)?;
    let model = handoff::narrow(&model, &args.identities)?;
    let az = ctx.caching_az_for(&handoff::places_a(&model))?;
    let request = handoff::request(&az, &model, SystemTime::now())?;
    // On record before it is sent: `accept` checks the grant against it.
    if !ctx.dry_run() {
        ctx.record(|p| p.graph.record_request(&request))?;
    }
    output::print(request.to_yaml())?;
    Ok(())
}
