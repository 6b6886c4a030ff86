//! `init`: record tenants, subscriptions, names and location in the profile.
//! The procedure's variable names are read from the environment as defaults;
//! a re-run changes only what is given, and keeps generated names.

use anyhow::Result;
use xtenant_shared::Profile;
use xtenant_shared::validate::{Kind, parser};

use az_xtenant::context::Ctx;
use az_xtenant::error::UsageError;
use az_xtenant::settings;
use xtenant_shared::output::{self, Format};

/// Record the setup's settings (flags, else the procedure's environment variables).
#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// Tenant A's ID: the tenant of the AKS cluster
    #[arg(long, env = "TENANT_A_ID", hide_env_values = true, value_parser = parser(Kind::Guid))]
    pub tenant_a: Option<String>,
    /// Subscription in Tenant A for the cluster
    #[arg(long, env = "TENANT_A_SUBSCRIPTION_ID", hide_env_values = true, value_parser = parser(Kind::Guid))]
    pub subscription_a: Option<String>,
    /// Tenant B's ID: the tenant of the Service Bus and the managed identity
    #[arg(long, env = "TENANT_B_ID", hide_env_values = true, value_parser = parser(Kind::Guid))]
    pub tenant_b: Option<String>,
    /// Subscription in Tenant B for the Service Bus and the identity
    #[arg(long, env = "TENANT_B_SUBSCRIPTION_ID", hide_env_values = true, value_parser = parser(Kind::Guid))]
    pub subscription_b: Option<String>,
    /// Resource group name, used in both tenants (as in the procedure)
    #[arg(short = 'g', long, env = "RESOURCE_GROUP", hide_env_values = true, value_parser = parser(Kind::ResourceGroup))]
    pub resource_group: Option<String>,
    /// Resource group in Tenant B, when it differs from --resource-group
    #[arg(long, value_parser = parser(Kind::ResourceGroup))]
    pub resource_group_b: Option<String>,
    /// Azure region, used in both tenants (e.g. eastus)
    #[arg(short = 'l', long, env = "LOCATION", hide_env_values = true, value_parser = parser(Kind::Location))]
    pub location: Option<String>,
    /// Azure region in Tenant B, when it differs from --location
    #[arg(long, value_parser = parser(Kind::Location))]
    pub location_b: Option<String>,
    /// Name of the AKS cluster
    #[arg(long, env = "CLUSTER_NAME", hide_env_values = true, value_parser = parser(Kind::AksCluster))]
    pub cluster_name: Option<String>,
    /// Service Bus namespace name [default: sb-crosstenantdemo-<random>, generated once]
    #[arg(long, value_parser = parser(Kind::ServiceBusNamespace))]
    pub servicebus_name: Option<String>,
    /// Queue name [default: myqueue]
    #[arg(long, value_parser = parser(Kind::Queue))]
    pub queue: Option<String>,
    /// Managed identity name [default: <servicebus name>-identity]
    #[arg(long, value_parser = parser(Kind::Identity))]
    pub identity_name: Option<String>,
    /// Federated credential name [default: <identity name>-federated]
    #[arg(long, value_parser = parser(Kind::FederatedCredential))]
    pub federated_credential_name: Option<String>,
    /// Kubernetes namespace of the workload [default: default]
    #[arg(long, value_parser = parser(Kind::K8sNamespace))]
    pub namespace: Option<String>,
    /// Kubernetes ServiceAccount of the workload [default: myserviceaccount]
    #[arg(long, value_parser = parser(Kind::ServiceAccount))]
    pub service_account: Option<String>,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<()> {
    let profile = if ctx.dry_run() {
        let mut p = ctx.snapshot();
        apply(&mut p, args)?;
        p
    } else {
        ctx.store.modify(|p| {
            apply(p, args)?;
            Ok::<_, anyhow::Error>(p.clone())
        })?
    };
    if ctx.format == Format::Json || ctx.dry_run() {
        output::json(&profile)?;
    }
    if !ctx.dry_run() {
        ctx.progress.done(&format!(
            "profile written to {}",
            ctx.store.path().display()
        ));
    }
    Ok(())
}

/// Merges the given values into the profile and checks that it is complete.
fn apply(p: &mut Profile, a: &Args) -> Result<()> {
    let before = p.clone();
    let set = |slot: &mut Option<String>, v: &Option<String>| {
        if let Some(v) = v {
            *slot = Some(v.clone());
        }
    };
    let c = &mut p.cluster;
    set(&mut c.tenant_id, &a.tenant_a);
    set(&mut c.subscription_id, &a.subscription_a);
    set(&mut c.resource_group, &a.resource_group);
    set(&mut c.location, &a.location);
    set(&mut c.cluster_name, &a.cluster_name);
    let r = &mut p.resources;
    set(&mut r.tenant_id, &a.tenant_b);
    set(&mut r.subscription_id, &a.subscription_b);
    set(
        &mut r.resource_group,
        &a.resource_group_b.clone().or(a.resource_group.clone()),
    );
    set(
        &mut r.location,
        &a.location_b.clone().or(a.location.clone()),
    );
    set(&mut r.servicebus_namespace, &a.servicebus_name);
    set(&mut r.queue_name, &a.queue);
    set(&mut r.identity_name, &a.identity_name);
    set(
        &mut r.federated_credential_name,
        &a.federated_credential_name,
    );
    if let Some(ns) = &a.namespace {
        p.workload.namespace.clone_from(ns);
    }
    if let Some(sa) = &a.service_account {
        p.workload.service_account.clone_from(sa);
    }
    refuse_moving_recorded(&before, p)?;
    let r = &mut p.resources;
    if r.servicebus_namespace.is_none() {
        r.servicebus_namespace = Some(settings::generate_namespace());
    }
    r.queue_name
        .get_or_insert_with(|| xtenant_shared::names::DEFAULT_QUEUE.into());
    // Complete and valid, or nothing is written.
    settings::cluster(p)?;
    settings::resources(p)?;
    settings::subject(p)?;
    Ok(())
}

/// A side that already records resources may not move to another tenant,
/// subscription or resource group: cleanup would lose track of them.
fn refuse_moving_recorded(before: &Profile, after: &Profile) -> Result<()> {
    let (b, a) = (&before.cluster, &after.cluster);
    let demo_cluster = before.graph.demo_cluster().and_then(|c| c.id.as_ref());
    let a_recorded = b.resource_group_created || demo_cluster.is_some();
    let a_moved = (&b.tenant_id, &b.subscription_id, &b.resource_group)
        != (&a.tenant_id, &a.subscription_id, &a.resource_group);
    let (rb, ra) = (&before.resources, &after.resources);
    let demo_identity = before.graph.demo_identity().and_then(|i| i.id.as_ref());
    let b_recorded =
        rb.resource_group_created || demo_identity.is_some() || rb.servicebus_id.is_some();
    let b_moved = (
        &rb.tenant_id,
        &rb.subscription_id,
        &rb.resource_group,
        &rb.servicebus_namespace,
    ) != (
        &ra.tenant_id,
        &ra.subscription_id,
        &ra.resource_group,
        &ra.servicebus_namespace,
    );
    for (recorded, moved, label) in [
        (a_recorded, a_moved, "Tenant A"),
        (b_recorded, b_moved, "Tenant B"),
    ] {
        if recorded && moved {
            return Err(UsageError(format!(
                "the profile already records resources in {label}; changing its tenant, subscription, \
                 resource group or namespace would lose track of them: run `az-xtenant cleanup` first, \
                 or use another --profile"
            ))
            .into());
        }
    }
    Ok(())
}
