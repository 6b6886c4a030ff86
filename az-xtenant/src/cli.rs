//! The command line: one clap type per subcommand, help text from the `///`
//! comments. Values are validated here (through `xtenant_shared::validate`),
//! so bad input stops with exit code 2 before any `az` call.

use clap::{Args, Parser, Subcommand, ValueEnum};
use xtenant_shared::cli_args::Common;

use crate::commands;

/// Set up, check and tear down cross-tenant workload identity on AKS
///
/// A workload in an AKS cluster of Tenant A reaches a Service Bus queue in
/// Tenant B through a user-assigned managed identity of Tenant B that trusts
/// the cluster's OIDC issuer. Every ID is kept in a profile, every step is
/// safe to re-run, and both tenants stay logged in at once.
#[derive(Debug, Parser)]
#[command(name = "az-xtenant", version, propagate_version = true)]
#[command(max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    #[command(flatten)]
    pub common: Common,
    /// When another command is changing the profile, wait for it up to SECS
    /// (default 600) instead of refusing at once
    #[arg(long, global = true, value_name = "SECS", num_args = 0..=1, default_missing_value = "600")]
    pub wait_lock: Option<u64>,
    /// Print every az command (shell-quoted, on stdout) instead of changing anything
    ///
    /// Read-only commands (show, list) still run, so the plan reflects what
    /// exists; the profile is not written.
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// With --dry-run: run no az command at all and assume every resource is
    /// absent (the full plan) or present but outdated
    #[arg(long, global = true, value_enum, requires = "dry_run")]
    pub assume: Option<Assume>,
}

/// How `--dry-run --assume` pretends Azure looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Assume {
    /// Nothing exists: every create step is shown.
    Absent,
    /// Everything exists but needs fixing: updates, role and credential are shown.
    Outdated,
}

impl From<Assume> for az_xtenant::az::Assume {
    fn from(a: Assume) -> Self {
        match a {
            Assume::Absent => Self::Absent,
            Assume::Outdated => Self::Outdated,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Record tenants, subscriptions, names and location in the profile
    Init(Box<commands::init::Args>),
    /// Make sure az holds a session for both tenants (runs `az login --tenant` where needed)
    Login(commands::login::Args),
    /// Tenant A: resource group and AKS cluster with OIDC issuer and workload identity
    Cluster(commands::cluster::Args),
    /// Tenant B: resource group, Service Bus namespace and queue, identity, role assignment
    Resources(commands::resources::Args),
    /// Tenant B: federated identity credential trusting the cluster's OIDC issuer
    Trust(commands::trust::Args),
    /// Everything: cluster and resources concurrently, then the trust; resumable
    Up(commands::up::Args),
    /// What the profile records, checked live in both tenants
    Status(commands::status::Args),
    /// Print `export` lines with the procedure's variable names
    Env(commands::env::Args),
    /// Delete the resource groups xtenant created, in both tenants
    Cleanup(commands::cleanup::Args),
    /// Declared graph: show what `apply` would change in xtenant.yaml's identities, roles and credentials
    Plan(commands::plan::Args),
    /// Declared graph: make Azure match xtenant.yaml (identities, role grants, federated credentials)
    Apply(commands::apply::Args),
    /// Declared graph: print this profile's demo setup as an xtenant.yaml
    Export(commands::export::Args),
    /// Who trusts what: Tenant B's federated credentials and roles checked against Tenant A's clusters
    Audit(commands::audit::Args),
    /// Two admins, Tenant A: print a trust request for Tenant B's admin from xtenant.yaml
    Request(commands::request::Args),
    /// Two admins, Tenant B: check a trust request (issuers, subjects, budget, roles) before granting
    Review(commands::review::Args),
    /// Two admins, Tenant B: make what a reviewed request asks for and print the grant
    Grant(Box<commands::grant::Args>),
    /// Two admins, Tenant A: record Tenant B's grant, so `kubectl xtenant bind` finds its client IDs
    Accept(commands::accept::Args),
    /// Print a shell completion script
    Completions(commands::completions::Args),
    /// Write man pages into a directory
    #[command(hide = true)]
    Man(commands::man::Args),
}

impl Command {
    /// The subcommand's name, as typed.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Init(_) => "init",
            Command::Login(_) => "login",
            Command::Cluster(_) => "cluster",
            Command::Resources(_) => "resources",
            Command::Trust(_) => "trust",
            Command::Up(_) => "up",
            Command::Status(_) => "status",
            Command::Env(_) => "env",
            Command::Cleanup(_) => "cleanup",
            Command::Plan(_) => "plan",
            Command::Apply(_) => "apply",
            Command::Export(_) => "export",
            Command::Audit(_) => "audit",
            Command::Request(_) => "request",
            Command::Review(_) => "review",
            Command::Accept(_) => "accept",
            Command::Grant(_) => "grant",
            Command::Completions(_) => "completions",
            Command::Man(_) => "man",
        }
    }

    /// Whether it changes Azure or the profile, and so holds the profile's
    /// run lock (one writer per profile).
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Command::Init(_)
                | Command::Cluster(_)
                | Command::Resources(_)
                | Command::Trust(_)
                | Command::Up(_)
                | Command::Cleanup(_)
                | Command::Apply(_)
                | Command::Request(_)
                | Command::Accept(_)
                | Command::Grant(_)
        ) || matches!(self, Command::Audit(a) if a.fix)
    }
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
    fn assume_requires_dry_run() {
        let err = Cli::try_parse_from(["az-xtenant", "up", "--assume", "absent"])
            .expect_err("needs --dry-run");
        assert_eq!(err.exit_code(), 2);
        let ok = Cli::try_parse_from(["az-xtenant", "up", "--dry-run", "--assume", "absent"]);
        assert!(ok.is_ok());
    }

    #[test]
    fn bad_profile_name_is_refused() {
        let err = Cli::try_parse_from(["az-xtenant", "status", "--profile", "../x"])
            .expect_err("refused");
        assert!(err.to_string().contains("--profile"), "{err}");
    }
}
