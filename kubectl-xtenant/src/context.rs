//! The one context of a run, built once by the dispatch from the global
//! options: the settings (the profile, read once), the Kubernetes client with
//! its namespace and server, and the output format. Nothing is read when it
//! is built: the profile is read and the client built the first time a verb
//! asks, so each verb still checks its own input first and changes nothing
//! on bad input, and a verb that needs neither (`unbind` never reads the
//! profile) is not failed by them.

use std::path::PathBuf;
use std::sync::OnceLock;

use anyhow::Result;
use tokio::sync::OnceCell;
use xtenant_shared::ProfileStore;
use xtenant_shared::output::Format;

use crate::kube::{self, Cluster, Flags};
use crate::settings::Settings;

/// The global options as plain values (the command line maps its flags onto these).
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context (`--context`).
    pub kube_context: Option<String>,
    /// `-n`, when given.
    pub namespace: Option<String>,
    /// `--profile`, when given (else the default profile).
    pub profile: Option<String>,
    pub format: Format,
}

/// What every verb works with.
pub struct Context {
    flags: Flags,
    profile: Option<String>,
    pub format: Format,
    settings: OnceLock<Settings>,
    cluster: OnceCell<Cluster>,
}

impl Context {
    pub fn new(options: Options) -> Self {
        Self {
            flags: Flags {
                kubeconfig: options.kubeconfig,
                context: options.kube_context,
                namespace: options.namespace,
            },
            profile: options.profile,
            format: options.format,
            settings: OnceLock::new(),
            cluster: OnceCell::new(),
        }
    }

    /// The settings: the named profile (read on first use), else flags only.
    pub fn settings(&self) -> Result<&Settings> {
        if let Some(settings) = self.settings.get() {
            return Ok(settings);
        }
        let loaded = Settings::load(self.profile.as_deref())?;
        Ok(self.settings.get_or_init(|| loaded))
    }

    /// The client, the namespace and the server (built on first use).
    pub async fn cluster(&self) -> Result<&Cluster> {
        self.cluster
            .get_or_try_init(|| kube::connect(&self.flags))
            .await
    }

    /// The namespace without needing a cluster (for `--dry-run` and plans).
    pub fn offline_namespace(&self) -> String {
        kube::offline_namespace(&self.flags)
    }

    /// The kubeconfig context in use, if any.
    pub fn kube_context(&self) -> Option<String> {
        kube::offline_context(&self.flags)
    }

    /// `-n`, when it was given.
    pub fn namespace_flag(&self) -> Option<&str> {
        self.flags.namespace.as_deref()
    }

    /// The store of the chosen profile, for the verbs that record in it.
    pub fn profile_store(&self) -> Result<ProfileStore> {
        let name = self
            .profile
            .as_deref()
            .unwrap_or(xtenant_shared::names::DEFAULT_PROFILE);
        Ok(ProfileStore::open(name)?)
    }
}
