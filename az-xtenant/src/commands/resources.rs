//! `resources` (Tenant B): resource group; Service Bus namespace (local auth
//! disabled) and queue; user-assigned identity; "Azure Service Bus Data Owner"
//! on the namespace, retried while the new principal replicates.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use xtenant_shared::names;

use crate::az::types::{Identity, RoleAssignment};
use crate::az::{Az, namespace_id};
use crate::commands::{Ctx, group, login};
use crate::settings::{self, ResourceSettings};

/// Ensure Tenant B's resource group, Service Bus namespace and queue, identity and role.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub principal: PrincipalWait,
}

/// How long to retry while a new identity is unknown to the directory.
#[derive(Debug, Clone, clap::Args)]
pub struct PrincipalWait {
    /// Seconds to keep retrying the role assignment while Entra replicates a
    /// new identity (PrincipalNotFound)
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub principal_wait: u64,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<()> {
    ctx.require_profile()?;
    let s = settings::resources(&ctx.snapshot())?;
    let az = ctx.az()?;
    login::check(&az, std::slice::from_ref(&s.place))?;
    ensure(ctx, &az, &s, &args.principal)
}

/// The Tenant B step of `up`.
pub fn ensure(ctx: &Ctx, az: &Az, s: &ResourceSettings, wait: &PrincipalWait) -> Result<()> {
    let p = &s.place;
    let (sub, rg) = (&p.subscription, &p.resource_group);
    group::ensure(ctx, az, p)?;

    // The namespace name is generated once and kept, like the procedure's $RANDOM.
    let ns = s
        .namespace
        .clone()
        .unwrap_or_else(settings::generate_namespace);
    let identity_name = s
        .identity
        .clone()
        .unwrap_or_else(|| names::identity_name(&ns));
    ctx.record(|pr| {
        pr.resources.servicebus_namespace = Some(ns.clone());
        pr.resources.identity_name = Some(identity_name.clone());
        pr.resources.queue_name = Some(s.queue.clone());
    })?;

    let namespace = match az.namespace_show(sub, rg, &ns)? {
        None => {
            let n = az.namespace_create(sub, rg, &ns, &p.location)?;
            ctx.progress.done(&format!(
                "Tenant B: created Service Bus namespace {ns} (local auth disabled)"
            ));
            n
        }
        Some(n) if n.disable_local_auth != Some(true) => {
            ctx.progress.warn(&format!(
                "Service Bus namespace {ns} has local (SAS key) authentication enabled; disabling it"
            ));
            let fixed = az.namespace_disable_local_auth(sub, rg, &ns)?;
            ctx.progress
                .done(&format!("Tenant B: disabled local auth on {ns}"));
            fixed.or(Some(n))
        }
        Some(n) => {
            ctx.progress.done(&format!(
                "Tenant B: Service Bus namespace {ns} exists (local auth disabled)"
            ));
            Some(n)
        }
    };
    let ns_id = namespace
        .as_ref()
        .map_or_else(|| namespace_id(sub, rg, &ns), |n| n.id.clone());
    let hostname = namespace
        .as_ref()
        .and_then(|n| n.service_bus_endpoint.as_deref())
        .map_or_else(
            || format!("{ns}.servicebus.windows.net"),
            names::servicebus_hostname,
        );
    ctx.record(|pr| {
        pr.resources.servicebus_id = Some(ns_id.clone());
        pr.resources.servicebus_hostname = Some(hostname.clone());
    })?;

    if az.queue_show(sub, rg, &ns, &s.queue)?.is_some() {
        ctx.progress
            .done(&format!("Tenant B: queue {} exists", s.queue));
    } else {
        az.queue_create(sub, rg, &ns, &s.queue)?;
        ctx.progress
            .done(&format!("Tenant B: created queue {}", s.queue));
    }

    let identity = match az.identity_show(sub, rg, &identity_name)? {
        Some(i) => {
            ctx.progress.done(&format!(
                "Tenant B: managed identity {identity_name} exists"
            ));
            i
        }
        None => {
            let i = az.identity_create(sub, rg, &identity_name, &p.location)?;
            ctx.progress.done(&format!(
                "Tenant B: created managed identity {identity_name}"
            ));
            i.unwrap_or_else(|| Identity::planned(sub, rg, &identity_name))
        }
    };
    ctx.record(|pr| {
        pr.resources.identity_id = Some(identity.id.clone());
        pr.resources.client_id = Some(identity.client_id.clone());
        pr.resources.principal_id = Some(identity.principal_id.clone());
    })?;

    let existing = az
        .role_assignment_list(sub, &ns_id)?
        .into_iter()
        .find(|ra| ra.grants(&identity.principal_id, &ns_id));
    let assignment = match existing {
        Some(ra) => {
            ctx.progress.done(&format!(
                "Tenant B: {} already assigned on {ns}",
                names::SERVICEBUS_ROLE
            ));
            Some(ra)
        }
        None => {
            let ra = assign_role(ctx, az, sub, &identity.principal_id, &ns_id, wait)?;
            ctx.progress.done(&format!(
                "Tenant B: assigned {} to {identity_name} on {ns}",
                names::SERVICEBUS_ROLE
            ));
            ra
        }
    };
    if let Some(ra) = assignment {
        ctx.record(|pr| pr.resources.role_assignment_id = Some(ra.id.clone()))?;
    }
    Ok(())
}

/// Creates the role assignment, retrying with a growing, visible delay while
/// the directory does not know the new principal yet (`PrincipalNotFound`).
fn assign_role(
    ctx: &Ctx,
    az: &Az,
    sub: &str,
    principal: &str,
    scope: &str,
    wait: &PrincipalWait,
) -> Result<Option<RoleAssignment>> {
    let started = Instant::now();
    let limit = Duration::from_secs(wait.principal_wait);
    let mut delay = Duration::from_secs(1);
    loop {
        match az.role_assignment_create(sub, principal, scope) {
            Ok(ra) => return Ok(ra),
            Err(e) if e.is_principal_not_found() => {
                let waited = started.elapsed();
                if waited + delay > limit {
                    return Err(e).with_context(|| {
                        format!(
                            "the identity's principal {principal} was still unknown to Tenant B's \
                             directory after {} s (PrincipalNotFound); Entra replication can take \
                             minutes: re-run `az-xtenant up` later, or raise --principal-wait",
                            waited.as_secs()
                        )
                    });
                }
                ctx.progress.note(&format!(
                    "Tenant B: principal {principal} not replicated yet (PrincipalNotFound); \
                     retrying in {} s ({} s of {} s)",
                    delay.as_secs(),
                    waited.as_secs(),
                    limit.as_secs()
                ));
                ctx.progress.wait(
                    "Tenant B: waiting for Entra to replicate the identity",
                    || {
                        std::thread::sleep(delay);
                    },
                );
                delay = (delay * 2).min(Duration::from_secs(16));
            }
            Err(e) => return Err(e.into()),
        }
    }
}
