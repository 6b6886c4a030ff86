//! The two-admin hand-off end to end with the real az against the
//! simulator, each side in an Azure CLI configuration of its own signed in to
//! one tenant only: Tenant A's `request` (its clusters read live), Tenant
//! B's `review` and `grant` (identities and credentials made, no role), and
//! Tenant A's `accept`. The simulator's request log shows that side A never
//! called Tenant B and side B never called Tenant A, in ARM or Entra.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

#[path = "graph_e2e/estate.rs"]
mod estate;
#[path = "graph_e2e/spec.rs"]
mod spec;

use std::path::Path;

use azsim::state::{RequestRecord, Surface};
use azsim::{Config, workspace_bin};
use estate::{Estate, Outcome};
use spec::{ClusterSpec, IdentitySpec, Spec, WorkloadSpec};

const IDS: &str = "rg-partner-a";

/// `az-xtenant` as one side: its own profile and az configuration.
fn side(e: &Estate, profile: &str, config: &Path, args: &[&str]) -> (Outcome, Vec<RequestRecord>) {
    let mark = e.h.mark();
    let started = std::time::Instant::now();
    let mut argv = vec!["--profile", profile];
    argv.extend(args);
    let out =
        e.h.env_in(config)
            .into_iter()
            .fold(duct::cmd(workspace_bin("az-xtenant"), argv), |c, (k, v)| {
                c.env(k, v)
            })
            .env("XTENANT_CONFIG_DIR", e.h.dir().join("profiles"))
            .env("XTENANT_POLL_SECS", "1")
            .env("NO_COLOR", "1")
            .stdin_null()
            .stdout_capture()
            .stderr_capture()
            .unchecked()
            .run()
            .unwrap();
    let outcome = Outcome {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
        az: Vec::new(),
        writes: e.h.writes_since(mark),
        requests: e.h.mark() - mark,
        took: started.elapsed(),
    };
    (outcome, e.h.requests_since(mark))
}

/// A side's profile.
fn profile(e: &Estate, name: &str) -> serde_json::Value {
    let path = e.h.dir().join("profiles").join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The ARM and Entra requests that name any of `ids` (a tenant or subscription).
fn naming(requests: &[RequestRecord], ids: &[&str]) -> Vec<String> {
    requests
        .iter()
        .filter(|r| matches!(r.surface, Surface::Arm | Surface::Entra))
        .filter(|r| {
            let path = r.path.to_ascii_lowercase();
            ids.iter().any(|id| path.contains(&id.to_ascii_lowercase()))
        })
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[test]
fn two_admins_who_never_share_a_login_set_up_the_trust() {
    let e = Estate::start(Config::two_tenants(), workspace_bin("az-xtenant"));
    let (ta, tb) = (e.h.tenant_a().id.clone(), e.h.tenant_b().id.clone());
    let (sa, sb) = (e.h.sub_a(0), e.h.sub_b(0));
    e.h.seed_cluster(&sa, "rg-aks", "aks-blue", &e.h.named_issuer("aks-blue"));
    let spec = Spec {
        tenant_a: ta.clone(),
        sub_a: sa.clone(),
        tenant_b: tb.clone(),
        sub_b: sb.clone(),
        identity_group: IDS.into(),
        clusters: vec![ClusterSpec {
            name: "aks-blue".into(),
            resource_group: "rg-aks".into(),
            subscription: None,
        }],
        identities: vec![IdentitySpec {
            name: "id-orders".into(),
            roles: Vec::new(),
        }],
        workloads: vec![
            WorkloadSpec::new("orders", "writer", "id-orders", None),
            WorkloadSpec::new("orders", "reader", "id-orders", None),
        ],
    };
    let file = e.write("xtenant.yaml", &spec.yaml());
    let a_config = e.h.one_tenant_config("a", e.h.tenant_a());
    let b_config = e.h.one_tenant_config("b", e.h.tenant_b());

    // Tenant A asks.
    let (request, calls) = side(&e, "a", &a_config, &["request", "-f", &file]);
    assert_eq!(request.code, 0, "{request}");
    assert_eq!(
        naming(&calls, &[&tb, &sb]),
        Vec::<String>::new(),
        "side A called Tenant B"
    );
    assert!(
        !naming(&calls, &[&sa]).is_empty(),
        "side A read its cluster"
    );
    let request_file = e.write("request.yaml", &request.out);

    // Tenant B reviews and grants.
    let (review, calls) = side(&e, "b", &b_config, &["review", &request_file]);
    assert!(review.code == 0 || review.code == 1, "no error: {review}");
    assert_eq!(
        naming(&calls, &[&ta, &sa]),
        Vec::<String>::new(),
        "side B called Tenant A"
    );
    e.h.expect_list_404(&format!(
        "/resourceGroups/{IDS}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?"
    ));
    e.h.expect_list_404("/userAssignedIdentities/id-orders/federatedIdentityCredentials?");
    let args = [
        "grant",
        &request_file,
        "-g",
        IDS,
        "--tenant-b",
        &tb,
        "--subscription-b",
        &sb,
        "--location",
        "eastus",
        "--yes",
    ];
    let (grant, calls) = side(&e, "b", &b_config, &args);
    assert_eq!(grant.code, 0, "{grant}");
    assert_eq!(
        naming(&calls, &[&ta, &sa]),
        Vec::<String>::new(),
        "side B called Tenant A"
    );
    let identity = format!(
        "/subscriptions/{sb}/resourceGroups/{IDS}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-orders"
    );
    let made = e.credentials(&identity);
    assert_eq!(made.len(), 2, "{made:?}");
    assert!(
        !grant.writes.iter().any(|w| w.contains("roleAssignments")),
        "no role unless Tenant B says so: {grant}"
    );
    let grant_file = e.write("grant.yaml", &grant.out);

    // Tenant A records the answer; no az call at all.
    let (accept, calls) = side(&e, "a", &a_config, &["accept", &grant_file]);
    assert_eq!(accept.code, 0, "{accept}");
    assert!(
        naming(&calls, &[&ta, &sa, &tb, &sb]).is_empty(),
        "{calls:?}"
    );
    let client_id = e.h.resource(&identity).unwrap()["properties"]["clientId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        profile(&e, "a")["graph"]["identities"]["id-orders"]["clientId"],
        client_id.as_str()
    );
    assert_eq!(e.h.unknown_routes(), Vec::<String>::new());
    assert_eq!(e.h.unexpected_list_404s(), Vec::<String>::new());
}
