//! The roles asked for that reach too far: the built-in roles that manage
//! everything or hand out access (Owner, Contributor, User Access
//! Administrator, Role Based Access Control Administrator), any role whose
//! actions contain `*`, and any subscription, management-group or root
//! scope. Warnings: Tenant B decides, and grants no role unless it says so.

use std::collections::BTreeMap;

use super::{Check, Finding};
use crate::grant_breadth::{broad_builtin, broad_scope};
use crate::handoff::TrustRequest;

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
