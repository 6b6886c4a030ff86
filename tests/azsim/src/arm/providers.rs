//! Resource provider registrations (`GET /subscriptions/{sub}/providers/{namespace}`):
//! the resource types the simulator serves, each with its API versions and
//! locations. `az resource show --ids` reads them to choose the API version of
//! the resource it then reads (resource/test_resource_id_scenario.yaml in the
//! recordings: the provider GET before each `resource show`).

use serde_json::{Value, json};

/// Locations every type is offered in (ARM answers display names).
const LOCATIONS: [&str; 6] = [
    "East US",
    "East US 2",
    "West US 2",
    "West Europe",
    "North Europe",
    "UK South",
];

/// A resource type and its API versions, newest first.
type Versions = (&'static str, &'static [&'static str]);

/// (namespace, its types) for what the simulator models; the versions are ones
/// the Azure CLI sends for these types.
const TYPES: &[(&str, &[Versions])] = &[
    (
        "Microsoft.ContainerService",
        &[("managedClusters", &["2024-09-01", "2023-10-01"])],
    ),
    (
        "Microsoft.ManagedIdentity",
        &[
            ("userAssignedIdentities", &["2023-01-31", "2018-11-30"]),
            (
                "userAssignedIdentities/federatedIdentityCredentials",
                &["2023-01-31", "2022-01-31-preview"],
            ),
        ],
    ),
    (
        "Microsoft.ServiceBus",
        &[
            ("namespaces", &["2022-10-01-preview", "2021-11-01"]),
            ("namespaces/queues", &["2022-10-01-preview", "2021-11-01"]),
        ],
    ),
    ("Microsoft.KeyVault", &[("vaults", &["2023-02-01"])]),
    ("Microsoft.Storage", &[("storageAccounts", &["2023-01-01"])]),
    (
        "Microsoft.Resources",
        &[
            ("deployments", &["2022-09-01"]),
            ("resourceGroups", &["2022-09-01"]),
        ],
    ),
    (
        "Microsoft.Authorization",
        &[
            ("roleAssignments", &["2022-04-01"]),
            ("roleDefinitions", &["2022-04-01"]),
        ],
    ),
];

/// The registration of `namespace` in subscription `sub`, as ARM answers it.
pub fn registration(sub: &str, namespace: &str) -> Value {
    let types: Vec<Value> = TYPES
        .iter()
        .filter(|(ns, _)| ns.eq_ignore_ascii_case(namespace))
        .flat_map(|(_, types)| types.iter())
        .map(|(rtype, versions)| {
            json!({
                "resourceType": rtype,
                "locations": LOCATIONS,
                "apiVersions": versions,
                "defaultApiVersion": versions[0],
                "capabilities": "None",
            })
        })
        .collect();
    json!({
        "id": format!("/subscriptions/{sub}/providers/{namespace}"),
        "namespace": namespace,
        // The first-party applications a provider authorises are not modelled.
        "authorizations": [],
        "resourceTypes": types,
        "registrationState": "Registered",
        "registrationPolicy": "RegistrationRequired",
    })
}
