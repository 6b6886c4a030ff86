//! The whole local set-up the procedure tests share: a control plane whose API
//! server is the simulator's AKS issuer, the simulator trusting it, and the two
//! tools run against both with one profile directory.
//! Needs XTENANT_CONTROLPLANE_BIN and XTENANT_AZ (./test.sh sets both).

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

use azsim::{Config, Harness};
use controlplane::{ControlPlane, Options};
use serde_json::Value;
use tempfile::TempDir;
use tokio::runtime::Runtime;
use xtenant_testsupport::workspace_bin;

/// What the producer's pods log when they succeed (kwok runs no containers).
pub const PRODUCER_OK: &str = "Sending 100 messages to myqueue\nSent 100 messages\n";

/// A control plane and the simulator joined up, with a profile directory for both tools.
pub struct Local {
    pub rt: Runtime,
    pub cp: ControlPlane,
    pub h: Harness,
    pub config: TempDir,
    pub ca_bundle: PathBuf,
}

/// One finished run of a workspace binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
}

impl Local {
    /// Starts the control plane, then the simulator with it as the AKS issuer.
    pub fn start() -> Self {
        // Refuse missing or stale binaries before spending time on start-up.
        for bin in ["az-xtenant", "kubectl-xtenant"] {
            workspace_bin(bin);
        }
        let rt = Runtime::new().unwrap();
        let mut sim = Config::two_tenants();
        let tenant_a = sim.tenants[0].id.clone();
        let cp = rt
            .block_on(ControlPlane::start(Options::from_env(tenant_a)))
            .unwrap();
        sim.aks_issuer_url = Some(cp.issuer().to_string());
        sim.trusted_ca_files = vec![cp.ca_cert().to_path_buf()];
        sim.aks_kubeconfig = Some(std::fs::read_to_string(cp.kubeconfig()).unwrap());
        let h = Harness::start_with(sim);
        let config = tempfile::tempdir().unwrap();
        // One bundle so that doctor trusts both the API server and the simulator.
        let ca_bundle = config.path().join("ca-bundle.pem");
        let bundle = format!(
            "{}{}",
            std::fs::read_to_string(cp.ca_cert()).unwrap(),
            std::fs::read_to_string(h.ca_path()).unwrap()
        );
        std::fs::write(&ca_bundle, bundle).unwrap();
        Self {
            rt,
            cp,
            h,
            config,
            ca_bundle,
        }
    }

    /// Runs a workspace binary against both, echoing what it printed.
    pub fn run(&self, bin: &str, args: &[&str]) -> Run {
        self.run_env(bin, args, Vec::new())
    }

    /// [`Local::run`] with `env` set last, over the harness's (another
    /// `AZURE_CONFIG_DIR`, another CA bundle).
    pub fn run_env(&self, bin: &str, args: &[&str], env: Vec<(String, OsString)>) -> Run {
        let mut cmd = Command::new(workspace_bin(bin));
        for (k, v) in self.h.env() {
            cmd.env(k, v);
        }
        for (k, v) in self.h.ids_env() {
            cmd.env(k, v);
        }
        if bin == "kubectl-xtenant" {
            cmd.arg("--kubeconfig").arg(self.cp.kubeconfig());
        }
        let out = cmd
            .args(args)
            .env("RESOURCE_GROUP", "rg-xtenant-local")
            .env("LOCATION", "eastus")
            .env("CLUSTER_NAME", "aks-xtenant-local")
            .env("XTENANT_CONFIG_DIR", self.config.path())
            .env("SSL_CERT_FILE", &self.ca_bundle)
            .env("NO_COLOR", "1")
            .envs(env)
            .output()
            .unwrap();
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        };
        eprintln!(
            "$ {bin} {} -> {}\n{}{}",
            args.join(" "),
            run.code,
            run.stdout,
            String::from_utf8_lossy(&out.stderr)
        );
        run
    }

    /// [`Local::run`], which must succeed.
    pub fn ok(&self, bin: &str, args: &[&str]) -> Run {
        let run = self.run(bin, args);
        assert_eq!(run.code, 0, "{bin} {} failed", args.join(" "));
        run
    }

    /// The simulator's Entra authority host.
    pub fn authority(&self) -> String {
        format!("{}/", self.h.server.base_url)
    }

    /// `doctor --exchange -o json`, parsed.
    pub fn doctor(&self) -> (i32, Value) {
        self.doctor_with(&[])
    }

    /// [`Local::doctor`] with more arguments (a namespace, a ServiceAccount).
    pub fn doctor_with(&self, more: &[&str]) -> (i32, Value) {
        let authority = self.authority();
        let mut args = vec![
            "doctor",
            "--exchange",
            "--authority-host",
            &authority,
            "-o",
            "json",
        ];
        args.extend_from_slice(more);
        let run = self.run("kubectl-xtenant", &args);
        (run.code, serde_json::from_str(&run.stdout).unwrap())
    }

    /// The profile both tools share, parsed.
    pub fn profile(&self) -> Value {
        let text = std::fs::read_to_string(self.config.path().join("default.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// Rewrites the federated credential with the real az (as a person would by mistake).
    pub fn set_credential(&self, issuer: &str, subject: &str) {
        let p = self.profile();
        let r = &p["resources"];
        let s = |k: &str| r[k].as_str().unwrap().to_string();
        self.h
            .run_az(&[
                "identity",
                "federated-credential",
                "create",
                "--name",
                p["graph"]["bindings"][0]["credential"].as_str().unwrap(),
                "--identity-name",
                &s("identityName"),
                "--resource-group",
                &s("resourceGroup"),
                "--subscription",
                &s("subscriptionId"),
                "--issuer",
                issuer,
                "--subject",
                subject,
                "--audiences",
                "api://AzureADTokenExchange",
                "-o",
                "json",
            ])
            .unwrap();
    }
}
