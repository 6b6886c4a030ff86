//! The declared trust graph (`az-xtenant plan`/`apply -f xtenant.yaml`) end to
//! end with the real az against the simulator: 3 seeded clusters with their own
//! issuers, 3 identities, 5 workloads, grants on a queue, a namespace, a vault
//! and a storage account. `plan` shows exactly the creates, `apply` makes them,
//! a second `plan` neither changes nor writes; `--prune` removes exactly what a
//! dropped workload and grant left, not what was made by hand; a file that
//! breaks a rule (21 credentials on one identity among them) starts no az; an
//! `apply` killed with SIGKILL at three points resumes to the same end state,
//! nothing duplicated and no intent left behind. One simulator for the file.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

#[path = "graph_e2e/estate.rs"]
mod estate;
#[path = "graph_e2e/spec.rs"]
mod spec;
#[path = "graph_e2e/world.rs"]
mod world;

use std::time::{Duration, Instant};

use serde_json::Value;
use spec::{ClusterSpec, IdentitySpec, Spec, WorkloadSpec};
use world::{IDS, KV_READER, SECRETS_USER, World};

/// The `changes` of `plan -o json` as sorted (action, tenant, what).
fn changes(plan: &Value) -> Vec<(String, String, String)> {
    estate::sorted_triples(plan, "changes", ["action", "tenant", "what"])
}

fn create(what: String) -> (String, String, String) {
    ("create".into(), "B".into(), what)
}

/// What a fresh `plan` of `spec` must show: its group, identities, grants and credentials.
fn expected_creates(spec: &Spec) -> Vec<(String, String, String)> {
    let last = |s: &str| s.rsplit('/').next().unwrap().to_string();
    let mut v = vec![create(format!("resource group {}", spec.identity_group))];
    v.extend(
        spec.identities
            .iter()
            .map(|i| create(format!("managed identity {}", i.name))),
    );
    v.extend(
        spec.grants()
            .iter()
            .map(|(_, role, scope)| create(format!("role assignment {role} on {}", last(scope)))),
    );
    v.extend(
        spec.bindings()
            .iter()
            .map(|b| create(format!("federated credential {}", b.credential()))),
    );
    v.sort();
    v
}

#[test]
fn the_declared_graph_against_the_real_az() {
    let started = Instant::now();
    let w = World::seed();
    let spec = w.spec();
    let file = w.e.write("xtenant.yaml", &spec.yaml());
    // A plan reads the identity groups and identities before they exist: ARM
    // answers those lists 404 (ResourceGroupNotFound, ResourceNotFound).
    for rg in [IDS, "rg-graph-resume"] {
        w.e.h.expect_list_404(&format!(
            "/resourceGroups/{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities"
        ));
    }

    plan_apply_and_a_plan_without_writes(&w, &spec, &file);
    prune_removes_only_what_the_dropped_workload_left(&w, &spec);
    files_that_break_a_rule_start_no_az(&w, &spec);
    a_killed_apply_resumes_without_duplicates(&w);
    assert_eq!(w.e.h.unknown_routes(), Vec::<String>::new());
    assert_eq!(w.e.h.unexpected_list_404s(), Vec::<String>::new());
    eprintln!(
        "graph_e2e: {:.1} s in all, {} az processes from az-xtenant",
        started.elapsed().as_secs_f64(),
        w.e.az_log().len()
    );
}

fn plan_apply_and_a_plan_without_writes(w: &World, spec: &Spec, file: &str) {
    let plan = w.e.run("graph", &["plan", "-f", file, "-o", "json"]);
    assert_eq!(changes(&plan.json()), expected_creates(spec), "{plan}");
    assert_eq!(
        plan.json()["unchanged"],
        3,
        "the three adopted clusters: {plan}"
    );
    assert_eq!(plan.writes, Vec::<String>::new(), "plan must not write");
    eprintln!(
        "plan (nothing made yet): {:.1} s, {} az",
        plan.took.as_secs_f64(),
        plan.az.len()
    );

    let apply = w.e.run("graph", &["apply", "-f", file, "--yes"]);
    apply.ok();
    eprintln!(
        "apply: {:.1} s, {} az, {} writes",
        apply.took.as_secs_f64(),
        apply.az.len(),
        apply.writes.len()
    );
    w.assert_made(spec, IDS, &[], &[]);
    assert_eq!(w.e.intended("graph"), Vec::<String>::new());
    let bindings = w.e.profile("graph")["graph"]["bindings"].clone();
    assert_eq!(
        bindings.as_array().map(Vec::len),
        Some(spec.bindings().len()),
        "{bindings:#}"
    );
    // Every write was one of the plan's creates: a group, 3 identities, 5
    // grants, 8 credentials, written by ARM through one deployment per
    // identity (each identity has two or more).
    let kinds: Vec<&str> = apply.writes.iter().map(|x| written_kind(x)).collect();
    let count = |k: &str| kinds.iter().filter(|x| **x == k).count();
    assert_eq!(
        (
            count("resourcegroups"),
            count("userAssignedIdentities"),
            count("roleAssignments"),
            count("deployments"),
            count("federatedIdentityCredentials"),
            kinds.len()
        ),
        (1, 3, 5, 3, 8, 20),
        "{:#?}",
        apply.writes
    );

    let again =
        w.e.run("graph", &["plan", "-f", file, "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "nothing left to apply: {again}");
    assert_eq!(again.writes, Vec::<String>::new(), "a plan must not write");
    assert!(
        again
            .out
            .contains("plan: 0 to create, 0 to update, 0 to remove, 20 unchanged"),
        "{again}"
    );
    eprintln!(
        "plan (converged): {:.1} s, {} az",
        again.took.as_secs_f64(),
        again.az.len()
    );
}

/// The ARM type a write (`PUT <path>?… -> 201`) is on: the path's last type segment.
fn written_kind(write: &str) -> &str {
    let path = write.split([' ', '?']).nth(1).unwrap_or_default();
    let segments: Vec<&str> = path.split('/').collect();
    segments.len().checked_sub(2).map_or("", |i| segments[i])
}

/// Made by hand on id-reports: a credential, and Key Vault Reader on the vault.
fn made_by_hand(w: &World) -> ((String, String, String), (String, String)) {
    let sub = w.e.h.sub_b(0);
    let issuer = "https://handmade.example/issuer/";
    let subject = "system:serviceaccount:tools:debug";
    w.e.h
        .run_az(&[
            "identity",
            "federated-credential",
            "create",
            "-g",
            IDS,
            "--identity-name",
            "id-reports",
            "-n",
            "handmade-debug",
            "--issuer",
            issuer,
            "--subject",
            subject,
            "--audiences",
            "api://AzureADTokenExchange",
            "--subscription",
            &sub,
            "-o",
            "none",
        ])
        .unwrap();
    let principal = w.e.principal(&w.identity_id(IDS, "id-reports"));
    w.e.h
        .run_az(&[
            "role",
            "assignment",
            "create",
            "--role",
            "Key Vault Reader",
            "--assignee-object-id",
            &principal,
            "--assignee-principal-type",
            "ServicePrincipal",
            "--scope",
            &w.vault,
            "--subscription",
            &sub,
            "-o",
            "none",
        ])
        .unwrap();
    (
        ("handmade-debug".into(), issuer.into(), subject.into()),
        (KV_READER.into(), w.vault.clone()),
    )
}

fn prune_removes_only_what_the_dropped_workload_left(w: &World, spec: &Spec) {
    let (credential, grant) = made_by_hand(w);
    // audit/scanner leaves, and with it the vault grant only it needed.
    let mut smaller = spec.clone();
    smaller.workloads.retain(|x| x.namespace != "audit");
    smaller.identities[2]
        .roles
        .retain(|(r, _)| r != "Key Vault Secrets User");
    let file = w.e.write("xtenant-smaller.yaml", &smaller.yaml());
    let reports = w.identity_id(IDS, "id-reports");
    let dropped_credential =
        format!("{reports}/federatedIdentityCredentials/xt-aks-green-audit-scanner");
    let principal = w.e.principal(&reports);
    let dropped_grant: Vec<String> =
        w.e.h
            .resources_of_type(estate::RA_TYPE)
            .iter()
            .filter(|r| {
                r["properties"]["principalId"] == principal.as_str()
                    && r["properties"]["roleDefinitionId"]
                        .as_str()
                        .unwrap()
                        .ends_with(SECRETS_USER)
            })
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
    assert_eq!(dropped_grant.len(), 1, "{dropped_grant:?}");
    let grant_name = dropped_grant[0].rsplit('/').next().unwrap().to_string();

    let plan =
        w.e.run("graph", &["plan", "-f", &file, "--prune", "-o", "json"]);
    let remove = |what: String| ("remove".to_string(), "B".to_string(), what);
    assert_eq!(
        changes(&plan.json()),
        [
            remove("federated credential xt-aks-green-audit-scanner".into()),
            remove(format!("role assignment {grant_name}")),
        ],
        "{plan}"
    );
    let doc = plan.json();
    let reports_budget = doc["budget"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["identity"] == "id-reports")
        .unwrap();
    assert_eq!(
        (
            reports_budget["used"].as_u64(),
            reports_budget["not_managed"].as_u64()
        ),
        (Some(2), Some(1)),
        "reports/job and the hand-made credential stay: {plan}"
    );

    let before = w.e.all_ids();
    let apply =
        w.e.run("graph", &["apply", "-f", &file, "--prune", "--yes"]);
    apply.ok();
    let mut deleted: Vec<String> = apply
        .writes
        .iter()
        .map(|x| x.split([' ', '?']).nth(1).unwrap().to_string())
        .collect();
    deleted.sort();
    let mut want = [dropped_credential, dropped_grant[0].clone()];
    want.sort();
    assert!(
        apply.writes.iter().all(|x| x.starts_with("DELETE ")),
        "{:#?}",
        apply.writes
    );
    assert_eq!(
        deleted
            .iter()
            .map(|d| d.to_ascii_lowercase())
            .collect::<Vec<_>>(),
        want.iter()
            .map(|d| d.to_ascii_lowercase())
            .collect::<Vec<_>>(),
        "the prune deletes exactly the dropped workload's credential and grant"
    );
    let after = w.e.all_ids();
    let gone: Vec<&String> = before.iter().filter(|id| !after.contains(id)).collect();
    assert_eq!(gone.len(), 2, "nothing else is gone: {gone:#?}");
    assert_eq!(after.len() + 2, before.len(), "nothing appeared");
    w.assert_made(
        &smaller,
        IDS,
        &[("id-reports", credential)],
        &[("id-reports", grant)],
    );
    assert_eq!(w.e.intended("graph"), Vec::<String>::new());
    let done = w.e.run(
        "graph",
        &["plan", "-f", &file, "--prune", "--detailed-exitcode"],
    );
    assert_eq!(done.code, 0, "pruned: nothing left to do: {done}");
    assert_eq!(done.writes, Vec::<String>::new());
}

/// `plan` and `apply --yes` of a broken file: exit 2 naming `needle` at the
/// file's line holding `at`, no az started, no request reaching the simulator.
fn refused(w: &World, name: &str, text: &str, at: &str, needle: &str) {
    let file = w.e.write(name, text);
    let line = text
        .lines()
        .position(|l| l.contains(at))
        .unwrap_or_else(|| panic!("{at:?} not in {name}"))
        + 1;
    for args in [
        vec!["plan", "-f", &file],
        vec!["apply", "-f", &file, "--yes"],
    ] {
        let out = w.e.run("graph", &args);
        assert_eq!(out.code, 2, "{name}: {out}");
        assert!(
            out.err.contains(&format!("{file}:{line}:")),
            "{name}: the line {line}: {out}"
        );
        assert!(out.err.contains(needle), "{name}: {needle:?}: {out}");
        assert_eq!(out.az, Vec::<String>::new(), "{name}: no az may start");
        assert_eq!(
            out.requests, 0,
            "{name}: the simulator's request log must not grow"
        );
    }
}

fn files_that_break_a_rule_start_no_az(w: &World, spec: &Spec) {
    // 7 workloads on every cluster: 21 credentials for id-orders.
    let mut big = spec.clone();
    big.workloads = (1..=7)
        .map(|n| WorkloadSpec::new("fleet", &format!("sa{n}"), "id-orders", None))
        .collect();
    assert_eq!(big.bindings().len(), 21);
    refused(
        w,
        "big.yaml",
        &big.yaml(),
        "- name: id-orders",
        "would need 21 federated credentials",
    );

    let typo = spec
        .yaml()
        .replacen("serviceAccount: writer", "serviceAcount: writer", 1);
    refused(w, "typo.yaml", &typo, "serviceAcount", "unknown field");

    let mut stranger = spec.clone();
    stranger.workloads[1].identity = "id-nobody".into();
    refused(
        w,
        "stranger.yaml",
        &stranger.yaml(),
        "identity: id-nobody",
        "no identity named \"id-nobody\"",
    );

    let mut outside = spec.clone();
    let a_scope = format!("/subscriptions/{}/resourceGroups/rg-aks", w.e.h.sub_a(0));
    outside.identities[0].roles[0].1 = a_scope.clone();
    refused(
        w,
        "outside.yaml",
        &outside.yaml(),
        &a_scope,
        "outside Tenant B's subscription",
    );
}

/// Waits until the identity has `n` credentials (a released write lands).
fn landed(w: &World, identity: &str, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while w.e.credentials(identity).len() < n {
        assert!(
            Instant::now() < deadline,
            "{identity}: {n} credentials expected: {:#?}",
            w.e.credentials(identity)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(w.e.credentials(identity).len(), n);
}

fn a_killed_apply_resumes_without_duplicates(w: &World) {
    let h = &w.e.h;
    let spec = Spec {
        identity_group: "rg-graph-resume".into(),
        clusters: vec![ClusterSpec {
            name: "aks-blue".into(),
            resource_group: "rg-aks".into(),
            subscription: None,
        }],
        identities: vec![IdentitySpec {
            name: "id-resume".into(),
            roles: vec![("Azure Service Bus Data Owner".into(), w.namespace.clone())],
        }],
        workloads: ["a", "b", "c"]
            .iter()
            .map(|sa| WorkloadSpec::new("resume", sa, "id-resume", None))
            .collect(),
        ..w.spec()
    };
    let file = w.e.write("resume.yaml", &spec.yaml());
    let identity = w.identity_id("rg-graph-resume", "id-resume");
    let mark = h.mark();
    let kill_when_held = |ops: &[&str]| {
        for op in ops {
            h.hold(op);
        }
        let run =
            w.e.cmd("resume", &["apply", "-f", &file, "--yes"])
                .start()
                .unwrap();
        // Generous: the machine may be busy with other tests.
        let deadline = Instant::now() + Duration::from_secs(300);
        while ops.iter().any(|op| h.server.sim.held(op) == 0) {
            let ended = run.try_wait().unwrap().cloned();
            let late = Instant::now() >= deadline;
            if ended.is_some() || late {
                let out = ended.unwrap_or_else(|| {
                    run.kill().unwrap();
                    run.wait().unwrap().clone()
                });
                panic!(
                    "apply {} before {ops:?} were held ({}):\n{}\n{}",
                    if late { "was still running" } else { "ended" },
                    out.status,
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // Each held call has reached Azure; its answer has not reached az-xtenant.
        run.kill().unwrap();
        // Reaped before the next run starts: until then the killed run may
        // still hold the profile's run lock, and the next would exit 5.
        let _ = run.wait();
    };
    let release = |ops: &[&str]| {
        for op in ops {
            h.release(op);
        }
    };
    kill_when_held(&["userAssignedIdentities.put"]);
    release(&["userAssignedIdentities.put"]);
    assert!(h.resource(&identity).is_some(), "the identity was made");
    assert_eq!(
        w.e.intended("resume").len(),
        1,
        "the identity is only intended"
    );
    // The grant's PUT and the first credential write of the identity's
    // deployment are held; every credential is intended before it starts.
    let held = ["roleAssignments.put", "federatedIdentityCredentials.put"];
    kill_when_held(&held);
    release(&held);
    let intended = w.e.intended("resume");
    assert!(
        intended.len() == 4
            && intended.iter().any(|i| i.contains("/roleAssignments/"))
            && intended
                .iter()
                .filter(|i| i.contains("/federatedIdentityCredentials/"))
                .count()
                == 3,
        "the grant and the three credentials are only intended: {intended:#?}"
    );
    // ARM carries the deployment on without its client: all three land.
    landed(w, &identity, 3);

    // Two more workloads; the run making them is killed while its
    // deployment's first write is held, and the next run meets that
    // deployment still running: it waits, reads again, writes nothing twice.
    let grown = Spec {
        workloads: ["a", "b", "c", "d", "e"]
            .iter()
            .map(|sa| WorkloadSpec::new("resume", sa, "id-resume", None))
            .collect(),
        ..spec
    };
    w.e.write("resume.yaml", &grown.yaml());
    kill_when_held(&["federatedIdentityCredentials.put"]);
    let refused = h.mark();
    let last =
        w.e.cmd("resume", &["apply", "-f", &file, "--yes"])
            .start()
            .unwrap();
    let deadline = Instant::now() + Duration::from_secs(300);
    while !h.server.sim.lock().requests[refused..]
        .iter()
        .any(|r| r.op == "deployments.put" && r.status == 409)
    {
        assert!(
            Instant::now() < deadline && last.try_wait().unwrap().is_none(),
            "the run after the killed one did not meet its deployment still running"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    h.release("federatedIdentityCredentials.put");
    let out = last.wait().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("from an earlier run is still running"),
        "{err}"
    );
    w.assert_made(&grown, "rg-graph-resume", &[], &[]);
    assert_eq!(
        w.e.intended("resume"),
        Vec::<String>::new(),
        "no intent left behind"
    );
    // Each object was written once across the five runs.
    let puts = |op: &str| {
        let g = h.server.sim.lock();
        g.requests[mark..]
            .iter()
            .filter(|r| r.op == op && r.path.to_ascii_lowercase().contains("id-resume"))
            .count()
    };
    assert_eq!(puts("userAssignedIdentities.put"), 1);
    assert_eq!(puts("federatedIdentityCredentials.put"), 5);
    let grants = {
        let g = h.server.sim.lock();
        g.requests[mark..]
            .iter()
            .filter(|r| r.op == "roleAssignments.put")
            .count()
    };
    assert_eq!(grants, 1, "one role assignment PUT");
    let converged =
        w.e.run("resume", &["plan", "-f", &file, "--detailed-exitcode"]);
    assert_eq!(converged.code, 0, "{converged}");
    assert_eq!(converged.writes, Vec::<String>::new());
}
