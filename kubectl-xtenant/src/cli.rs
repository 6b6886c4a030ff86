//! The command line: one clap type per subcommand, help text from doc comments.
//! Usage is shown as `kubectl xtenant …`, the way kubectl runs the plugin.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use xtenant_shared::Kind;
use xtenant_shared::cli_args::Common;
use xtenant_shared::validate::parser;

use crate::commands::{
    audit, bind, cleanup, completions, deploy, doctor, logs, man, unbind, verify,
};
use crate::settings::IdentityFlags;

/// Deploy, verify and diagnose cross-tenant workload identity on AKS.
///
/// Values come from flags first, then from the xtenant profile that
/// `az-xtenant` records, then from the defaults of the manual procedure.
#[derive(Debug, Parser)]
#[command(name = "kubectl-xtenant", bin_name = "kubectl xtenant", version)]
#[command(propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every subcommand takes: kubectl's, the profile and the output format.
#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Path to the kubeconfig file (else KUBECONFIG, else ~/.kube/config)
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        help_heading = "Global options"
    )]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use (else its current-context)
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        help_heading = "Global options"
    )]
    pub context: Option<String>,
    /// Namespace of the workload (else the context's, else "default")
    #[arg(short = 'n', long, global = true, value_parser = parser(Kind::K8sNamespace), help_heading = "Global options")]
    pub namespace: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

impl Global {
    /// The global options as the plain values the rest of the tool takes.
    pub fn options(&self) -> crate::context::Options {
        crate::context::Options {
            kubeconfig: self.kubeconfig.clone(),
            kube_context: self.context.clone(),
            namespace: self.namespace.clone(),
            profile: self.common.profile.clone(),
            format: self.common.output,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply the annotated ServiceAccount and the producer Job
    Deploy(deploy::Args),
    /// Check what the webhook injected into the Job's pod, or into each pod of KIND/NAME
    Verify(verify::Args),
    /// Check the cluster, the webhook, the ServiceAccount and the token trust chain
    Doctor(doctor::Args),
    /// Give an existing workload the identity: annotate its ServiceAccount, label its pods
    Bind(bind::Args),
    /// Remove exactly what bind added to a workload and its ServiceAccount
    Unbind(unbind::Args),
    /// Find workload identity mistakes in the cluster, each with the command that fixes it
    Audit(audit::Args),
    /// Follow the logs of the Job's newest pod
    Logs(logs::Args),
    /// Delete the Job, its pods and the ServiceAccount that xtenant manages
    Cleanup(cleanup::Args),
    /// Print a shell completion script to stdout
    Completions(completions::Args),
    /// Write man pages to a directory
    #[command(hide = true)]
    Man(man::Args),
}

/// The workload's Kubernetes names.
#[derive(Debug, Clone, Default, Args)]
pub struct WorkloadArgs {
    /// ServiceAccount the Job runs as [profile: workload.serviceAccount]
    #[arg(long, value_parser = parser(Kind::ServiceAccount))]
    pub service_account: Option<String>,
    /// Name of the producer Job [profile: workload.jobName]
    #[arg(long, value_parser = parser(Kind::JobName))]
    pub job_name: Option<String>,
}

/// The managed identity of Tenant B.
#[derive(Debug, Clone, Default, Args)]
pub struct IdentityArgs {
    /// Client ID of the managed identity in Tenant B [profile: the graph state's identity entry]
    #[arg(long, value_parser = parser(Kind::Guid))]
    pub client_id: Option<String>,
    /// Tenant B's ID, where the identity and Service Bus live [profile: resources.tenantId]
    #[arg(long, value_parser = parser(Kind::Guid))]
    pub tenant_id: Option<String>,
}

impl IdentityArgs {
    /// The flags as the plain values the checks take.
    pub fn flags(&self) -> IdentityFlags {
        IdentityFlags {
            client_id: self.client_id.clone(),
            tenant_id: self.tenant_id.clone(),
        }
    }
}

/// Parses durations such as `300`, `90s`, `5m` or `1h`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let rule = "must be a number of seconds, optionally ending in s, m or h (e.g. 90s, 5m)";
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text, "s"),
    };
    let n: u64 = digits.parse().map_err(|_| rule.to_string())?;
    let secs = match unit {
        "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        _ => return Err(rule.to_string()),
    };
    if secs == 0 {
        return Err(rule.to_string());
    }
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("300"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn bad_namespace_is_refused_by_the_parser() {
        let err = Cli::try_parse_from(["kubectl-xtenant", "-n", "Bad_NS", "doctor"])
            .expect_err("refused");
        assert!(err.to_string().contains("DNS-1123"), "{err}");
    }
}
