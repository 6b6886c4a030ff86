//! Scenarios against a fake `az` on PATH: a fresh `up`, a re-run that only
//! reads, status and env, adopting a cluster without OIDC, fixing local auth,
//! the PrincipalNotFound retry, resuming an interrupted `up`.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::Value;
use support::*;

fn joined(calls: &[Vec<String>]) -> Vec<String> {
    calls.iter().map(|c| c.join(" ")).collect()
}

/// The kinds the profile records as created by xtenant, sorted.
fn created(p: &Value) -> Vec<String> {
    let mut kinds: Vec<String> = p["owned"]
        .as_array()
        .map(|o| {
            o.iter()
                .filter(|r| r["state"] == "created")
                .map(|r| r["kind"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default();
    kinds.sort();
    kinds
}

#[test]
fn fresh_up_creates_everything_and_records_it() {
    let w = World::new();
    w.init();
    fresh(&w);
    w.ok(&["up"]);
    let calls = joined(&w.calls());
    let id = w.profile()["id"].as_str().unwrap().to_string();
    for needle in [
        format!(
            "group create --name {RG} --location eastus --tags created-by=xtenant xtenant-profile={id} --subscription {SA} -o json --only-show-errors"
        ),
        format!(
            "group create --name {RG} --location eastus --tags created-by=xtenant xtenant-profile={id} --subscription {SB}"
        ),
        format!(
            "aks create --resource-group {RG} --name {AKS} --enable-oidc-issuer --enable-workload-identity --generate-ssh-keys --subscription {SA}"
        ),
        format!(
            "servicebus namespace create --resource-group {RG} --name {NS} --location eastus --disable-local-auth --subscription {SB}"
        ),
        format!("identity create --resource-group {RG} --name {IDENTITY}"),
        format!(
            "role assignment create --role Azure Service Bus Data Owner --assignee-object-id {PRINCIPAL} --assignee-principal-type ServicePrincipal --scope {}",
            ns_id()
        ),
        format!(
            "identity federated-credential create --resource-group {RG} --identity-name {IDENTITY} --name {IDENTITY}-federated --issuer {} --subject system:serviceaccount:default:myserviceaccount --audiences api://AzureADTokenExchange",
            issuer()
        ),
    ] {
        assert!(
            calls.iter().any(|c| c.contains(&needle)),
            "missing {needle:?} in {calls:#?}"
        );
    }
    assert!(
        !calls.iter().any(|c| c.starts_with("logout")),
        "never az logout"
    );
    for call in w.calls() {
        if call[0] != "account" && call[0] != "login" {
            let l = call.join(" ");
            assert!(
                l.contains("--subscription ") && l.ends_with("-o json --only-show-errors"),
                "{l}"
            );
        }
    }
    let p = w.profile();
    assert_eq!(
        p["graph"]["clusters"]["@demo"]["issuerUrl"],
        issuer(),
        "issuer byte for byte"
    );
    assert_eq!(
        created(&p),
        [
            "federatedCredential",
            "managedCluster",
            "managedIdentity",
            "resourceGroup",
            "resourceGroup",
            "roleAssignment",
            "serviceBusNamespace",
            "serviceBusQueue"
        ],
        "{p:#}"
    );
    assert_eq!(p["graph"]["identities"]["@demo"]["principalId"], PRINCIPAL);
    assert_eq!(p["graph"]["identities"]["@demo"]["clientId"], CLIENT);
    assert_eq!(p["resources"]["servicebusId"], ns_id());
    assert_eq!(
        p["resources"]["servicebusHostname"],
        format!("{NS}.servicebus.windows.net")
    );
    assert_eq!(
        p["graph"]["bindings"][0]["credential"],
        format!("{IDENTITY}-federated")
    );
    assert!(
        p["graph"]["identities"]["@demo"]["roleAssignments"][0]
            .as_str()
            .unwrap()
            .ends_with("/r1")
    );

    // A re-run only reads.
    w.clear_calls();
    w.ok(&["up"]);
    let rerun = w.calls();
    assert!(!rerun.is_empty());
    for call in &rerun {
        assert!(
            ["show", "list"].contains(&verb(call).as_str()),
            "re-run wrote: {call:?}"
        );
    }
    assert_eq!(w.profile(), p, "re-run leaves the profile as it was");

    // env and status read the result.
    let env = w.ok(&["env"]);
    for line in [
        format!("export CLIENT_ID={CLIENT}"),
        format!("export PRINCIPAL_ID={PRINCIPAL}"),
        format!("export SERVICEBUS_HOSTNAME={NS}.servicebus.windows.net"),
        format!("export OIDC_ISSUER_URL={}", issuer()),
        format!("export TENANT_B_ID={TB}"),
        format!("export IDENTITY_NAME={IDENTITY}"),
    ] {
        assert!(env.lines().any(|l| l == line), "{line} not in\n{env}");
    }
    let status: Value = serde_json::from_str(&w.ok(&["status", "-o", "json"])).unwrap();
    assert_eq!(status["ok"], true, "{status:#}");
    assert_eq!(status["items"].as_array().unwrap().len(), 8, "{status:#}");
    let table = w.ok(&["status"]);
    assert!(table.starts_with("COMPONENT"), "{table}");
}

#[test]
fn an_existing_cluster_without_oidc_is_updated_not_recreated() {
    let w = World::new();
    w.init();
    fresh(&w);
    w.on(&format!("group_show@{SA}"), vec![Resp::Json(group(false))]);
    w.on(&format!("aks_show@{SA}"), vec![Resp::Json(cluster(false))]);
    w.on(&format!("aks_update@{SA}"), vec![Resp::Json(cluster(true))]);
    w.ok(&["up"]);
    let calls = joined(&w.calls());
    assert!(calls.iter().any(|c| c.starts_with(&format!(
        "aks update --resource-group {RG} --name {AKS} --enable-oidc-issuer --enable-workload-identity --subscription {SA}"
    ))), "{calls:#?}");
    assert!(
        !calls.iter().any(|c| c.starts_with("aks create")),
        "{calls:#?}"
    );
    assert!(
        !calls
            .iter()
            .any(|c| c.starts_with("group create") && c.contains(SA)),
        "adopted group"
    );
    let p = w.profile();
    let created = created(&p);
    assert_eq!(
        created.iter().filter(|k| *k == "resourceGroup").count(),
        1,
        "A's group adopted, B's created: {created:?}"
    );
    assert!(
        !created.contains(&"managedCluster".to_string()),
        "adopted, not created"
    );
    assert_eq!(p["graph"]["clusters"]["@demo"]["issuerUrl"], issuer());
}

#[test]
fn an_existing_namespace_with_local_auth_is_fixed() {
    let w = World::new();
    w.init();
    fresh(&w);
    // The namespace is there, so its group is too.
    w.on(&format!("group_show@{SB}"), vec![Resp::Json(group(false))]);
    w.on(
        &format!("servicebus_namespace_show@{SB}"),
        vec![Resp::Json(namespace(false))],
    );
    w.on(
        &format!("servicebus_namespace_update@{SB}"),
        vec![Resp::Json(namespace(true))],
    );
    let out = w.run(&["up"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("local (SAS key) authentication enabled")
    );
    let calls = joined(&w.calls());
    assert!(calls.iter().any(|c| c.starts_with(&format!("servicebus namespace update --resource-group {RG} --name {NS} --disable-local-auth true"))), "{calls:#?}");
}

fn principal_not_found() -> Resp {
    Resp::Fail(
        1,
        format!(
            "ERROR: (PrincipalNotFound) Principal {PRINCIPAL} does not exist in the directory {TB}."
        ),
    )
}

#[test]
fn principal_not_found_is_retried_visibly() {
    let w = World::new();
    w.init();
    fresh(&w);
    w.on(
        &format!("role_assignment_create@{SB}"),
        vec![principal_not_found(), Resp::Json(role_assignment())],
    );
    let out = w.run(&["up", "--principal-wait", "30"]);
    assert!(out.status.success(), "{}", describe(&out));
    let creates = w
        .calls()
        .iter()
        .filter(|c| c.join(" ").starts_with("role assignment create"))
        .count();
    assert_eq!(creates, 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("PrincipalNotFound") && err.contains("retrying in 1 s"),
        "{err}"
    );
}

#[test]
fn principal_not_found_gives_up_loudly_after_the_limit() {
    let w = World::new();
    w.init();
    fresh(&w);
    w.on(
        &format!("role_assignment_create@{SB}"),
        vec![principal_not_found()],
    );
    let out = w.run(&["up", "--principal-wait", "2"]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("still unknown") && err.contains("--principal-wait"),
        "{err}"
    );
    let creates = w
        .calls()
        .iter()
        .filter(|c| verb(c) == "create" && c[0] == "role")
        .count();
    assert!((2..=3).contains(&creates), "bounded retries: {creates}");
    // The credential does not need the role: it is still made, so a re-run
    // has only the role left to do.
    assert!(
        joined(&w.calls())
            .iter()
            .any(|c| c.starts_with("identity federated-credential create"))
    );
}

#[test]
fn an_interrupted_up_resumes_without_redoing_finished_steps() {
    let w = World::new();
    w.init();
    fresh(&w);
    w.on(
        &format!("identity_create@{SB}"),
        vec![
            Resp::Fail(1, "ERROR: (InternalServerError) boom".into()),
            Resp::Json(identity()),
        ],
    );
    let out = w.run(&["up"]);
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let p = w.profile();
    assert_eq!(
        p["graph"]["clusters"]["@demo"]["issuerUrl"],
        issuer(),
        "Tenant A step saved"
    );
    assert_eq!(
        p["resources"]["servicebusId"],
        ns_id(),
        "namespace step saved"
    );
    assert!(p["graph"]["identities"]["@demo"]["clientId"].is_null());
    w.clear_calls();
    w.ok(&["up"]);
    let mut writes: Vec<String> = w
        .calls()
        .iter()
        .filter(|c| !["show", "list"].contains(&verb(c).as_str()))
        .map(|c| c[..3].join(" "))
        .collect();
    // The two run at the same time: neither needs the other.
    writes.sort();
    assert_eq!(
        writes,
        vec![
            "identity federated-credential create",
            "role assignment create"
        ],
        "only the unfinished steps run"
    );
    assert_eq!(
        w.profile()["graph"]["identities"]["@demo"]["clientId"],
        CLIENT
    );
}

/// `status` before `up`: every component is shown missing (exit 1), as
/// `plan` shows what it would create — not an error about the issuer the
/// cluster has not given yet.
#[test]
fn status_before_up_shows_every_component_missing() {
    let w = World::new();
    w.init();
    fresh(&w);
    let out = w.run(&["status", "-o", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let status: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["ok"], false, "{status:#}");
    let items = status["items"].as_array().unwrap();
    assert_eq!(items.len(), 8, "{status:#}");
    for item in items {
        assert_eq!(item["ok"], false, "{item:#}");
        assert_eq!(item["live"], "absent", "{item:#}");
    }
    let credential = &items[7];
    assert_eq!(
        credential["component"], "federated credential",
        "{status:#}"
    );
    for call in w.calls() {
        assert!(
            ["show", "list"].contains(&verb(&call).as_str()),
            "status wrote: {call:?}"
        );
    }
    fresh(&w);
    let out = w.run(&["status"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("federated credential") && l.contains("FIX")),
        "{table}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("8 of 8 items need fixing"), "{err}");
}

/// The command words of the reads (`show`, `list`) among `calls`, sorted.
fn reads(calls: &[Vec<String>]) -> Vec<String> {
    let mut reads: Vec<String> = calls
        .iter()
        .filter(|c| ["show", "list"].contains(&verb(c).as_str()))
        .map(|c| {
            c.iter()
                .take_while(|a| !a.starts_with('-'))
                .cloned()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    reads.sort();
    reads
}

/// A fresh `up` reads only what may exist before its first write: the
/// session and the two groups. Inside a group it has just made there is
/// nothing to find, so it reads nothing there.
#[test]
fn a_fresh_up_reads_nothing_inside_what_it_made() {
    let w = World::new();
    w.init();
    fresh(&w);
    w.ok(&["up"]);
    assert_eq!(
        reads(&w.calls()),
        ["account list", "group show", "group show"],
        "{:#?}",
        joined(&w.calls())
    );
    assert_eq!(
        w.calls().len(),
        11,
        "one session check, two reads, eight writes"
    );
}

/// A run with nothing to do asks every read at once: none waits for the
/// answer of another (here Tenant B's group, held).
#[test]
fn an_up_with_nothing_to_do_asks_its_reads_at_once() {
    let w = World::new();
    w.init();
    fresh(&w);
    w.ok(&["up"]);
    w.clear_calls();
    let held = format!("group_show@{SB}");
    w.hold(&held);
    let mut up = w
        .command(&["up"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    w.wait_held(&held);
    let others = [
        "aks show",
        "identity federated-credential list",
        "identity show",
        "role assignment list",
        "servicebus namespace show",
        "servicebus queue show",
    ];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let missing = loop {
        let asked = reads(&w.calls());
        let missing: Vec<&str> = others
            .iter()
            .copied()
            .filter(|o| !asked.iter().any(|a| a == o))
            .collect();
        if missing.is_empty() || std::time::Instant::now() > deadline {
            break missing;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    w.release(&held);
    assert!(up.wait().unwrap().success());
    assert!(
        missing.is_empty(),
        "reads that waited for the group's answer: {missing:?}"
    );
    for call in w.calls() {
        assert!(
            ["show", "list"].contains(&verb(&call).as_str()),
            "re-run wrote: {call:?}"
        );
    }
}
