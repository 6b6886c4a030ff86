//! `az-xtenant`: sets up, checks and tears down cross-tenant workload identity
//! on AKS by driving the Azure CLI. Parses, dispatches, prints the error chain
//! once and exits with the right code (2 bad input, az's own when az failed).

mod az;
mod cli;
mod commands;
mod error;
mod progress;
mod settings;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    match commands::dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(error::exit_code(&err))
        }
    }
}
