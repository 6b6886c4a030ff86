//! The built binary as scripts and the control-plane tests drive it: exit
//! codes, output, and TLS trust through `SSL_CERT_FILE`.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use xtenant_testsupport::entra as entra_fake;

mod support;

use support::hermetic::{CLIENT, TENANT_B, dead_kubeconfig, text};

/// Runs the plugin in a hermetic environment: empty env, HOME and the
/// profile directory in `home`, plus `extra`.
async fn run(home: &Path, args: &[&str], extra: &[(&str, &str)]) -> Output {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_kubectl-xtenant"));
    cmd.args(args)
        .env_clear()
        .env("HOME", home)
        .env("XTENANT_CONFIG_DIR", home.join("profiles"));
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.output().await.expect("run kubectl-xtenant")
}

#[tokio::test]
async fn missing_value_exits_2_naming_flag_and_step() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = run(home.path(), &["deploy", "--dry-run"], &[]).await;
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("--client-id") && err.contains("az-xtenant resources"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[tokio::test]
async fn malformed_id_exits_2() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = run(home.path(), &["verify", "--client-id", "not-a-guid"], &[]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--client-id"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test]
async fn dry_run_needs_no_cluster_and_takes_the_context_namespace() {
    let home = tempfile::tempdir().expect("tempdir");
    let kubeconfig = dead_kubeconfig(home.path());
    let args = [
        "deploy",
        "--dry-run",
        "--client-id",
        CLIENT,
        "--tenant-id",
        TENANT_B,
        "--servicebus-hostname",
        "sb-x.servicebus.windows.net",
        "--messages",
        "7",
    ];
    let out = run(home.path(), &args, &[("KUBECONFIG", &kubeconfig)]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let yaml = text(&out.stdout);
    assert!(yaml.contains("namespace: demo"), "{yaml}");
    assert!(yaml.contains("value: '7'"), "{yaml}");
    assert!(yaml.contains("kind: Job"), "{yaml}");
}

#[tokio::test]
async fn completions_and_man_pages() {
    let home = tempfile::tempdir().expect("tempdir");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = run(home.path(), &["completions", shell], &[]).await;
        assert_eq!(out.status.code(), Some(0), "{shell}");
        assert!(text(&out.stdout).contains("kubectl-xtenant"), "{shell}");
    }
    let dir = home.path().join("man");
    let out = run(home.path(), &["man", &dir.to_string_lossy()], &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for page in [
        "kubectl-xtenant.1",
        "kubectl-xtenant-deploy.1",
        "kubectl-xtenant-doctor.1",
    ] {
        assert!(dir.join(page).is_file(), "{page}");
    }
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == id)
        .expect(id)
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_trusts_the_ca_in_ssl_cert_file_only() {
    let fake = entra_fake::start(entra_fake::Behaviour::default()).await;
    let home = tempfile::tempdir().expect("tempdir");
    let ca = home.path().join("ca.pem");
    std::fs::write(&ca, &fake.ca_pem).expect("write ca");
    let kubeconfig = dead_kubeconfig(home.path());
    let issuer = format!("{}/", fake.base);
    let args = [
        "doctor",
        "-o",
        "json",
        "--kubeconfig",
        &kubeconfig,
        "--client-id",
        CLIENT,
        "--issuer",
        &issuer,
    ];

    let trusted = run(
        home.path(),
        &args,
        &[("SSL_CERT_FILE", &ca.to_string_lossy())],
    )
    .await;
    assert_eq!(trusted.status.code(), Some(1), "{}", text(&trusted.stderr));
    let report: Value = serde_json::from_slice(&trusted.stdout).expect("json report");
    assert_eq!(report["ok"], false);
    assert_eq!(check(&report, "cluster")["verdict"], "fail");
    assert_eq!(check(&report, "discovery")["verdict"], "pass", "{report:#}");
    assert_eq!(report["data"]["namespace"], "demo");

    let untrusted = run(home.path(), &args, &[]).await;
    let report: Value = serde_json::from_slice(&untrusted.stdout).expect("json report");
    let discovery = check(&report, "discovery");
    assert_eq!(discovery["verdict"], "fail");
    assert!(
        discovery["detail"]
            .as_str()
            .unwrap_or_default()
            .to_lowercase()
            .contains("certificate"),
        "{discovery:#}"
    );
}

#[tokio::test]
async fn values_come_from_the_profile_when_flags_are_absent() {
    let home = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(home.path().join("profiles")).expect("mkdir");
    let profile = serde_json::json!({"schemaVersion": 1,
        "resources": {"tenantId": TENANT_B, "clientId": CLIENT, "servicebusHostname": "sb-p.servicebus.windows.net", "queueName": "q1"},
        "workload": {"namespace": "default", "serviceAccount": "sa-p", "jobName": "job-p", "messageCount": 3, "image": "img:p"}});
    std::fs::write(home.path().join("profiles/lab.json"), profile.to_string()).expect("write");
    let out = run(
        home.path(),
        &["deploy", "--dry-run", "--profile", "lab", "--messages", "9"],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let yaml = text(&out.stdout);
    for expected in [
        "name: sa-p",
        "name: job-p",
        "value: '9'",
        "value: q1",
        "sb-p.servicebus.windows.net",
        "image: img:p",
        CLIENT,
    ] {
        assert!(yaml.contains(expected), "{expected} in {yaml}");
    }
    let missing = run(
        home.path(),
        &["deploy", "--dry-run", "--profile", "nope"],
        &[],
    )
    .await;
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing.stderr).contains("az-xtenant init"),
        "{}",
        text(&missing.stderr)
    );
}
