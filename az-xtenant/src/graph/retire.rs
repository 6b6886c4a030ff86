//! What `grant --retire` does with Tenant B's resource groups once the
//! prune has removed what the grants made. As `cleanup` decides, a group is
//! deleted only when this profile made it (its ownership record, and the
//! profile's tag on the group: [`group::is_ours`]); beyond `cleanup`, only
//! when nothing is left in it, so nothing Tenant B keeps there goes with
//! it. Any other group is said and left.

use anyhow::Result;
use xtenant_shared::Profile;
use xtenant_shared::ownership::ObjectKind;
use xtenant_shared::profile::group_id;

use crate::az::Az;
use crate::az::arm_id::ArmId;
use crate::context::Ctx;
use crate::engine::delete::{Doomed, delete_all};
use crate::settings::Side;
use crate::steps::group;

/// The groups a retire may leave empty: those of the identities the grants
/// recorded, and the one named on the command line (`-g`). Read before the
/// prune, which forgets the identities' records.
pub fn groups_of(p: &Profile, subscription: &str, named: &str) -> Vec<String> {
    let mut out = vec![group_id(subscription, named)];
    for (_, i) in p.graph.declared_identities() {
        let Some(id) = i.id.as_deref() else {
            continue;
        };
        let id = ArmId::parse(id);
        let g = group_id(id.subscription(), id.resource_group());
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&g)) {
            out.push(g);
        }
    }
    out
}

/// Deletes each of `groups` that this profile made and that is empty now;
/// says why any other stays.
pub fn settle(ctx: &Ctx, az: &Az, groups: &[String]) -> Result<()> {
    // What the prune deleted is gone from Azure: ask again, not the plan's memory.
    let az = az.fresh();
    for id in groups {
        let parsed = ArmId::parse(id);
        let (sub, rg) = (parsed.subscription(), parsed.resource_group());
        let made = ctx.snapshot().owned.is_ours(id);
        if made && ctx.dry_run() {
            ctx.progress.note(&format!(
                "Tenant B: resource group {rg} is deleted after the retire if nothing is left in it"
            ));
            continue;
        }
        let Some(live) = az.group_show(sub, rg)? else {
            // Gone already (an earlier retire, or by hand): nothing to decide.
            if made {
                ctx.record(|p| p.owned.forget(id))?;
                ctx.progress
                    .done(&format!("Tenant B: resource group {rg} is already gone"));
            }
            continue;
        };
        if live.deleting() {
            ctx.progress
                .note(&format!("Tenant B: resource group {rg} is being deleted"));
            continue;
        }
        if !made {
            ctx.progress.note(&format!(
                "Tenant B: left resource group {rg}: this profile did not make it (it was there before the grants), so it is not the retire's to delete"
            ));
            continue;
        }
        if !group::is_ours(ctx, id, &live) {
            ctx.progress.warn(&format!(
                "Tenant B: left resource group {rg}: it does not carry this profile's tag (xtenant-profile), so someone else may own it"
            ));
            continue;
        }
        let left = az.resource_list(sub, rg)?;
        if !left.is_empty() {
            let names: Vec<String> = left
                .iter()
                .map(|r| format!("{} ({})", r.name, r.kind))
                .collect();
            ctx.progress.warn(&format!(
                "Tenant B: left resource group {rg}: it still holds {}, which the grants did not make; delete the group yourself once nothing in it is needed",
                names.join(", ")
            ));
            continue;
        }
        delete_all(
            ctx,
            &[Doomed::by_id(Side::B, ObjectKind::ResourceGroup, id)],
            |p, _, id| p.owned.forget(id),
            |_| format!("Tenant B: removed resource group {rg}"),
        )?;
    }
    Ok(())
}
