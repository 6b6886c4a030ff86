//! `az-xtenant audit` end to end with the real az against the simulator:
//! a graph applied over two clusters, then one cluster deleted (its issuer
//! answering 404) and dropped from the file, and by hand on the identity a
//! trailing-slash twin, a case-only twin, a foreign audience and a credential
//! nobody declares; Reader inherited from a management group and from the
//! root. The audit finds each mistake exactly once with its fix (the
//! inherited assignments are never called gone, but reach too far);
//! `--fix` removes only the stale credential xtenant made; a second audit
//! finds the rest.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

#[path = "graph_e2e/estate.rs"]
mod estate;
#[path = "graph_e2e/spec.rs"]
mod spec;

use std::time::Instant;

use azsim::{Config, workspace_bin};
use estate::Estate;
use serde_json::Value;
use spec::{ClusterSpec, IdentitySpec, Spec, WorkloadSpec};

const IDS: &str = "rg-audit-ids";
const AKS: &str = "rg-aks";
const AUD: &str = "api://AzureADTokenExchange";

fn spec(e: &Estate, clusters: &[&str]) -> Spec {
    let h = &e.h;
    Spec {
        tenant_a: h.tenant_a().id.clone(),
        sub_a: h.sub_a(0),
        tenant_b: h.tenant_b().id.clone(),
        sub_b: h.sub_b(0),
        identity_group: IDS.into(),
        clusters: clusters
            .iter()
            .map(|c| ClusterSpec {
                name: (*c).into(),
                resource_group: AKS.into(),
                subscription: None,
            })
            .collect(),
        identities: vec![IdentitySpec {
            name: "id-orders".into(),
            roles: Vec::new(),
        }],
        workloads: vec![WorkloadSpec::new("orders", "writer", "id-orders", None)],
    }
}

/// (kind, credential, fix) of every finding, sorted.
fn findings(v: &Value) -> Vec<(String, String, String)> {
    estate::sorted_triples(v, "findings", ["kind", "credential", "fix"])
}

fn audit_json(e: &Estate, file: &str) -> Value {
    let out = e.run("audit", &["audit", "-f", file, "-o", "json"]);
    assert_eq!(out.code, 1, "findings: {out}");
    assert_eq!(out.writes, Vec::<String>::new(), "an audit writes nothing");
    serde_json::from_str(&out.out).unwrap_or_else(|err| panic!("{err}: {out}"))
}

#[test]
fn audit_finds_each_mistake_once_and_fixes_only_its_own() {
    let started = Instant::now();
    let e = Estate::start(Config::two_tenants(), workspace_bin("az-xtenant"));
    let (sa, sb) = (e.h.sub_a(0), e.h.sub_b(0));
    for name in ["aks-blue", "aks-old"] {
        e.h.seed_cluster(&sa, AKS, name, &e.h.named_issuer(name));
    }
    let file = e.write("xtenant.yaml", &spec(&e, &["aks-blue", "aks-old"]).yaml());
    // The first apply lists inside a group and under an identity that do not
    // exist yet: ARM answers 404 (ResourceGroupNotFound, ResourceNotFound).
    e.h.expect_list_404(&format!(
        "/resourceGroups/{IDS}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?"
    ));
    e.h.expect_list_404("/userAssignedIdentities/id-orders/federatedIdentityCredentials?");
    e.run("audit", &["apply", "-f", &file, "--yes"]).ok();

    // aks-old is deleted (its issuer now answers 404) and leaves the file.
    e.h.unseed(&format!(
        "/subscriptions/{sa}/resourceGroups/{AKS}/providers/Microsoft.ContainerService/managedClusters/aks-old"
    ));
    e.h.retire_issuer("aks-old");
    let file = e.write("xtenant.yaml", &spec(&e, &["aks-blue"]).yaml());

    // By hand on the identity.
    let blue = e.h.named_issuer("aks-blue");
    let subject = "system:serviceaccount:orders:writer";
    let by_hand = [
        ("writer-slash", blue.trim_end_matches('/'), subject, AUD),
        (
            "writer-case",
            blue.as_str(),
            "system:serviceaccount:Orders:writer",
            AUD,
        ),
        (
            "other-audience",
            blue.as_str(),
            "system:serviceaccount:orders:billing",
            "api://not-the-exchange",
        ),
        (
            "by-hand",
            blue.as_str(),
            "system:serviceaccount:tools:debug",
            AUD,
        ),
    ];
    for (name, issuer, subject, audience) in by_hand {
        e.h.run_az(&[
            "identity",
            "federated-credential",
            "create",
            "-g",
            IDS,
            "--identity-name",
            "id-orders",
            "-n",
            name,
            "--issuer",
            issuer,
            "--subject",
            subject,
            "--audiences",
            audience,
            "--subscription",
            &sb,
            "-o",
            "none",
        ])
        .unwrap();
    }

    // Reader on id-orders from a management group and from the root: the
    // subscription inherits both, and `role assignment list --all` answers
    // them; they are neither looked up nor called gone.
    let identity = format!(
        "/subscriptions/{sb}/resourceGroups/{IDS}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-orders"
    );
    let reader = format!(
        "/subscriptions/{sb}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"
    );
    let mg = "/providers/Microsoft.Management/managementGroups/mg-corp";
    let mut inherited = Vec::new();
    for scope in [mg, "/"] {
        let a = e.h.seed_inherited_assignment(
            &e.h.tenant_b().id,
            scope,
            &e.principal(&identity),
            &reader,
        );
        inherited.push(a["id"].as_str().unwrap().to_string());
    }

    let tail = format!("--subscription {sb} -o json --only-show-errors");
    let delete = |name: &str| {
        format!(
            "az identity federated-credential delete --resource-group {IDS} --identity-name id-orders --name {name} --yes {tail}"
        )
    };
    let stale = (
        "stale".to_string(),
        "xt-aks-old-orders-writer".to_string(),
        delete("xt-aks-old-orders-writer"),
    );
    let rest = vec![
        (
            "audience".to_string(),
            "other-audience".to_string(),
            format!(
                "az identity federated-credential update --resource-group {IDS} --identity-name id-orders --name other-audience --issuer {blue} --subject system:serviceaccount:orders:billing --audiences {AUD} {tail}"
            ),
        ),
        (
            "near-duplicate".into(),
            "writer-case".into(),
            delete("writer-case"),
        ),
        (
            "near-duplicate".into(),
            "writer-slash".into(),
            delete("writer-slash"),
        ),
        ("unmanaged".into(), "by-hand".into(), delete("by-hand")),
    ];
    // Reader on a whole management group and on the root reaches further
    // than the workload needs: a finding each, fixed by hand (never --fix).
    let mut rest = rest;
    for id in &inherited {
        rest.push((
            "broad-scope".into(),
            String::new(),
            format!("az role assignment delete --ids {id} {tail}"),
        ));
    }
    rest.sort();
    let mut all = rest.clone();
    all.push(stale);
    all.sort();

    let first = audit_json(&e, &file);
    assert_eq!(findings(&first), all, "{first:#}");
    let creds = &first["identities"][0]["credentials"];
    let old = creds
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "xt-aks-old-orders-writer")
        .unwrap();
    assert_eq!(
        (&old["issuerAnswers"], &old["origin"]),
        (&Value::Bool(false), &Value::from("undeclared")),
        "{old:#}"
    );
    assert_eq!(first["identities"][0]["used"], 6);
    let mut reach: Vec<(String, String)> = first["identities"][0]["roleAssignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            (s("scope"), s("scopeReach"))
        })
        .collect();
    reach.sort();
    assert_eq!(
        reach,
        [
            ("/".to_string(), "inherited".to_string()),
            (mg.to_string(), "inherited".to_string()),
        ],
        "{first:#}"
    );

    let fix = e.run("audit", &["audit", "-f", &file, "--fix", "--yes"]);
    assert_eq!(fix.code, 1, "the others remain: {fix}");
    assert_eq!(fix.writes.len(), 1, "{fix}");
    assert!(
        fix.writes[0].starts_with("DELETE ")
            && fix.writes[0].contains("/federatedIdentityCredentials/xt-aks-old-orders-writer"),
        "{fix}"
    );

    let again = audit_json(&e, &file);
    assert_eq!(findings(&again), rest, "{again:#}");
    assert_eq!(e.h.unknown_routes(), Vec::<String>::new());
    assert_eq!(e.h.unexpected_list_404s(), Vec::<String>::new());
    eprintln!("audit_e2e: {:.1} s", started.elapsed().as_secs_f64());
}
