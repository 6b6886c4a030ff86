//! Built-in roles grant what Azure's definitions of them grant: a principal
//! holding only one of them, signed in with the real az, may do what the role's
//! `actions` allow (less its `notActions`) at the assignment's scope and below,
//! and is refused the rest with ARM's `AuthorizationFailed` naming the action.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use azsim::{Harness, ServicePrincipal};
use serde_json::json;

const ISSUER: &str = "https://oic.builtin.example/t/";

/// Signs az in to `tenant` as a new principal holding only `role` over `scope`.
fn holding(h: &Harness, tenant: &str, role: &str, scope: &str) -> ServicePrincipal {
    let sp = h.create_principal(tenant, &json!([{"role": role, "scope": scope}]));
    h.sign_in_as(tenant, &sp);
    sp
}

/// From the next request on, `sp` holds only `role` over `scope` (its roles
/// replaced in the simulator: az stays signed in as it).
fn now_holding(h: &Harness, tenant: &str, sp: &ServicePrincipal, role: &str, scope: &str) {
    h.set_principal_roles(tenant, sp, &json!([{"role": role, "scope": scope}]));
}

/// `az args --subscription sub` succeeds.
fn allowed(h: &Harness, sub: &str, args: &[&str]) {
    let mut a = args.to_vec();
    a.extend(["--subscription", sub, "-o", "none"]);
    h.run_az(&a).unwrap_or_else(|e| panic!("{e:#}"));
}

/// `az args --subscription sub` is refused, naming `action`.
fn refused(h: &Harness, sub: &str, args: &[&str], action: &str) {
    let mut a = args.to_vec();
    a.extend(["--subscription", sub, "-o", "none"]);
    let out = h.az_output(&a).unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success()
            && err.contains("AuthorizationFailed")
            && err.contains(&format!("'{action}'")),
        "az {args:?} should be refused naming {action}: {err}"
    );
}

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn fic_create<'a>(rg: &'a str, identity: &'a str, name: &'a str) -> Vec<&'a str> {
    vec![
        "identity",
        "federated-credential",
        "create",
        "-g",
        rg,
        "--identity-name",
        identity,
        "-n",
        name,
        "--issuer",
        ISSUER,
        "--subject",
        "system:serviceaccount:ns:sa",
    ]
}

#[test]
fn managed_identity_contributor_on_a_group_manages_its_identities_and_credentials_only() {
    let h = Harness::start();
    let (tb, sb) = (h.tenant_b().id.clone(), h.sub_b(0));
    allowed(&h, &sb, &["group", "create", "-n", "rg-mi", "-l", "eastus"]);
    allowed(
        &h,
        &sb,
        &["group", "create", "-n", "rg-else", "-l", "eastus"],
    );
    let group = format!("/subscriptions/{sb}/resourceGroups/rg-mi");
    holding(&h, &tb, "Managed Identity Contributor", &group);
    allowed(
        &h,
        &sb,
        &["identity", "create", "-g", "rg-mi", "-n", "id-1"],
    );
    allowed(&h, &sb, &["identity", "list", "-g", "rg-mi"]);
    // Azure added the credential actions to the role in 2024.
    allowed(&h, &sb, &fic_create("rg-mi", "id-1", "fic-1"));
    allowed(&h, &sb, &["group", "show", "-n", "rg-mi"]);
    refused(
        &h,
        &sb,
        &[
            "identity", "create", "-g", "rg-else", "-n", "id-2", "-l", "eastus",
        ],
        "Microsoft.ManagedIdentity/userAssignedIdentities/write",
    );
    refused(
        &h,
        &sb,
        &["group", "delete", "-n", "rg-mi", "--yes"],
        "Microsoft.Resources/subscriptions/resourceGroups/delete",
    );
    let principal = h.az_json(&[
        "identity",
        "show",
        "-g",
        "rg-mi",
        "-n",
        "id-1",
        "--subscription",
        &sb,
    ])["principalId"]
        .as_str()
        .unwrap()
        .to_string();
    refused(
        &h,
        &sb,
        &[
            "role",
            "assignment",
            "create",
            "--role",
            "Reader",
            "--assignee-object-id",
            &principal,
            "--assignee-principal-type",
            "ServicePrincipal",
            "--scope",
            &group,
        ],
        "Microsoft.Authorization/roleAssignments/write",
    );
}

#[test]
fn managed_identity_operator_reads_identities_and_writes_nothing() {
    let h = Harness::start();
    let (tb, sb) = (h.tenant_b().id.clone(), h.sub_b(0));
    allowed(&h, &sb, &["group", "create", "-n", "rg-op", "-l", "eastus"]);
    allowed(
        &h,
        &sb,
        &["identity", "create", "-g", "rg-op", "-n", "id-op"],
    );
    holding(
        &h,
        &tb,
        "Managed Identity Operator",
        &format!("/subscriptions/{sb}"),
    );
    // `userAssignedIdentities/*/read` covers the identity's own read.
    allowed(&h, &sb, &["identity", "show", "-g", "rg-op", "-n", "id-op"]);
    refused(
        &h,
        &sb,
        &["identity", "create", "-g", "rg-op", "-n", "id-more"],
        "Microsoft.ManagedIdentity/userAssignedIdentities/write",
    );
    refused(
        &h,
        &sb,
        &fic_create("rg-op", "id-op", "fic-op"),
        "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
    );
}

#[test]
fn reader_on_tenant_a_reads_everything_and_writes_nothing() {
    let h = Harness::start();
    let (ta, sa) = (h.tenant_a().id.clone(), h.sub_a(0));
    h.seed_cluster(&sa, "rg-aks", "aks-1", ISSUER);
    holding(&h, &ta, "Reader", &format!("/subscriptions/{sa}"));
    allowed(&h, &sa, &["aks", "list"]);
    allowed(&h, &sa, &["aks", "show", "-g", "rg-aks", "-n", "aks-1"]);
    allowed(&h, &sa, &["group", "list"]);
    refused(
        &h,
        &sa,
        &["group", "create", "-n", "rg-new", "-l", "eastus"],
        "Microsoft.Resources/subscriptions/resourceGroups/write",
    );
    refused(
        &h,
        &sa,
        &["group", "delete", "-n", "rg-aks", "--yes"],
        "Microsoft.Resources/subscriptions/resourceGroups/delete",
    );
}

#[test]
fn aks_roles_read_and_write_clusters_only() {
    let h = Harness::start();
    let (ta, sa) = (h.tenant_a().id.clone(), h.sub_a(0));
    h.seed_cluster(&sa, "rg-aks", "aks-1", ISSUER);
    let group = format!("/subscriptions/{sa}/resourceGroups/rg-aks");
    let sp = holding(
        &h,
        &ta,
        "Azure Kubernetes Service Cluster User Role",
        &group,
    );
    allowed(&h, &sa, &["aks", "show", "-g", "rg-aks", "-n", "aks-1"]);
    refused(
        &h,
        &sa,
        &["group", "show", "-n", "rg-aks"],
        "Microsoft.Resources/subscriptions/resourceGroups/read",
    );
    now_holding(
        &h,
        &ta,
        &sp,
        "Azure Kubernetes Service Contributor Role",
        &group,
    );
    allowed(&h, &sa, &["aks", "show", "-g", "rg-aks", "-n", "aks-1"]);
    refused(
        &h,
        &sa,
        &[
            "identity", "create", "-g", "rg-aks", "-n", "id-x", "-l", "eastus",
        ],
        "Microsoft.ManagedIdentity/userAssignedIdentities/write",
    );
}

#[test]
fn access_administrators_assign_roles_and_contributor_may_not() {
    let h = Harness::start();
    let (tb, sb) = (h.tenant_b().id.clone(), h.sub_b(0));
    allowed(&h, &sb, &["group", "create", "-n", "rg-ra", "-l", "eastus"]);
    let made = h.az_json(&[
        "identity",
        "create",
        "-g",
        "rg-ra",
        "-n",
        "id-ra",
        "--subscription",
        &sb,
    ]);
    let principal = made["principalId"].as_str().unwrap().to_string();
    let group = format!("/subscriptions/{sb}/resourceGroups/rg-ra");
    let assign = |role: &str| -> Vec<String> {
        [
            "role",
            "assignment",
            "create",
            "--role",
            role,
            "--assignee-object-id",
            &principal,
            "--assignee-principal-type",
            "ServicePrincipal",
            "--scope",
            &group,
        ]
        .map(str::to_string)
        .to_vec()
    };
    let admins = [
        ("Role Based Access Control Administrator", "Reader"),
        ("User Access Administrator", "Key Vault Secrets User"),
    ];
    // Signed in once; each admin role then replaces the last.
    let sp = holding(&h, &tb, admins[0].0, &group);
    for (admin, role) in admins {
        now_holding(&h, &tb, &sp, admin, &group);
        let v = assign(role);
        allowed(&h, &sb, &args(&v));
        refused(
            &h,
            &sb,
            &["identity", "create", "-g", "rg-ra", "-n", "id-no"],
            "Microsoft.ManagedIdentity/userAssignedIdentities/write",
        );
    }
    now_holding(&h, &tb, &sp, "Contributor", &group);
    allowed(
        &h,
        &sb,
        &["identity", "create", "-g", "rg-ra", "-n", "id-yes"],
    );
    let v = assign("Contributor");
    refused(
        &h,
        &sb,
        &args(&v),
        "Microsoft.Authorization/roleAssignments/write",
    );
}
