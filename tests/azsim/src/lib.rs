//! A local two-tenant simulator of Entra and Azure Resource Manager, for testing with the real Azure CLI.
//!
//! [`Server`] serves HTTPS on a random loopback port; [`Harness`] also registers it as a
//! custom cloud for the real `az` in a temporary `AZURE_CONFIG_DIR` and logs in to both tenants.

pub mod arm;
pub mod config;
mod control;
mod entra;
pub mod faults;
mod federated;
mod graph;
pub mod harness;
mod hold;
pub mod keys;
mod lro;
pub mod server;
pub mod state;
mod tls;

use std::path::PathBuf;

pub use config::{Config, ServicePrincipal, Subscription, Tenant};
pub use faults::{ErrorRule, Faults, LroFailure};
pub use harness::{Harness, real_az};
pub use server::Server;

/// Path of a binary built by this workspace (`cargo build --workspace`).
///
/// The target directory is found from the running test executable
/// (`target/<profile>/deps/<test>` → `target/<profile>`). Panics with a loud
/// message when the binary has not been built.
pub fn workspace_bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("cannot locate the current test executable");
    let deps = exe
        .parent()
        .expect("test executable has no parent directory");
    let profile_dir = if deps.ends_with("deps") {
        deps.parent().expect("deps directory has no parent")
    } else {
        deps
    };
    let path = profile_dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "binary {name} not built: run `cargo build --workspace` (./test.sh does); looked for {}",
        path.display()
    );
    path
}
