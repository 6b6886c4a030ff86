//! `trust` (Tenant B): the federated identity credential on the managed
//! identity, trusting Tenant A's issuer (byte for byte) for the workload's
//! subject — the last step of the demo graph, reading the issuer and the
//! identity the earlier steps recorded.

use anyhow::Result;
use xtenant_shared::validate::{Kind, check};

use az_xtenant::context::Ctx;
use az_xtenant::context::Waits;
use az_xtenant::engine;
use az_xtenant::error::UsageError;
use az_xtenant::settings::{self, DEMO_ISSUER};
use az_xtenant::steps::{self, Part};

/// Ensure the federated identity credential that lets the cluster's service account act as the identity.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Ctx, _args: &Args) -> Result<()> {
    ctx.require_profile()?;
    let p = ctx.snapshot();
    let graph = steps::demo(&p, Part::Trust)?;
    let issuer = p.demo_issuer().ok_or_else(|| {
        UsageError("no OIDC issuer recorded yet: run `az-xtenant cluster` (or `up`) first".into())
    })?;
    check(DEMO_ISSUER, Kind::IssuerUrl, issuer)?;
    if p.resources.identity_name.is_none() {
        return Err(UsageError(
            "no managed identity recorded yet: run `az-xtenant resources` (or `up`) first".into(),
        )
        .into());
    }
    let place = settings::resources(&p)?.place;
    let az = ctx.caching_az_for(std::slice::from_ref(&place))?;
    engine::apply(ctx, &az, &graph, &Waits::standard())
}
