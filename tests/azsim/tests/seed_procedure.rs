//! The seed procedure's own Azure commands, run with the real `az` against the simulator.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use azsim::Harness;

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/seed-procedure.sh")
}

fn run(h: &Harness, phase: &str, extra: &[(&str, &str)]) -> String {
    let mut cmd = h.with_env(duct::cmd("bash", [script().as_os_str(), phase.as_ref()]));
    for (k, v) in h.ids_env() {
        cmd = cmd.env(k, v);
    }
    for (k, v) in extra {
        cmd = cmd.env(k, v);
    }
    let out = cmd
        .stdout_capture()
        .stderr_capture()
        .unchecked()
        .run()
        .expect("running bash");
    assert!(
        out.status.success(),
        "seed-procedure.sh {phase} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn seed_procedure_runs_against_the_simulator() {
    let h = Harness::start();
    let started = Instant::now();
    let out = run(&h, "setup", &[]);
    eprintln!("seed procedure (setup) took {:?}", started.elapsed());
    let vars: HashMap<&str, &str> = out.lines().filter_map(|l| l.split_once('=')).collect();
    let var = |k: &str| {
        *vars
            .get(k)
            .unwrap_or_else(|| panic!("{k} not printed by the script:\n{out}"))
    };

    let (a, b) = (h.tenant_a(), h.tenant_b());
    let rg = var("RESOURCE_GROUP");
    let cluster_id = format!(
        "/subscriptions/{}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{}",
        a.subscriptions[0].id,
        var("CLUSTER_NAME")
    );
    let cluster = h
        .resource(&cluster_id)
        .expect("the cluster exists in Tenant A");
    let issuer = cluster["properties"]["oidcIssuerProfile"]["issuerURL"]
        .as_str()
        .unwrap();
    assert_eq!(issuer, var("OIDC_ISSUER_URL"));
    assert!(
        issuer.starts_with("https://eastus.oic.prod-aks.azure.com/") && issuer.ends_with('/'),
        "{issuer}"
    );
    assert!(issuer.contains(&a.id), "issuer names Tenant A: {issuer}");
    assert_eq!(
        cluster["properties"]["securityProfile"]["workloadIdentity"]["enabled"],
        true
    );

    let b_rg = format!(
        "/subscriptions/{}/resourceGroups/{rg}",
        b.subscriptions[0].id
    );
    let ns_id = format!(
        "{b_rg}/providers/Microsoft.ServiceBus/namespaces/{}",
        var("SERVICEBUS_NAME")
    );
    assert_eq!(var("SERVICEBUS_ID"), ns_id);
    let ns = h
        .resource(&ns_id)
        .expect("the namespace exists in Tenant B");
    assert_eq!(ns["properties"]["disableLocalAuth"], true);
    assert_eq!(
        var("SERVICEBUS_HOSTNAME"),
        format!("{}.servicebus.windows.net", var("SERVICEBUS_NAME"))
    );
    assert!(
        h.resource(&format!("{ns_id}/queues/myqueue")).is_some(),
        "queue myqueue exists"
    );

    let identity_id = format!(
        "{b_rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{}",
        var("IDENTITY_NAME")
    );
    let identity = h
        .resource(&identity_id)
        .expect("the identity exists in Tenant B");
    assert_eq!(identity["properties"]["clientId"], var("CLIENT_ID"));
    assert_eq!(identity["properties"]["principalId"], var("PRINCIPAL_ID"));
    assert_eq!(identity["properties"]["tenantId"], b.id.as_str());

    let creds: Vec<_> = h
        .resources_of_type(
            "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
        )
        .into_iter()
        .filter(|c| c["id"].as_str().unwrap().starts_with(&identity_id))
        .collect();
    assert_eq!(creds.len(), 1, "one federated credential: {creds:#?}");
    assert_eq!(
        creds[0]["properties"]["issuer"], issuer,
        "issuer copied byte for byte"
    );
    assert_eq!(
        creds[0]["properties"]["subject"],
        "system:serviceaccount:default:myserviceaccount"
    );
    assert_eq!(
        creds[0]["properties"]["audiences"][0],
        "api://AzureADTokenExchange"
    );

    let assignments: Vec<_> = h
        .resources_of_type("Microsoft.Authorization/roleAssignments")
        .into_iter()
        .filter(|r| r["properties"]["principalId"] == var("PRINCIPAL_ID"))
        .collect();
    assert_eq!(assignments.len(), 1, "{assignments:#?}");
    assert_eq!(assignments[0]["properties"]["scope"], ns_id.as_str());
    assert!(
        assignments[0]["properties"]["roleDefinitionId"]
            .as_str()
            .unwrap()
            .ends_with("/090c5cfd-751d-490a-894a-3ce6f1109419")
    );

    let kubeconfig = std::fs::read_to_string(h.dir().join("home/.kube/config"))
        .expect("get-credentials wrote ~/.kube/config");
    assert!(kubeconfig.contains(var("CLUSTER_NAME")), "{kubeconfig}");

    run(&h, "cleanup", &[("RESOURCE_GROUP", rg)]);
    assert!(
        h.resource(&cluster_id).is_none(),
        "cleanup deleted Tenant A's group and cluster"
    );
    assert!(
        h.resource(&b_rg).is_none() && h.resource(&identity_id).is_none(),
        "cleanup deleted Tenant B's group and its resources"
    );
    assert_eq!(
        h.unknown_routes(),
        Vec::<String>::new(),
        "requests the simulator could not route"
    );
}

/// Without XTENANT_AZ the simulator tests must fail, saying how to get the real az.
#[test]
fn fails_loudly_without_xtenant_az() {
    let exe = std::env::current_exe().unwrap();
    let out = duct::cmd(
        exe,
        [
            "--exact",
            "seed_procedure_runs_against_the_simulator",
            "--nocapture",
        ],
    )
    .env_remove("XTENANT_AZ")
    .stdout_capture()
    .stderr_capture()
    .unchecked()
    .run()
    .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !out.status.success(),
        "the test passed without the real az:\n{text}"
    );
    assert!(
        text.contains("XTENANT_AZ is not set") && text.contains("./test.sh"),
        "{text}"
    );
}
