//! One module per subcommand (`Args` + `run`) and the dispatch: the global
//! flags become the context's options, the context is opened once, and the
//! chosen subcommand runs in it.

pub mod accept;
pub mod apply;
pub mod audit;
pub mod cleanup;
pub mod cluster;
pub mod completions;
pub mod env;
pub mod export;
pub mod grant;
pub mod init;
pub mod login;
pub mod man;
pub mod plan;
pub mod request;
pub mod resources;
pub mod review;
pub mod status;
pub mod trust;
pub mod up;

use std::time::Duration;

use anyhow::Result;
use az_xtenant::az::Mode;
use az_xtenant::context::{Ctx, Options, Waits, poll_interval};

use crate::cli::{Cli, Command, Global};

/// How long steps wait for Azure.
#[derive(Debug, Clone, clap::Args)]
pub struct WaitArgs {
    /// Seconds to wait for a cluster that AKS is busy with (creating, updating, …)
    #[arg(long, value_name = "SECS", default_value_t = Waits::CLUSTER_SECS)]
    pub cluster_wait: u64,
    /// Seconds to keep retrying the role assignment while Entra replicates a
    /// new identity (PrincipalNotFound)
    #[arg(long, value_name = "SECS", default_value_t = Waits::PRINCIPAL_SECS)]
    pub principal_wait: u64,
    /// Seconds to wait for a resource group that Azure is still deleting
    #[arg(long, value_name = "SECS", default_value_t = Waits::GROUP_SECS)]
    pub group_wait: u64,
}

impl WaitArgs {
    pub fn waits(&self) -> Waits {
        Waits::from_secs(self.cluster_wait, self.principal_wait, self.group_wait)
    }
}

/// The run's options, as plain values, from the global flags.
fn options(global: &Global, command: &str, writes: bool) -> Result<Options> {
    let mode = match (global.dry_run, global.assume) {
        (_, Some(a)) => Mode::Assume(a.into()),
        (true, None) => Mode::DryRun,
        (false, None) => Mode::Live,
    };
    Ok(Options {
        store: global.common.store()?,
        format: global.common.output,
        mode,
        command: command.to_string(),
        writes,
        wait_lock: Duration::from_secs(global.wait_lock.unwrap_or(0)),
    })
}

/// Runs the chosen subcommand; answers the exit code.
pub fn dispatch(cli: Cli) -> Result<u8> {
    let name = cli.command.name();
    let writes = cli.command.writes();
    match &cli.command {
        Command::Completions(args) => return completions::run(args).map(|()| 0),
        Command::Man(args) => return man::run(args).map(|()| 0),
        _ => {}
    }
    // Before the profile is read or az runs: a bad value changes nothing.
    poll_interval()?;
    let ctx = Ctx::open(options(&cli.global, name, writes)?)?;
    match cli.command {
        Command::Init(args) => init::run(&ctx, &args),
        Command::Login(args) => login::run(&ctx, &args),
        Command::Cluster(args) => cluster::run(&ctx, &args),
        Command::Resources(args) => resources::run(&ctx, &args),
        Command::Trust(args) => trust::run(&ctx, &args),
        Command::Up(args) => up::run(&ctx, &args),
        Command::Status(args) => status::run(&ctx, &args),
        Command::Plan(args) => return plan::run(&ctx, &args),
        Command::Audit(args) => return audit::run(&ctx, &args),
        Command::Review(args) => return review::run(&ctx, &args),
        Command::Request(args) => request::run(&ctx, &args),
        Command::Accept(args) => accept::run(&ctx, &args),
        Command::Grant(args) => grant::run(&ctx, &args),
        Command::Apply(args) => apply::run(&ctx, &args),
        Command::Env(args) => env::run(&ctx, &args),
        Command::Export(args) => export::run(&ctx, &args),
        Command::Cleanup(args) => cleanup::run(&ctx, &args),
        Command::Completions(_) | Command::Man(_) => Ok(()),
    }
    .map(|()| 0)
}
