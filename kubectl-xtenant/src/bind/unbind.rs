//! `unbind`: removes what `bind` added, by applying an empty configuration
//! with the same field manager: server-side apply then drops every field
//! `xtenant` owned that no other manager shares, and nothing else.

use anyhow::{Context, Result};
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::Client;
use kube::api::{Api, ApiResource, Patch, PatchParams};
use serde_json::Value;
use xtenant_shared::output::Format;

use crate::manifests::FIELD_MANAGER;
use crate::output::{Check, Report};
use crate::workload::binding::{self, Target, WorkloadKind};
use crate::workload::read;
use crate::workload::recreate;
use crate::workload::rollout::{Wait, await_rollout, restart_check};

/// What to unbind and how: the verb's flags as plain values.
#[derive(Debug, Clone)]
pub struct Request {
    pub target: Target,
    /// Print the patches; change nothing.
    pub dry_run: bool,
    pub wait: Wait,
}

/// Releases xtenant's fields on the workload, then on its ServiceAccount.
pub async fn unbind(client: Client, ns: &str, args: &Request, format: Format) -> Result<Report> {
    let target = &args.target;
    let found = read(&client, ns, target).await?;
    let sa_name = binding::service_account_name(&found.template);
    let sa_ar = ApiResource::erase::<ServiceAccount>(&());
    let is_job = target.kind == WorkloadKind::Job;
    let wl_patch = if is_job {
        recreate::job(&found.object, false)
    } else {
        binding::release_patch(&target.kind.api_resource(), &target.name, ns)
    };
    let sa_patch = binding::release_patch(&sa_ar, &sa_name, ns);
    let mut report = Report::new("unbind");
    report.set("namespace", ns);
    report.set("workload", target.to_string());
    report.set("serviceAccount", sa_name.clone());
    if args.dry_run {
        if is_job {
            report.push(recreate::dry_run_check(target));
        }
        report.set("patches", Value::Array(vec![wl_patch, sa_patch]));
        return Ok(report);
    }
    // The workload first: new pods then come without the label before the
    // ServiceAccount loses its annotations.
    if is_job {
        let check = recreate::replace(&found, &wl_patch, args.wait.timeout, format).await?;
        report.push(check);
        release_service_account(client, ns, &sa_name, &sa_patch, &mut report).await?;
        return Ok(report);
    }
    let ssa = PatchParams::apply(FIELD_MANAGER);
    let after = found
        .api
        .patch(&target.name, &ssa, &Patch::Apply(&wl_patch))
        .await
        .with_context(|| format!("applying an empty configuration to {target}"))?;
    let template = binding::pod_template(target.kind, &after)?;
    let still = if binding::is_labelled(&template) {
        " (the label stays: another field manager also sets it)"
    } else {
        ""
    };
    report.push(Check::pass(
        "workload",
        format!("{target}: xtenant's pod template fields released{still}"),
    ));
    release_service_account(client, ns, &sa_name, &sa_patch, &mut report).await?;
    let changed = template != found.template;
    report.push(restart_check(target, changed, None, false));
    await_rollout(&mut report, &found, target, changed, &args.wait, format).await?;
    Ok(report)
}

/// Releases xtenant's annotations on the ServiceAccount, if it still exists.
async fn release_service_account(
    client: Client,
    ns: &str,
    sa_name: &str,
    sa_patch: &Value,
    report: &mut Report,
) -> Result<()> {
    let ssa = PatchParams::apply(FIELD_MANAGER);
    let sas: Api<ServiceAccount> = Api::namespaced(client, ns);
    if sas
        .get_opt(sa_name)
        .await
        .with_context(|| format!("reading serviceaccount/{sa_name}"))?
        .is_some()
    {
        sas.patch(sa_name, &ssa, &Patch::Apply(sa_patch))
            .await
            .with_context(|| {
                format!("applying an empty configuration to serviceaccount/{sa_name}")
            })?;
        report.push(Check::pass(
            "serviceaccount",
            format!("serviceaccount/{sa_name}: xtenant's annotations released"),
        ));
    }
    Ok(())
}
