//! `audit`: what this cluster presents for workload identity, checked
//! against what the profile knows; every finding with the command that
//! fixes it. The checks live in `crate::audit`.

use anyhow::Result;
use xtenant_shared::output::{self as stdout, Format};

use crate::audit::{self, Known, Scope};
use crate::cli::Global;
use crate::exit::Usage;
use crate::settings::Settings;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Audit every namespace (else -n NS, else the context's namespace)
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// The graph's name of this cluster (else the one named like the
    /// kubeconfig context, else the graph's only cluster)
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
    /// Instead: who can obtain the token of each identity's ServiceAccount,
    /// and how, from the RBAC roles and bindings, confirmed by the authorizer
    #[arg(long)]
    pub who_can: bool,
}

/// The namespaces to read: `-A`, else `-n`, else the context's.
pub fn scope(global: &Global, args: &Args) -> Result<Scope> {
    match (&global.namespace, args.all_namespaces) {
        (Some(ns), true) => Err(Usage(format!(
            "-A (all namespaces) and -n {ns} (one namespace) ask for different scopes: pass one of them; nothing was read"
        ))
        .into()),
        (_, true) => Ok(Scope::All),
        (_, false) => Ok(Scope::Namespace(crate::kube::offline_namespace(global))),
    }
}

pub async fn run(global: &Global, args: &Args) -> Result<u8> {
    let scope = scope(global, args)?;
    let context = crate::kube::offline_context(global);
    let settings = Settings::load(global)?;
    let known = Known::new(settings, args.cluster.as_deref(), context.as_deref())?;
    let cluster = crate::kube::connect(global).await?;
    if args.who_can {
        let report = crate::rbac::who_can(&cluster.client, &scope, &known).await?;
        print(global, &report)?;
        return Ok(report.exit_code());
    }
    let report = audit::audit(&cluster.client, &scope, &known).await?;
    print(global, &report)?;
    Ok(report.exit_code())
}

fn print(global: &Global, report: &crate::output::Report) -> std::io::Result<()> {
    match global.common.output {
        Format::Human => stdout::print(audit::table(report)),
        Format::Json => report.print(Format::Json),
    }
}

#[cfg(test)]
#[path = "audit_tests.rs"]
mod scenarios;
