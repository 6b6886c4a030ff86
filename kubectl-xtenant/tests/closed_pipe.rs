//! Every command that prints, with stdout a pipe whose reader is gone
//! (`kubectl xtenant doctor | head -1`): it ends quietly with the code it
//! ends with when its output is read (a failed check stays 1, a wait that
//! ran out 4), never with 0 for a failure nor with Rust's panic on a broken
//! pipe (exit 101). Those that need a cluster run against a stand-in API
//! server.

mod support;

use support::{fake_apiserver, hermetic};

use std::path::Path;
use std::process::{Output, Stdio};

use fake_apiserver::Objects;
use hermetic::{CLIENT, TENANT_B, command, dead_kubeconfig, kubeconfig, text};
use serde_json::{Value, json};

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

/// Runs `args` with stdout read, then with stdout closed: the same exit
/// code, no panic, and nothing on stderr but what the open run printed
/// there (never a word about the pipe). Answers the open run's code.
fn same_code_on_a_closed_stdout(home: &Path, args: &[String]) -> Option<i32> {
    // It does print: otherwise a closed pipe would prove nothing.
    let open = run(home, args, Stdio::piped());
    assert!(!open.stdout.is_empty(), "{args:?} printed nothing");

    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let closed = run(home, args, Stdio::from(writer));
    let err = text(&closed.stderr);
    assert_ne!(closed.status.code(), Some(101), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    assert_eq!(
        closed.status.code(),
        open.status.code(),
        "{args:?}: the closed pipe changed the exit code: {err}"
    );
    assert!(
        !err.to_lowercase().contains("pipe"),
        "{args:?} is not quiet about the pipe: {err}"
    );
    assert_eq!(err, text(&open.stderr), "{args:?}: stderr differs");
    open.status.code()
}

#[test]
fn every_printing_command_keeps_its_code_on_a_closed_stdout() {
    let home = tempfile::tempdir().expect("tempdir");
    let kubeconfig = dead_kubeconfig(home.path());
    for args in cases(&kubeconfig) {
        let code = same_code_on_a_closed_stdout(home.path(), &args);
        if args[0] == "doctor" && args.iter().any(|a| a == "--kubeconfig") {
            // The cluster check failed: the case that must not become 0.
            assert_eq!(code, Some(1), "{args:?}");
        }
    }
}

const DEPLOY: &str = "/apis/apps/v1/namespaces/demo/deployments/web";
const SA: &str = "/api/v1/namespaces/demo/serviceaccounts/api";
/// A client ID no identity of the profile (there is none) has.
const OTHER_CLIENT: &str = "99999999-9999-4999-8999-999999999999";
const TENANT_A: &str = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";

/// A labelled Deployment whose container pins Tenant A (bind refuses it),
/// whose controller has not seen its newest template (a rollout wait runs
/// out), run as a ServiceAccount annotated with another client ID (verify
/// finds it); and a Deployment labelled on the object, not on its pod
/// template (audit finds it).
fn cluster() -> Objects {
    let template = |labels: Value| {
        json!({"metadata": {"labels": labels},
               "spec": {"serviceAccountName": "api", "containers": [{"name": "app",
                   "env": [{"name": "AZURE_TENANT_ID", "value": TENANT_A}]}]}})
    };
    let deployment = |labels: Value| {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "web", "namespace": "demo", "uid": "d1", "generation": 2},
               "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                        "template": template(labels)},
               "status": {"observedGeneration": 1}})
    };
    let labelled = json!({"app": "web", "azure.workload.identity/use": "true"});
    let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "api", "namespace": "demo",
                     "annotations": {"azure.workload.identity/client-id": OTHER_CLIENT}}});
    let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "demo"}});
    let mut label_only = deployment(json!({"app": "labelonly"}));
    label_only["metadata"]["name"] = json!("labelonly");
    label_only["metadata"]["labels"] = json!({"azure.workload.identity/use": "true"});
    let mut objects = Objects::default();
    objects.get.insert(
        "/apis/apps/v1/namespaces/demo/deployments/labelonly".into(),
        label_only,
    );
    objects.get.insert(DEPLOY.into(), deployment(labelled));
    objects.get.insert(SA.into(), sa);
    objects
        .get
        .insert("/api/v1/namespaces/demo".into(), namespace);
    // unbind's empty configuration takes the label off: a rollout starts.
    objects
        .patched
        .insert(DEPLOY.into(), deployment(json!({"app": "web"})));
    objects
}

/// The printing commands that need a cluster, each ending with a failed
/// check (1) or a wait that ran out (4) when its output is read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_commands_keep_their_failing_code_on_a_closed_stdout() {
    let server = fake_apiserver::start(cluster()).await;
    let home = tempfile::tempdir().expect("tempdir");
    let kc = kubeconfig(home.path(), &server);
    let identity = ["--client-id", CLIENT, "--tenant-id", TENANT_B];
    let mut cases: Vec<(Vec<&str>, i32)> = Vec::new();
    for output in ["human", "json"] {
        let mut bind = vec!["bind", "deployment/web", "-o", output];
        bind.extend(identity);
        cases.push((bind, 1));
        let mut verify = vec!["verify", "deployment/web", "-o", output];
        verify.extend(identity);
        cases.push((verify, 1));
        cases.push((
            vec!["unbind", "deployment/web", "--timeout", "1s", "-o", output],
            4,
        ));
        cases.push((vec!["audit", "-o", output], 1));
    }
    let mut dry_run = vec!["bind", "deployment/web", "--dry-run"];
    dry_run.extend(identity);
    cases.push((dry_run, 1));
    for (args, want) in cases {
        let mut args: Vec<String> = args.into_iter().map(String::from).collect();
        args.extend(["--kubeconfig".to_string(), kc.clone()]);
        let home = home.path().to_path_buf();
        let code = tokio::task::spawn_blocking(move || {
            let code = same_code_on_a_closed_stdout(&home, &args);
            (args, code)
        })
        .await
        .expect("join");
        assert_eq!(code.1, Some(want), "{:?}", code.0);
    }
}
