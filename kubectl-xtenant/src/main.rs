//! `kubectl-xtenant`: the kubectl plugin that deploys, verifies and diagnoses
//! cross-tenant workload identity. Parses, dispatches, and ends with the
//! shared exit-code table (see `exit`). The verbs' work is in the library
//! (`lib.rs`); this binary is the command line and the verbs.

// Everything on stdout goes through `xtenant_shared::output`, which drops
// output to a closed pipe instead of panicking as `println!` does.
#![deny(clippy::print_stdout)]

mod cli;
mod commands;

// The library's modules under their own names, so that the verbs say
// `crate::context`, `crate::workload`, … as before the split.
use kubectl_xtenant::{
    audit, bind, checks, context, entra, exit, manifests, output, rbac, settings, workload,
};

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

fn main() -> ExitCode {
    // clap prints help, the version or the usage error itself, swallowing a
    // closed pipe, and exits with 0 or 2.
    let cli = cli::Cli::try_parse().unwrap_or_else(|e| e.exit());
    // kube and reqwest both use rustls with ring; name it the process default
    // so that a build which also links another provider is not ambiguous.
    let _ = rustls::crypto::ring::default_provider().install_default();
    // No error of this tool chooses its own code: `|_| None`.
    exit::finish(run(cli), |_| None)
}

fn run(cli: cli::Cli) -> anyhow::Result<u8> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(commands::dispatch(cli))
}
