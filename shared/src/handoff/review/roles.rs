//! The roles asked for that reach too far: the built-in roles that manage
//! everything or hand out access (Owner, Contributor, User Access
//! Administrator, Role Based Access Control Administrator), any role whose
//! actions contain `*`, and any subscription, management-group or root
//! scope. Warnings: Tenant B decides, and grants no role unless it says so.

use std::collections::BTreeMap;

use super::{Check, Finding};
use crate::handoff::TrustRequest;
use crate::validate::Kind;

/// Built-in roles flagged by name or role definition GUID. The GUIDs are
/// Azure's, the same in every tenant (as Azure's role definition list
/// returns them: azure-cli's recorded `role/test_role_definition_scenario`).
const BROAD: &[(&str, &str)] = &[
    ("Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
    ("Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c"),
    (
        "User Access Administrator",
        "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    ),
    (
        "Role Based Access Control Administrator",
        "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    ),
];

const FIX: &str = "grant a narrower role on the one resource the workload uses (e.g. Azure Service Bus Data Sender on its queue), or none: `grant` assigns only the roles Tenant B chooses";

pub(super) fn check(r: &TrustRequest, actions: &BTreeMap<String, Vec<String>>) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, identity) in r.identities.iter().enumerate() {
        for (j, asked) in identity.roles.iter().enumerate() {
            let mut why = Vec::new();
            if let Some(name) = broad_builtin(&asked.role) {
                why.push(format!(
                    "{name} manages everything in its scope or hands out access"
                ));
            }
            let wildcard = actions
                .iter()
                .filter(|(name, _)| name.eq_ignore_ascii_case(&asked.role))
                .flat_map(|(_, list)| list)
                .filter(|a| a.contains('*'));
            for action in wildcard {
                why.push(format!("its actions include {action:?}"));
            }
            if let Some(scope) = broad_scope(&asked.scope) {
                why.push(format!("it is asked at {scope} scope"));
            }
            if !why.is_empty() {
                out.push(Finding::warning(
                    Check::Role,
                    format!("identities[{i}].roles[{j}]"),
                    format!(
                        "identity {:?} asks for {:?} on {:?}: {}",
                        identity.name,
                        asked.role,
                        asked.scope,
                        why.join("; ")
                    ),
                    FIX,
                ));
            }
        }
    }
    out
}

/// The built-in role a role name or definition (GUID or ARM ID) is, if broad.
fn broad_builtin(role: &str) -> Option<&'static str> {
    let last = role
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(role);
    BROAD
        .iter()
        .find(|(name, guid)| {
            role.trim().eq_ignore_ascii_case(name)
                || (Kind::Guid.accepts(last) && last.eq_ignore_ascii_case(guid))
        })
        .map(|(name, _)| *name)
}

/// The broad kind of an ARM scope, if it is one; words are not judged.
fn broad_scope(scope: &str) -> Option<&'static str> {
    let s = scope.trim();
    if s == "/" {
        return Some("root (tenant)");
    }
    let parts: Vec<&str> = s.trim_end_matches('/').split('/').collect();
    match parts.as_slice() {
        ["", sub, id] if sub.eq_ignore_ascii_case("subscriptions") && Kind::Guid.accepts(id) => {
            Some("subscription")
        }
        ["", p, ns, mg, _]
            if p.eq_ignore_ascii_case("providers")
                && ns.eq_ignore_ascii_case("Microsoft.Management")
                && mg.eq_ignore_ascii_case("managementGroups") =>
        {
            Some("management group")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broad_roles_by_name_guid_and_id() {
        assert_eq!(broad_builtin("owner"), Some("Owner"));
        assert_eq!(
            broad_builtin(
                "/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c"
            ),
            Some("Contributor")
        );
        assert_eq!(broad_builtin("Azure Service Bus Data Sender"), None);
    }

    #[test]
    fn broad_scopes() {
        let sub = "/subscriptions/11111111-2222-4333-8444-555555555555";
        assert_eq!(broad_scope(sub), Some("subscription"));
        assert_eq!(broad_scope(&format!("{sub}/")), Some("subscription"));
        assert_eq!(broad_scope(&format!("{sub}/resourceGroups/rg")), None);
        assert_eq!(
            broad_scope("/providers/Microsoft.Management/managementGroups/corp"),
            Some("management group")
        );
        assert_eq!(broad_scope("/"), Some("root (tenant)"));
        assert_eq!(broad_scope("the orders queue"), None);
    }
}
