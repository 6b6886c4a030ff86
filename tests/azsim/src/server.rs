//! Starting and stopping the HTTPS server on a random loopback port, on its own runtime thread.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Router;
use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;

use crate::config::Config;
use crate::keys::SigningKey;
use crate::state::Sim;
use crate::{arm, authz, control, entra, graph, tls};

/// Errors starting the simulator.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Binding, TLS or runtime set-up failed.
    #[error("starting the simulator: {0}")]
    Io(#[from] std::io::Error),
    /// Certificate generation failed.
    #[error("generating certificates: {0}")]
    Cert(#[from] rcgen::Error),
    /// Key generation failed.
    #[error("{0}")]
    Key(#[from] crate::keys::KeyError),
    /// A trusted CA file could not be read or parsed.
    #[error("trusted CA file {path}: {message}")]
    TrustedCa {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The HTTP client could not be built.
    #[error("building the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

/// A running simulator. Dropping it stops the server.
pub struct Server {
    /// Shared state (faults, counters, resources).
    pub sim: Arc<Sim>,
    /// `https://127.0.0.1:<port>`.
    pub base_url: String,
    /// PEM of the CA that signed the server certificate.
    pub ca_pem: String,
    handle: Handle,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts a server for `config` on a random port of 127.0.0.1.
    pub fn start(config: Config) -> Result<Server, StartError> {
        // Several rustls providers may be compiled in; pick one explicitly.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let material = tls::generate()?;
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        let base_url = format!("https://127.0.0.1:{port}");
        let http = http_client(&config, &material.ca_pem)?;
        let sim = Arc::new(Sim::new(
            config,
            base_url.clone(),
            SigningKey::generate()?,
            http,
        ));
        sim.share();
        let app = Router::new()
            .merge(control::routes())
            .merge(authz::routes())
            .merge(entra::routes())
            .merge(graph::routes())
            .fallback(arm::handle)
            .with_state(sim.clone());
        let handle = Handle::new();
        let h2 = handle.clone();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let chain = material.chain_pem.clone().into_bytes();
        let key = material.key_pem.clone().into_bytes();
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                let tls = match RustlsConfig::from_pem(chain, key).await {
                    Ok(t) => t,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let server = axum_server::from_tcp_rustls(listener, tls);
                let _ = ready_tx.send(Ok(()));
                if let Err(e) = server.handle(h2).serve(app.into_make_service()).await {
                    eprintln!("azsim: server stopped: {e}");
                }
            });
        });
        ready_rx
            .recv()
            .map_err(|_| std::io::Error::other("server thread exited early"))??;
        Ok(Server {
            sim,
            base_url,
            ca_pem: material.ca_pem,
            handle,
            thread: Some(thread),
        })
    }

    /// Stops the server and waits for its thread.
    pub fn stop(&mut self) {
        self.handle.graceful_shutdown(Some(Duration::from_secs(2)));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn http_client(config: &Config, own_ca: &str) -> Result<reqwest::Client, StartError> {
    let mut b = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(own_ca.as_bytes())?);
    for path in &config.trusted_ca_files {
        let err = |m: String| StartError::TrustedCa {
            path: path.display().to_string(),
            message: m,
        };
        let pem = std::fs::read(path).map_err(|e| err(e.to_string()))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| err(e.to_string()))?;
        for c in certs {
            b = b.add_root_certificate(c);
        }
    }
    Ok(b.build()?)
}
