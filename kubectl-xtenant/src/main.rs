//! `kubectl-xtenant`: the kubectl plugin that deploys, verifies and diagnoses
//! cross-tenant workload identity. Parses, dispatches, and maps errors to
//! exit codes (see `exit`).

mod aadsts;
mod cli;
mod commands;
mod entra;
mod exit;
mod inspect;
mod jwt;
mod kube;
mod manifests;
mod output;
mod settings;
mod trust;
mod wait;

#[cfg(test)]
mod fake_api;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // kube and reqwest both use rustls with ring; name it the process default
    // so that a build which also links another provider is not ambiguous.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: starting the async runtime: {e}");
            return ExitCode::from(exit::ERROR);
        }
    };
    match runtime.block_on(commands::dispatch(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("error: {err:#}");
            exit::code_for(&err)
        }
    }
}
