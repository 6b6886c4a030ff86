//! The resource-group step both tenants share: adopt an existing group (never
//! marked as created), or create one tagged `created-by=xtenant` and record it.

use anyhow::Result;
use xtenant_shared::names;

use crate::az::Az;
use crate::commands::Ctx;
use crate::settings::Place;

pub fn ensure(ctx: &Ctx, az: &Az, place: &Place) -> Result<()> {
    let (label, rg) = (place.side.label(), &place.resource_group);
    match az.group_show(&place.subscription, rg)? {
        Some(group) => {
            let ours = place.side.group_created(&ctx.snapshot());
            if ours && !group.tagged_by_xtenant() {
                ctx.progress.warn(&format!(
                    "{label}: resource group {rg} lacks the tag {}={}; cleanup will leave it alone",
                    names::TAG_CREATED_BY,
                    names::TAG_CREATED_BY_VALUE
                ));
            }
            let how = if ours {
                "exists (created by xtenant)"
            } else {
                "exists; adopted (cleanup will not delete it)"
            };
            ctx.progress
                .done(&format!("{label}: resource group {rg} {how}"));
        }
        None => {
            az.group_create(&place.subscription, rg, &place.location)?;
            let side = place.side;
            ctx.record(|p| side.set_group_created(p, true))?;
            ctx.progress.done(&format!(
                "{label}: created resource group {rg} in {} (tagged {}={})",
                place.location,
                names::TAG_CREATED_BY,
                names::TAG_CREATED_BY_VALUE
            ));
        }
    }
    Ok(())
}
