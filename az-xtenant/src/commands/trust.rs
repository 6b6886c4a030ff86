//! `trust` (Tenant B): the federated identity credential on the managed
//! identity, trusting Tenant A's issuer (byte for byte) for the workload's
//! subject. An existing credential with the same (issuer, subject) is reused.

use anyhow::{Context, Result, bail};
use xtenant_shared::names;
use xtenant_shared::validate::{Kind, check};

use crate::az::Az;
use crate::az::argv::Credential;
use crate::commands::{Ctx, login};
use crate::settings::{self, ResourceSettings};

/// Ensure the federated identity credential that lets the cluster's service account act as the identity.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Federated credentials one identity may have.
const MAX_CREDENTIALS: usize = 20;

pub fn run(ctx: &Ctx, _args: &Args) -> Result<()> {
    ctx.require_profile()?;
    let p = ctx.snapshot();
    let s = settings::resources(&p)?;
    settings::subject(&p)?;
    let issuer = p
        .cluster
        .issuer_url
        .as_ref()
        .context("no OIDC issuer recorded yet: run `az-xtenant cluster` (or `up`) first")?;
    check("cluster.issuerUrl (profile)", Kind::IssuerUrl, issuer)?;
    let az = ctx.az()?;
    login::check(&az, std::slice::from_ref(&s.place))?;
    ensure(ctx, &az, &s)
}

/// The last step of `up`; reads the issuer and identity the earlier steps recorded.
pub fn ensure(ctx: &Ctx, az: &Az, s: &ResourceSettings) -> Result<()> {
    let p = ctx.snapshot();
    let issuer = p
        .cluster
        .issuer_url
        .clone()
        .context("no OIDC issuer recorded yet: run `az-xtenant cluster` (or `up`) first")?;
    check("cluster.issuerUrl (profile)", Kind::IssuerUrl, &issuer)?;
    let identity = p
        .resources
        .identity_name
        .clone()
        .or_else(|| s.identity.clone())
        .context("no managed identity recorded yet: run `az-xtenant resources` (or `up`) first")?;
    check(
        "resources.identityName (profile)",
        Kind::Identity,
        &identity,
    )?;
    let subject = settings::subject(&p)?;
    let (sub, rg) = (&s.place.subscription, &s.place.resource_group);

    let existing = az.credential_list(sub, rg, &identity)?;
    if let Some(c) = existing
        .iter()
        .find(|c| c.issuer == issuer && c.subject == subject)
    {
        if !c.audiences.iter().any(|a| a == names::TOKEN_AUDIENCE) {
            ctx.progress.warn(&format!(
                "federated credential {} has audiences {:?}; workload identity tokens carry {}",
                c.name,
                c.audiences,
                names::TOKEN_AUDIENCE
            ));
        }
        let name = c.name.clone();
        ctx.record(|pr| pr.resources.federated_credential_name = Some(name.clone()))?;
        ctx.progress.done(&format!(
            "Tenant B: federated credential {name} already trusts {subject} from {issuer}"
        ));
        return Ok(());
    }
    for c in existing.iter().filter(|c| c.subject == subject) {
        if c.issuer.trim_end_matches('/') == issuer.trim_end_matches('/') {
            ctx.progress.warn(&format!(
                "federated credential {} names issuer {:?}, which differs from the cluster's {issuer:?} only by the trailing slash; Entra compares byte for byte",
                c.name, c.issuer
            ));
        }
    }
    let name = s
        .credential
        .clone()
        .unwrap_or_else(|| names::federated_credential_name(&identity));
    let replaces = existing.iter().any(|c| c.name == name);
    if !replaces && existing.len() >= MAX_CREDENTIALS {
        bail!(
            "managed identity {identity} already has {} federated credentials, the most Entra allows; remove one first",
            existing.len()
        );
    }
    if replaces {
        ctx.progress.note(&format!(
            "Tenant B: federated credential {name} exists with another issuer or subject; updating it"
        ));
    }
    let c = Credential {
        identity: &identity,
        name: &name,
        issuer: &issuer,
        subject: &subject,
    };
    az.credential_create(sub, rg, &c)?;
    ctx.record(|pr| pr.resources.federated_credential_name = Some(name.clone()))?;
    ctx.progress.done(&format!(
        "Tenant B: federated credential {name} trusts {subject} from {issuer} \
         (Entra may take a minute or two to accept it)"
    ));
    Ok(())
}
