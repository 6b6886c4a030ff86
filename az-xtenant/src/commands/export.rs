//! `export`: the demo's profile as an `xtenant.yaml` — its cluster, its
//! identity with the Service Bus role on the namespace, its workload — so a
//! setup made with `up` can grow into a declared graph. Reads only the profile.

use anyhow::Result;
use serde_json::json;
use xtenant_shared::{Profile, names, output};

use az_xtenant::az::arm_id;
use az_xtenant::context::Ctx;
use az_xtenant::settings;

/// Print the demo's profile as a graph file (xtenant.yaml) for `plan`/`apply`
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Ctx, _args: &Args) -> Result<()> {
    ctx.require_profile()?;
    let p = ctx.snapshot();
    let file = graph_file(&p)?;
    let text = serde_yaml::to_string(&file)?;
    output::print(format!(
        "# xtenant.yaml exported from profile {}\n{text}",
        ctx.store.path().display()
    ))?;
    Ok(())
}

/// The graph file's content for a demo profile.
fn graph_file(p: &Profile) -> Result<serde_json::Value> {
    let a = settings::cluster(p)?;
    let b = settings::resources(p)?;
    let namespace = b.namespace.clone().ok_or_else(|| {
        az_xtenant::error::UsageError(
            "the profile has no Service Bus namespace yet: run `az-xtenant up` first".into(),
        )
    })?;
    let identity = b
        .identity
        .clone()
        .unwrap_or_else(|| names::identity_name(&namespace));
    let scope = arm_id::namespace(&b.place.subscription, &b.place.resource_group, &namespace);
    Ok(json!({
        "tenantA": {"tenantId": a.place.tenant, "subscriptionId": a.place.subscription},
        "tenantB": {
            "tenantId": b.place.tenant,
            "subscriptionId": b.place.subscription,
            "resourceGroup": b.place.resource_group,
            "location": b.place.location,
        },
        "clusters": [{"name": a.name, "resourceGroup": a.place.resource_group}],
        "identities": [{
            "name": identity,
            "roles": [{"role": names::SERVICEBUS_ROLE, "scope": scope}],
        }],
        "workloads": [{
            "namespace": p.workload.namespace,
            "serviceAccount": p.workload.service_account,
            "identity": identity,
        }],
    }))
}
