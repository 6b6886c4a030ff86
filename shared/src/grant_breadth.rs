//! How far a role grant reaches, judged from its role and its scope alone:
//! the built-in roles that manage everything in their scope or hand out
//! access, the scopes above any one resource (the root, a management group,
//! a subscription), and the data roles granted on a whole namespace or
//! account where the service lets them be granted on the one queue, topic,
//! event hub or container a workload uses. Tenant B's review of a request
//! and `az-xtenant audit` both ask these questions.

use crate::validate::Kind;

/// Built-in roles that manage everything in their scope or hand out access,
/// by name and role definition GUID. The GUIDs are Azure's, the same in
/// every tenant (as Azure's role definition list answers them: the Azure
/// CLI's recorded `role/test_role_definition_scenario`).
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

/// The broad built-in role a role name or definition (GUID or ARM ID) is.
pub fn broad_builtin(role: &str) -> Option<&'static str> {
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

/// The kind of an ARM scope above any one resource group: `root (tenant)`,
/// `management group` or `subscription`. Anything else (a group, a
/// resource, words) is `None`.
pub fn broad_scope(scope: &str) -> Option<&'static str> {
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

/// A data role granted on a whole namespace or account, and the narrower
/// scope the same role can be granted on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Narrower {
    /// What the grant covers now: "every queue and topic of the namespace".
    pub covers: &'static str,
    /// The narrower scope, with a placeholder for the entity's name.
    pub scope: String,
}

/// Data roles that Azure lets be granted on one entity of a namespace or
/// account: (role name prefix, provider and type of the parent, what the
/// parent-level grant covers, the child path with a placeholder). From
/// Azure's documentation of each service's data roles: Service Bus and
/// Event Hubs roles at queue, topic and event hub scope; Storage blob and
/// queue roles at container and queue scope.
const ENTITY_SCOPED: &[(&str, &str, &str, &str)] = &[
    (
        "Azure Service Bus Data ",
        "microsoft.servicebus/namespaces",
        "every queue and topic of the namespace",
        "/queues/<queue>",
    ),
    (
        "Azure Event Hubs Data ",
        "microsoft.eventhub/namespaces",
        "every event hub of the namespace",
        "/eventhubs/<event hub>",
    ),
    (
        "Storage Blob Data ",
        "microsoft.storage/storageaccounts",
        "every container of the account",
        "/blobServices/default/containers/<container>",
    ),
    (
        "Storage Queue Data ",
        "microsoft.storage/storageaccounts",
        "every queue of the account",
        "/queueServices/default/queues/<queue>",
    ),
];

/// The narrower scope for a data role granted on a whole namespace or
/// account (`role` by name, as `role assignment list` answers it).
pub fn narrower_data_scope(role: &str, scope: &str) -> Option<Narrower> {
    let scope = scope.trim_end_matches('/');
    let parts: Vec<&str> = scope.split('/').collect();
    // /subscriptions/S/resourceGroups/G/providers/P/T/NAME: exactly the parent.
    let [
        "",
        _subscriptions,
        _,
        _groups,
        _,
        providers,
        provider,
        kind,
        name,
    ] = parts.as_slice()
    else {
        return None;
    };
    if !providers.eq_ignore_ascii_case("providers") || name.is_empty() {
        return None;
    }
    let parent = format!("{provider}/{kind}").to_ascii_lowercase();
    ENTITY_SCOPED
        .iter()
        .find(|(prefix, p, _, _)| {
            role.len() > prefix.len()
                && role[..prefix.len()].eq_ignore_ascii_case(prefix)
                && parent == *p
        })
        .map(|(_, _, covers, child)| Narrower {
            covers,
            scope: format!("{scope}{child}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUB: &str = "/subscriptions/11111111-2222-4333-8444-555555555555";

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
        assert_eq!(broad_builtin("Reader"), None);
    }

    #[test]
    fn broad_scopes() {
        assert_eq!(broad_scope(SUB), Some("subscription"));
        assert_eq!(broad_scope(&format!("{SUB}/")), Some("subscription"));
        assert_eq!(broad_scope(&format!("{SUB}/resourceGroups/rg")), None);
        assert_eq!(
            broad_scope("/providers/Microsoft.Management/managementGroups/corp"),
            Some("management group")
        );
        assert_eq!(broad_scope("/"), Some("root (tenant)"));
        assert_eq!(broad_scope("the orders queue"), None);
    }

    #[test]
    fn a_data_role_on_a_namespace_narrows_to_one_entity() {
        let ns = format!("{SUB}/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/sb-1");
        let n = narrower_data_scope("Azure Service Bus Data Owner", &ns).unwrap();
        assert_eq!(n.scope, format!("{ns}/queues/<queue>"));
        assert_eq!(n.covers, "every queue and topic of the namespace");
        let account =
            format!("{SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1/");
        let n = narrower_data_scope("storage blob data reader", &account).unwrap();
        assert!(
            n.scope
                .ends_with("/st1/blobServices/default/containers/<container>"),
            "{}",
            n.scope
        );
    }

    #[test]
    fn a_grant_already_narrow_or_of_another_kind_is_left_alone() {
        let ns = format!("{SUB}/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/sb-1");
        // Already on one queue.
        assert_eq!(
            narrower_data_scope("Azure Service Bus Data Sender", &format!("{ns}/queues/q")),
            None
        );
        // A management role, not a data role.
        assert_eq!(narrower_data_scope("Reader", &ns), None);
        // A Service Bus data role on a storage account makes no sense to narrow.
        let account =
            format!("{SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1");
        assert_eq!(
            narrower_data_scope("Azure Service Bus Data Sender", &account),
            None
        );
        // A vault: Key Vault roles are granted per vault here.
        let vault = format!("{SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv");
        assert_eq!(narrower_data_scope("Key Vault Secrets User", &vault), None);
    }
}
