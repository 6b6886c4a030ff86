//! Resource provider registrations as the real `az` reads them: `az resource show
//! --ids` picks the API version from the provider's `resourceTypes`, so it finds
//! what exists and answers 404 for what does not, as on Azure.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod behaviours;

use azsim::Harness;
use behaviours::az;

#[test]
fn resource_show_by_id_reads_the_provider_and_finds_the_resource() {
    let h = Harness::start();
    let sub = h.tenant_b().subscriptions[0].id.clone();
    az(
        &h,
        &sub,
        &["group", "create", "-n", "rg-ids", "-l", "eastus"],
    )
    .json();
    let id = az(
        &h,
        &sub,
        &["identity", "create", "-g", "rg-ids", "-n", "id1"],
    )
    .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let fic = az(
        &h,
        &sub,
        &[
            "identity",
            "federated-credential",
            "create",
            "-g",
            "rg-ids",
            "--identity-name",
            "id1",
            "-n",
            "f1",
            "--issuer",
            "https://issuer.example/",
            "--subject",
            "system:serviceaccount:a:b",
        ],
    )
    .json()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let shown = az(&h, &sub, &["resource", "show", "--ids", &id]).json();
    assert_eq!(
        shown["id"].as_str().unwrap().to_lowercase(),
        id.to_lowercase()
    );
    let shown = az(&h, &sub, &["resource", "show", "--ids", &fic]).json();
    assert_eq!(shown["name"], "f1");

    // A scope that no longer exists: ARM's 404, not a provider error.
    let gone = id.replace("/id1", "/id-gone");
    az(&h, &sub, &["resource", "show", "--ids", &gone]).fails(3, &["ResourceNotFound"]);
}
