//! Built-in roles as the real `az` finds them: each role the README's examples and
//! its least-privilege table lead to, by name, with Azure's own role definition ID
//! (learn.microsoft.com, "Azure built-in roles").
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod behaviours;

use azsim::Harness;
use behaviours::az;

/// (role name, Azure's role definition ID).
const ROLES: [(&str, &str); 9] = [
    (
        "Azure Service Bus Data Owner",
        "090c5cfd-751d-490a-894a-3ce6f1109419",
    ),
    (
        "Azure Service Bus Data Sender",
        "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
    ),
    ("Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7"),
    (
        "Azure Kubernetes Service Cluster User Role",
        "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
    ),
    (
        "Azure Kubernetes Service Contributor Role",
        "ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8",
    ),
    (
        "Managed Identity Contributor",
        "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59",
    ),
    (
        "Managed Identity Operator",
        "f1a07417-d97a-45cb-824c-7a7467783830",
    ),
    (
        "Role Based Access Control Administrator",
        "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    ),
    (
        "User Access Administrator",
        "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    ),
];

#[test]
fn the_roles_an_operator_is_pointed_to_exist_with_azures_ids() {
    let h = Harness::start();
    let sub = h.tenant_b().subscriptions[0].id.clone();
    let mut missing = Vec::new();
    for (name, guid) in ROLES {
        let found = az(&h, &sub, &["role", "definition", "list", "--name", name]).json();
        let ids: Vec<&str> = found
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["name"].as_str())
            .collect();
        if ids != [guid] {
            missing.push(format!("{name}: {ids:?}, expected [{guid}]"));
        }
    }
    assert!(
        missing.is_empty(),
        "roles not as Azure has them:\n{}",
        missing.join("\n")
    );

    // And they can be granted by name.
    az(
        &h,
        &sub,
        &["group", "create", "-n", "rg-roles", "-l", "eastus"],
    )
    .json();
    let id = az(
        &h,
        &sub,
        &["identity", "create", "-g", "rg-roles", "-n", "id1"],
    )
    .json();
    let scope = format!("/subscriptions/{sub}/resourceGroups/rg-roles");
    let ra = az(
        &h,
        &sub,
        &[
            "role",
            "assignment",
            "create",
            "--role",
            "Managed Identity Contributor",
            "--assignee-object-id",
            id["principalId"].as_str().unwrap(),
            "--assignee-principal-type",
            "ServicePrincipal",
            "--scope",
            &scope,
        ],
    )
    .json();
    assert!(
        ra["roleDefinitionId"]
            .as_str()
            .unwrap()
            .ends_with("e40ec5ca-96e0-45a2-b4ff-59039f2c2b59"),
        "{ra}"
    );
}
