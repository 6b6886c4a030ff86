//! Making Azure what a graph's model declares, for `apply` (a graph file) and
//! `grant` (a trust request): the plan shown first, asked for (or `--yes`),
//! then the engine — identities in parallel, each identity's credentials one
//! after the other, creates recorded before they are made — then, with
//! `--prune`, the removals through the one delete walk, and the bindings
//! recorded in the profile.

use anyhow::Result;
use xtenant_shared::ownership::{ObjectKind, OwnState};

use crate::az::{Az, REVOCATION_NOTE};
use crate::context::{Ctx, Waits, confirm};
use crate::engine::delete::{Doomed, delete_all};
use crate::graph::model::Model;
use crate::settings::Side;
use crate::{engine, graph};

/// How a model is applied.
pub struct Options {
    /// The verb, as the messages name it (`apply`, `grant`).
    pub verb: &'static str,
    pub yes: bool,
    pub prune: bool,
    pub force: bool,
    pub waits: Waits,
}

/// Plans, asks, applies, prunes and records; `az` reads once (what the plan
/// read, the apply goes on with).
pub fn apply(ctx: &Ctx, az: &Az, model: &Model, o: &Options) -> Result<()> {
    let verb = o.verb;
    let g = graph::build::graph(model)?;
    let plan = graph::plan::compute(ctx, az, model, &g, o.prune, verb == "grant")?;
    eprint!("{}", plan.human());
    if !plan.unproven_moves.is_empty() && !o.force {
        // A grant's proof is Tenant A's: its doctor records the exchange in
        // Tenant A's profile, which Tenant B's never sees.
        let prove = if verb == "grant" {
            "The proof is Tenant A's: ask Tenant A's admin to run the doctor commands above in Tenant A's profile, and once they confirm the exchange passed, pass --force"
        } else {
            "Prove the new cluster first (the commands are above), or pass --force"
        };
        return Err(xtenant_shared::exit::Usage(format!(
            "{verb} --prune would remove the only proven credentials of {} moving workload(s); nothing was changed. {prove}",
            plan.unproven_moves.len()
        ))
        .into());
    }
    if plan.is_empty() {
        ctx.progress.done(&format!("{verb}: nothing to change"));
        // A run stopped during a create left its intent, and the object
        // landed after all: the engine's read adopts it (recorded as made,
        // with the time a migration's proof is compared with). It reads
        // what the plan read, so no new call.
        if ctx
            .snapshot()
            .owned
            .iter()
            .any(|o| o.state == OwnState::Intended)
        {
            engine::apply(ctx, az, &g, &o.waits)?;
        }
    } else {
        if !o.yes && !ctx.dry_run() {
            let mut question = format!("{verb} these changes?");
            question[..1].make_ascii_uppercase();
            confirm(
                &question,
                &format!("{verb} would make {} changes", plan.changes.len()),
                &format!("{verb} cancelled; nothing was changed"),
            )?;
        }
        engine::apply(ctx, az, &g, &o.waits)?;
        let doomed: Vec<Doomed> = plan
            .removals
            .iter()
            .map(|r| Doomed::by_id(Side::B, r.kind, &r.id))
            .collect();
        delete_all(
            &ctx.walk(az, &o.waits, false),
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
        // The file's bindings replace the graph's; the demo's stays.
        p.graph.bindings.retain(|b| b.is_demo());
        p.graph.bindings.extend(bindings.iter().cloned());
    })?;
    if !ctx.dry_run() {
        ctx.progress.done(&format!(
            "{verb}: done; {} workload bindings recorded in {}",
            bindings.len(),
            ctx.store.path().display()
        ));
    }
    Ok(())
}
