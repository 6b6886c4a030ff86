//! `unbind`: removes what `bind` added, by applying an empty configuration
//! with the same field manager: server-side apply then drops every field
//! `xtenant` owned that no other manager shares, and nothing else.

use anyhow::{Context, Result};
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::Client;
use kube::api::{Api, ApiResource, Patch, PatchParams};
use serde_json::Value;
use xtenant_shared::output::Format;

use crate::binding::{self, Target};
use crate::cli::Global;
use crate::commands::bind::{WaitArgs, await_rollout, print, read, refuse_job, restart_check};
use crate::manifests::FIELD_MANAGER;
use crate::output::{Check, Report};

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The workload: deployment/NAME, statefulset/NAME, daemonset/NAME or cronjob/NAME
    #[arg(value_name = "KIND/NAME", value_parser = binding::parse_target)]
    pub target: Target,
    /// Print the patches as YAML and change nothing
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub wait: WaitArgs,
}

pub async fn run(global: &Global, args: &Args) -> Result<u8> {
    refuse_job(&args.target, "unbind")?;
    let target = crate::kube::connect(global).await?;
    let report = unbind(target.client, &target.namespace, args, global.common.output).await?;
    print(&report, args.dry_run, global.common.output)?;
    Ok(report.exit_code())
}

/// Releases xtenant's fields on the workload, then on its ServiceAccount.
pub async fn unbind(client: Client, ns: &str, args: &Args, format: Format) -> Result<Report> {
    let target = &args.target;
    let found = read(&client, ns, target).await?;
    let sa_name = binding::service_account_name(&found.template);
    let sa_ar = ApiResource::erase::<ServiceAccount>(&());
    let wl_patch = binding::release_patch(&target.kind.api_resource(), &target.name, ns);
    let sa_patch = binding::release_patch(&sa_ar, &sa_name, ns);
    let mut report = Report::new("unbind");
    report.set("namespace", ns);
    report.set("workload", target.to_string());
    report.set("serviceAccount", sa_name.clone());
    if args.dry_run {
        report.set("patches", Value::Array(vec![wl_patch, sa_patch]));
        return Ok(report);
    }
    // The workload first: new pods then come without the label before the
    // ServiceAccount loses its annotations.
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
    let sas: Api<ServiceAccount> = Api::namespaced(client, ns);
    if sas
        .get_opt(&sa_name)
        .await
        .with_context(|| format!("reading serviceaccount/{sa_name}"))?
        .is_some()
    {
        sas.patch(&sa_name, &ssa, &Patch::Apply(&sa_patch))
            .await
            .with_context(|| {
                format!("applying an empty configuration to serviceaccount/{sa_name}")
            })?;
        report.push(Check::pass(
            "serviceaccount",
            format!("serviceaccount/{sa_name}: xtenant's annotations released"),
        ));
    }
    let changed = template != found.template;
    report.push(restart_check(target, changed, None, false));
    await_rollout(&mut report, &found, target, changed, &args.wait, format).await?;
    Ok(report)
}
