//! A version 2 profile holding both the demo and a declared graph, read,
//! migrated, written as version 3 and read back.

use serde_json::{Value, json};

use crate::graph_state::{DEMO, Origin};
use crate::profile::{Profile, SCHEMA_VERSION};

const SUB_A: &str = "/subscriptions/sa/resourceGroups/rg-a";
const SUB_B: &str = "/subscriptions/sb/resourceGroups/rg-b";

fn demo_cluster_id() -> String {
    format!("{SUB_A}/providers/Microsoft.ContainerService/managedClusters/aks-demo")
}

fn demo_identity_id() -> String {
    format!("{SUB_B}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/sb-x-identity")
}

fn demo_role_id() -> String {
    format!(
        "{SUB_B}/providers/Microsoft.ServiceBus/namespaces/sb-x/providers/Microsoft.Authorization/roleAssignments/r1"
    )
}

/// Version 2 as `az-xtenant up` and then `apply -f` left it.
fn version_2() -> Value {
    json!({
        "schemaVersion": 2,
        "id": "7d5a4a5e-1c1e-4a43-9c1c-2a5f0d3c1b11",
        "cluster": {
            "tenantId": "ta", "subscriptionId": "sa", "resourceGroup": "rg-a",
            "location": "westeurope", "clusterName": "aks-demo",
            "clusterId": demo_cluster_id(),
            "issuerUrl": "https://issuer.example/demo/",
            "nodeSize": "kept"
        },
        "resources": {
            "tenantId": "tb", "subscriptionId": "sb", "resourceGroup": "rg-b",
            "location": "westeurope",
            "servicebusNamespace": "sb-x",
            "servicebusId": format!("{SUB_B}/providers/Microsoft.ServiceBus/namespaces/sb-x"),
            "servicebusHostname": "sb-x.servicebus.windows.net",
            "queueName": "myqueue",
            "identityName": "sb-x-identity",
            "identityId": demo_identity_id(),
            "clientId": "c-demo",
            "principalId": "p-demo",
            "roleAssignmentId": demo_role_id(),
            "federatedCredentialName": "sb-x-identity-fic"
        },
        "workload": {
            "namespace": "default", "serviceAccount": "myserviceaccount",
            "jobName": "myproducer", "messageCount": 100, "image": "img"
        },
        "owned": [
            {"kind": "resourceGroup", "id": SUB_A, "state": "created"},
            {"kind": "managedIdentity", "id": demo_identity_id(), "state": "created"}
        ],
        "graph": {
            "tenantB": "tb",
            "clusters": {"aks-blue": {"id": "/subscriptions/sa/resourceGroups/rg-g/providers/Microsoft.ContainerService/managedClusters/aks-blue", "issuerUrl": "https://blue/"}},
            "identities": {"orders-writer": {"id": "/subscriptions/sb/resourceGroups/rg-g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/orders-writer", "clientId": "c-g", "principalId": "p-g"}},
            "bindings": [{"cluster": "aks-blue", "namespace": "orders", "serviceAccount": "writer",
                          "identity": "orders-writer", "credential": "xt-aks-blue-orders-writer"}],
            "proofs": [{"issuer": "https://blue/", "subject": "system:serviceaccount:orders:writer", "clientId": "c-g", "at": 5}]
        },
        "future": {"a": 1}
    })
}

fn read(v: &Value) -> Profile {
    let mut p: Profile = serde_json::from_value(v.clone()).expect("parses");
    p.migrate();
    p
}

#[test]
fn a_version_2_profile_with_a_demo_and_a_graph_becomes_version_3() {
    let p = read(&version_2());
    assert_eq!(p.schema_version, SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION, 3);
    let c = p.graph.demo_cluster().expect("the demo's cluster entry");
    assert_eq!(c.origin, Origin::Demo);
    assert_eq!(c.id.as_deref(), Some(demo_cluster_id().as_str()));
    assert_eq!(p.demo_issuer(), Some("https://issuer.example/demo/"));
    let i = p.graph.demo_identity().expect("the demo's identity entry");
    assert_eq!(i.origin, Origin::Demo);
    assert_eq!(i.id.as_deref(), Some(demo_identity_id().as_str()));
    assert_eq!(p.demo_client_id(), Some("c-demo"));
    assert_eq!(i.principal_id.as_deref(), Some("p-demo"));
    assert_eq!(i.role_assignments, vec![demo_role_id()]);
    let b = p.graph.demo_binding().expect("the demo's binding");
    assert_eq!(
        (b.namespace.as_str(), b.service_account.as_str()),
        ("default", "myserviceaccount")
    );
    assert_eq!(p.demo_credential(), Some("sb-x-identity-fic"));
    // The declared graph is as it was, and apart from the demo's.
    let declared: Vec<&String> = p.graph.declared_clusters().map(|(n, _)| n).collect();
    assert_eq!(declared, ["aks-blue"]);
    let declared: Vec<&String> = p.graph.declared_identities().map(|(n, _)| n).collect();
    assert_eq!(declared, ["orders-writer"]);
    assert_eq!(p.graph.declared_bindings().count(), 1);
    assert_eq!(
        p.graph.identity_for("orders", "writer").map(|(n, _)| n),
        Some("orders-writer")
    );
    assert!(
        p.graph
            .identity_for("default", "myserviceaccount")
            .is_none()
    );
    assert_eq!(p.graph.proofs.len(), 1);
    // Settings, names and unknown fields stay where they were.
    assert_eq!(p.cluster.cluster_name.as_deref(), Some("aks-demo"));
    assert_eq!(p.cluster.extra["nodeSize"], "kept");
    assert_eq!(
        p.resources.servicebus_hostname.as_deref(),
        Some("sb-x.servicebus.windows.net")
    );
    assert_eq!(p.resources.identity_name.as_deref(), Some("sb-x-identity"));
    assert_eq!(p.extra["future"]["a"], 1);
    assert_eq!(p.owned.iter().count(), 2);
}

#[test]
fn version_3_is_written_and_reads_back_identically() {
    let p = read(&version_2());
    let written = serde_json::to_value(&p).expect("serializes");
    assert_eq!(written["schemaVersion"], 3);
    for moved in ["clusterId", "issuerUrl"] {
        assert!(written["cluster"].get(moved).is_none(), "cluster.{moved}");
    }
    for moved in [
        "identityId",
        "clientId",
        "principalId",
        "roleAssignmentId",
        "federatedCredentialName",
    ] {
        assert!(
            written["resources"].get(moved).is_none(),
            "resources.{moved}"
        );
    }
    assert_eq!(written["graph"]["clusters"][DEMO]["origin"], "demo");
    assert_eq!(written["graph"]["identities"][DEMO]["origin"], "demo");
    assert!(
        written["graph"]["clusters"]["aks-blue"]
            .get("origin")
            .is_none()
    );
    let again = read(&written);
    assert_eq!(again, p, "every field kept");
    assert_eq!(serde_json::to_value(&again).expect("serializes"), written);
    // Every value of version 2 is somewhere in version 3.
    let text = written.to_string();
    for (section, fields) in [
        (
            "cluster",
            &["clusterId", "issuerUrl", "nodeSize", "clusterName"][..],
        ),
        (
            "resources",
            &[
                "identityId",
                "clientId",
                "principalId",
                "roleAssignmentId",
                "federatedCredentialName",
                "servicebusId",
            ][..],
        ),
    ] {
        for f in fields {
            let v = version_2()[section][f].clone();
            assert!(text.contains(&v.to_string()), "{section}.{f} = {v} lost");
        }
    }
}

#[test]
fn a_null_is_dropped_and_a_value_of_another_type_stays_put() {
    let mut v = version_2();
    v["cluster"]["issuerUrl"] = Value::Null;
    v["cluster"]["clusterId"] = Value::Null;
    v["resources"]["clientId"] = json!(5);
    let p = read(&v);
    assert!(
        p.graph.demo_cluster().is_none(),
        "nothing recorded of the cluster"
    );
    assert_eq!(p.resources.extra["clientId"], 5);
    assert_eq!(p.demo_client_id(), None);
}

#[test]
fn a_profile_without_a_demo_gets_no_demo_entries() {
    let mut v = version_2();
    for f in ["clusterId", "issuerUrl"] {
        v["cluster"].as_object_mut().expect("object").remove(f);
    }
    for f in [
        "identityId",
        "clientId",
        "principalId",
        "roleAssignmentId",
        "federatedCredentialName",
    ] {
        v["resources"].as_object_mut().expect("object").remove(f);
    }
    let p = read(&v);
    assert!(p.graph.demo_cluster().is_none());
    assert!(p.graph.demo_identity().is_none());
    assert!(p.graph.demo_binding().is_none());
    assert!(p.graph.has_declared());
}

#[test]
fn the_credential_name_last_chosen_or_made_is_the_demos() {
    let mut p = read(&version_2());
    assert_eq!(
        p.resources.federated_credential_name, None,
        "made: recorded"
    );
    assert_eq!(p.demo_credential(), Some("sb-x-identity-fic"));
    // `init --federated-credential-name` after the credential was made.
    p.resources.federated_credential_name = Some("renamed".into());
    assert_eq!(p.demo_credential(), Some("renamed"));
    // Before anything was made, the name chosen is the one to make.
    let mut v = version_2();
    v["resources"]
        .as_object_mut()
        .expect("object")
        .remove("identityId");
    let p = read(&v);
    assert!(p.graph.demo_binding().is_none());
    assert_eq!(p.demo_credential(), Some("sb-x-identity-fic"));
}
