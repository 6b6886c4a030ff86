//! Profiles as older xtenant versions wrote them, for the tests that read
//! them through today's migration.

use serde_json::{Value, json};

pub const TENANT_A: &str = "11111111-1111-4111-8111-111111111111";
pub const SUB_A: &str = "22222222-2222-4222-8222-222222222222";
pub const TENANT_B: &str = "33333333-3333-4333-8333-333333333333";
pub const SUB_B: &str = "44444444-4444-4444-8444-444444444444";
/// The demo's group, in both tenants.
pub const DEMO_GROUP: &str = "rg-demo";
/// The declared graph's group, in both tenants.
pub const GRAPH_GROUP: &str = "rg-graph";
pub const DEMO_CLUSTER: &str = "aks-demo";
pub const DEMO_ISSUER: &str = "https://demo.issuer.example/t/";
pub const DEMO_IDENTITY: &str = "sb-crosstenantdemo-1-identity";
pub const DEMO_CLIENT: &str = "55555555-5555-4555-8555-555555555555";
pub const DEMO_PRINCIPAL: &str = "66666666-6666-4666-8666-666666666666";
pub const DEMO_CREDENTIAL: &str = "sb-crosstenantdemo-1-identity-fic";
pub const GRAPH_CLUSTER: &str = "aks-blue";
pub const GRAPH_ISSUER: &str = "https://blue.issuer.example/t/";
pub const GRAPH_IDENTITY: &str = "orders-writer";
pub const GRAPH_CLIENT: &str = "77777777-7777-4777-8777-777777777777";
/// An identity the graph made and its file no longer declares.
pub const GRAPH_OLD_IDENTITY: &str = "orders-old";
pub const GRAPH_CREDENTIAL: &str = "xt-aks-blue-orders-writer";

pub fn group_id(sub: &str, group: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{group}")
}

pub fn identity_id(group: &str, name: &str) -> String {
    format!(
        "{}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}",
        group_id(SUB_B, group)
    )
}

pub fn credential_id(group: &str, identity: &str, name: &str) -> String {
    format!(
        "{}/federatedIdentityCredentials/{name}",
        identity_id(group, identity)
    )
}

pub fn demo_namespace_id() -> String {
    format!(
        "{}/providers/Microsoft.ServiceBus/namespaces/sb-crosstenantdemo-1",
        group_id(SUB_B, DEMO_GROUP)
    )
}

pub fn demo_role_id() -> String {
    format!(
        "{}/providers/Microsoft.Authorization/roleAssignments/aaaaaaaa-0000-4000-8000-000000000001",
        demo_namespace_id()
    )
}

pub fn graph_role_id() -> String {
    format!(
        "{}/providers/Microsoft.Authorization/roleAssignments/aaaaaaaa-0000-4000-8000-000000000002",
        group_id(SUB_B, GRAPH_GROUP)
    )
}

/// A version 2 profile after `az-xtenant up` and then `apply -f`: the demo's
/// IDs beside its settings, a declared graph (one cluster, one bound
/// identity, and one identity the file no longer declares) beside it, and
/// what each created in `owned`.
pub fn version_2_with_demo_and_graph() -> Value {
    let demo_cluster_id = format!(
        "{}/providers/Microsoft.ContainerService/managedClusters/{DEMO_CLUSTER}",
        group_id(SUB_A, DEMO_GROUP)
    );
    let graph_cluster_id = format!(
        "{}/providers/Microsoft.ContainerService/managedClusters/{GRAPH_CLUSTER}",
        group_id(SUB_A, GRAPH_GROUP)
    );
    let created = |kind: &str, id: String| json!({"kind": kind, "id": id, "state": "created", "createdAt": 1000});
    json!({
        "schemaVersion": 2,
        "id": "9b1f3c1e-0d7a-4f5e-9c1b-2d3e4f5a6b7c",
        "cluster": {
            "tenantId": TENANT_A, "subscriptionId": SUB_A, "resourceGroup": DEMO_GROUP,
            "location": "eastus", "clusterName": DEMO_CLUSTER,
            "clusterId": demo_cluster_id, "issuerUrl": DEMO_ISSUER
        },
        "resources": {
            "tenantId": TENANT_B, "subscriptionId": SUB_B, "resourceGroup": DEMO_GROUP,
            "location": "eastus",
            "servicebusNamespace": "sb-crosstenantdemo-1",
            "servicebusId": demo_namespace_id(),
            "servicebusHostname": "sb-crosstenantdemo-1.servicebus.windows.net",
            "queueName": "myqueue",
            "identityName": DEMO_IDENTITY,
            "identityId": identity_id(DEMO_GROUP, DEMO_IDENTITY),
            "clientId": DEMO_CLIENT,
            "principalId": DEMO_PRINCIPAL,
            "roleAssignmentId": demo_role_id(),
            "federatedCredentialName": DEMO_CREDENTIAL
        },
        "workload": {
            "namespace": "default", "serviceAccount": "myserviceaccount",
            "jobName": "myproducer", "messageCount": 100,
            "image": "ghcr.io/azure-samples/aks-app-samples/servicebusdemo:latest"
        },
        "owned": [
            created("resourceGroup", group_id(SUB_A, DEMO_GROUP)),
            created("managedCluster", demo_cluster_id),
            created("resourceGroup", group_id(SUB_B, DEMO_GROUP)),
            created("serviceBusNamespace", demo_namespace_id()),
            created("managedIdentity", identity_id(DEMO_GROUP, DEMO_IDENTITY)),
            created("roleAssignment", demo_role_id()),
            created("federatedCredential", credential_id(DEMO_GROUP, DEMO_IDENTITY, DEMO_CREDENTIAL)),
            created("managedIdentity", identity_id(GRAPH_GROUP, GRAPH_IDENTITY)),
            created("federatedCredential", credential_id(GRAPH_GROUP, GRAPH_IDENTITY, GRAPH_CREDENTIAL)),
            created("roleAssignment", graph_role_id()),
            created("managedIdentity", identity_id(GRAPH_GROUP, GRAPH_OLD_IDENTITY))
        ],
        "graph": {
            "tenantB": TENANT_B,
            "clusters": {GRAPH_CLUSTER: {"id": graph_cluster_id, "issuerUrl": GRAPH_ISSUER}},
            "identities": {
                GRAPH_IDENTITY: {"id": identity_id(GRAPH_GROUP, GRAPH_IDENTITY), "clientId": GRAPH_CLIENT, "principalId": "88888888-8888-4888-8888-888888888888"},
                GRAPH_OLD_IDENTITY: {"id": identity_id(GRAPH_GROUP, GRAPH_OLD_IDENTITY), "clientId": "99999999-9999-4999-8999-999999999999", "principalId": "99999999-9999-4999-8999-999999999998"}
            },
            "bindings": [{"cluster": GRAPH_CLUSTER, "namespace": "orders", "serviceAccount": "writer",
                          "identity": GRAPH_IDENTITY, "credential": GRAPH_CREDENTIAL}]
        }
    })
}
