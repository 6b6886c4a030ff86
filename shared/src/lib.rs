//! What `az-xtenant` and `kubectl-xtenant` agree on: the profile that carries
//! IDs between them, the validation of every name and ID they accept, and the
//! naming rules of the cross-tenant workload identity setup.
//!
//! Synchronous and small on purpose: both tools link it.

pub mod cli_args;
pub mod exit;
pub mod grant_breadth;
pub mod graph_state;
pub mod handoff;
pub mod issuer;
pub mod manpages;
pub mod names;
pub mod output;
pub mod ownership;
pub mod paths;
pub mod profile;
pub mod resolve;
pub mod run_lock;
pub mod store;
pub mod validate;

pub use names::subject;
pub use profile::{Profile, SCHEMA_VERSION};
pub use run_lock::RunLock;
pub use store::{ProfileError, ProfileStore};
pub use validate::{InvalidInput, Kind};
