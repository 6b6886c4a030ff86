//! `kubectl-xtenant` run against a control plane: a hermetic config dir, the
//! control plane's kubeconfig and CA, its exit code and output captured.

use std::path::PathBuf;
use std::process::Command;

use controlplane::ControlPlane;
use serde_json::Value;
use tempfile::TempDir;
use xtenant_testsupport::workspace_bin;

/// Tenant B, where the identity lives.
pub const TENANT_B: &str = "bbbbbbbb-0000-4000-8000-00000000000b";
/// The identity's client ID given to deploy.
pub const CLIENT_ID: &str = "11111111-2222-4333-8444-555555555555";
/// The Service Bus host given to deploy.
pub const SB_HOST: &str = "sb-xtenant.servicebus.windows.net";

/// The plugin pointed at one control plane, with a profile directory of its own.
pub struct Plugin {
    kubeconfig: PathBuf,
    ca: PathBuf,
    config: TempDir,
}

/// One finished run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", self.stdout, self.stderr))
    }
}

/// The check with `id` in a `-o json` report, as (verdict, detail, fix).
pub fn check(report: &Value, id: &str) -> (String, String, String) {
    let c = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id} in {report:#}"));
    let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
    (s("verdict"), s("detail"), s("fix"))
}

impl Plugin {
    /// The control plane's (administrator's) kubeconfig.
    pub fn kubeconfig(&self) -> &std::path::Path {
        &self.kubeconfig
    }

    pub fn new(cp: &ControlPlane) -> Self {
        Self {
            kubeconfig: cp.kubeconfig().to_path_buf(),
            ca: cp.ca_cert().to_path_buf(),
            config: tempfile::tempdir().unwrap(),
        }
    }

    /// Writes the default profile the plugin reads.
    pub fn write_profile(&self, profile: &Value) {
        let path = self.config.path().join("default.json");
        std::fs::write(path, serde_json::to_vec_pretty(profile).unwrap()).unwrap();
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with(&self.kubeconfig, args)
    }

    /// Runs with another kubeconfig: the same cluster as another user.
    pub fn run_with(&self, kubeconfig: &std::path::Path, args: &[&str]) -> Run {
        let out = Command::new(workspace_bin("kubectl-xtenant"))
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .args(args)
            .env("XTENANT_CONFIG_DIR", self.config.path())
            .env("SSL_CERT_FILE", &self.ca)
            .env("NO_COLOR", "1")
            .env_remove("KUBECONFIG")
            .output()
            .unwrap();
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        eprintln!(
            "$ kubectl xtenant {} -> {}\n{}{}",
            args.join(" "),
            run.code,
            run.stdout,
            run.stderr
        );
        run
    }

    pub fn ok(&self, args: &[&str]) -> Run {
        let run = self.run(args);
        assert_eq!(run.code, 0, "kubectl xtenant {} failed", args.join(" "));
        run
    }

    pub fn deploy(&self, extra: &[&str]) -> Run {
        let mut args = vec![
            "deploy",
            "--client-id",
            CLIENT_ID,
            "--tenant-id",
            TENANT_B,
            "--servicebus-hostname",
            SB_HOST,
        ];
        args.extend_from_slice(extra);
        self.ok(&args)
    }

    pub fn verify(&self) -> Run {
        self.run(&[
            "verify",
            "-o",
            "json",
            "--client-id",
            CLIENT_ID,
            "--tenant-id",
            TENANT_B,
            "--messages",
            "100",
            "--timeout",
            "60s",
        ])
    }

    pub fn doctor(&self, issuer: &str) -> Run {
        self.run(&[
            "doctor",
            "-o",
            "json",
            "--client-id",
            CLIENT_ID,
            "--tenant-id",
            TENANT_B,
            "--issuer",
            issuer,
        ])
    }
}
