//! Starting and stopping the whole control plane.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tempfile::TempDir;
use xtenant_testsupport::wait::poll_async;

use crate::ports::free_port;
use crate::process::Proc;
use crate::ready::{POLL, http_client, http_ok, wait_for};
use crate::{Error, args, cluster, kubeconfig, logs, pki};

/// How to start a control plane.
#[derive(Debug, Clone)]
pub struct Options {
    /// Directory of the binaries built by `tests/controlplane/build.sh`.
    pub bin_dir: PathBuf,
    /// The cluster's own tenant, given to the webhook as `AZURE_TENANT_ID`.
    pub tenant_id: String,
    /// Start and register the workload identity webhook (default true).
    pub webhook: bool,
    /// End the issuer URL with `/`, as AKS issuers do (default true).
    pub issuer_trailing_slash: bool,
    /// How long each component may take to become ready.
    pub timeout: Duration,
}

impl Options {
    /// Defaults: webhook on, issuer with a trailing slash, 90 s per component.
    pub fn new(bin_dir: impl Into<PathBuf>, tenant_id: impl Into<String>) -> Self {
        Self {
            bin_dir: bin_dir.into(),
            tenant_id: tenant_id.into(),
            webhook: true,
            issuer_trailing_slash: true,
            timeout: Duration::from_secs(90),
        }
    }

    /// Options from `$XTENANT_CONTROLPLANE_BIN`; panics loudly when it is unset (for tests).
    pub fn from_env(tenant_id: impl Into<String>) -> Self {
        let dir = xtenant_testsupport::env_path(
            "XTENANT_CONTROLPLANE_BIN",
            "the control plane binaries",
            "run ./test.sh, or export XTENANT_CONTROLPLANE_BIN=$(tests/controlplane/build.sh)",
        );
        Self::new(dir, tenant_id)
    }
}

/// A running control plane; everything stops when it is dropped.
pub struct ControlPlane {
    procs: Vec<Proc>,
    dir: TempDir,
    kubeconfig: PathBuf,
    issuer: String,
    server: String,
    ca_cert: PathBuf,
    startup: Duration,
    webhook: Option<String>,
    /// kwok's kubelet endpoint (`https://127.0.0.1:<port>`), and a client trusting it.
    kwok_url: String,
    http: reqwest::Client,
    timeout: Duration,
}

fn bin(opts: &Options, name: &str) -> Result<PathBuf, Error> {
    let p = opts.bin_dir.join(name);
    if p.is_file() {
        Ok(p)
    } else {
        Err(Error::MissingBinary(p))
    }
}

fn timed(what: &str, t: Duration) {
    eprintln!("controlplane: {what} ready after {:.1}s", t.as_secs_f64());
}

impl ControlPlane {
    /// Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok (with a
    /// fake node) and, unless disabled, the workload identity webhook; returns when all are ready.
    pub async fn start(opts: Options) -> Result<Self, Error> {
        let started = Instant::now();
        let bins = [
            "etcd",
            "kube-apiserver",
            "kube-controller-manager",
            "kube-scheduler",
            "kwok",
            "azure-wi-webhook",
        ]
        .map(|n| bin(&opts, n));
        let [etcd, apiserver, kcm, sched, kwok, webhook] = bins;
        let (etcd, apiserver, kcm, sched, kwok, webhook) =
            (etcd?, apiserver?, kcm?, sched?, kwok?, webhook?);
        if opts.webhook {
            args::check_webhook_port_flag(&webhook)?;
        }
        let cache = opts.bin_dir.parent().unwrap_or(&opts.bin_dir).to_path_buf();

        let dir = tempfile::Builder::new()
            .prefix("xtenant-controlplane-")
            .tempdir()
            .map_err(|e| Error::io("creating", std::env::temp_dir(), e))?;
        let d = dir.path();
        let pki = pki::generate(d)?;
        let ports = args::Ports {
            etcd: free_port()?,
            etcd_peer: free_port()?,
            apiserver: free_port()?,
            controller_manager: free_port()?,
            scheduler: free_port()?,
            kwok: free_port()?,
            webhook: free_port()?,
            webhook_health: free_port()?,
            webhook_metrics: free_port()?,
        };
        let webhook_url = format!("https://127.0.0.1:{}/mutate-v1-pod", ports.webhook);
        let server = format!("https://127.0.0.1:{}", ports.apiserver);
        let slash = if opts.issuer_trailing_slash { "/" } else { "" };
        let issuer = format!("{server}{slash}");
        let kubeconfig = d.join("kubeconfig");
        kubeconfig::write(&kubeconfig, &server, &pki)?;
        let kwok_config = d.join("kwok.yaml");
        args::kwok_config(&cache.join("kwok-stages"), &kwok_config)?;
        let logs_dir = d.join("pod-logs");
        std::fs::create_dir_all(&logs_dir).map_err(|e| Error::io("creating", &logs_dir, e))?;

        let api_client = http_client(&pki.ca_pem, false)?;
        let mut cp = Self {
            kwok_url: format!("https://127.0.0.1:{}", ports.kwok),
            http: api_client.clone(),
            timeout: opts.timeout,
            procs: Vec::new(),
            kubeconfig: kubeconfig.clone(),
            issuer,
            server: server.clone(),
            ca_cert: pki.ca_cert.clone(),
            startup: Duration::ZERO,
            webhook: opts.webhook.then(|| webhook_url.clone()),
            dir,
        };
        let d = cp.dir.path().to_path_buf();
        let no_env: &[(&str, &OsStr)] = &[];
        let mut etcd = Proc::spawn(
            "etcd",
            &etcd,
            args::etcd(ports, &d.join("etcd")),
            no_env,
            &d,
        )?;
        let mut api = Proc::spawn(
            "kube-apiserver",
            &apiserver,
            args::apiserver(ports, &cp.issuer, &pki, &d.join("apiserver")),
            no_env,
            &d,
        );
        let insecure = http_client(&pki.ca_pem, true)?;
        let etcd_url = format!("http://127.0.0.1:{}/health", ports.etcd);
        let readyz = format!("{server}/readyz");
        if let Ok(api) = api.as_mut() {
            let (e, a) = tokio::join!(
                wait_for(&mut etcd, "GET /health", opts.timeout, || http_ok(
                    &insecure, &etcd_url
                )),
                wait_for(api, "GET /readyz", opts.timeout, || http_ok(
                    &api_client,
                    &readyz
                )),
            );
            cp.procs.push(etcd);
            timed("etcd", e?);
            timed("kube-apiserver", a?);
        } else {
            cp.procs.push(etcd);
        }
        cp.procs.push(api?);

        let client = kubeconfig::client(&kubeconfig).await?;
        let mut kcm = Proc::spawn(
            "kube-controller-manager",
            &kcm,
            args::controller_manager(ports, &kubeconfig, &pki),
            no_env,
            &d,
        )?;
        let mut sched = Proc::spawn(
            "kube-scheduler",
            &sched,
            args::scheduler(ports, &kubeconfig),
            no_env,
            &d,
        )?;
        let crds = async {
            cluster::allow_issuer_discovery(&client).await?;
            cluster::create_node(&client).await?;
            let names = cluster::install_crds(&client, &cache.join("kwok-crds")).await?;
            poll_async("kwok's CRDs to be established", opts.timeout, POLL, || {
                cluster::crds_established(&client, &names)
            })
            .await
            .map_err(|e| Error::Setup(e.to_string()))
        };
        crds.await?;
        let mut kwok = Proc::spawn(
            "kwok",
            &kwok,
            args::kwok(ports, &kubeconfig, &kwok_config, &pki),
            no_env,
            &d,
        )?;
        let mut hook = if opts.webhook {
            let kc = kubeconfig.as_os_str();
            let tenant = OsStr::new(&opts.tenant_id);
            let env: &[(&str, &OsStr)] = &[("KUBECONFIG", kc), ("AZURE_TENANT_ID", tenant)];
            Some(Proc::spawn(
                "azure-wi-webhook",
                &webhook,
                args::webhook(ports, &pki),
                env,
                &d,
            )?)
        } else {
            None
        };

        let kcm_url = format!("https://127.0.0.1:{}/healthz", ports.controller_manager);
        let sched_url = format!("https://127.0.0.1:{}/healthz", ports.scheduler);
        let kwok_url = format!("{}/healthz", cp.kwok_url);
        let hook_url = format!("http://127.0.0.1:{}/readyz", ports.webhook_health);
        let (k, s, w, h) = tokio::join!(
            async {
                wait_for(&mut kcm, "GET /healthz", opts.timeout, || {
                    http_ok(&insecure, &kcm_url)
                })
                .await?;
                wait_for(
                    &mut kcm,
                    "ServiceAccount default/default",
                    opts.timeout,
                    || cluster::default_service_account(&client),
                )
                .await
            },
            wait_for(&mut sched, "GET /healthz", opts.timeout, || http_ok(
                &insecure, &sched_url
            )),
            async {
                wait_for(&mut kwok, "GET /healthz", opts.timeout, || {
                    http_ok(&api_client, &kwok_url)
                })
                .await?;
                wait_for(&mut kwok, "node Ready", opts.timeout, || {
                    cluster::node_ready(&client)
                })
                .await
            },
            async {
                let Some(hook) = hook.as_mut() else {
                    return Ok(None);
                };
                wait_for(hook, "GET /readyz", opts.timeout, || {
                    http_ok(&insecure, &hook_url)
                })
                .await?;
                cluster::register_webhook(&client, &webhook_url, &pki.ca_pem).await?;
                Ok::<_, Error>(Some(hook))
            },
        );
        cp.procs.extend([kcm, sched, kwok]);
        let hook_ready = h.map(|o| o.is_some());
        if let Some(hook) = hook {
            cp.procs.push(hook);
        }
        timed("kube-controller-manager", k?);
        timed("kube-scheduler", s?);
        timed("kwok and its node", w?);
        if hook_ready? {
            let t = {
                let hook = cp
                    .procs
                    .last_mut()
                    .ok_or_else(|| Error::Setup("no webhook".into()))?;
                wait_for(
                    hook,
                    "a labelled dry-run pod is mutated",
                    opts.timeout,
                    || cluster::webhook_effective(&client),
                )
                .await?
            };
            timed("azure-wi-webhook", t);
        }
        cp.startup = started.elapsed();
        eprintln!(
            "controlplane: started in {:.1}s (kubeconfig {})",
            cp.startup.as_secs_f64(),
            cp.kubeconfig.display()
        );
        Ok(cp)
    }

    /// Path of the admin kubeconfig.
    pub fn kubeconfig(&self) -> &Path {
        &self.kubeconfig
    }

    /// The service-account issuer URL (`https://127.0.0.1:<port>/` by default).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The API server URL.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// PEM file of the CA that signed the API server's (and webhook's) certificate.
    pub fn ca_cert(&self) -> &Path {
        &self.ca_cert
    }

    /// The temporary directory holding certificates, data and component logs.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Whether the webhook was started and registered.
    pub fn has_webhook(&self) -> bool {
        self.webhook.is_some()
    }

    /// The URL the webhook is registered with (its port is this control plane's own).
    pub fn webhook_url(&self) -> Option<&str> {
        self.webhook.as_deref()
    }

    /// How long [`ControlPlane::start`] took.
    pub fn startup_time(&self) -> Duration {
        self.startup
    }

    /// A kube client authenticated as the admin.
    pub async fn client(&self) -> Result<kube::Client, Error> {
        kubeconfig::client(&self.kubeconfig).await
    }

    /// Gives the pod `namespace/name` the log `text`, and waits until kwok serves it.
    pub async fn set_pod_logs(&self, namespace: &str, name: &str, text: &str) -> Result<(), Error> {
        let client = self.client().await?;
        logs::set_pod_logs(
            &client,
            &self.kwok(),
            &self.dir.path().join("pod-logs"),
            namespace,
            name,
            text,
        )
        .await
    }

    /// Gives every pod of `namespace` (including pods created later, e.g. by a Job) the log
    /// `text`, and waits until kwok serves it.
    pub async fn set_namespace_logs(&self, namespace: &str, text: &str) -> Result<(), Error> {
        let client = self.client().await?;
        let dir = self.dir.path().join("pod-logs");
        logs::set_namespace_logs(&client, &self.kwok(), &dir, namespace, text).await
    }

    fn kwok(&self) -> logs::Kwok<'_> {
        logs::Kwok {
            http: &self.http,
            url: &self.kwok_url,
            timeout: self.timeout,
        }
    }

    /// Component names, PIDs and log files.
    pub fn processes(&self) -> Vec<(String, u32, PathBuf)> {
        self.procs
            .iter()
            .map(|p| (p.name().to_string(), p.pid(), p.log_path().to_path_buf()))
            .collect()
    }

    /// Stops every component (also done on drop).
    pub fn stop(&mut self) {
        for p in self.procs.iter().rev() {
            p.terminate();
        }
        while let Some(mut p) = self.procs.pop() {
            p.reap(Duration::from_secs(10));
        }
    }
}

impl Drop for ControlPlane {
    fn drop(&mut self) {
        self.stop();
    }
}
