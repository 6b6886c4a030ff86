//! `azsim`: starts the local two-tenant Azure simulator, logs the real `az` in, prints the env to use, and runs until stopped.

use std::path::PathBuf;

use anyhow::Context;
use azsim::{Config, Faults, Harness};
use clap::Parser;

/// Local two-tenant simulator of Entra and Azure Resource Manager for the real Azure CLI.
#[derive(Parser)]
#[command(name = "azsim")]
struct Cli {
    /// The real Azure CLI.
    #[arg(long, env = "XTENANT_AZ")]
    az: PathBuf,
    /// Issuer URL handed out to clusters created with the OIDC issuer.
    #[arg(long)]
    issuer_url: Option<String>,
    /// Kubeconfig file returned by `az aks get-credentials`.
    #[arg(long)]
    kubeconfig: Option<PathBuf>,
    /// Extra CA file trusted when fetching an external issuer's keys (repeatable).
    #[arg(long)]
    trusted_ca: Vec<PathBuf>,
    /// Faults and latencies as JSON (see the `Faults` type), applied at start.
    #[arg(long)]
    faults: Option<PathBuf>,
    /// Also write the `export` lines to this file (written once ready).
    #[arg(long)]
    env_file: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut config = Config::two_tenants();
    config.aks_issuer_url = cli.issuer_url;
    config.trusted_ca_files = cli.trusted_ca;
    if let Some(k) = &cli.kubeconfig {
        config.aks_kubeconfig = Some(
            std::fs::read_to_string(k)
                .with_context(|| format!("reading --kubeconfig {}", k.display()))?,
        );
    }
    if let Some(f) = &cli.faults {
        let text = std::fs::read_to_string(f)
            .with_context(|| format!("reading --faults {}", f.display()))?;
        config.faults = serde_json::from_str::<Faults>(&text)
            .with_context(|| format!("parsing --faults {}", f.display()))?;
    }
    let h = Harness::try_start(config, &cli.az)?;
    let mut lines: Vec<String> = h
        .env()
        .into_iter()
        .map(|(k, v)| format!("export {k}={}", shell_quote(&v.to_string_lossy())))
        .collect();
    lines.extend(
        h.ids_env()
            .iter()
            .map(|(k, v)| format!("export {k}={}", shell_quote(v))),
    );
    let text = lines.join("\n") + "\n";
    print!("{text}");
    if let Some(f) = &cli.env_file {
        std::fs::write(f, &text).with_context(|| format!("writing --env-file {}", f.display()))?;
    }
    eprintln!(
        "azsim: serving {} (control: {}/_azsim/stats, {}/_azsim/faults); Ctrl-C to stop",
        h.server.base_url, h.server.base_url, h.server.base_url
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r,
            _ = term.recv() => Ok(()),
        }
    })?;
    eprintln!("azsim: stopping");
    drop(h);
    Ok(())
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}
