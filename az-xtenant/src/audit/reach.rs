//! Where a role assignment's scope lies, seen from the audited subscription:
//! inside it (the subscription, a group or a resource, which can be looked
//! up), above it (a management group or the root `/`, whose assignments
//! `role assignment list --all` also answers because the subscription
//! inherits them), or in another subscription (out of the audit's reach).

use crate::az::arm_id::{self, ArmId, ScopeKind};
use serde::Serialize;

/// Where a scope lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reach {
    /// The subscription itself or something in it.
    Subscription,
    /// Above the subscription: a management group, the root, the tenant.
    Inherited,
    /// Another subscription: not looked up.
    OtherSubscription,
}

impl Reach {
    /// Where `scope` lies, seen from `subscription`.
    pub fn of(subscription: &str, scope: &str) -> Reach {
        let id = ArmId::parse(scope);
        if id.is_within(&arm_id::subscription(subscription)) {
            return Reach::Subscription;
        }
        match id.kind() {
            ScopeKind::Subscription | ScopeKind::ResourceGroup | ScopeKind::Resource => {
                Reach::OtherSubscription
            }
            // Whatever is not under a subscription is above every one.
            ScopeKind::Root | ScopeKind::ManagementGroup | ScopeKind::Other => Reach::Inherited,
        }
    }

    /// A note for the table, after the scope (empty inside the subscription).
    pub fn note(self, scope: &str) -> &'static str {
        match self {
            Reach::Subscription => "",
            Reach::Inherited => match ArmId::parse(scope).kind() {
                ScopeKind::Root => " (inherited from the root of the directory)",
                ScopeKind::ManagementGroup => " (inherited from a management group)",
                _ => " (inherited from above the subscription)",
            },
            Reach::OtherSubscription => " (another subscription's: not checked)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_placed_relative_to_the_subscription() {
        let sub = "bbbbbbbb-1111-4000-8000-00000000000b";
        let mg = "/providers/Microsoft.Management/managementGroups/mg-corp";
        assert_eq!(
            Reach::of(sub, &format!("/subscriptions/{sub}")),
            Reach::Subscription
        );
        assert_eq!(
            Reach::of(
                sub,
                &format!("/subscriptions/{}/resourceGroups/rg", sub.to_uppercase())
            ),
            Reach::Subscription
        );
        assert_eq!(Reach::of(sub, mg), Reach::Inherited);
        assert_eq!(Reach::of(sub, "/"), Reach::Inherited);
        assert_eq!(
            Reach::of(sub, &format!("/subscriptions/{sub}0")),
            Reach::OtherSubscription
        );
        assert_eq!(
            Reach::Inherited.note(mg),
            " (inherited from a management group)"
        );
        assert_eq!(
            Reach::Inherited.note("/"),
            " (inherited from the root of the directory)"
        );
    }
}
