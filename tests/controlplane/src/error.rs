//! Errors starting or driving the control plane.

use std::path::PathBuf;

/// Why the control plane could not start, or an operation on it failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A binary expected in the bin dir is missing.
    #[error(
        "{} not found: build the control plane with tests/controlplane/build.sh (./test.sh does) and pass its output dir",
        .0.display()
    )]
    MissingBinary(PathBuf),
    /// Generating certificates or keys failed.
    #[error("generating certificates: {0}")]
    Pki(#[from] rcgen::Error),
    /// A file could not be read or written.
    #[error("{action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// A process could not be started.
    #[error("starting {name} ({}): {source}", program.display())]
    Spawn {
        name: String,
        program: PathBuf,
        source: std::io::Error,
    },
    /// A component did not become ready; its log is included.
    #[error("{component} did not become ready: {reason}\n--- {component} log ({}) ---\n{log}", log_path.display())]
    NotReady {
        component: String,
        reason: String,
        log_path: PathBuf,
        log: String,
    },
    /// A call to the API server failed.
    #[error("{action}: {source}")]
    Kube { action: String, source: kube::Error },
    /// The generated kubeconfig could not be loaded.
    #[error("loading the kubeconfig: {0}")]
    Kubeconfig(String),
    /// Something else went wrong while setting up.
    #[error("{0}")]
    Setup(String),
}

impl Error {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn kube(action: impl Into<String>, source: kube::Error) -> Self {
        Self::Kube {
            action: action.into(),
            source,
        }
    }
}
