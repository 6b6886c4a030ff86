//! A real Kubernetes control plane on loopback for tests: etcd, kube-apiserver,
//! kube-controller-manager, kube-scheduler, kwok (a fake node that runs and completes
//! pods and serves their logs) and the Azure workload identity webhook.
//!
//! The binaries come from `tests/controlplane/build.sh` (built from Go modules, cached by
//! version); [`ControlPlane::start`] generates certificates, starts everything by PID
//! with each log in a temporary directory, and stops it all on drop.
//!
//! Every port is picked free per control plane, the webhook's too, so several run
//! side by side.

mod args;
pub mod cluster;
mod controlplane;
mod error;
pub mod kubeconfig;
pub mod logs;
pub mod pki;
mod ports;
mod process;
mod ready;

pub use controlplane::{ControlPlane, Options};
pub use error::Error;
