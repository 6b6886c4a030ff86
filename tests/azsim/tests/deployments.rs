//! Template deployments as the real `az deployment group create` meets them:
//! validation, a `dependsOn` chain that serialises one identity's credential
//! writes, the concurrent-write refusal when nothing serialises them, a failed
//! resource failing the deployment with its error in the details, a resource
//! defined twice refused at validation, and `DeploymentActive` for a
//! deployment whose namesake still runs.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod behaviours;

use std::time::{Duration, Instant};

use azsim::Harness;
use behaviours::{Run, az};
use serde_json::{Value, json};

const FIC: &str = "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials";

fn credential(identity_id: &str, name: &str, subject: &str, after: Option<&str>) -> Value {
    let mut r = json!({
        "type": FIC,
        "apiVersion": "2023-01-31",
        "name": format!("{}/{name}", identity_id.rsplit('/').next().unwrap()),
        "properties": {
            "issuer": "https://issuer.example/a/",
            "subject": subject,
            "audiences": ["api://AzureADTokenExchange"],
        },
    });
    if let Some(prev) = after {
        r["dependsOn"] = json!([format!("{identity_id}/federatedIdentityCredentials/{prev}")]);
    }
    r
}

fn deploy(h: &Harness, sub: &str, name: &str, resources: &[Value]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.json");
    let template = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": resources,
    });
    std::fs::write(&file, template.to_string()).unwrap();
    az(
        h,
        sub,
        &[
            "deployment",
            "group",
            "create",
            "-g",
            "rg-d",
            "-n",
            name,
            "--template-file",
            file.to_str().unwrap(),
        ],
    )
}

fn names(h: &Harness, sub: &str) -> Vec<String> {
    let list = az(
        h,
        sub,
        &[
            "identity",
            "federated-credential",
            "list",
            "-g",
            "rg-d",
            "--identity-name",
            "id-d",
        ],
    )
    .json();
    let mut n: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    n.sort();
    n
}

#[test]
fn deployments_run_templates_the_way_arm_does() {
    let h = Harness::start();
    let sub = h.tenant_b().subscriptions[0].id.clone();
    az(&h, &sub, &["group", "create", "-n", "rg-d", "-l", "eastus"]).json();
    let id = az(
        &h,
        &sub,
        &["identity", "create", "-g", "rg-d", "-n", "id-d"],
    )
    .json();
    let identity = id["id"].as_str().unwrap().to_string();
    let mut f = h.faults();
    f.fic_write_ms = 300;
    // These checks time nothing: az may look again every second.
    f.deployment_retry_after_secs = Some(1);
    h.server.sim.set_faults(f);

    // A chain: three writes on one identity, one after the other, one az.
    let mark = h.mark();
    let chain = vec![
        credential(&identity, "c1", "system:serviceaccount:a:one", None),
        credential(&identity, "c2", "system:serviceaccount:a:two", Some("c1")),
        credential(&identity, "c3", "system:serviceaccount:a:three", Some("c2")),
    ];
    let done = deploy(&h, &sub, "chain", &chain).json();
    assert_eq!(
        done["properties"]["provisioningState"], "Succeeded",
        "{done:#}"
    );
    assert_eq!(names(&h, &sub), ["c1", "c2", "c3"]);
    let puts: Vec<(String, u16)> = behaviours::ops_since(&h, mark)
        .into_iter()
        .filter(|(op, _)| op.ends_with(".put") || op.ends_with(".validate"))
        .collect();
    assert_eq!(
        puts,
        [
            ("deployments.validate".to_string(), 200),
            ("deployments.put".to_string(), 201),
            ("federatedIdentityCredentials.put".to_string(), 201),
            ("federatedIdentityCredentials.put".to_string(), 201),
            ("federatedIdentityCredentials.put".to_string(), 201),
        ]
    );

    // Without the chain, Azure refuses the second concurrent write: the
    // deployment fails and az shows the resource's own error.
    let loose = vec![
        credential(&identity, "c4", "system:serviceaccount:a:four", None),
        credential(&identity, "c5", "system:serviceaccount:a:five", None),
    ];
    deploy(&h, &sub, "loose", &loose).fails(
        1,
        &[
            "DeploymentFailed",
            "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity",
        ],
    );
    // A failed resource: the same issuer and subject under another name.
    let twin = vec![credential(
        &identity,
        "c1-twin",
        "system:serviceaccount:a:one",
        None,
    )];
    deploy(&h, &sub, "twin", &twin).fails(
        1,
        &[
            "DeploymentFailed",
            "Issuer and subject combination already exists",
        ],
    );
    // What it cannot run is refused at validation, before anything is written.
    let mut bad = credential(
        &identity,
        "c6",
        "system:serviceaccount:a:six",
        Some("nowhere"),
    );
    let before = names(&h, &sub);
    deploy(&h, &sub, "bad", &[bad.clone()])
        .fails(1, &["InvalidTemplate", "is not defined in the template"]);
    bad["dependsOn"] = Value::Null;
    bad["name"] = json!("[concat('id-d/', 'c6')]");
    deploy(&h, &sub, "bad", &[bad]).fails(1, &["InvalidTemplate", "template expression"]);
    // One resource twice, even chained, is refused: nothing is overwritten.
    let twice = vec![
        credential(&identity, "c9", "system:serviceaccount:a:nine", None),
        credential(&identity, "c9", "system:serviceaccount:b:nine", Some("c9")),
    ];
    deploy(&h, &sub, "twice", &twice).fails(
        1,
        &[
            "InvalidTemplate",
            "The resource 'Microsoft.ManagedIdentity/userAssignedIdentities/id-d/federatedIdentityCredentials/c9' is defined multiple times in a template",
        ],
    );
    assert_eq!(names(&h, &sub), before, "a refused template writes nothing");

    // A deployment whose namesake still runs is refused.
    h.hold("federatedIdentityCredentials.put");
    let first = vec![credential(
        &identity,
        "c7",
        "system:serviceaccount:a:seven",
        None,
    )];
    std::thread::scope(|s| {
        let running = s.spawn(|| deploy(&h, &sub, "again", &first));
        let deadline = Instant::now() + Duration::from_secs(60);
        while h.server.sim.held("federatedIdentityCredentials.put") == 0 {
            assert!(
                Instant::now() < deadline,
                "the first deployment's write was not held"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let second = vec![credential(
            &identity,
            "c8",
            "system:serviceaccount:a:eight",
            None,
        )];
        deploy(&h, &sub, "again", &second).fails(1, &["DeploymentActive", "still active"]);
        h.release("federatedIdentityCredentials.put");
        running.join().unwrap().json();
    });
    assert!(names(&h, &sub).contains(&"c7".to_string()));
    assert!(!names(&h, &sub).contains(&"c8".to_string()));
}
