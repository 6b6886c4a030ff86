//! `apply -f xtenant.yaml`: makes Azure what the graph declares — the same
//! engine as `up`: identities in parallel, each identity's credentials one
//! after the other, creates recorded before they are made. Shows the plan
//! first and asks (or needs `--yes` off a terminal).

use std::path::PathBuf;

use anyhow::Result;

use crate::commands::{WaitArgs, plan::places};
use az_xtenant::context::Ctx;
use az_xtenant::graph;

/// Make Azure match a declared graph (identities, role grants, federated credentials).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The graph file
    #[arg(short = 'f', long, value_name = "FILE", default_value = "xtenant.yaml")]
    pub file: PathBuf,
    /// Apply without asking (required when not on a terminal)
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Also remove what xtenant created for the graph and the file no longer
    /// declares (credentials, role assignments, unused identities); never
    /// anything else
    #[arg(long)]
    pub prune: bool,
    /// With --prune: remove a moving workload's old credentials even though
    /// no exchange from its new cluster was proven (`kubectl xtenant doctor
    /// --exchange` records one)
    #[arg(long, requires = "prune")]
    pub force: bool,
    #[command(flatten)]
    pub wait: WaitArgs,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<()> {
    let model = graph::model::load(&args.file)?;
    let az = ctx.caching_az_for(&places(&model))?;
    let options = graph::apply::Options {
        verb: "apply",
        yes: args.yes,
        prune: args.prune,
        force: args.force,
        waits: args.wait.waits(),
    };
    graph::apply::apply(ctx, &az, &model, &options)
}
