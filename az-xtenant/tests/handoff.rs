//! The two-admin hand-off against the fake az: `request` reads Tenant A only
//! and prints a sealed request; `review` passes it, refuses it edited or
//! malformed before any az call, and flags an issuer whose discovery
//! document names another issuer.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::json;
use support::handoff::*;
use support::*;
use xtenant_shared::handoff::TrustRequest;

#[test]
fn a_request_reads_tenant_a_only_and_is_sealed() {
    let w = World::new();
    let yaml = request(&w);
    let r = TrustRequest::from_yaml("request.yaml", &yaml).unwrap();
    r.verify_digest("request.yaml").unwrap();
    assert_eq!(r.tenant_a, TA);
    assert_eq!(r.clusters.len(), 1);
    assert_eq!(r.clusters[0].issuer, issuer());
    assert!(
        r.clusters[0]
            .resource_id
            .ends_with(&format!("/managedClusters/{AKS}"))
    );
    let subjects: Vec<&str> = r.workloads.iter().map(|w| w.subject.as_str()).collect();
    assert_eq!(
        subjects,
        [
            "system:serviceaccount:orders:reader",
            "system:serviceaccount:orders:writer"
        ]
    );
    assert_eq!(r.identities[0].name, IDENTITY);
    assert_eq!(
        r.identities[0].roles[0].role,
        "Azure Service Bus Data Owner"
    );
    // Nothing reached Tenant B's subscription.
    let calls = w.calls();
    assert!(
        calls.iter().all(|c| !c.join(" ").contains(SB)),
        "{calls:#?}"
    );
    assert!(calls.iter().any(|c| c[0] == "aks"), "{calls:#?}");
}

#[test]
fn a_cluster_without_an_issuer_is_refused_with_the_fix() {
    let w = World::new();
    let file = graph_file(&w);
    tenant_a(&w);
    w.on(&format!("aks_show@{SA}"), vec![Resp::Json(cluster(false))]);
    let out = w.run(&["request", "-f", &file]);
    assert_ne!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        out.stdout.is_empty(),
        "no request printed: {}",
        describe(&out)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--enable-oidc-issuer"), "{err}");
}

#[test]
fn an_unknown_identity_is_refused_before_any_az_call() {
    let w = World::new();
    let file = graph_file(&w);
    let out = w.run(&["request", "-f", &file, "--identity", "nobody"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--identity nobody"));
    assert!(w.calls().is_empty(), "{:?}", w.calls());
}

fn discovery(w: &World, names: &str) {
    w.on(
        "rest",
        vec![Resp::Json(
            json!({"issuer": names, "jwks_uri": format!("{names}openid/v1/jwks")}),
        )],
    );
}

#[test]
fn review_passes_a_sound_request_and_reads_each_issuer() {
    let w = World::new();
    let yaml = request(&w);
    let file = w.path().join("request.yaml");
    std::fs::write(&file, &yaml).unwrap();
    w.clear_calls();
    discovery(&w, &issuer());
    let out = w.run(&["review", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "trust system:serviceaccount:orders:writer of {} as {IDENTITY}",
            issuer()
        )),
        "{text}"
    );
    assert!(text.contains("review: 0 findings"), "{text}");
    let rest: Vec<String> = w
        .calls()
        .iter()
        .filter(|c| c[0] == "rest")
        .map(|c| c.join(" "))
        .collect();
    assert_eq!(rest.len(), 1, "{rest:#?}");
    assert!(rest[0].contains("--skip-authorization-header"), "{rest:#?}");
}

#[test]
fn review_flags_a_discovery_document_naming_another_issuer() {
    let w = World::new();
    let yaml = request(&w);
    let file = w.path().join("request.yaml");
    std::fs::write(&file, &yaml).unwrap();
    discovery(&w, issuer().trim_end_matches('/'));
    let out = w.run(&["review", file.to_str().unwrap(), "-o", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["check"], "discovery", "{v:#}");
    assert_eq!(v[0]["at"], "clusters[0].issuer", "{v:#}");
}

#[test]
fn review_refuses_an_edited_or_malformed_request_before_any_az_call() {
    let w = World::new();
    let yaml = request(&w);
    let cases = [
        (
            "edited",
            yaml.replace("orders:writer", "orders:admin"),
            "changed after it was made",
        ),
        ("unknown key", format!("{yaml}extra: 1\n"), "extra"),
        ("not YAML", "{{{".to_string(), "bad.yaml"),
    ];
    for (what, text, says) in cases {
        let file = w.path().join("bad.yaml");
        std::fs::write(&file, text).unwrap();
        w.clear_calls();
        let out = w.run(&["review", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{what}: {}", describe(&out));
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(all.contains(says), "{what}: {all}");
        assert!(w.calls().is_empty(), "{what}: {:?}", w.calls());
    }
    let out = w.run(&["review", "/nonexistent/request.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the request"));
}

/// Tenant B's grant of `request`: every subject asked for, as asked.
fn grant_of(request: &TrustRequest) -> String {
    use xtenant_shared::handoff::{GrantedIdentity, TrustGrant, TrustedSubject};
    let identities = request
        .identities
        .iter()
        .map(|i| GrantedIdentity {
            name: i.name.clone(),
            client_id: CLIENT.to_string(),
            roles: Vec::new(),
        })
        .collect();
    TrustGrant::new(
        TB,
        request,
        std::time::SystemTime::now(),
        identities,
        TrustedSubject::all_of(request),
    )
    .unwrap()
    .to_yaml()
}

#[test]
fn accept_binds_the_workloads_of_a_grant_for_the_request_on_record() {
    let w = World::new();
    let yaml = request(&w);
    let r = TrustRequest::from_yaml("request.yaml", &yaml).unwrap();
    let file = w.path().join("grant.yaml");
    std::fs::write(&file, grant_of(&r)).unwrap();
    w.clear_calls();
    let out = w.run(&["accept", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(w.calls().is_empty(), "accept calls no az: {:?}", w.calls());
    let g = &w.profile()["graph"];
    assert_eq!(g["tenantB"], TB, "{g:#}");
    assert_eq!(g["identities"][IDENTITY]["clientId"], CLIENT, "{g:#}");
    assert_eq!(g["clusters"][AKS]["issuerUrl"], issuer(), "{g:#}");
    let bound: Vec<String> = g["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            format!(
                "{}/{}/{}",
                b["cluster"], b["namespace"], b["serviceAccount"]
            )
            .replace('"', "")
        })
        .collect();
    assert_eq!(
        bound,
        [
            format!("{AKS}/orders/reader"),
            format!("{AKS}/orders/writer")
        ]
    );
}

#[test]
fn accept_refuses_a_grant_for_another_request_or_edited_and_records_nothing() {
    let w = World::new();
    let yaml = request(&w);
    let r = TrustRequest::from_yaml("request.yaml", &yaml).unwrap();
    let before = w.profile();
    // A request this profile never made: another workload asked for.
    let mut other = r.clone();
    other.workloads[0].service_account = "intruder".into();
    other.workloads[0].subject = "system:serviceaccount:orders:intruder".into();
    other.seal();
    let edited = grant_of(&r).replace(CLIENT, "eeeeeeee-0000-4000-8000-00000000000e");
    for (what, text, says) in [
        ("another request", grant_of(&other), "never made"),
        ("edited", edited, "changed after it was made"),
        ("not a grant", yaml, "kind"),
    ] {
        let file = w.path().join("grant.yaml");
        std::fs::write(&file, text).unwrap();
        let out = w.run(&["accept", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{what}: {}", describe(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{what}: {err}");
        assert_eq!(w.profile(), before, "{what}: nothing recorded");
    }
}

#[test]
fn review_with_the_group_counts_what_tenant_bs_identity_already_holds() {
    let w = World::new();
    let yaml = request(&w);
    let file = w.path().join("request.yaml");
    std::fs::write(&file, &yaml).unwrap();
    discovery(&w, &issuer());
    w.on(
        &format!("identity_list@{SB}"),
        vec![Resp::Json(json!([identity()]))],
    );
    // 19 credentials of others, and one of the two the request asks for
    // (already trusted: not counted twice): 19 + 2 = 21 after acceptance.
    let mut held: Vec<serde_json::Value> = (0..19)
        .map(|n| {
            json!({"name": format!("other-{n}"), "issuer": format!("https://elsewhere.example/{n}/"),
                   "subject": "system:serviceaccount:x:y", "audiences": ["api://AzureADTokenExchange"]})
        })
        .collect();
    held.push(json!({"name": "writer", "issuer": issuer(),
                     "subject": "system:serviceaccount:orders:writer", "audiences": ["api://AzureADTokenExchange"]}));
    w.on(
        &format!("identity_federated-credential_list@{SB}"),
        vec![Resp::Json(serde_json::Value::Array(held))],
    );
    let path = file.to_str().unwrap();
    let out = w.run(&["review", path, "-g", RG, "--subscription", SB, "-o", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["check"], "budget", "{v:#}");
    assert!(
        v[0]["what"]
            .as_str()
            .unwrap()
            .contains("21 federated credentials"),
        "{v:#}"
    );
    // Without -g nothing of Tenant B is read, and the request alone fits.
    let out = w.run(&["review", path]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    // -g without --subscription is a usage error.
    let out = w.run(&["review", path, "-g", RG]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
}

#[test]
fn grant_makes_what_was_asked_in_tenant_b_only_and_tenant_a_accepts_it() {
    let (a, b, _, file) = handed_over();
    let path = file.as_str();
    let out = b.run(&grant_args(path, &[]));
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let grant = String::from_utf8(out.stdout).unwrap();
    let g = xtenant_shared::handoff::TrustGrant::from_yaml("grant.yaml", &grant).unwrap();
    g.verify_digest("grant.yaml").unwrap();
    assert_eq!(g.tenant_b, TB);
    assert_eq!(g.identities[0].client_id, CLIENT, "{grant}");
    assert!(
        g.identities[0].roles.is_empty(),
        "no role unless Tenant B says so"
    );
    assert_eq!(g.trusted.len(), 2, "{grant}");
    let calls = b.calls();
    assert!(
        calls.iter().all(|c| !c.join(" ").contains(SA)),
        "nothing of Tenant A is read: {calls:#?}"
    );
    let writes: Vec<String> = calls
        .iter()
        .filter(|c| !["show", "list"].contains(&verb(c).as_str()))
        .map(|c| c.join(" "))
        .collect();
    assert!(
        writes.iter().any(|w| w.starts_with("identity create")),
        "{writes:#?}"
    );
    assert!(
        writes
            .iter()
            .any(|w| w.starts_with("deployment group create")),
        "{writes:#?}"
    );
    assert!(
        !writes
            .iter()
            .any(|w| w.starts_with("role assignment create")),
        "{writes:#?}"
    );

    // Tenant A records it: bind then finds the client ID.
    let gfile = a.path().join("grant.yaml");
    std::fs::write(&gfile, &grant).unwrap();
    let out = a.run(&["accept", gfile.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(
        a.profile()["graph"]["identities"][IDENTITY]["clientId"],
        CLIENT
    );
}

#[test]
fn grant_assigns_the_roles_asked_for_only_when_told_and_refuses_a_tampered_request() {
    let (_, b, yaml, file) = handed_over();
    let path = file.as_str();
    let out = b.run(&grant_args(path, &["--grant-roles"]));
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        b.calls()
            .iter()
            .any(|c| c.join(" ").starts_with("role assignment create")),
        "{:#?}",
        b.calls()
    );

    // Edited after it was made: refused before any az call.
    let edited = b.path().join("edited.yaml");
    std::fs::write(&edited, yaml.replace("orders:writer", "orders:admin")).unwrap();
    b.clear_calls();
    let out = b.run(&grant_args(edited.to_str().unwrap(), &[]));
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("changed after it was made"));
    assert!(b.calls().is_empty(), "{:?}", b.calls());
}

#[test]
fn grant_assigns_tenant_bs_own_roles_from_a_file_and_refuses_a_bad_one_before_any_az_call() {
    let (_, b, _, file) = handed_over();
    let path = file.as_str();
    let queue = format!("{}/queues/orders", ns_id());
    let roles = b.path().join("roles.yaml");
    std::fs::write(
        &roles,
        format!(
            "roles:\n  - identity: {IDENTITY}\n    role: Azure Service Bus Data Sender\n    scope: {queue}\n"
        ),
    )
    .unwrap();
    let roles_path = roles.to_str().unwrap();
    let out = b.run(&grant_args(path, &["--roles-from", roles_path]));
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let created: Vec<String> = b
        .calls()
        .iter()
        .map(|c| c.join(" "))
        .filter(|c| c.starts_with("role assignment create"))
        .collect();
    assert_eq!(created.len(), 1, "{created:#?}");
    assert!(
        created[0].contains("--role Azure Service Bus Data Sender") && created[0].contains(&queue),
        "Tenant B's role, not the one asked for: {created:#?}"
    );
    let g =
        xtenant_shared::handoff::TrustGrant::from_yaml("g", &String::from_utf8_lossy(&out.stdout))
            .unwrap();
    assert_eq!(
        g.identities[0].roles[0].role,
        "Azure Service Bus Data Sender"
    );

    for (what, text, says) in [
        (
            "unknown identity",
            format!("roles:\n  - identity: nobody\n    role: Reader\n    scope: {queue}\n"),
            "roles[0].identity \"nobody\"",
        ),
        (
            "scope elsewhere",
            format!(
                "roles:\n  - identity: {IDENTITY}\n    role: Reader\n    scope: /subscriptions/{SA}\n"
            ),
            "roles[0].scope",
        ),
        ("unknown key", "roles: []\nextra: 1\n".to_string(), "extra"),
    ] {
        std::fs::write(&roles, text).unwrap();
        b.clear_calls();
        let out = b.run(&grant_args(path, &["--roles-from", roles_path]));
        assert_eq!(out.status.code(), Some(2), "{what}: {}", describe(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{what}: {err}");
        assert!(b.calls().is_empty(), "{what}: {:?}", b.calls());
    }
}
