//! Contract with the real Azure CLI: every argv az-xtenant can emit (collected
//! with `--dry-run --assume absent|outdated` over representative profiles, and
//! from runs against the fake az: a graph's apply, an audit, the two-admin
//! hand-off) must get past az's argument parser, and every kind of call
//! `src/az/argv.rs` can build must be among them. With an empty AZURE_CONFIG_DIR a valid
//! argv exits 1 asking for `az login`; a parse error would exit 2. Negative
//! controls prove the check can fail: a misspelled flag, a misspelled command
//! word and a bad enum value in an emitted argv are refused with exit 2.
//! Needs the real az: XTENANT_AZ (set by ./test.sh, which installs it).
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::json;
use support::*;

fn real_az() -> PathBuf {
    xtenant_testsupport::env_path(
        "XTENANT_AZ",
        "the real Azure CLI",
        "run ./test.sh, which installs it (scripts/ensure-azure-cli) and sets XTENANT_AZ",
    )
}

/// The az commands (without the leading `az`) printed by a dry run.
fn plan(w: &World, args: &[&str]) -> Vec<Vec<String>> {
    let out = w.run(args);
    // status exits 1 when something needs fixing, as it does under --assume outdated.
    let allowed = if args[0] == "status" {
        &[0, 1][..]
    } else {
        &[0][..]
    };
    assert!(
        out.status.code().is_some_and(|c| allowed.contains(&c)),
        "az-xtenant {args:?}: {out:?}"
    );
    let out = String::from_utf8(out.stdout).unwrap();
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
    // Objects xtenant created inside groups it adopted: cleanup deletes each.
    let mut p = w.profile();
    p["cluster"]["resourceGroupCreated"] = false.into();
    p["resources"]["resourceGroupCreated"] = false.into();
    p["owned"] = owned_objects();
    p["id"] = PROFILE_ID.into();
    p["resources"]["principalId"] = PRINCIPAL.into();
    std::fs::write(w.profile_path(), p.to_string()).unwrap();
    all.extend(plan(
        &w,
        &["cleanup", "--dry-run", "--assume", "outdated", "--yes"],
    ));
    // A declared graph: roles by name and by GUID at several scopes, one
    // credential per (cluster, namespace, ServiceAccount).
    let file = w.path().join("xtenant.yaml");
    let rg_b = format!("/subscriptions/{SB}/resourceGroups/{RG}");
    std::fs::write(
        &file,
        format!(
            "tenantA: {{tenantId: {TA}, subscriptionId: {SA}}}
tenantB: {{tenantId: {TB}, subscriptionId: {SB}, resourceGroup: rg-identities, location: eastus}}
clusters:
  - {{name: aks-blue, resourceGroup: {RG}}}
  - {{name: aks-green, resourceGroup: {RG}}}
identities:
  - name: orders-writer
    roles:
      - {{role: Azure Service Bus Data Sender, scope: {ns}/queues/orders}}
      - {{role: 4633458b-17de-408a-b874-0445c86b69e6, scope: {rg_b}/providers/Microsoft.KeyVault/vaults/kv1}}
      - {{role: Reader, scope: {rg_b}}}
workloads:
  - {{namespace: orders, serviceAccount: writer.v2, identity: orders-writer}}
",
            ns = ns_id()
        ),
    )
    .unwrap();
    let file = file.to_str().unwrap();
    // (An assumed outdated cluster has its OIDC issuer off, which the graph
    // refuses: it adopts clusters as they are.)
    let args = [
        "apply",
        "-f",
        file,
        "--dry-run",
        "--assume",
        "absent",
        "--yes",
    ];
    // A dry run prints the credential deployment too, its template in the
    // run's own directory.
    all.extend(plan(&w, &args).into_iter().map(lasting_template));
    all.extend(applied());
    all.extend(audited());
    all.extend(handed_off());
    all
}

/// What an audit runs (its reads, the discovery documents it fetches, a
/// `--fix` delete) and the fixes it proposes. A discovery URL is pointed at
/// a closed local port: the check is az's parser, not the issuer.
fn audited() -> Vec<Vec<String>> {
    let (w, file) = support::audit::estate(support::audit::messy(), true);
    let out = w.run(&["audit", "-f", &file, "-o", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut argvs: Vec<Vec<String>> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let line = f["fix"].as_str().unwrap();
            let argv = shlex::split(line).unwrap_or_else(|| panic!("not shell-quoted: {line}"));
            argv[1..].to_vec()
        })
        .collect();
    w.run(&["audit", "-f", &file, "--fix", "--yes"]);
    argvs.extend(w.calls().into_iter().map(|mut argv| {
        if argv[0] == "rest"
            && let Some(i) = argv.iter().position(|a| a == "--url")
        {
            argv[i + 1] = "https://127.0.0.1:9/.well-known/openid-configuration".into();
        }
        argv
    }));
    argvs
}

/// What a graph's apply runs beyond a dry run's commands: its identities
/// listed per group, an identity's credentials deployed as one template, a
/// deployment an earlier run left looked at. The template file az would
/// read is gone after the run; another stands in for it.
fn applied() -> Vec<Vec<String>> {
    let w = World::new();
    let file = graph_file(&w);
    azure(&w, 1);
    w.on(
        &format!("deployment_group_create@{SB}"),
        vec![Resp::Fail(
            1,
            "ERROR: (DeploymentActive) still active".into(),
        )],
    );
    w.on(
        &format!("deployment_group_show@{SB}"),
        vec![Resp::Json(
            json!({"properties": {"provisioningState": "Succeeded"}}),
        )],
    );
    let out = w.run_env(
        &["apply", "-f", &file, "--yes"],
        &[("XTENANT_POLL_SECS", "1")],
    );
    assert!(out.status.code().is_some(), "{out:?}");
    w.calls().into_iter().map(lasting_template).collect()
}

/// What the two-admin hand-off runs: Tenant A's request, Tenant B's review
/// of it (reading the identities its group holds), the grant, and
/// `grant --retire` (its `resource list` decides whether the group the grant
/// made is empty before deleting it).
fn handed_off() -> Vec<Vec<String>> {
    let (a, b, _, file) = support::handoff::handed_over();
    let mut argvs = a.calls();
    let out = b.run(&["review", &file, "-g", RG, "--subscription", SB]);
    assert!(out.status.code().is_some(), "{out:?}");
    let out = b.run(&support::handoff::grant_args(&file, &[]));
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    support::handoff::retirable(&b);
    let out = b.run(&support::handoff::retire_args(&file));
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    argvs.extend(b.calls().into_iter().map(lasting_template));
    argvs
}

/// The argv with its `--template-file` (if any) pointed at a template that
/// outlives the run's temporary directory: az reads it during the check.
fn lasting_template(mut argv: Vec<String>) -> Vec<String> {
    let template = std::env::temp_dir().join(format!(
        "xtenant-contract-template-{}.json",
        std::process::id()
    ));
    if let Some(i) = argv.iter().position(|a| a == "--template-file") {
        std::fs::write(&template, r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0", "resources": []}"#).unwrap();
        argv[i + 1] = template.to_str().unwrap().to_string();
    }
    argv
}

/// The profile ID the cleanup run's profile carries.
const PROFILE_ID: &str = "99999999-0000-4000-8000-000000000009";

/// The name az-xtenant gives the demo's role assignment: a GUID derived from
/// the profile, role, scope and principal.
fn role_assignment_name(scope: &str) -> String {
    let seed = format!(
        "{PROFILE_ID}|azure service bus data owner|{}|{}",
        scope.to_ascii_lowercase(),
        PRINCIPAL.to_ascii_lowercase()
    );
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, seed.as_bytes()).to_string()
}

/// Ownership records of every object the demo creates, its groups excepted.
fn owned_objects() -> serde_json::Value {
    let b = format!("/subscriptions/{SB}/resourceGroups/{RG}/providers");
    let identity = format!("{b}/Microsoft.ManagedIdentity/userAssignedIdentities/{IDENTITY}");
    let ns = format!("{b}/Microsoft.ServiceBus/namespaces/{NS}");
    let objects = [
        (
            "managedCluster",
            format!(
                "/subscriptions/{SA}/resourceGroups/{RG}/providers/Microsoft.ContainerService/managedClusters/{AKS}"
            ),
        ),
        ("serviceBusNamespace", ns.clone()),
        ("serviceBusQueue", format!("{ns}/queues/myqueue")),
        ("managedIdentity", identity.clone()),
        (
            "federatedCredential",
            format!("{identity}/federatedIdentityCredentials/{IDENTITY}-federated"),
        ),
        (
            "roleAssignment",
            format!(
                "{ns}/providers/Microsoft.Authorization/roleAssignments/{}",
                role_assignment_name(&ns)
            ),
        ),
    ];
    objects
        .iter()
        .map(|(kind, id)| serde_json::json!({"kind": kind, "id": id, "state": "created"}))
        .collect()
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
    let made = constructed_kinds();
    assert!(made.len() >= 30, "argv.rs read wrong: {made:?}");
    for kind in &made {
        assert!(
            kinds.contains(kind),
            "the plan lacks `az {kind}`, which src/az/argv.rs can build: {kinds:?}"
        );
    }
    let started = std::time::Instant::now();
    let results = run_all(&az, &argvs.into_iter().collect::<Vec<_>>());
    eprintln!(
        "{} az calls checked in {:?}",
        results.len(),
        started.elapsed()
    );
    let failures: Vec<String> = results
        .iter()
        .filter(|(argv, out)| !accepted(argv, out))
        .map(|(argv, out)| {
            format!(
                "az {}\n  exit {:?}: {}",
                argv.join(" "),
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).trim()
            )
        })
        .collect();
    assert!(
        failures.is_empty(),
        "argv refused by the real az:\n{}",
        failures.join("\n")
    );
}

/// Every kind of az call az-xtenant can make (`group show`, `rest`, …): the
/// command words of each `Argv::new(&[...])` in `src/az/argv.rs`, where every
/// argv is built. A call added there and left out of [`collect`] fails the check.
fn constructed_kinds() -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/az/argv.rs");
    let text = std::fs::read_to_string(&path).unwrap();
    text.split("Argv::new(&[")
        .skip(1)
        .map(|rest| {
            let words = &rest[..rest.find("])").unwrap()];
            words
                .split(',')
                .map(|w| w.trim().trim_matches('"'))
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// `argv` with the first `from` replaced by `to`.
fn replaced(argv: &[String], from: &str, to: &str) -> Vec<String> {
    let i = argv
        .iter()
        .position(|a| a == from)
        .unwrap_or_else(|| panic!("no {from} in {argv:?}"));
    let mut out = argv.to_vec();
    out[i] = to.to_string();
    out
}

#[test]
fn the_check_refuses_argv_the_real_az_rejects() {
    let az = real_az();
    // An emitted argv with command words, flags and an enum value (a three-state
    // boolean: true or false) to spoil one at a time.
    let base = collect()
        .into_iter()
        .find(|a| a.starts_with(&["servicebus".into(), "namespace".into(), "update".into()]))
        .expect("the plan lacks `az servicebus namespace update`");
    let value = base
        .iter()
        .position(|a| a == "--disable-local-auth")
        .map(|i| base[i + 1].clone())
        .expect("`az servicebus namespace update` lacks --disable-local-auth <value>");
    let spoiled = [
        (
            "a misspelled flag",
            replaced(&base, "--resource-group", "--resource-gruop"),
        ),
        (
            "a misspelled command word",
            replaced(&base, "namespace", "namespce"),
        ),
        ("a bad enum value", replaced(&base, &value, "maybe")),
    ];
    let mut argvs = vec![base.clone()];
    argvs.extend(spoiled.iter().map(|(_, a)| a.clone()));
    let results = run_all(&az, &argvs);
    // Positive control: unspoiled, the same argv passes.
    let (_, out) = &results[0];
    assert!(
        accepted(&base, out),
        "az {}: {}",
        base.join(" "),
        describe(out)
    );
    for ((what, argv), (_, out)) in spoiled.iter().zip(&results[1..]) {
        assert_eq!(
            out.status.code(),
            Some(2),
            "{what} was not refused by az's parser: az {}\n{}",
            argv.join(" "),
            describe(out)
        );
        assert!(
            !accepted(argv, out),
            "the check accepted {what}: az {}",
            argv.join(" ")
        );
    }
}

/// Whether the real az accepted `argv`: `login` is checked against its help (it
/// would start a real login), `account list` succeeds without a login, the rest
/// ask for `az login` (exit 1) once parsed.
fn accepted(argv: &[String], out: &Output) -> bool {
    let code = out.status.code();
    match argv[0].as_str() {
        "account" => code == Some(0),
        // Fetches without a login: parsed, then the request fails.
        "rest" => code == Some(1),
        "login" => {
            let help = String::from_utf8_lossy(&out.stdout);
            code == Some(0)
                && argv
                    .iter()
                    .filter(|a| a.starts_with("--"))
                    .all(|f| help.contains(f.as_str()))
        }
        _ => {
            code == Some(1)
                && String::from_utf8_lossy(&out.stderr).contains("Please run 'az login'")
        }
    }
}

/// Runs every argv through the real az in parallel, in one empty config dir.
fn run_all(az: &Path, argvs: &[Vec<String>]) -> Vec<(Vec<String>, Output)> {
    let tmp = tempfile::tempdir().unwrap();
    let (config, home) = (tmp.path().join("azure"), tmp.path().join("home"));
    std::fs::create_dir_all(&config).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    std::thread::scope(|s| {
        let handles: Vec<_> = argvs
            .iter()
            .map(|argv| {
                let (config, home) = (&config, &home);
                s.spawn(move || {
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
    })
}
