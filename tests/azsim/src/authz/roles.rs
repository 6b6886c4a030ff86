//! Role definitions as the permission model reads them: the built-in roles' `actions` and
//! `notActions`, custom roles made through the control endpoint, and ARM's wildcard match.

use serde::{Deserialize, Serialize};

/// A role definition's control-plane permissions.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct RoleDefinition {
    /// The definition's GUID (the last segment of its ID).
    pub id: String,
    /// `roleName`.
    pub name: String,
    /// `permissions[0].actions`.
    pub actions: Vec<String>,
    /// `permissions[0].notActions`.
    #[serde(default)]
    pub not_actions: Vec<String>,
}

impl RoleDefinition {
    /// True when the role allows `action`: one of its actions matches and none of its
    /// notActions does. ARM subtracts notActions per role, never across roles (a
    /// notAction of one assignment does not deny what another grants).
    pub fn allows(&self, action: &str) -> bool {
        self.actions.iter().any(|a| matches(a, action))
            && !self.not_actions.iter().any(|n| matches(n, action))
    }
}

/// ARM's action patterns: case-insensitive, `*` standing for any run of characters
/// (slashes included), as the built-in roles use it (`*`, `*/read`,
/// `Microsoft.ServiceBus/*/queues/read`; "Azure RBAC: understand role definitions",
/// learn.microsoft.com/azure/role-based-access-control/role-definitions).
pub fn matches(pattern: &str, action: &str) -> bool {
    let p = pattern.to_ascii_lowercase();
    let a = action.to_ascii_lowercase();
    let mut parts = p.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = a.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for m in middle {
        match rest.find(m) {
            Some(i) => rest = &rest[i + m.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
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

/// The control-plane permissions of the built-in roles the simulator serves, by GUID, as
/// Azure's built-in roles reference lists them
/// (learn.microsoft.com/azure/role-based-access-control/built-in-roles). Data-plane
/// roles grant few or no `actions`: their rights are `dataActions`, which ARM requests
/// never need.
fn builtin_permissions(guid: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    Some(match guid.to_ascii_lowercase().as_str() {
        // Owner
        "8e3af657-a8ff-443c-a75c-2fe8c4bcb635" => (&["*"], &[]),
        // Contributor
        "b24988ac-6180-42a0-ab88-20f7382dd24c" => (&["*"], CONTRIBUTOR_NOT),
        // Reader
        "acdd72a7-3385-48ef-bd42-f606fba81ae7" => (&["*/read"], &[]),
        // Azure Service Bus Data Owner
        "090c5cfd-751d-490a-894a-3ce6f1109419" => (&["Microsoft.ServiceBus/*"], &[]),
        // Azure Service Bus Data Sender, Receiver
        "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39" | "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0" => {
            (SB_READS, &[])
        }
        // Key Vault Secrets User
        "4633458b-17de-408a-b874-0445c86b69e6" => (&[], &[]),
        // Key Vault Secrets Officer, Key Vault Reader
        "b86a8fe4-44ce-4948-aee5-eccb2c155cd7" | "21090545-7ca7-4776-b22c-e363652d74d2" => {
            (KV_READS, &[])
        }
        // Storage Blob Data Reader
        "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1" => (
            &[
                "Microsoft.Storage/storageAccounts/blobServices/containers/read",
                "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
            ],
            &[],
        ),
        // Storage Blob Data Contributor
        "ba92f5b4-2d11-453d-a403-e96b0029c9fe" => (
            &[
                "Microsoft.Storage/storageAccounts/blobServices/containers/delete",
                "Microsoft.Storage/storageAccounts/blobServices/containers/read",
                "Microsoft.Storage/storageAccounts/blobServices/containers/write",
                "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
            ],
            &[],
        ),
        _ => return None,
    })
}

/// `permissions` of a built-in role as ARM answers it; empty lists for one the
/// model does not know.
pub fn builtin_permissions_json(guid: &str) -> serde_json::Value {
    let (actions, not_actions) = builtin_permissions(guid).unwrap_or((&[], &[]));
    serde_json::json!([{
        "actions": actions, "notActions": not_actions,
        "dataActions": [], "notDataActions": [],
    }])
}

/// The built-in role `guid` as a definition (`name` as given).
pub fn builtin(guid: &str, name: &str) -> Option<RoleDefinition> {
    let (actions, not_actions) = builtin_permissions(guid)?;
    let own = |v: &[&str]| v.iter().map(|s| (*s).to_string()).collect();
    Some(RoleDefinition {
        id: guid.to_ascii_lowercase(),
        name: name.to_string(),
        actions: own(actions),
        not_actions: own(not_actions),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_as_arm_does() {
        assert!(matches("*", "Microsoft.Resources/deployments/write"));
        assert!(matches(
            "*/read",
            "microsoft.managedidentity/userAssignedIdentities/READ"
        ));
        assert!(!matches(
            "*/read",
            "Microsoft.ManagedIdentity/userAssignedIdentities/write"
        ));
        assert!(matches(
            "Microsoft.Resources/deployments/*",
            "Microsoft.Resources/deployments/operationstatuses/read"
        ));
        assert!(matches(
            "Microsoft.ServiceBus/*/queues/read",
            "Microsoft.ServiceBus/namespaces/queues/read"
        ));
        assert!(!matches(
            "Microsoft.ServiceBus/*/queues/read",
            "Microsoft.ServiceBus/namespaces/read"
        ));
        assert!(matches("a/b", "A/B"));
        assert!(!matches("a/b", "a/bc"));
        assert!(matches("a*a", "aa"));
        assert!(!matches("ab*ba", "aba"));
    }

    #[test]
    fn not_actions_subtract_within_a_role() {
        let contributor = builtin("b24988ac-6180-42a0-ab88-20f7382dd24c", "Contributor");
        let c = contributor.as_ref().map(|r| {
            (
                r.allows("Microsoft.ManagedIdentity/userAssignedIdentities/write"),
                r.allows("Microsoft.Authorization/roleAssignments/write"),
                r.allows("Microsoft.Authorization/roleAssignments/read"),
            )
        });
        assert_eq!(c, Some((true, false, true)));
    }
}
