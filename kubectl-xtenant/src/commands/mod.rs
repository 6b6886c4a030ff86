//! One module per subcommand: its clap `Args` and its `run`.

pub mod audit;
pub mod bind;
pub mod cleanup;
pub mod completions;
pub mod deploy;
pub mod doctor;
pub mod logs;
pub mod man;
pub mod unbind;
pub mod verify;
pub mod verify_workload;

use anyhow::Result;

use crate::cli::{Cli, Command};

/// Runs the chosen subcommand; returns the exit code.
pub async fn dispatch(cli: Cli) -> Result<u8> {
    let global = &cli.global;
    match &cli.command {
        Command::Deploy(args) => deploy::run(global, args).await,
        Command::Verify(args) => verify::run(global, args).await,
        Command::Doctor(args) => doctor::run(global, args).await,
        Command::Bind(args) => bind::run(global, args).await,
        Command::Unbind(args) => unbind::run(global, args).await,
        Command::Audit(args) => audit::run(global, args).await,
        Command::Logs(args) => logs::run(global, args).await,
        Command::Cleanup(args) => cleanup::run(global, args).await,
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    }
}
