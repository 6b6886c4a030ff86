//! Starts a local control plane, prints how to use it, and stops it on Ctrl-C.

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use controlplane::{ControlPlane, Options};

/// Run a local Kubernetes control plane (etcd, kube-apiserver, controller-manager,
/// scheduler, kwok, the Azure workload identity webhook) on 127.0.0.1 until Ctrl-C.
#[derive(Parser)]
#[command(version)]
struct Cli {
    /// Directory of the binaries built by tests/controlplane/build.sh.
    #[arg(long, env = "XTENANT_CONTROLPLANE_BIN")]
    bin_dir: PathBuf,
    /// The cluster's tenant ID, given to the webhook as AZURE_TENANT_ID.
    #[arg(long, default_value = "00000000-0000-0000-0000-00000000000a")]
    tenant_id: String,
    /// Do not start the workload identity webhook.
    #[arg(long)]
    no_webhook: bool,
    /// Use an issuer URL without the trailing slash.
    #[arg(long)]
    no_trailing_slash: bool,
    /// Also copy the kubeconfig here.
    #[arg(long)]
    kubeconfig_out: Option<PathBuf>,
    /// Once ready, write `export` lines (KUBECONFIG, XTENANT_ISSUER, XTENANT_CA) to this file.
    #[arg(long)]
    env_file: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut opts = Options::new(cli.bin_dir, cli.tenant_id);
    opts.webhook = !cli.no_webhook;
    opts.issuer_trailing_slash = !cli.no_trailing_slash;
    let cp = ControlPlane::start(opts).await?;
    if let Some(out) = &cli.kubeconfig_out {
        std::fs::copy(cp.kubeconfig(), out)
            .with_context(|| format!("copying the kubeconfig to {}", out.display()))?;
    }
    let kubeconfig = cli.kubeconfig_out.as_deref().unwrap_or(cp.kubeconfig());
    let exports = format!(
        "export KUBECONFIG={}\nexport XTENANT_ISSUER={}\nexport XTENANT_CA={}\n",
        kubeconfig.display(),
        cp.issuer(),
        cp.ca_cert().display()
    );
    print!("{exports}");
    if let Some(path) = &cli.env_file {
        std::fs::write(path, &exports).with_context(|| format!("writing {}", path.display()))?;
    }
    eprintln!("issuer:     {}", cp.issuer());
    eprintln!("api server: {}", cp.server());
    eprintln!("CA:         {}", cp.ca_cert().display());
    eprintln!("started in  {:.1}s", cp.startup_time().as_secs_f64());
    for (name, pid, log) in cp.processes() {
        eprintln!("  {name:<24} pid {pid:<8} log {}", log.display());
    }
    eprintln!("Ctrl-C stops everything.");
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    eprintln!("stopping");
    drop(cp);
    Ok(())
}
