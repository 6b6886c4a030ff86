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
///
/// A `/*/` also stands for a single `/` (no segment at all): Managed Identity
/// Operator's `userAssignedIdentities/*/assign/action` is the right AKS and Azure's
/// docs have it grant for assigning an identity (`userAssignedIdentities/assign/action`,
/// "Use a managed identity in AKS", learn.microsoft.com/azure/aks/use-managed-identity),
/// and its `*/read` reads the identity itself ("Read and Assign User Assigned Identity").
pub fn matches(pattern: &str, action: &str) -> bool {
    glob(pattern, action)
        || pattern.match_indices("/*/").any(|(i, _)| {
            let shorter = format!("{}{}", &pattern[..i], &pattern[i + 2..]);
            matches(&shorter, action)
        })
}

fn glob(pattern: &str, action: &str) -> bool {
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

/// The built-in role `guid` as a definition (`name` as given).
pub fn builtin(guid: &str, name: &str) -> Option<RoleDefinition> {
    let p = super::builtin::permissions(guid)?;
    let own = |v: &[&str]| v.iter().map(|s| (*s).to_string()).collect();
    Some(RoleDefinition {
        id: guid.to_ascii_lowercase(),
        name: name.to_string(),
        actions: own(p.actions),
        not_actions: own(p.not_actions),
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
        assert!(matches(
            "Microsoft.ManagedIdentity/userAssignedIdentities/*/read",
            "Microsoft.ManagedIdentity/userAssignedIdentities/read"
        ));
        assert!(matches(
            "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action",
            "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action"
        ));
        assert!(!matches(
            "Microsoft.ManagedIdentity/userAssignedIdentities/*/read",
            "Microsoft.ManagedIdentity/userAssignedIdentitiesread"
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
