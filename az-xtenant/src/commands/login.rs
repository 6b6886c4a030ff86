//! `login`: make sure az holds a session for both tenants, running
//! `az login --tenant X` only for a tenant without one, so both stay logged in
//! at once.

use anyhow::Result;

use az_xtenant::context::Ctx;
use az_xtenant::session::{check, has_session};
use az_xtenant::settings;

/// Log in to whichever tenant az has no session for.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Ctx, _args: &Args) -> Result<()> {
    ctx.require_profile()?;
    let p = ctx.snapshot();
    let places = [settings::cluster(&p)?.place, settings::resources(&p)?.place];
    let az = ctx.az()?;
    let accounts = az.account_list()?;
    for place in &places {
        if has_session(&accounts, &place.tenant) {
            ctx.progress.done(&format!(
                "{}: az already holds a session for tenant {}",
                place.side.label(),
                place.tenant
            ));
        } else {
            ctx.progress.note(&format!(
                "{}: logging in to tenant {}",
                place.side.label(),
                place.tenant
            ));
            az.login(&place.tenant)?;
        }
    }
    if !az.dry_run() {
        check(&az, &places)?;
        ctx.progress.done("both tenants are logged in");
    }
    Ok(())
}
