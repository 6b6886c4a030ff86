//! `apply -f xtenant.yaml`: makes Azure what the graph declares — the same
//! engine as `up`: identities in parallel, each identity's credentials one
//! after the other, creates recorded before they are made. Shows the plan
//! first and asks (or needs `--yes` off a terminal).

use std::path::PathBuf;

use anyhow::Result;
use xtenant_shared::ownership::ObjectKind;

use crate::commands::{WaitArgs, plan::places};
use az_xtenant::az::REVOCATION_NOTE;
use az_xtenant::context::{Ctx, confirm};
use az_xtenant::engine::delete::{Doomed, delete_all};
use az_xtenant::settings::Side;
use az_xtenant::{engine, graph};

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
    let g = graph::build::graph(&model)?;
    // Read once: what the plan reads, the apply goes on with.
    let az = ctx.caching_az_for(&places(&model))?;
    let plan = graph::plan::compute(ctx, &az, &model, &g, args.prune)?;
    eprint!("{}", plan.human());
    if !plan.unproven_moves.is_empty() && !args.force {
        return Err(xtenant_shared::exit::Usage(format!(
            "apply --prune would remove the only proven credentials of {} moving workload(s); nothing was changed. Prove the new cluster first (the commands are above), or pass --force",
            plan.unproven_moves.len()
        ))
        .into());
    }
    if plan.is_empty() {
        ctx.progress.done("apply: nothing to change");
    } else {
        if !args.yes && !ctx.dry_run() {
            confirm(
                "Apply these changes?",
                &format!("apply would make {} changes", plan.changes.len()),
                "apply cancelled; nothing was changed",
            )?;
        }
        let waits = args.wait.waits();
        engine::apply(ctx, &az, &g, &waits)?;
        let doomed: Vec<Doomed> = plan
            .removals
            .iter()
            .map(|r| Doomed::by_id(Side::B, r.kind, &r.id))
            .collect();
        delete_all(
            &ctx.walk(&az, &waits, false),
            &doomed,
            |p, _, id| p.owned.forget(id),
            |d| format!("Tenant B: removed {}", d.what),
        )?;
        if !ctx.dry_run()
            && plan
                .removals
                .iter()
                .any(|r| r.kind == ObjectKind::FederatedCredential)
        {
            ctx.progress.note(REVOCATION_NOTE);
        }
    }
    let bindings = &model.bindings;
    ctx.record(|p| {
        p.graph.tenant_b = Some(model.tenant_b.clone());
        p.graph.bindings.clone_from(bindings);
    })?;
    if !ctx.dry_run() {
        ctx.progress.done(&format!(
            "apply: done; {} workload bindings recorded in {}",
            bindings.len(),
            ctx.store.path().display()
        ));
    }
    Ok(())
}
