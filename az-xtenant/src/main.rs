//! `az-xtenant`: sets up, checks and tears down cross-tenant workload identity
//! on AKS by driving the Azure CLI. Parses, dispatches, and ends with the
//! exit code of the table both tools share (see `xtenant_shared::exit`).
#![deny(clippy::print_stdout)]

mod cli;
mod commands;

use std::process::ExitCode;

use az_xtenant::{error, interrupt};
use clap::Parser;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    interrupt::install();
    xtenant_shared::exit::finish(commands::dispatch(cli), error::classify)
}
