//! The built-in roles' permissions as Azure defines them, by GUID: `actions` and
//! `notActions` (what ARM authorises requests against) and `dataActions` (served
//! in the definitions `az role definition list` shows; no ARM request needs one).
//!
//! Source: the role definitions list Azure answered in the reference recordings
//! (role/test_role_definition_scenario.yaml, recorded 2023-08-23), except where Azure
//! changed a role since, as its built-in roles reference says
//! (learn.microsoft.com/azure/role-based-access-control/built-in-roles): the
//! differences are marked.

/// One built-in role's `permissions[0]`.
pub struct Permissions {
    /// `actions`.
    pub actions: &'static [&'static str],
    /// `notActions`.
    pub not_actions: &'static [&'static str],
    /// `dataActions`.
    pub data_actions: &'static [&'static str],
}

const fn p(
    actions: &'static [&'static str],
    not_actions: &'static [&'static str],
    data_actions: &'static [&'static str],
) -> Permissions {
    Permissions {
        actions,
        not_actions,
        data_actions,
    }
}

const SB_READS: &[&str] = &[
    "Microsoft.ServiceBus/*/queues/read",
    "Microsoft.ServiceBus/*/topics/read",
    "Microsoft.ServiceBus/*/topics/subscriptions/read",
];

const KV_READS: &[&str] = &[
    "Microsoft.Authorization/*/read",
    "Microsoft.Insights/alertRules/*",
    "Microsoft.Resources/deployments/*",
    "Microsoft.Resources/subscriptions/resourceGroups/read",
    "Microsoft.Support/*",
    "Microsoft.KeyVault/checkNameAvailability/read",
    "Microsoft.KeyVault/deletedVaults/read",
    "Microsoft.KeyVault/locations/*/read",
    "Microsoft.KeyVault/vaults/*/read",
    "Microsoft.KeyVault/operations/read",
];

// The recording's eight, and three Azure added since (deployment stacks' deny
// settings, a subscription's cancel and enable), as the reference lists them.
const CONTRIBUTOR_NOT: &[&str] = &[
    "Microsoft.Authorization/*/Delete",
    "Microsoft.Authorization/*/Write",
    "Microsoft.Authorization/elevateAccess/Action",
    "Microsoft.Blueprint/blueprintAssignments/write",
    "Microsoft.Blueprint/blueprintAssignments/delete",
    "Microsoft.Compute/galleries/share/action",
    "Microsoft.Purview/consents/write",
    "Microsoft.Purview/consents/delete",
    "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
    "Microsoft.Subscription/cancel/action",
    "Microsoft.Subscription/enable/action",
];

const BLOB_CONTAINERS: &[&str] = &[
    "Microsoft.Storage/storageAccounts/blobServices/containers/delete",
    "Microsoft.Storage/storageAccounts/blobServices/containers/read",
    "Microsoft.Storage/storageAccounts/blobServices/containers/write",
    "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
];

/// The built-in role `guid`'s permissions; `None` for a role the simulator does not serve.
pub fn permissions(guid: &str) -> Option<Permissions> {
    Some(match guid.to_ascii_lowercase().as_str() {
        // Owner
        "8e3af657-a8ff-443c-a75c-2fe8c4bcb635" => p(&["*"], &[], &[]),
        // Contributor
        "b24988ac-6180-42a0-ab88-20f7382dd24c" => p(&["*"], CONTRIBUTOR_NOT, &[]),
        // Reader
        "acdd72a7-3385-48ef-bd42-f606fba81ae7" => p(&["*/read"], &[], &[]),
        // Azure Service Bus Data Owner
        "090c5cfd-751d-490a-894a-3ce6f1109419" => p(
            &["Microsoft.ServiceBus/*"],
            &[],
            &["Microsoft.ServiceBus/*"],
        ),
        // Azure Service Bus Data Sender
        "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39" => {
            p(SB_READS, &[], &["Microsoft.ServiceBus/*/send/action"])
        }
        // Azure Service Bus Data Receiver
        "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0" => {
            p(SB_READS, &[], &["Microsoft.ServiceBus/*/receive/action"])
        }
        // Key Vault Secrets User
        "4633458b-17de-408a-b874-0445c86b69e6" => p(
            &[],
            &[],
            &[
                "Microsoft.KeyVault/vaults/secrets/getSecret/action",
                "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
            ],
        ),
        // Key Vault Secrets Officer
        "b86a8fe4-44ce-4948-aee5-eccb2c155cd7" => {
            p(KV_READS, &[], &["Microsoft.KeyVault/vaults/secrets/*"])
        }
        // Key Vault Reader
        "21090545-7ca7-4776-b22c-e363652d74d2" => p(
            KV_READS,
            &[],
            &[
                "Microsoft.KeyVault/vaults/*/read",
                "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
            ],
        ),
        // Storage Blob Data Reader
        "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1" => p(
            &[
                "Microsoft.Storage/storageAccounts/blobServices/containers/read",
                "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
            ],
            &[],
            &["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
        ),
        // Storage Blob Data Contributor
        "ba92f5b4-2d11-453d-a403-e96b0029c9fe" => p(
            BLOB_CONTAINERS,
            &[],
            &[
                "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete",
                "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
                "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
                "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action",
                "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action",
            ],
        ),
        // Azure Kubernetes Service Cluster User Role
        "4abbcc35-e782-43d8-92c5-2d3f1bd2253f" => p(
            &[
                "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
                "Microsoft.ContainerService/managedClusters/read",
            ],
            &[],
            &[],
        ),
        // Azure Kubernetes Service Contributor Role
        "ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8" => p(
            &[
                "Microsoft.ContainerService/managedClusters/read",
                "Microsoft.ContainerService/managedClusters/write",
                "Microsoft.Resources/deployments/*",
            ],
            &[],
            &[],
        ),
        // Managed Identity Contributor: the recording's list, plus the federated
        // credential actions and revokeTokens Azure added in 2024 (the reference's
        // Identity section lists them).
        "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59" => p(
            &[
                "Microsoft.ManagedIdentity/userAssignedIdentities/read",
                "Microsoft.ManagedIdentity/userAssignedIdentities/write",
                "Microsoft.ManagedIdentity/userAssignedIdentities/delete",
                "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read",
                "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
                "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/delete",
                "Microsoft.ManagedIdentity/userAssignedIdentities/revokeTokens/action",
                "Microsoft.Authorization/*/read",
                "Microsoft.Insights/alertRules/*",
                "Microsoft.Resources/subscriptions/resourceGroups/read",
                "Microsoft.Resources/deployments/*",
                "Microsoft.Support/*",
            ],
            &[],
            &[],
        ),
        // Managed Identity Operator
        "f1a07417-d97a-45cb-824c-7a7467783830" => p(
            &[
                "Microsoft.ManagedIdentity/userAssignedIdentities/*/read",
                "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action",
                "Microsoft.Authorization/*/read",
                "Microsoft.Insights/alertRules/*",
                "Microsoft.Resources/subscriptions/resourceGroups/read",
                "Microsoft.Resources/deployments/*",
                "Microsoft.Support/*",
            ],
            &[],
            &[],
        ),
        // Role Based Access Control Administrator
        "f58310d9-a9f6-439a-9e8d-f62e7b41a168" => p(
            &[
                "Microsoft.Authorization/roleAssignments/write",
                "Microsoft.Authorization/roleAssignments/delete",
                "*/read",
                "Microsoft.Support/*",
            ],
            &[],
            &[],
        ),
        // User Access Administrator
        "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9" => p(
            &["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
            &[],
            &[],
        ),
        _ => return None,
    })
}

/// `permissions` of a built-in role as ARM answers it; empty lists for one the
/// simulator does not serve.
pub fn permissions_json(guid: &str) -> serde_json::Value {
    let p = permissions(guid).unwrap_or(p(&[], &[], &[]));
    serde_json::json!([{
        "actions": p.actions, "notActions": p.not_actions,
        "dataActions": p.data_actions, "notDataActions": [],
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_served_built_in_role_has_its_permissions() {
        for (name, guid, _) in crate::arm::builtin_roles() {
            let p = permissions(guid).unwrap_or_else(|| panic!("{name}: no permissions"));
            assert!(
                !p.actions.is_empty() || !p.data_actions.is_empty(),
                "{name}: grants nothing"
            );
        }
    }
}
