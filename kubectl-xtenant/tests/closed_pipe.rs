//! Every command that prints without needing a cluster, with stdout a pipe
//! whose reader is gone (`kubectl xtenant completions bash | head -1`): it
//! ends quietly with 0, never with Rust's panic on a broken pipe (exit 101).

// The exit-code tests use the parts this file does not.
#[allow(dead_code)]
#[path = "support/hermetic.rs"]
mod hermetic;

use std::path::Path;
use std::process::{Output, Stdio};

use hermetic::{CLIENT, TENANT_B, command, dead_kubeconfig, text};

/// Every printing command that runs without a cluster. `doctor` prints its
/// report after the cluster check fails; `{kubeconfig}` is a dead one.
fn cases(kubeconfig: &str) -> Vec<Vec<String>> {
    let mut cases: Vec<Vec<&str>> = vec![
        vec!["--help"],
        vec!["-h"],
        vec!["--version"],
        vec!["help"],
        vec!["help", "doctor"],
    ];
    for sub in [
        "deploy",
        "verify",
        "doctor",
        "logs",
        "cleanup",
        "completions",
        "man",
    ] {
        cases.push(vec![sub, "--help"]);
    }
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        cases.push(vec!["completions", shell]);
    }
    let identity = ["--client-id", CLIENT, "--tenant-id", TENANT_B];
    let mut dry_run = vec!["deploy", "--dry-run", "--kubeconfig", kubeconfig];
    dry_run.extend(identity);
    dry_run.extend(["--servicebus-hostname", "sb-x.servicebus.windows.net"]);
    cases.push(dry_run);
    for output in ["human", "json"] {
        let mut doctor = vec!["doctor", "-o", output, "--kubeconfig", kubeconfig];
        doctor.extend(identity);
        doctor.extend(["--issuer", "https://127.0.0.1:1/"]);
        cases.push(doctor);
    }
    cases
        .into_iter()
        .map(|c| c.into_iter().map(String::from).collect())
        .collect()
}

fn run(home: &Path, args: &[String], stdout: Stdio) -> Output {
    command(home)
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .expect("run kubectl-xtenant")
}

#[test]
fn every_printing_command_ends_quietly_on_a_closed_stdout() {
    let home = tempfile::tempdir().expect("tempdir");
    let kubeconfig = dead_kubeconfig(home.path());
    for args in cases(&kubeconfig) {
        // It does print: otherwise a closed pipe would prove nothing.
        let open = run(home.path(), &args, Stdio::piped());
        assert!(!open.stdout.is_empty(), "{args:?} printed nothing");

        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let closed = run(home.path(), &args, Stdio::from(writer));
        let err = text(&closed.stderr);
        assert_ne!(closed.status.code(), Some(101), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(closed.status.code(), Some(0), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?} is not quiet: {err}");
    }
}
