//! Contract with the real Azure CLI: every argv az-xtenant can emit (collected
//! with `--dry-run --assume absent|outdated` over representative profiles)
//! must get past az's argument parser. With an empty AZURE_CONFIG_DIR a valid
//! argv exits 1 asking for `az login`; a parse error would exit 2.
//! Needs the real az: XTENANT_AZ (set by ./test.sh, which installs it).
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::*;

fn real_az() -> PathBuf {
    let path = std::env::var_os("XTENANT_AZ").unwrap_or_else(|| {
        panic!(
            "XTENANT_AZ is not set: this test needs the real Azure CLI. Run ./test.sh, which \
             installs it (scripts/ensure-azure-cli) and sets XTENANT_AZ"
        )
    });
    let path = PathBuf::from(path);
    assert!(
        path.is_file(),
        "XTENANT_AZ={} is not a file; run ./test.sh",
        path.display()
    );
    path
}

/// The az commands (without the leading `az`) printed by a dry run.
fn plan(w: &World, args: &[&str]) -> Vec<Vec<String>> {
    let out = w.ok(args);
    // status also prints its table; the commands are the lines starting with `az `.
    out.lines()
        .filter(|l| l.starts_with("az "))
        .map(|l| {
            let argv = shlex::split(l).unwrap_or_else(|| panic!("not shell-quoted: {l}"));
            assert_eq!(argv[0], "az", "{l}");
            argv[1..].to_vec()
        })
        .collect()
}

fn collect() -> BTreeSet<Vec<String>> {
    let w = World::new();
    w.init();
    // Pretend both groups were created by xtenant, so cleanup plans deletes.
    let mut p = w.profile();
    p["cluster"]["resourceGroupCreated"] = true.into();
    p["resources"]["resourceGroupCreated"] = true.into();
    std::fs::write(w.profile_path(), p.to_string()).unwrap();
    let kubeconfig = w.path().join("kube").join("config");
    let kubeconfig = kubeconfig.to_str().unwrap();
    let runs: Vec<Vec<&str>> = vec![
        vec!["up", "--dry-run", "--assume", "absent"],
        vec!["up", "--dry-run", "--assume", "outdated"],
        vec![
            "cluster",
            "--dry-run",
            "--assume",
            "absent",
            "--get-credentials",
        ],
        vec![
            "cluster",
            "--dry-run",
            "--assume",
            "outdated",
            "--get-credentials",
            "--file",
            kubeconfig,
        ],
        vec!["resources", "--dry-run", "--assume", "outdated"],
        vec!["trust", "--dry-run", "--assume", "absent"],
        vec!["login", "--dry-run", "--assume", "absent"],
        vec!["status", "--dry-run", "--assume", "outdated"],
        vec!["cleanup", "--dry-run", "--assume", "outdated", "--yes"],
        vec![
            "cleanup",
            "--dry-run",
            "--assume",
            "outdated",
            "--yes",
            "--no-wait",
        ],
    ];
    let mut all = BTreeSet::new();
    for args in runs {
        if args[0] == "trust" {
            // trust needs a recorded issuer and identity, as after `up`.
            let mut p = w.profile();
            p["cluster"]["issuerUrl"] = issuer().into();
            p["resources"]["identityName"] = IDENTITY.into();
            std::fs::write(w.profile_path(), p.to_string()).unwrap();
        }
        all.extend(plan(&w, &args));
    }
    all
}

fn run_az(az: &Path, config: &Path, home: &Path, argv: &[String]) -> Output {
    Command::new(az)
        .args(argv)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", home)
        .env("AZURE_CONFIG_DIR", config)
        .env("AZURE_CORE_COLLECT_TELEMETRY", "false")
        .env("AZURE_CORE_NO_COLOR", "true")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn every_emitted_argv_parses_with_the_real_az() {
    let az = real_az();
    let argvs = collect();
    // Every kind of call az-xtenant makes is in the plan.
    let kinds: BTreeSet<String> = argvs
        .iter()
        .map(|a| {
            a.iter()
                .take_while(|w| !w.starts_with('-'))
                .cloned()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    for kind in [
        "account list",
        "login",
        "group show",
        "group create",
        "group delete",
        "aks show",
        "aks create",
        "aks update",
        "aks get-credentials",
        "servicebus namespace show",
        "servicebus namespace create",
        "servicebus namespace update",
        "servicebus queue show",
        "servicebus queue create",
        "identity show",
        "identity create",
        "role assignment list",
        "role assignment create",
        "identity federated-credential list",
        "identity federated-credential create",
    ] {
        assert!(
            kinds.contains(kind),
            "the plan lacks `az {kind}`: {kinds:?}"
        );
    }
    let tmp = tempfile::tempdir().unwrap();
    let (config, home) = (tmp.path().join("azure"), tmp.path().join("home"));
    std::fs::create_dir_all(&config).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    let started = std::time::Instant::now();
    let results: Vec<(Vec<String>, Output)> = std::thread::scope(|s| {
        let handles: Vec<_> = argvs
            .iter()
            .map(|argv| {
                let (az, config, home) = (&az, &config, &home);
                s.spawn(move || {
                    // `az login` would start a real login: check its flags against its help.
                    let probe: Vec<String> = if argv[0] == "login" {
                        vec!["login".into(), "--help".into()]
                    } else {
                        argv.clone()
                    };
                    (argv.clone(), run_az(az, config, home, &probe))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    eprintln!(
        "{} az calls checked in {:?}",
        results.len(),
        started.elapsed()
    );
    let mut failures = Vec::new();
    for (argv, out) in &results {
        let line = argv.join(" ");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        let ok = match argv[0].as_str() {
            "account" => code == Some(0),
            "login" => {
                let help = String::from_utf8_lossy(&out.stdout);
                code == Some(0)
                    && argv
                        .iter()
                        .filter(|a| a.starts_with("--"))
                        .all(|f| help.contains(f.as_str()))
            }
            _ => code == Some(1) && stderr.contains("Please run 'az login'"),
        };
        if !ok {
            failures.push(format!("az {line}\n  exit {code:?}: {}", stderr.trim()));
        }
    }
    assert!(
        failures.is_empty(),
        "argv refused by the real az:\n{}",
        failures.join("\n")
    );
}
