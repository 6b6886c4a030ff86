//! The library half of `kubectl-xtenant`: everything below the verbs. The
//! binary (`main.rs`, `cli.rs`, `commands/`) parses the command line, maps it
//! onto the plain types here, calls one function and prints; nothing here
//! can name the command line or a verb, and the compiler keeps it so.
//!
//! The layers, each importing only from those below it (`tests/layers.rs`
//! checks it): `bind`, `checks`, `audit`, `rbac` > `workload` > `kube`, `entra`,
//! `wait`, `manifests`, `context`, `settings`, `output`, `exit`.

// Everything on stdout goes through `xtenant_shared::output`, which drops
// output to a closed pipe instead of panicking as `println!` does.
#![deny(clippy::print_stdout)]

pub mod audit;
pub mod bind;
pub mod checks;
pub mod context;
pub mod entra;
pub mod exit;
pub mod kube;
pub mod manifests;
pub mod output;
pub mod rbac;
pub mod settings;
pub mod wait;
pub mod workload;

#[cfg(test)]
mod fake_api;
