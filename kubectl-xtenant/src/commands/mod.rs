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

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::context::Context;

/// Builds the context once and runs the chosen subcommand; returns the exit code.
pub async fn dispatch(cli: Cli) -> Result<u8> {
    let ctx = &Context::new(cli.global.options());
    match &cli.command {
        Command::Deploy(args) => deploy::run(ctx, args).await,
        Command::Verify(args) => verify::run(ctx, args).await,
        Command::Doctor(args) => doctor::run(ctx, args).await,
        Command::Bind(args) => bind::run(ctx, args).await,
        Command::Unbind(args) => unbind::run(ctx, args).await,
        Command::Audit(args) => audit::run(ctx, args).await,
        Command::Logs(args) => logs::run(ctx, args).await,
        Command::Cleanup(args) => cleanup::run(ctx, args).await,
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    }
}
