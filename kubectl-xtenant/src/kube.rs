//! The Kubernetes client, built from kubectl's flags the way kubectl resolves
//! them: `--kubeconfig` means that file; otherwise the files in `KUBECONFIG`
//! (colon-separated, merged); otherwise `~/.kube/config`. Never the in-cluster
//! fallback of `Config::infer()`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use xtenant_shared::names;

use crate::exit::Usage;

/// kubectl's flags, as plain values: `--kubeconfig`, `--context`, `-n`.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub namespace: Option<String>,
}

/// A client and the namespace the workload lives in.
#[derive(Clone)]
pub struct Cluster {
    pub client: Client,
    pub namespace: String,
    /// The API server's URL, for messages.
    pub server: String,
}

/// Reads the kubeconfig that kubectl would read with these flags.
pub fn load_kubeconfig(explicit: Option<&Path>) -> Result<Kubeconfig> {
    if let Some(path) = explicit {
        return Kubeconfig::read_from(path)
            .with_context(|| format!("reading kubeconfig {}", path.display()));
    }
    if let Some(merged) = Kubeconfig::from_env().context("reading the files in KUBECONFIG")? {
        return Ok(merged);
    }
    let path = default_path().ok_or_else(|| {
        Usage("no kubeconfig: pass --kubeconfig, or set KUBECONFIG or HOME".into())
    })?;
    Kubeconfig::read_from(&path).with_context(|| format!("reading kubeconfig {}", path.display()))
}

fn default_path() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
    Some(PathBuf::from(home).join(".kube").join("config"))
}

/// The namespace kubectl would use: the flag, else the context's, else `default`.
pub fn namespace(
    flag: Option<&str>,
    kubeconfig: Option<&Kubeconfig>,
    context: Option<&str>,
) -> String {
    if let Some(ns) = flag {
        return ns.to_string();
    }
    let from_context = kubeconfig.and_then(|kc| {
        let name = context.or(kc.current_context.as_deref())?;
        let ctx = kc.contexts.iter().find(|c| c.name == name)?;
        ctx.context.as_ref()?.namespace.clone()
    });
    from_context
        .filter(|ns| !ns.is_empty())
        .unwrap_or_else(|| names::DEFAULT_NAMESPACE.to_string())
}

/// The namespace without needing a cluster (for `--dry-run`): a kubeconfig
/// that cannot be read only means there is no context namespace.
pub fn offline_namespace(flags: &Flags) -> String {
    let kc = load_kubeconfig(flags.kubeconfig.as_deref()).ok();
    namespace(
        flags.namespace.as_deref(),
        kc.as_ref(),
        flags.context.as_deref(),
    )
}

/// The kubeconfig context in use: `--context`, else its current-context.
pub fn offline_context(flags: &Flags) -> Option<String> {
    if let Some(c) = &flags.context {
        return Some(c.clone());
    }
    load_kubeconfig(flags.kubeconfig.as_deref())
        .ok()?
        .current_context
}

/// Builds the client from the flags.
pub async fn connect(flags: &Flags) -> Result<Cluster> {
    let kc = load_kubeconfig(flags.kubeconfig.as_deref())?;
    let ns = namespace(
        flags.namespace.as_deref(),
        Some(&kc),
        flags.context.as_deref(),
    );
    if let Some(ctx) = &flags.context
        && !kc.contexts.iter().any(|c| &c.name == ctx)
    {
        return Err(Usage(format!(
            "--context {ctx:?}: no such context in the kubeconfig"
        ))
        .into());
    }
    let options = KubeConfigOptions {
        context: flags.context.clone(),
        ..KubeConfigOptions::default()
    };
    let config = Config::from_custom_kubeconfig(kc, &options)
        .await
        .context("loading the kubeconfig context")?;
    let server = config.cluster_url.to_string();
    let client = Client::try_from(config).context("building the Kubernetes client")?;
    Ok(Cluster {
        client,
        namespace: ns,
        server,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KUBECONFIG: &str = r#"
apiVersion: v1
kind: Config
current-context: a
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:6443"}
users:
- name: u
  user: {token: t}
contexts:
- name: a
  context: {cluster: c, user: u, namespace: team-a}
- name: b
  context: {cluster: c, user: u}
"#;

    fn kubeconfig() -> Kubeconfig {
        Kubeconfig::from_yaml(KUBECONFIG).expect("parses")
    }

    #[test]
    fn namespace_follows_kubectl() {
        let kc = kubeconfig();
        assert_eq!(namespace(Some("x"), Some(&kc), None), "x");
        assert_eq!(namespace(None, Some(&kc), None), "team-a");
        assert_eq!(namespace(None, Some(&kc), Some("b")), "default");
        assert_eq!(namespace(None, None, None), "default");
    }

    #[test]
    fn explicit_file_is_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config");
        std::fs::write(&path, KUBECONFIG).expect("write");
        let kc = load_kubeconfig(Some(&path)).expect("reads");
        assert_eq!(kc.current_context.as_deref(), Some("a"));
        let err = load_kubeconfig(Some(&dir.path().join("nope"))).expect_err("missing");
        assert!(format!("{err:#}").contains("nope"), "{err:#}");
    }

    #[tokio::test]
    async fn unknown_context_is_a_usage_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config");
        std::fs::write(&path, KUBECONFIG).expect("write");
        let flags = Flags {
            kubeconfig: Some(path),
            context: Some("zzz".into()),
            namespace: None,
        };
        let err = connect(&flags).await.err().expect("refused");
        assert!(err.is::<Usage>(), "{err:#}");
    }
}
