//! The exit codes this binary can produce without a cluster, each against
//! the README's exit-code table (shared by both tools) and the shared
//! constants (`xtenant_shared::exit`).

mod support;

use support::{hermetic, stuck_apiserver};

use std::path::Path;
use std::process::Output;

use hermetic::{CLIENT, TENANT_B, command, dead_kubeconfig, kubeconfig, text, write_profile};
use xtenant_shared::exit;

fn run(home: &Path, args: &[&str]) -> Output {
    command(home)
        .args(args)
        .output()
        .expect("run kubectl-xtenant")
}

/// Asserts the code and returns stderr.
fn expect_code(out: &Output, code: u8, what: &str) -> String {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(i32::from(code)), "{what}: {err}");
    err
}

#[test]
fn the_readme_states_the_shared_table() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let table = readme
        .split("<!-- exit-codes -->")
        .nth(1)
        .and_then(|t| t.split("<!-- /exit-codes -->").next())
        .expect("README's exit-code table, between <!-- exit-codes --> markers");
    let rows: Vec<(u8, String)> = table
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let code = cells.get(1)?.trim_matches('`').parse().ok()?;
            Some((code, cells.get(2)?.to_string()))
        })
        .collect();
    for (code, words) in [
        (exit::OK, "every check passed"),
        (exit::CHECK_FAILED, "a check found a problem"),
        (exit::USAGE, "bad or missing input"),
        (exit::ERROR, "an operation failed"),
        (exit::TIMEOUT, "a wait ran out of time"),
    ] {
        assert!(
            rows.iter().any(|(c, m)| *c == code && m.contains(words)),
            "README's table lacks {code} ({words}): {rows:?}"
        );
    }
}

#[test]
fn zero_when_done() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = run(home.path(), &["--version"]);
    expect_code(&out, exit::OK, "--version");
    let kc = dead_kubeconfig(home.path());
    let args = [
        "deploy",
        "--dry-run",
        "--kubeconfig",
        &kc,
        "--client-id",
        CLIENT,
        "--tenant-id",
        TENANT_B,
        "--servicebus-hostname",
        "sb-x.servicebus.windows.net",
    ];
    expect_code(&run(home.path(), &args), exit::OK, "deploy --dry-run");
}

#[test]
fn one_when_a_check_fails() {
    let home = tempfile::tempdir().expect("tempdir");
    let kc = dead_kubeconfig(home.path());
    let args = [
        "doctor",
        "-o",
        "json",
        "--kubeconfig",
        &kc,
        "--client-id",
        CLIENT,
        "--issuer",
        "https://127.0.0.1:1/",
    ];
    let out = run(home.path(), &args);
    expect_code(&out, exit::CHECK_FAILED, "doctor");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert_eq!(report["ok"], false);
}

#[test]
fn two_for_bad_or_missing_input() {
    let home = tempfile::tempdir().expect("tempdir");
    let cases: &[(&[&str], &str)] = &[
        (&["verify", "--client-id", "not-a-guid"], "--client-id"),
        (&["deploy", "--dry-run"], "--client-id"),
        (
            &[
                "deploy",
                "--servicebus-hostname",
                "sb_x.servicebus.windows.net",
            ],
            "DNS host name",
        ),
        (&["-n", "Bad_NS", "doctor"], "DNS-1123"),
        (&["no-such-command"], "no-such-command"),
        (&["doctor", "--profile", "absent"], "az-xtenant init"),
        (&["bind", "job/once"], "immutable"),
        (&["unbind", "job/once"], "immutable"),
        (&["bind", "pod/web"], "KIND/NAME"),
    ];
    for (args, says) in cases {
        let err = expect_code(&run(home.path(), args), exit::USAGE, &format!("{args:?}"));
        assert!(err.contains(says), "{args:?} should say {says:?}: {err}");
    }
}

#[test]
fn two_for_a_profile_this_version_cannot_read() {
    let home = tempfile::tempdir().expect("tempdir");
    let newer = format!(
        r#"{{"schemaVersion": {}}}"#,
        xtenant_shared::SCHEMA_VERSION + 1
    );
    write_profile(home.path(), "newer", &newer);
    write_profile(home.path(), "corrupt", "{not json");
    for (name, says) in [("newer", "newer"), ("corrupt", "not valid JSON")] {
        let args = ["deploy", "--dry-run", "--profile", name];
        let err = expect_code(&run(home.path(), &args), exit::USAGE, name);
        assert!(err.contains(says), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
}

#[test]
fn the_profile_is_read_only_by_the_verbs_that_need_it() {
    // The context reads the profile the first time a verb asks for it: a
    // profile that cannot be read fails `bind` (exit 2, before the cluster is
    // asked anything) but not `unbind`, which needs nothing from it and
    // fails only on the unreachable cluster (exit 3).
    let home = tempfile::tempdir().expect("tempdir");
    write_profile(home.path(), "corrupt", "{not json");
    let kc = dead_kubeconfig(home.path());
    let bind = [
        "bind",
        "deployment/web",
        "--profile",
        "corrupt",
        "--kubeconfig",
        &kc,
    ];
    let err = expect_code(&run(home.path(), &bind), exit::USAGE, "bind");
    assert!(err.contains("not valid JSON"), "bind: {err}");
    let unbind = [
        "unbind",
        "deployment/web",
        "--profile",
        "corrupt",
        "--kubeconfig",
        &kc,
    ];
    let err = expect_code(&run(home.path(), &unbind), exit::ERROR, "unbind");
    assert!(!err.contains("JSON"), "unbind: {err}");
}

#[test]
fn three_when_the_cluster_cannot_be_reached() {
    let home = tempfile::tempdir().expect("tempdir");
    let kc = dead_kubeconfig(home.path());
    let identity = ["--client-id", CLIENT, "--tenant-id", TENANT_B];
    for sub in ["verify", "cleanup", "logs"] {
        let mut args = vec![sub, "--kubeconfig", &kc];
        if sub == "verify" {
            args.extend(identity);
        }
        let err = expect_code(&run(home.path(), &args), exit::ERROR, sub);
        assert!(err.starts_with("error: "), "{sub}: {err}");
        assert_eq!(
            err.lines().count(),
            1,
            "{sub}: the chain printed once: {err}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_when_a_wait_runs_out() {
    let server = stuck_apiserver::start("demo", "myproducer").await;
    let home = tempfile::tempdir().expect("tempdir");
    let kc = kubeconfig(home.path(), &server);
    let args = [
        "verify",
        "--kubeconfig",
        &kc,
        "--client-id",
        CLIENT,
        "--tenant-id",
        TENANT_B,
        "--timeout",
        "2s",
    ];
    let home_path = home.path().to_path_buf();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let out =
        tokio::task::spawn_blocking(move || command(&home_path).args(&args).output().expect("run"))
            .await
            .expect("join");
    let err = expect_code(&out, exit::TIMEOUT, "verify against a stuck API server");
    assert!(err.contains("timed out"), "{err}");
}
