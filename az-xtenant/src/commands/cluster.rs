//! `cluster` (Tenant A): resource group; AKS cluster with OIDC issuer and
//! workload identity (created, or adopted and updated); the issuer URL
//! recorded byte for byte; optionally kubeconfig credentials.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use xtenant_shared::validate::{Kind, check, issuer_warnings};

use crate::az::Az;
use crate::az::types::{Cluster, PLACEHOLDER_GUID};
use crate::commands::{Ctx, group, login};
use crate::settings::{self, ClusterSettings};

/// Ensure Tenant A's resource group and AKS cluster, and record the issuer URL.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also merge the cluster's credentials into a kubeconfig (`az aks get-credentials`)
    #[arg(long)]
    pub get_credentials: bool,
    /// Kubeconfig file to merge the credentials into (default: az's, ~/.kube/config)
    #[arg(long, value_name = "FILE", requires = "get_credentials")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// How long to wait for a cluster AKS is still working on.
#[derive(Debug, Clone, clap::Args)]
pub struct WaitArgs {
    /// Seconds to wait for a cluster that AKS is still creating or updating
    #[arg(long, value_name = "SECS", default_value_t = 1800)]
    pub cluster_wait: u64,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<()> {
    ctx.require_profile()?;
    let s = settings::cluster(&ctx.snapshot())?;
    let file = args
        .file
        .as_ref()
        .map(|f| {
            f.to_str()
                .map(str::to_string)
                .ok_or_else(|| crate::error::UsageError(format!("--file {f:?} is not valid UTF-8")))
        })
        .transpose()?;
    let az = ctx.az()?;
    login::check(&az, std::slice::from_ref(&s.place))?;
    ensure(ctx, &az, &s, &args.wait)?;
    if args.get_credentials {
        let p = &s.place;
        az.aks_get_credentials(&p.subscription, &p.resource_group, &s.name, file.as_deref())?;
        let into = file.as_deref().unwrap_or("the default kubeconfig");
        ctx.progress.done(&format!(
            "Tenant A: credentials of {} merged into {into}",
            s.name
        ));
    }
    Ok(())
}

/// The Tenant A step of `up`.
pub fn ensure(ctx: &Ctx, az: &Az, s: &ClusterSettings, wait: &WaitArgs) -> Result<()> {
    group::ensure(ctx, az, &s.place)?;
    let (sub, rg, name) = (&s.place.subscription, &s.place.resource_group, &s.name);
    let cluster = match az.aks_show(sub, rg, name)? {
        None => {
            // Recorded first: a run interrupted during the (long) create
            // still knows that the cluster is xtenant's.
            ctx.record(|p| p.cluster.cluster_created = true)?;
            let c = az.aks_create(sub, rg, name)?;
            ctx.progress.done(&format!(
                "Tenant A: created AKS cluster {name} with OIDC issuer and workload identity"
            ));
            c
        }
        Some(c) if !c.oidc_enabled() || !c.workload_identity_enabled() => {
            settle(ctx, az, s, c, wait)?;
            ctx.progress.note(&format!(
                "Tenant A: AKS cluster {name} exists without OIDC issuer or workload identity; enabling them"
            ));
            let c = az.aks_enable_workload_identity(sub, rg, name)?;
            ctx.progress.done(&format!(
                "Tenant A: enabled OIDC issuer and workload identity on AKS cluster {name}"
            ));
            c
        }
        Some(c) => {
            ctx.progress.done(&format!(
                "Tenant A: AKS cluster {name} exists with OIDC issuer and workload identity"
            ));
            Some(c)
        }
    };
    let cluster = match cluster {
        Some(c) => Some(settle(ctx, az, s, c, wait)?),
        None => None,
    };
    record_issuer(ctx, az, s, cluster.as_ref())
}

/// Waits while AKS reports the cluster as still being created or updated.
fn settle(
    ctx: &Ctx,
    az: &Az,
    s: &ClusterSettings,
    mut c: Cluster,
    wait: &WaitArgs,
) -> Result<Cluster> {
    let started = Instant::now();
    let limit = Duration::from_secs(wait.cluster_wait);
    let (sub, rg, name) = (&s.place.subscription, &s.place.resource_group, &s.name);
    while c.in_progress() && !az.dry_run() {
        let state = c.provisioning_state.clone().unwrap_or_default();
        if started.elapsed() >= limit {
            bail!(
                "AKS cluster {name} is still {state} after {} s; re-run later (or raise --cluster-wait)",
                limit.as_secs()
            );
        }
        let what = format!("Tenant A: waiting for AKS cluster {name} ({state})");
        ctx.progress
            .wait(&what, || std::thread::sleep(Duration::from_secs(10)));
        c = az
            .aks_show(sub, rg, name)?
            .with_context(|| format!("AKS cluster {name} disappeared while {state}"))?;
    }
    Ok(c)
}

fn record_issuer(ctx: &Ctx, az: &Az, s: &ClusterSettings, c: Option<&Cluster>) -> Result<()> {
    let name = &s.name;
    let (id, issuer) = match c {
        Some(c) => match c.issuer_url() {
            Some(url) => (c.id.clone(), url.to_string()),
            None if az.dry_run() => (c.id.clone(), planned_issuer(s)),
            None => bail!(
                "AKS cluster {name} reports no OIDC issuer URL (provisioning state {:?}); check it with `az aks show`",
                c.provisioning_state.as_deref().unwrap_or("unknown")
            ),
        },
        // A dry run that would create the cluster: what its issuer looks like.
        None => (String::new(), planned_issuer(s)),
    };
    check("the cluster's OIDC issuer URL", Kind::IssuerUrl, &issuer)?;
    for w in issuer_warnings(&issuer, Some(&s.place.tenant)) {
        ctx.progress.warn(&w);
    }
    let recorded = ctx.snapshot().cluster.issuer_url;
    if recorded.as_deref().is_some_and(|r| r != issuer) {
        ctx.progress.warn(&format!(
            "the cluster's issuer changed from {:?} to {issuer:?}; `trust` will add a credential for the new one",
            recorded.unwrap_or_default()
        ));
    }
    let id = (!id.is_empty()).then_some(id);
    ctx.record(|p| {
        if id.is_some() {
            p.cluster.cluster_id.clone_from(&id);
        }
        p.cluster.issuer_url = Some(issuer.clone());
    })?;
    ctx.progress
        .done(&format!("Tenant A: OIDC issuer {issuer}"));
    Ok(())
}

fn planned_issuer(s: &ClusterSettings) -> String {
    format!(
        "https://{}.oic.prod-aks.azure.com/{}/{PLACEHOLDER_GUID}/",
        s.place.location, s.place.tenant
    )
}
