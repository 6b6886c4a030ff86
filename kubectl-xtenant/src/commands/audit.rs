//! `audit`: what this cluster presents for workload identity, checked
//! against what the profile knows; every finding with the command that
//! fixes it. The checks live in `crate::audit`.

use anyhow::Result;
use xtenant_shared::output::{self as stdout, Format};

use crate::audit::{self, Known, Scope};
use crate::context::Context;
use crate::exit::Usage;

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
pub fn scope(ctx: &Context, args: &Args) -> Result<Scope> {
    match (ctx.namespace_flag(), args.all_namespaces) {
        (Some(ns), true) => Err(Usage(format!(
            "-A (all namespaces) and -n {ns} (one namespace) ask for different scopes: pass one of them; nothing was read"
        ))
        .into()),
        (_, true) => Ok(Scope::All),
        (_, false) => Ok(Scope::Namespace(ctx.offline_namespace())),
    }
}

pub async fn run(ctx: &Context, args: &Args) -> Result<u8> {
    let scope = scope(ctx, args)?;
    let context = ctx.kube_context();
    let settings = ctx.settings()?.clone();
    let known = Known::new(settings, args.cluster.as_deref(), context.as_deref())?;
    let cluster = ctx.cluster().await?;
    if args.who_can {
        let report = crate::rbac::who_can(&cluster.client, &scope, &known).await?;
        print(ctx, &report)?;
        return Ok(report.exit_code());
    }
    let report = audit::audit(&cluster.client, &scope, &known).await?;
    print(ctx, &report)?;
    Ok(report.exit_code())
}

fn print(ctx: &Context, report: &crate::output::Report) -> std::io::Result<()> {
    match ctx.format {
        Format::Human => stdout::print(audit::table(report)),
        Format::Json => report.print(Format::Json),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_namespaces_and_one_namespace_are_refused_together() {
        use clap::Parser;
        let cli = crate::cli::Cli::try_parse_from(["kubectl-xtenant", "audit", "-A", "-n", "shop"])
            .expect("parses");
        let crate::cli::Command::Audit(args) = &cli.command else {
            panic!("not audit");
        };
        let ctx = crate::context::Context::new(cli.global.options());
        let err = scope(&ctx, args).expect_err("refused");
        assert!(err.is::<Usage>(), "{err:#}");
        assert!(err.to_string().contains("-A"), "{err}");
    }
}
