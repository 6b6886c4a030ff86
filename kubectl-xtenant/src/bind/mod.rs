//! `bind` and `unbind`: give an existing workload the cross-tenant identity,
//! or take it back. Bind annotates the workload's ServiceAccount with the
//! identity's client and tenant IDs, labels its pod template for the
//! webhook, and rolls its pods, each by server-side apply as `xtenant` with
//! only those fields, so `unbind` can release them. The template checks run
//! first: a refused check changes nothing.

pub mod unbind;

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use k8s_openapi::api::core::v1::{ConfigMap, PodTemplateSpec, Secret, ServiceAccount};
use kube::Client;
use kube::api::{Api, Patch, PatchParams};
use serde_json::Value;
use xtenant_shared::output::Format;

use crate::checks::template::{self, Source, SourceRef};
use crate::exit::Usage;
use crate::manifests::FIELD_MANAGER;
use crate::output::{Check, Report};
use crate::settings::{IdentityFlags, Settings};
use crate::workload::binding::{self, Target, WorkloadKind};
use crate::workload::recreate::{self, check_recreate};
use crate::workload::rollout::{Wait, await_rollout, restart_check};
use crate::workload::{Found, read};

/// What to bind and how: the verb's flags as plain values.
#[derive(Debug, Clone)]
pub struct Request {
    pub target: Target,
    pub identity: IdentityFlags,
    /// For a Job: delete it with its pods and create it again with the label.
    pub recreate: bool,
    /// Leave out the restart annotation.
    pub no_restart: bool,
    /// Check and print the patches; change nothing.
    pub dry_run: bool,
    /// Bind even if the pods run as the namespace's "default" ServiceAccount.
    pub allow_default_sa: bool,
    pub wait: Wait,
}

/// What bind will apply, resolved and checked for refusals.
struct Plan {
    sa_name: String,
    client_id: String,
    tenant: String,
    restarted_at: Option<String>,
    sa_patch: Value,
    wl_patch: Value,
}

/// Checks, then (unless a check failed or `--dry-run`) applies and restarts.
pub async fn bind(
    client: Client,
    ns: &str,
    args: &Request,
    settings: Settings,
    context: Option<&str>,
    format: Format,
) -> Result<Report> {
    // The verb checks this before reading anything; checked here too so no
    // caller can rewrite a Job in place.
    check_recreate(&args.target, "bind", args.recreate)?;
    let found = read(&client, ns, &args.target).await?;
    let plan = plan(&client, ns, args, &found, settings, context).await?;
    let mut report = Report::new("bind");
    let sources = read_sources(&client, ns, &found.template).await;
    for c in template::check(&found.template, &plan.tenant, &sources) {
        report.push(c);
    }
    report.set("namespace", ns);
    report.set("workload", args.target.to_string());
    report.set("serviceAccount", plan.sa_name.clone());
    report.set("clientId", plan.client_id.clone());
    report.set("tenantId", plan.tenant.clone());
    if !report.ok || args.dry_run {
        if report.ok && args.target.kind == WorkloadKind::Job {
            report.push(recreate::dry_run_check(&args.target));
        }
        let patches = vec![plan.sa_patch, plan.wl_patch];
        report.set("patches", Value::Array(patches));
        return Ok(report);
    }
    apply(client, ns, args, &found, plan, &mut report, format).await?;
    Ok(report)
}

/// Resolves the identity and the patches; refuses the default
/// ServiceAccount (unless allowed) and a missing one.
async fn plan(
    client: &Client,
    ns: &str,
    args: &Request,
    found: &Found,
    settings: Settings,
    context: Option<&str>,
) -> Result<Plan> {
    let target = &args.target;
    let sa_name = binding::service_account_name(&found.template);
    if sa_name == "default" && !args.allow_default_sa {
        return Err(Usage(format!(
            "{target} runs as the namespace's \"default\" ServiceAccount: annotating it would give this identity to every labelled pod in namespace {ns} that names no ServiceAccount. \
             Create a ServiceAccount for the workload and set spec.template.spec.serviceAccountName, or pass --allow-default-sa; nothing was changed"
        ))
        .into());
    }
    let settings = settings.for_workload(ns, &sa_name, context);
    let client_id = settings.client_id(args.identity.client_id.as_deref())?;
    let tenant = settings.tenant_b(args.identity.tenant_id.as_deref())?;
    let sas: Api<ServiceAccount> = Api::namespaced(client.clone(), ns);
    let sa = sas.get_opt(&sa_name).await;
    if sa
        .with_context(|| format!("reading serviceaccount/{sa_name}"))?
        .is_none()
    {
        return Err(Usage(format!(
            "serviceaccount/{sa_name}, which {target} runs as, does not exist in namespace {ns}: create it first; nothing was changed"
        ))
        .into());
    }
    let restarted_at = restarted_at(target.kind, found, args.no_restart);
    let wl_patch = if target.kind == WorkloadKind::Job {
        recreate::job(&found.object, true)
    } else {
        binding::workload_patch(target, ns, restarted_at.as_deref())
    };
    Ok(Plan {
        sa_patch: binding::service_account_patch(&sa_name, ns, &client_id, &tenant),
        wl_patch,
        sa_name,
        client_id,
        tenant,
        restarted_at,
    })
}

/// Applies the ServiceAccount first (new pods must find its annotations),
/// then the workload, and waits for the rollout.
async fn apply(
    client: Client,
    ns: &str,
    args: &Request,
    found: &Found,
    plan: Plan,
    report: &mut Report,
    format: Format,
) -> Result<()> {
    let target = &args.target;
    let ssa = PatchParams::apply(FIELD_MANAGER).force();
    let sas: Api<ServiceAccount> = Api::namespaced(client, ns);
    let sa_name = &plan.sa_name;
    sas.patch(sa_name, &ssa, &Patch::Apply(&plan.sa_patch))
        .await
        .with_context(|| format!("applying serviceaccount/{sa_name}"))?;
    report.push(Check::pass(
        "serviceaccount",
        format!(
            "serviceaccount/{sa_name}: client-id {}, tenant-id {}",
            plan.client_id, plan.tenant
        ),
    ));
    if target.kind == WorkloadKind::Job {
        let check = recreate::replace(found, &plan.wl_patch, args.wait.timeout, format).await?;
        report.push(check);
        return Ok(());
    }
    let after = found
        .api
        .patch(&target.name, &ssa, &Patch::Apply(&plan.wl_patch))
        .await
        .with_context(|| format!("applying {target}"))?;
    let was = if binding::is_labelled(&found.template) {
        "was already there"
    } else {
        "added"
    };
    report.push(Check::pass(
        "workload",
        format!("{target}: pod template label azure.workload.identity/use=true {was}"),
    ));
    let changed = binding::pod_template(target.kind, &after)? != found.template;
    let at = plan.restarted_at.as_deref();
    report.push(restart_check(target, changed, at, args.no_restart));
    await_rollout(report, found, target, changed, &args.wait, format).await?;
    if let Some(at) = plan.restarted_at {
        report.set("restartedAt", at);
    }
    Ok(())
}

/// The restart annotation to apply: a new time to roll the pods; with
/// `--no-restart`, the one xtenant applied before (so applying again does
/// not drop it, which would roll the pods too); none for a CronJob.
fn restarted_at(kind: WorkloadKind, found: &Found, no_restart: bool) -> Option<String> {
    if !kind.rolls_out() {
        return None;
    }
    let current = binding::template_annotation(&found.template, binding::ANNOTATION_RESTARTED_AT);
    if !no_restart {
        let now = k8s_openapi::jiff::Timestamp::now();
        return Some(binding::restart_stamp(now, current));
    }
    let path = binding::restarted_at_path(kind);
    if !binding::applied_by(&found.object, FIELD_MANAGER, &path) {
        return None;
    }
    current.map(str::to_string)
}

/// The contents of every `envFrom` source, as far as they can be read.
async fn read_sources(
    client: &Client,
    ns: &str,
    template: &PodTemplateSpec,
) -> BTreeMap<SourceRef, Source> {
    let mut out = BTreeMap::new();
    for r in template::env_sources(template) {
        let source = if r.kind == "configmap" {
            let api: Api<ConfigMap> = Api::namespaced(client.clone(), ns);
            api.get_opt(&r.name)
                .await
                .map(|o| o.map(|cm| cm.data.unwrap_or_default()))
        } else {
            let api: Api<Secret> = Api::namespaced(client.clone(), ns);
            api.get_opt(&r.name).await.map(|o| {
                o.map(|s| {
                    s.data
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(k, v)| (k, String::from_utf8_lossy(&v.0).into_owned()))
                        .collect()
                })
            })
        };
        let source = match source {
            Ok(Some(keys)) => Source::Keys(keys),
            Ok(None) => Source::Missing,
            Err(e) => Source::Unreadable(e.to_string()),
        };
        out.insert(r, source);
    }
    out
}

#[cfg(test)]
mod tests;
