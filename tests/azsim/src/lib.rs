//! A local two-tenant simulator of Entra and Azure Resource Manager, for testing with the real Azure CLI.
//!
//! [`Server`] serves HTTPS on a random loopback port; [`Harness`] also registers it as a
//! custom cloud for the real `az` in a temporary `AZURE_CONFIG_DIR` and logs in to both tenants.

pub mod arm;
mod bench_bin;
pub mod config;
mod control;
mod entra;
pub mod faults;
mod federated;
mod graph;
pub mod harness;
mod harness_graph;
mod hold;
pub mod hold_scoped;
pub mod keys;
mod lro;
pub mod server;
pub mod state;
mod tls;

pub use bench_bin::newest_az_xtenant;
pub use config::{Config, ServicePrincipal, Subscription, Tenant};
pub use faults::{ErrorRule, Faults, LroFailure};
pub use harness::{Harness, real_az};
pub use server::Server;

/// Path of a binary built by this workspace (`cargo build --workspace`); panics
/// loudly when it is not built or is older than its sources.
pub use xtenant_testsupport::workspace_bin;
