//! `cleanup`: delete, in both tenants, only the resource groups xtenant
//! created: the profile says so AND the live group carries the
//! `created-by=xtenant` tag. Adopted groups are never touched. Asks on a
//! terminal; elsewhere `--yes` is required. Then forgets the recorded IDs.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, Result};
use xtenant_shared::Profile;

use crate::commands::{Ctx, login};
use crate::error::UsageError;
use crate::settings::{self, Place, Side};

/// Delete the resource groups xtenant created (both tenants), after confirmation.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Delete without asking (required when not on a terminal)
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Start the deletions and return without waiting for them to finish
    #[arg(long)]
    pub no_wait: bool,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<()> {
    ctx.require_profile()?;
    let p = ctx.snapshot();
    let mut places: Vec<Place> = Vec::new();
    for (side, place) in [
        (Side::A, settings::cluster(&p).map(|s| s.place)),
        (Side::B, settings::resources(&p).map(|s| s.place)),
    ] {
        if !side.group_created(&p) {
            continue;
        }
        let place = place?;
        // One group serves both sides when tenants share a subscription.
        if !places.iter().any(|q| same_group(q, &place)) {
            places.push(place);
        }
    }
    if places.is_empty() {
        ctx.progress.done(
            "nothing to delete: xtenant created no resource group in this profile (adopted groups are kept)",
        );
        return Ok(());
    }
    let az = ctx.az()?;
    login::check(&az, &places)?;

    let mut doomed = Vec::new();
    for place in places {
        let rg = &place.resource_group;
        match az.group_show(&place.subscription, rg)? {
            None => {
                ctx.progress.done(&format!(
                    "{}: resource group {rg} is already gone",
                    place.side.label()
                ));
                forget(ctx, place.side)?;
            }
            Some(g) if !g.tagged_by_xtenant() => ctx.progress.warn(&format!(
                "{}: not deleting resource group {rg}: it lacks the created-by=xtenant tag",
                place.side.label()
            )),
            Some(_) => doomed.push(place),
        }
    }
    if doomed.is_empty() {
        return Ok(());
    }
    if !args.yes && !ctx.dry_run() {
        confirm(&doomed)?;
    }
    for place in &doomed {
        let rg = &place.resource_group;
        az.group_delete(&place.subscription, rg, args.no_wait)?;
        forget(ctx, place.side)?;
        for q in &doomed {
            if q.side != place.side && same_group(q, place) {
                forget(ctx, q.side)?;
            }
        }
        let how = if args.no_wait {
            "deletion started"
        } else {
            "deleted"
        };
        ctx.progress.done(&format!(
            "{}: resource group {rg} {how} (subscription {})",
            place.side.label(),
            place.subscription
        ));
    }
    Ok(())
}

fn same_group(a: &Place, b: &Place) -> bool {
    a.subscription.eq_ignore_ascii_case(&b.subscription)
        && a.resource_group.eq_ignore_ascii_case(&b.resource_group)
}

/// Asks on the terminal; refuses (exit 2) when there is none.
fn confirm(doomed: &[Place]) -> Result<()> {
    let list: Vec<String> = doomed
        .iter()
        .map(|p| {
            format!(
                "{} ({}, subscription {})",
                p.resource_group,
                p.side.label(),
                p.subscription
            )
        })
        .collect();
    if !std::io::stdin().is_terminal() {
        return Err(UsageError(format!(
            "cleanup would delete resource group(s) {}; pass --yes to confirm when not on a terminal",
            list.join(", ")
        ))
        .into());
    }
    eprint!(
        "Delete resource group(s) {} and everything in them? [y/N] ",
        list.join(", ")
    );
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .context("reading the answer")?;
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        Ok(())
    } else {
        Err(UsageError("cleanup cancelled; nothing was deleted".into()).into())
    }
}

/// Clears what the profile records about one side's resources (names and
/// settings stay, so `up` can build them again).
fn forget(ctx: &Ctx, side: Side) -> Result<()> {
    ctx.record(|p: &mut Profile| match side {
        Side::A => {
            let c = &mut p.cluster;
            c.resource_group_created = false;
            c.cluster_created = false;
            c.cluster_id = None;
            c.issuer_url = None;
        }
        Side::B => {
            let r = &mut p.resources;
            r.resource_group_created = false;
            r.servicebus_id = None;
            r.servicebus_hostname = None;
            r.identity_id = None;
            r.client_id = None;
            r.principal_id = None;
            r.role_assignment_id = None;
            r.federated_credential_name = None;
        }
    })
}
