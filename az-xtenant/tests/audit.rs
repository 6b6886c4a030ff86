//! `audit` against the fake az: each finding kind once, with its fix; a clean
//! estate exits 0; `--fix` deletes only the stale credentials xtenant made
//! and the ones named; bad input exits 2 before any az call.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::{Value, json};
use support::audit::*;
use support::*;

fn findings(out: &std::process::Output) -> Vec<(String, String, String)> {
    let v: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", describe(out)));
    let mut f: Vec<(String, String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("kind"), s("credential"), s("fix"))
        })
        .collect();
    f.sort();
    f
}

fn delete(name: &str) -> String {
    format!(
        "az identity federated-credential delete --resource-group {RG} --identity-name {IDENTITY} --name {name} --yes --subscription {SB} -o json --only-show-errors"
    )
}

fn deletes(w: &World) -> Vec<String> {
    w.calls()
        .iter()
        .filter(|c| verb(c) == "delete")
        .map(|c| c[c.iter().position(|a| a == "--name").unwrap() + 1].clone())
        .collect()
}

#[test]
fn each_finding_once_with_its_fix() {
    let (w, file) = estate(messy(), true);
    let out = w.run(&["audit", "-f", &file, "-o", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let update = |name: &str, issuer: &str, subject: &str| {
        format!(
            "az identity federated-credential update --resource-group {RG} --identity-name {IDENTITY} --name {name} --issuer {issuer} --subject system:serviceaccount:orders:{subject} --audiences {AUD} --subscription {SB} -o json --only-show-errors"
        )
    };
    let gone_role = format!(
        "az role assignment delete --ids {}/providers/Microsoft.Authorization/roleAssignments/r2 --subscription {SB} -o json --only-show-errors",
        gone_scope()
    );
    let want = vec![
        (
            "audience",
            "other-audience",
            update("other-audience", &issuer(), "billing"),
        ),
        ("near-duplicate", "reader-case", delete("reader-case")),
        ("near-duplicate", "writer-slash", delete("writer-slash")),
        ("scope-gone", "", gone_role),
        ("stale", "old-by-hand", delete("old-by-hand")),
        (
            "stale",
            "xt-aks-old-orders-writer",
            delete("xt-aks-old-orders-writer"),
        ),
        ("unmanaged", "by-hand", delete("by-hand")),
    ];
    let want: Vec<(String, String, String)> = want
        .into_iter()
        .map(|(k, c, f)| (k.to_string(), c.to_string(), f))
        .collect();
    assert_eq!(findings(&out), want);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let i = &v["identities"][0];
    assert_eq!(
        (i["used"].as_u64(), i["limit"].as_u64()),
        (Some(8), Some(20)),
        "{i:#}"
    );
    let writer = &i["credentials"][0];
    assert_eq!(writer["cluster"]["name"], AKS, "{writer:#}");
    assert_eq!(writer["origin"], "declared");
    assert_eq!(i["credentials"][2]["origin"], "undeclared");
    assert_eq!(i["credentials"][2]["issuerAnswers"], false);
    assert_eq!(i["roleAssignments"][1]["scopeExists"], false);
    // The discovery document is fetched by az, without a token, once per dead issuer.
    let rest: Vec<String> = w
        .calls()
        .iter()
        .filter(|c| c[0] == "rest")
        .map(|c| c.join(" "))
        .collect();
    assert_eq!(rest.len(), 2, "{rest:#?}");
    assert!(
        rest[0].starts_with("rest --method get --url https://old.example/t/old/.well-known/openid-configuration --skip-authorization-header"),
        "{rest:#?}"
    );
    assert!(deletes(&w).is_empty(), "an audit changes nothing");

    answers(&w, messy(), true);
    let table = String::from_utf8_lossy(&w.run(&["audit", "-f", &file]).stdout).to_string();
    for line in [
        format!("identity {IDENTITY} ({RG}): 8/20 federated credentials"),
        "  8 subjects of 4 issuers (1 live cluster) can become it".into(),
        format!(
            "advice: {IDENTITY}: Azure Service Bus Data Owner on {}: Azure Service Bus Data Owner covers every queue and topic of the namespace; the same role can be granted on the one the workload uses",
            ns_id()
        ),
        format!("  fix: {}", delete("xt-aks-old-orders-writer")),
        "audit: 1 identities, 8 federated credentials, 1 clusters seen, 7 findings".into(),
    ] {
        assert!(table.lines().any(|l| l == line), "{line:?} not in\n{table}");
    }
    assert!(table.contains("none; issuer does not answer"), "{table}");
}

#[test]
fn a_clean_estate_exits_0() {
    let (w, file) = estate(Vec::new(), false);
    let out = w.run(&["audit", "-f", &file]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 findings"));
    // Without -f: the profile's graph and tenants.
    w.init();
    let out = w.run(&["audit", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
}

/// `audit --fix --yes`, naming `credentials`.
fn fix(w: &World, file: &str, credentials: &[&str]) -> std::process::Output {
    let mut args = vec!["audit", "-f", file, "--fix", "--yes"];
    for c in credentials {
        args.extend(["--credential", c]);
    }
    w.run(&args)
}

#[test]
fn fix_deletes_only_what_it_may() {
    let (w, file) = estate(messy(), false);
    let out = fix(&w, &file, &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the others remain: {}",
        describe(&out)
    );
    assert_eq!(deletes(&w), ["xt-aks-old-orders-writer"]);
    assert!(
        !w.profile()["owned"].to_string().contains("xt-aks-old"),
        "forgotten"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("stops new token exchanges only") && err.contains("up to 24 hours"),
        "what the deletion does not revoke is said: {err}"
    );

    w.clear_calls();
    let out = fix(&w, &file, &["old-by-hand", "writer-slash"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(deletes(&w), ["old-by-hand", "writer-slash"]);

    // A credential with no finding is never deleted, named or not.
    w.clear_calls();
    let declared = format!("xt-{AKS}-orders-writer");
    let out = fix(&w, &file, &[&declared]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("--credential {declared}")));
    assert!(deletes(&w).is_empty());

    // Off a terminal, --fix needs --yes.
    w.clear_calls();
    let out = w.run(&["audit", "-f", &file, "--fix", "--credential", "by-hand"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(deletes(&w).is_empty());
}

#[test]
fn bad_input_exits_2_before_any_az_call() {
    let w = World::new();
    let file = graph_file(&w);
    w.logged_in();
    for args in [
        vec!["audit", "--credential", "x"],
        vec!["audit", "--yes"],
        vec!["audit", "-f", &file, "--tenant-a", TA],
        vec!["audit", "--tenant-a", "not-a-guid"],
        vec!["audit", "--identity", "bad name!"],
        vec!["audit", "-f", "/nonexistent/xtenant.yaml"],
        vec!["audit"],
    ] {
        let out = w.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", describe(&out));
    }
    assert!(w.calls().is_empty(), "no az call: {:?}", w.calls());
}

#[test]
fn a_group_is_audited_with_the_tenants_given_as_flags() {
    let w = World::new();
    w.logged_in();
    answers(&w, Vec::new(), false);
    let flags = [
        "--tenant-a",
        TA,
        "--subscription-a",
        SA,
        "--tenant-b",
        TB,
        "--subscription-b",
        SB,
    ];
    let mut args = vec!["audit", "-o", "json", "--resource-group", RG];
    args.extend(flags);
    let out = w.run(&args);
    // No profile: nothing declares the two credentials, nothing says xtenant made them.
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let kinds: Vec<String> = findings(&out).into_iter().map(|f| f.0).collect();
    assert_eq!(kinds, ["unmanaged", "unmanaged"]);
    assert!(
        w.calls().iter().any(|c| c
            .join(" ")
            .starts_with(&format!("identity list --resource-group {RG}"))),
        "{:?}",
        w.calls()
    );
    args.extend(["--identity", "nobody"]);
    let out = w.run(&args);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--identity nobody"));
}

#[test]
fn an_issuer_that_cannot_be_asked_is_not_called_stale() {
    let elsewhere = cred(
        "elsewhere",
        "https://unreachable.example/t/x/",
        "writer",
        AUD,
    );
    let (w, file) = estate(vec![elsewhere], false);
    w.on(
        "rest",
        vec![Resp::Fail(
            1,
            "ERROR: HTTPSConnectionPool(host='unreachable.example', port=443): Max retries exceeded (NameResolutionError)".into(),
        )],
    );
    let out = w.run(&["audit", "-f", &file, "-o", "json"]);
    let kinds: Vec<(String, String)> = findings(&out).into_iter().map(|f| (f.0, f.1)).collect();
    assert_eq!(kinds, [("unmanaged".to_string(), "elsewhere".to_string())]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &v["identities"][0]["credentials"][2];
    assert!(c.get("issuerAnswers").is_none(), "{c:#}");
    assert!(
        c["issuerError"].as_str().unwrap().contains("Max retries"),
        "{c:#}"
    );
}

/// Only a 404 or 410 from the issuer's host makes it dead: a page that is
/// not a discovery document (a captive portal, a proxy), an empty 200 or a
/// server error says nothing, so the credential xtenant made for it is
/// reported as undeclared, never as stale, and `--fix` leaves it.
#[test]
fn an_issuer_answer_that_is_no_404_never_makes_a_credential_stale() {
    let answers = || {
        [
            (
                "an HTML page",
                Resp::Raw("<html><body>Sign in to use this network</body></html>"),
            ),
            ("an empty 200", Resp::Raw("")),
            (
                "a 500",
                Resp::Fail(
                    1,
                    "ERROR: Internal Server Error({\"error\":\"upstream\"})".into(),
                ),
            ),
        ]
    };
    for (what, answer) in answers() {
        let made = cred(
            "xt-aks-old-orders-writer",
            "https://old.example/t/old/",
            "writer",
            AUD,
        );
        let (w, file) = estate(vec![made], false);
        w.on("rest", vec![answer]);
        let out = w.run(&["audit", "-f", &file, "-o", "json"]);
        assert_eq!(out.status.code(), Some(1), "{what}: {}", describe(&out));
        let want = vec![(
            "undeclared".to_string(),
            "xt-aks-old-orders-writer".to_string(),
            delete("xt-aks-old-orders-writer"),
        )];
        assert_eq!(findings(&out), want, "{what}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let c = &v["identities"][0]["credentials"][2];
        assert!(c.get("issuerAnswers").is_none(), "{what}: {c:#}");
        assert!(c["issuerError"].as_str().is_some(), "{what}: {c:#}");
        let out = fix(&w, &file, &[]);
        assert_eq!(out.status.code(), Some(1), "{what}: {}", describe(&out));
        assert!(deletes(&w).is_empty(), "{what}: {:?}", deletes(&w));
    }
}

/// `role assignment list --all` also answers the assignments the subscription
/// inherits from management groups and the root, and may name another
/// subscription: none of those scopes is a resource of the subscription, so
/// none is looked up as one, called gone, or given a delete.
#[test]
fn role_assignments_from_above_or_elsewhere_are_never_called_gone() {
    let (w, file) = estate(Vec::new(), false);
    let at = |scope: &str, n: u32| {
        let mut r = role_assignment();
        let base = scope.trim_end_matches('/');
        r["id"] = json!(format!(
            "{base}/providers/Microsoft.Authorization/roleAssignments/m{n}"
        ));
        r["scope"] = json!(scope);
        r
    };
    let mg = "/providers/Microsoft.Management/managementGroups/mg-corp";
    let other = "/subscriptions/ffffffff-1111-4000-8000-00000000000f/resourceGroups/rg-far";
    w.on(
        &format!("role_assignment_list@{SB}"),
        vec![Resp::Json(json!([
            role_assignment(),
            at(mg, 1),
            at("/", 2),
            at(other, 3)
        ]))],
    );
    // Were they looked up in Tenant B's subscription, they would not be found.
    w.on(&format!("group_show@{SB}"), vec![not_found("rg-far")]);
    let out = w.run(&["audit", "-f", &file, "-o", "json"]);
    // Granted at a management group and at the root, they reach further than
    // any one workload needs: each is a broad-scope finding, never scope-gone.
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let delete = |id: &str| {
        format!(
            "az role assignment delete --ids {id} --subscription {SB} -o json --only-show-errors"
        )
    };
    assert_eq!(
        findings(&out),
        [
            (
                "broad-scope".to_string(),
                String::new(),
                delete("/providers/Microsoft.Authorization/roleAssignments/m2")
            ),
            (
                "broad-scope".to_string(),
                String::new(),
                delete(&format!(
                    "{mg}/providers/Microsoft.Authorization/roleAssignments/m1"
                ))
            ),
        ]
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let roles = &v["identities"][0]["roleAssignments"];
    let reach: Vec<(&str, &str)> = roles
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["scope"].as_str().unwrap(),
                r["scopeReach"].as_str().unwrap_or("(none)"),
            )
        })
        .collect();
    assert_eq!(
        reach,
        [
            (ns_id().as_str(), "subscription"),
            (mg, "inherited"),
            ("/", "inherited"),
            (other, "other-subscription"),
        ],
        "{roles:#}"
    );
    assert!(
        !w.calls()
            .iter()
            .any(|c| c[0] == "group" || (c[0] == "resource" && !c.contains(&ns_id()))),
        "only the subscription's own scope is looked up: {:?}",
        w.calls()
    );
    let table = String::from_utf8_lossy(&w.run(&["audit", "-f", &file]).stdout).to_string();
    for line in [
        format!("  role: Azure Service Bus Data Owner on {mg} (inherited from a management group)"),
        "  role: Azure Service Bus Data Owner on / (inherited from the root of the directory)"
            .to_string(),
        format!(
            "  role: Azure Service Bus Data Owner on {other} (another subscription's: not checked)"
        ),
    ] {
        assert!(table.lines().any(|l| l == line), "{line:?} not in\n{table}");
    }
}

/// An AKS identity binding writes one credential on the identity, named
/// `aks-identity-binding`, trusting AKS's identity-binding issuer with its
/// own audience: the audit recognises it, counts it in the budget, and
/// neither asks its issuer for a discovery document nor proposes a fix.
#[test]
fn an_aks_identity_binding_is_recognised_and_counted() {
    let binding = json!({
        "name": "aks-identity-binding",
        "issuer": format!("https://ib.oic.prod-aks.azure.com/{TB}/{CLIENT}"),
        "subject": "system:serviceaccount:orders:writer",
        "audiences": ["api://AKSIdentityBinding"],
    });
    let (w, file) = estate(vec![binding], false);
    let out = w.run(&["audit", "-f", &file, "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let i = &v["identities"][0];
    assert_eq!(i["used"].as_u64(), Some(3), "{i:#}");
    assert_eq!(
        i["credentials"][2]["origin"], "aks-identity-binding",
        "{i:#}"
    );
    assert!(!w.calls().iter().any(|c| c[0] == "rest"), "{:?}", w.calls());
    let table = String::from_utf8_lossy(&w.run(&["audit", "-f", &file]).stdout).to_string();
    assert!(
        table.lines().any(|l| l.starts_with("  aks-identity-binding ")
            && l.contains("AKS identity binding")),
        "{table}"
    );
    assert!(
        table.contains(&format!(
            "identity {IDENTITY} ({RG}): 3/20 federated credentials"
        )),
        "{table}"
    );
}
