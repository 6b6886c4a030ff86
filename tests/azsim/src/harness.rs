//! Test harness: the simulator plus the real `az` registered against it as a custom cloud and logged in to both tenants.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::Value;
use tempfile::TempDir;

use crate::config::{Config, ServicePrincipal, Tenant};
use crate::faults::Faults;
use crate::server::Server;

/// Name under which the simulator is registered as a cloud.
pub const CLOUD: &str = "AzSim";

/// The real Azure CLI from `XTENANT_AZ`; panics loudly when it is not set.
pub fn real_az() -> PathBuf {
    xtenant_testsupport::env_path(
        "XTENANT_AZ",
        "the real Azure CLI",
        "run ./test.sh, which installs it, or export XTENANT_AZ=$(scripts/ensure-azure-cli)",
    )
}

/// A running simulator with `az` logged in to both tenants in a private config dir.
pub struct Harness {
    /// The server (state, faults, counters).
    pub server: Server,
    /// The real `az`.
    pub az: PathBuf,
    dir: TempDir,
    /// Path fragments of lists a test expects to answer 404 ([`Harness::expect_list_404`]).
    expected_list_404s: Mutex<Vec<String>>,
}

impl Harness {
    /// Two fresh tenants, the real `az` from `XTENANT_AZ`; panics on failure.
    pub fn start() -> Harness {
        Self::start_with(Config::two_tenants())
    }

    /// Like [`Harness::start`] with a given configuration.
    pub fn start_with(config: Config) -> Harness {
        match Self::try_start(config, &real_az()) {
            Ok(h) => h,
            Err(e) => panic!("azsim harness failed to start: {e:#}"),
        }
    }

    /// Starts the server, registers the cloud (az's `clouds.config`), logs in to every tenant's first service principal.
    pub fn try_start(config: Config, az: &Path) -> anyhow::Result<Harness> {
        let dir = tempfile::Builder::new()
            .prefix("azsim-")
            .tempdir()
            .context("creating a temporary directory")?;
        let server = Server::start(config)?;
        std::fs::create_dir_all(dir.path().join("home/.kube"))?;
        std::fs::create_dir_all(dir.path().join("azure"))?;
        std::fs::write(dir.path().join("ca.pem"), &server.ca_pem)?;
        let h = Harness {
            server,
            az: az.to_path_buf(),
            dir,
            expected_list_404s: Mutex::new(Vec::new()),
        };
        let base = h.server.base_url.clone();
        let started = Instant::now();
        std::fs::write(
            h.dir.path().join("azure/clouds.config"),
            clouds_config(&base),
        )?;
        for t in h.tenants() {
            let sp = t
                .principals
                .first()
                .context("tenant without a service principal")?;
            h.run_az(&login_args(sp, &t.id))?;
        }
        if std::env::var_os("AZSIM_VERBOSE").is_some() {
            eprintln!(
                "azsim: az registered and logged in in {:?}",
                started.elapsed()
            );
        }
        Ok(h)
    }

    /// Runs `az` with the harness env; returns stdout, or an error with az's stderr.
    pub fn run_az(&self, args: &[&str]) -> anyhow::Result<String> {
        let out = self.az_output(args)?;
        if !out.status.success() {
            bail!(
                "az {} failed ({}): {}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Runs `az <args>` with the harness env to the end, exit status not
    /// checked. Like az-xtenant, it runs az once more when az crashed in its
    /// own imports (`deadlock detected by _ModuleLock`, az's intermittent
    /// defect, which says nothing of the simulator's answer).
    pub fn az_output(&self, args: &[&str]) -> anyhow::Result<std::process::Output> {
        crate::az_import_crash::once_more(|| {
            self.az_cmd(args)
                .run()
                .with_context(|| format!("running az {}", args.join(" ")))
        })
    }

    /// `az <args>` with the harness env, output captured, exit status not checked.
    pub fn az_cmd(&self, args: &[&str]) -> duct::Expression {
        self.with_env(duct::cmd(&self.az, args))
            .stdout_capture()
            .stderr_capture()
            .unchecked()
    }

    /// Runs `az` and parses its JSON output; panics with az's stderr on failure.
    pub fn az_json(&self, args: &[&str]) -> Value {
        let mut a = args.to_vec();
        a.extend(["-o", "json"]);
        let out = self.run_az(&a).unwrap_or_else(|e| panic!("{e:#}"));
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("az {} printed non-JSON ({e}): {out}", args.join(" ")))
    }

    /// Applies the harness env to any command.
    pub fn with_env(&self, cmd: duct::Expression) -> duct::Expression {
        self.env().into_iter().fold(cmd, |c, (k, v)| c.env(k, v))
    }

    /// The environment that points `az` (and tools running it) at the simulator.
    pub fn env(&self) -> Vec<(String, OsString)> {
        let az_dir = self.az.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut paths = vec![az_dir];
        if let Some(p) = std::env::var_os("PATH") {
            paths.extend(std::env::split_paths(&p));
        }
        let path = std::env::join_paths(paths).unwrap_or_default();
        let d = self.dir.path();
        vec![
            ("AZURE_CONFIG_DIR".into(), d.join("azure").into()),
            ("REQUESTS_CA_BUNDLE".into(), d.join("ca.pem").into()),
            ("AZURE_CORE_COLLECT_TELEMETRY".into(), "false".into()),
            // az reads any setting of its configuration from AZURE_<SECTION>_<NAME>
            // first (knack's CLIConfig.get): the active cloud and the core
            // settings are given here rather than by `az cloud set` and
            // `az config set`, two az start-ups fewer per harness.
            ("AZURE_CLOUD_NAME".into(), CLOUD.into()),
            ("AZURE_CORE_INSTANCE_DISCOVERY".into(), "false".into()),
            ("AZURE_CORE_SURVEY_MESSAGE".into(), "false".into()),
            ("AZURE_CORE_ONLY_SHOW_ERRORS".into(), "false".into()),
            ("HOME".into(), d.join("home").into()),
            ("KUBECONFIG".into(), d.join("home/.kube/config").into()),
            ("PATH".into(), path),
        ]
    }

    /// The seed procedure's variables and the simulator's own: `AZSIM_URL`, `AZSIM_CA`,
    /// `TENANT_{A,B}_ID`, `TENANT_{A,B}_SUBSCRIPTION_ID` (and `..._SUBSCRIPTION_2_ID` when
    /// there is a second), `AZSIM_SP_{A,B}_{ID,SECRET}`.
    pub fn ids_env(&self) -> Vec<(String, String)> {
        let mut v = vec![
            ("AZSIM_URL".to_string(), self.server.base_url.clone()),
            ("AZSIM_CA".to_string(), self.ca_path().display().to_string()),
        ];
        for (letter, t) in ["A", "B"].iter().zip(self.tenants()) {
            v.push((format!("TENANT_{letter}_ID"), t.id.clone()));
            if let Some(s) = t.subscriptions.first() {
                v.push((format!("TENANT_{letter}_SUBSCRIPTION_ID"), s.id.clone()));
            }
            if let Some(s) = t.subscriptions.get(1) {
                v.push((format!("TENANT_{letter}_SUBSCRIPTION_2_ID"), s.id.clone()));
            }
            if let Some(p) = t.principals.first() {
                v.push((format!("AZSIM_SP_{letter}_ID"), p.client_id.clone()));
                v.push((format!("AZSIM_SP_{letter}_SECRET"), p.secret.clone()));
            }
        }
        v
    }

    /// The temporary directory holding the az config, HOME and the CA file.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The CA certificate file (`REQUESTS_CA_BUNDLE`).
    pub fn ca_path(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// All configured tenants.
    pub fn tenants(&self) -> &[Tenant] {
        &self.server.sim.config.tenants
    }

    /// Tenant A (the first).
    pub fn tenant_a(&self) -> &Tenant {
        &self.tenants()[0]
    }

    /// Tenant B (the second).
    pub fn tenant_b(&self) -> &Tenant {
        &self.tenants()[1]
    }

    /// Number of requests answered so far (a mark for [`Harness::writes_since`]).
    pub fn mark(&self) -> usize {
        self.server.sim.lock().requests.len()
    }

    /// ARM writes (PUT/PATCH/DELETE, and POST actions other than `list*`) since `mark`,
    /// as `METHOD path -> status`.
    pub fn writes_since(&self, mark: usize) -> Vec<String> {
        let g = self.server.sim.lock();
        g.requests
            .iter()
            .skip(mark)
            .filter(|r| r.is_write())
            .map(|r| format!("{} {} -> {}", r.method, r.path, r.status))
            .collect()
    }

    /// Every request answered since `mark` (ARM, Entra, control), in order.
    pub fn requests_since(&self, mark: usize) -> Vec<crate::state::RequestRecord> {
        let g = self.server.sim.lock();
        g.requests.iter().skip(mark).cloned().collect()
    }

    /// Requests no route matched.
    pub fn unknown_routes(&self) -> Vec<String> {
        self.server.sim.lock().unknown.clone()
    }

    /// Lists (GETs of a collection) answered 404 that the test did not declare with
    /// [`Harness::expect_list_404`], as `GET path -> 404`. A list the simulator cannot
    /// answer must not read as "nothing there": tests check this is empty at the end,
    /// as they do [`Harness::unknown_routes`].
    pub fn unexpected_list_404s(&self) -> Vec<String> {
        let expected = self
            .expected_list_404s
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let g = self.server.sim.lock();
        g.requests
            .iter()
            .filter(|r| r.method == "GET" && r.status == 404 && r.op.ends_with(".list"))
            .filter(|r| {
                let path = r.path.to_ascii_lowercase();
                !expected
                    .iter()
                    .any(|e| path.contains(&e.to_ascii_lowercase()))
            })
            .map(|r| format!("{} {} -> {}", r.method, r.path, r.status))
            .collect()
    }

    /// Declares that lists whose path contains `fragment` (any letter case) may answer
    /// 404 (a test listing under a parent it knows is missing).
    pub fn expect_list_404(&self, fragment: &str) {
        self.expected_list_404s
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(fragment.to_string());
    }

    /// Current faults.
    pub fn faults(&self) -> Faults {
        self.server.sim.faults()
    }

    /// Changes the faults, under the simulator's lock: a hold taken or an error rule
    /// used meanwhile by a call (or by a test running alongside) is not undone.
    pub fn update_faults(&self, f: impl FnOnce(&mut Faults)) {
        f(&mut self.server.sim.lock().faults);
    }

    /// Holds the next call of `op`: it takes effect, but its answer waits for [`Harness::release`].
    pub fn hold(&self, op: &str) {
        self.update_faults(|f| {
            f.hold.insert(op.to_string());
        });
    }

    /// Waits until a call of `op` is held; panics after `timeout` with the request log's tail.
    pub fn wait_until_held(&self, op: &str, timeout: std::time::Duration) {
        let deadline = Instant::now() + timeout;
        while self.server.sim.held(op) == 0 {
            if Instant::now() >= deadline {
                let g = self.server.sim.lock();
                let tail: Vec<_> = g.requests.iter().rev().take(10).collect();
                panic!("no call of {op} was held within {timeout:?}; last requests: {tail:?}");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Lets the held calls of `op` answer.
    pub fn release(&self, op: &str) {
        self.server.sim.release(op);
    }

    /// Shows a resource in a provisioning state (`Stopping`, `Canceling`, `Deleting`)
    /// until cleared with `None`; panics when the resource does not exist.
    pub fn force_state(&self, id: &str, state: Option<&str>) {
        assert!(
            self.server.sim.force_state(id, state),
            "no resource {id} to put in state {state:?}"
        );
    }

    /// The simulator's stand-in OIDC issuer (with the trailing slash, like AKS issuers).
    pub fn test_issuer(&self) -> String {
        format!("{}/_azsim/issuer/", self.server.base_url)
    }

    /// A service-account-like token from [`Harness::test_issuer`], valid for `ttl_secs`
    /// (negative: already expired), for `sub` and audience `aud`.
    pub fn mint_assertion(&self, sub: &str, aud: &str, ttl_secs: i64) -> String {
        let now = crate::keys::now_secs();
        let exp = now.saturating_add_signed(ttl_secs);
        let claims = serde_json::json!({
            "iss": self.test_issuer(), "sub": sub, "aud": [aud],
            "iat": now.saturating_sub(3600), "nbf": now.saturating_sub(3600), "exp": exp,
        });
        self.server
            .sim
            .key
            .sign(&claims)
            .unwrap_or_else(|e| panic!("signing an assertion: {e}"))
    }

    /// A stored resource by ID, as ARM would answer it.
    pub fn resource(&self, id: &str) -> Option<Value> {
        self.server.sim.lock().get(id).map(crate::arm::render)
    }

    /// Every stored resource of an ARM type (e.g. `Microsoft.ManagedIdentity/userAssignedIdentities`).
    pub fn resources_of_type(&self, rtype: &str) -> Vec<Value> {
        let g = self.server.sim.lock();
        g.resources
            .values()
            .filter(|r| {
                r.body["type"]
                    .as_str()
                    .is_some_and(|t| t.eq_ignore_ascii_case(rtype))
            })
            .map(crate::arm::render)
            .collect()
    }
}

/// `az login` as service principal `sp` into `tenant`, printing nothing.
pub(crate) fn login_args<'a>(sp: &'a ServicePrincipal, tenant: &'a str) -> [&'a str; 10] {
    [
        "login",
        "--service-principal",
        "-u",
        &sp.client_id,
        "-p",
        &sp.secret,
        "--tenant",
        tenant,
        "-o",
        "none",
    ]
}

/// The simulator as a custom cloud of az, in the file and form in which
/// `az cloud register` keeps one: `clouds.config` in az's configuration
/// folder, a section named after the cloud with an `endpoint_<name>` or
/// `suffix_<name>` key per endpoint (azure-cli's `azure/cli/core/cloud.py`,
/// `_config_add_cloud`, read back by `get_custom_clouds`). Written here
/// rather than by `az cloud register`: one az start-up fewer per harness.
/// Every login and command of the harness goes through these endpoints, so
/// a file az did not read as meant fails the harness's first login.
fn clouds_config(base: &str) -> String {
    let entries = [
        ("endpoint_active_directory", base.to_string()),
        (
            "endpoint_active_directory_graph_resource_id",
            "https://graph.windows.net/".into(),
        ),
        (
            "endpoint_active_directory_resource_id",
            "https://management.core.windows.net/".into(),
        ),
        (
            "endpoint_management",
            "https://management.core.windows.net/".into(),
        ),
        ("endpoint_microsoft_graph_resource_id", format!("{base}/")),
        ("endpoint_resource_manager", format!("{base}/")),
        // Key Vault and Storage commands need these suffixes (data-plane DNS names).
        ("suffix_keyvault_dns", ".vault.azure.net".into()),
        ("suffix_storage_endpoint", "core.windows.net".into()),
    ];
    let mut text = format!("[{CLOUD}]\n");
    for (key, value) in entries {
        text.push_str(&format!("{key} = {value}\n"));
    }
    text
}
