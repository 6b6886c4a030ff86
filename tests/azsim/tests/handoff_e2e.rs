//! The two-admin hand-off end to end with the real az against the
//! simulator, each side in an Azure CLI configuration of its own signed in to
//! one tenant only: Tenant A's `request` (its clusters read live), Tenant
//! B's `review` and `grant` (identities and credentials made, no role), and
//! Tenant A's `accept`. The simulator's request log shows that side A never
//! called Tenant B and side B never called Tenant A, in ARM or Entra.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

#[path = "graph_e2e/estate.rs"]
mod estate;
#[path = "handoff_e2e/sides.rs"]
mod sides;
#[path = "graph_e2e/spec.rs"]
mod spec;

use azsim::{Config, workspace_bin};
use estate::Estate;
use sides::{naming, profile, side};
use spec::{ClusterSpec, IdentitySpec, Spec, WorkloadSpec};

const IDS: &str = "rg-partner-a";

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
