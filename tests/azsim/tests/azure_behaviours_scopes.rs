//! ARM behaviours about where a request points, as the real `az` meets them: lists at
//! subscription scope, a child collection whose parent is missing, and a role
//! assignment's name bound to its principal, role and scope.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod behaviours;

use azsim::Harness;
use behaviours::az;
use serde_json::Value;

fn names(v: &Value) -> Vec<String> {
    let mut n: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["name"].as_str().map(String::from))
        .collect();
    n.sort();
    n
}

#[test]
fn lists_without_a_group_answer_the_whole_subscription() {
    let h = Harness::start();
    let sub = h.tenant_a().subscriptions[0].id.clone();
    for rg in ["rg-one", "rg-two"] {
        az(&h, &sub, &["group", "create", "-n", rg, "-l", "eastus"]).json();
    }
    for (rg, name) in [("rg-one", "c1"), ("rg-two", "c2")] {
        az(
            &h,
            &sub,
            &[
                "aks",
                "create",
                "-g",
                rg,
                "-n",
                name,
                "--enable-oidc-issuer",
                "--generate-ssh-keys",
                "--node-count",
                "1",
            ],
        )
        .json();
        az(
            &h,
            &sub,
            &["identity", "create", "-g", rg, "-n", &format!("id-{name}")],
        )
        .json();
    }
    // Another subscription's resources stay out of the list.
    let other = h.tenant_b().subscriptions[0].id.clone();
    az(
        &h,
        &other,
        &["group", "create", "-n", "rg-one", "-l", "eastus"],
    )
    .json();
    az(
        &h,
        &other,
        &["identity", "create", "-g", "rg-one", "-n", "id-b"],
    )
    .json();

    assert_eq!(names(&az(&h, &sub, &["aks", "list"]).json()), ["c1", "c2"]);
    assert_eq!(
        names(&az(&h, &sub, &["identity", "list"]).json()),
        ["id-c1", "id-c2"]
    );
    assert_eq!(h.unknown_routes(), Vec::<String>::new());
}

#[test]
fn credentials_of_a_missing_identity_are_not_found_not_empty() {
    let h = Harness::start();
    let sub = h.tenant_b().subscriptions[0].id.clone();
    az(&h, &sub, &["group", "create", "-n", "rg-x", "-l", "eastus"]).json();
    let list = [
        "identity",
        "federated-credential",
        "list",
        "-g",
        "rg-x",
        "--identity-name",
        "nobody",
    ];
    az(&h, &sub, &list).fails(3, &["ResourceNotFound", "userAssignedIdentities/nobody"]);
    // With the identity there, the same list is an empty one.
    az(
        &h,
        &sub,
        &["identity", "create", "-g", "rg-x", "-n", "nobody"],
    )
    .json();
    assert_eq!(az(&h, &sub, &list).json(), serde_json::json!([]));
}

#[test]
fn a_role_assignment_name_keeps_its_principal_and_role() {
    let h = Harness::start();
    let sub = h.tenant_b().subscriptions[0].id.clone();
    az(&h, &sub, &["group", "create", "-n", "rg-x", "-l", "eastus"]).json();
    let principal = |name: &str| {
        let id = az(&h, &sub, &["identity", "create", "-g", "rg-x", "-n", name]).json();
        id["principalId"].as_str().unwrap().to_string()
    };
    let (first, second) = (principal("id1"), principal("id2"));
    let scope = format!("/subscriptions/{sub}/resourceGroups/rg-x");
    let name = "3f0c2d4e-8a1b-4c5d-9e6f-7a8b9c0d1e2f";
    let assign = |who: &str, role: &str| {
        az(
            &h,
            &sub,
            &[
                "role",
                "assignment",
                "create",
                "--name",
                name,
                "--role",
                role,
                "--assignee-object-id",
                who,
                "--assignee-principal-type",
                "ServicePrincipal",
                "--scope",
                &scope,
            ],
        )
    };
    let made = assign(&first, "Azure Service Bus Data Owner").json();
    assert_eq!(made["principalId"], first.as_str());
    let refused = [
        "RoleAssignmentUpdateNotPermitted",
        "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
    ];
    assign(&second, "Azure Service Bus Data Owner").fails(1, &refused);
    assign(&first, "Reader").fails(1, &refused);
    let kept = h
        .resource(&format!(
            "{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"
        ))
        .unwrap();
    assert_eq!(kept["properties"]["principalId"], first.as_str());
    assert!(
        kept["properties"]["roleDefinitionId"]
            .as_str()
            .unwrap()
            .ends_with("090c5cfd-751d-490a-894a-3ce6f1109419"),
        "{kept}"
    );
}

#[test]
fn a_list_answered_404_is_reported_unless_expected() {
    let h = Harness::start();
    let sub = h.tenant_b().subscriptions[0].id.clone();
    az(&h, &sub, &["group", "create", "-n", "rg-x", "-l", "eastus"]).json();
    az(
        &h,
        &sub,
        &["identity", "show", "-g", "rg-x", "-n", "nobody"],
    )
    .fails(3, &[]);
    assert_eq!(
        h.unexpected_list_404s(),
        Vec::<String>::new(),
        "a single resource's 404 is an answer, not a missing list"
    );
    let list = [
        "identity",
        "federated-credential",
        "list",
        "-g",
        "rg-x",
        "--identity-name",
        "nobody",
    ];
    az(&h, &sub, &list).fails(3, &["ResourceNotFound"]);
    let found = h.unexpected_list_404s();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("GET ") && found[0].contains("/nobody/federatedIdentityCredentials"),
        "{found:?}"
    );
    h.expect_list_404("userAssignedIdentities/nobody/federatedIdentityCredentials");
    assert_eq!(h.unexpected_list_404s(), Vec::<String>::new());
}
