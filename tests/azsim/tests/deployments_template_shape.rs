//! A template without the properties ARM's template parser requires (`$schema`,
//! `contentVersion`, `resources`, checked in that order) is refused, as the real
//! `az deployment group validate` and `create` meet it: 400 `InvalidTemplate`
//! "Deployment template parse failed: 'Required property '…' not found in JSON.
//! …'", and nothing is written. The templates az-xtenant writes pass.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod behaviours;

use azsim::Harness;
use behaviours::az;
use serde_json::{Value, json};

const SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

fn template(without: &str, identity: &str) -> Value {
    let mut t = json!({
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "resources": [{
            "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
            "apiVersion": "2023-01-31",
            "name": format!("{identity}/fic-shape"),
            "properties": {
                "issuer": "https://issuer.example/a/",
                "subject": "system:serviceaccount:ns:sa",
                "audiences": ["api://AzureADTokenExchange"],
            },
        }],
    });
    t.as_object_mut().unwrap().remove(without);
    t
}

#[test]
fn a_template_without_schema_content_version_or_resources_is_refused_and_nothing_is_written() {
    let h = Harness::start();
    let sub = h.tenant_b().subscriptions[0].id.clone();
    az(
        &h,
        &sub,
        &["group", "create", "-n", "rg-shape", "-l", "eastus"],
    )
    .json();
    az(
        &h,
        &sub,
        &["identity", "create", "-g", "rg-shape", "-n", "id-shape"],
    )
    .json();
    let dir = tempfile::tempdir().unwrap();
    for missing in ["$schema", "contentVersion", "resources"] {
        let file = dir.path().join("t.json");
        std::fs::write(&file, template(missing, "id-shape").to_string()).unwrap();
        for verb in ["validate", "create"] {
            let run = az(
                &h,
                &sub,
                &[
                    "deployment",
                    "group",
                    verb,
                    "-g",
                    "rg-shape",
                    "-n",
                    "d-shape",
                    "--template-file",
                    file.to_str().unwrap(),
                ],
            );
            run.fails(
                1,
                &[
                    "InvalidTemplate",
                    "Deployment template parse failed: 'Required property",
                    &format!("'{missing}' not found in JSON. Path ''"),
                ],
            );
        }
    }
    let fics = h.resources_of_type(
        "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
    );
    assert!(fics.is_empty(), "{fics:#?}");
    assert!(h.server.sim.lock().deployments.is_empty());
    // The same template whole deploys.
    let file = dir.path().join("whole.json");
    std::fs::write(&file, template("", "id-shape").to_string()).unwrap();
    let mut f = h.faults();
    f.deployment_retry_after_secs = Some(1);
    h.server.sim.set_faults(f);
    az(
        &h,
        &sub,
        &[
            "deployment",
            "group",
            "create",
            "-g",
            "rg-shape",
            "-n",
            "d-shape",
            "--template-file",
            file.to_str().unwrap(),
        ],
    )
    .json();
}
