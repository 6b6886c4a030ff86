//! Tenant B's side of "who can become the identity, and what do they get":
//! role grants that reach further than one workload needs — a built-in role
//! that manages everything in its scope or hands out access, a scope above
//! any one resource group (findings) — and data roles granted on a whole
//! namespace or account where the one queue or container would do (advice);
//! and each identity's fan-in: how many issuers, live clusters and subjects
//! its federated credentials let become it.

use std::collections::BTreeSet;

use serde::Serialize;
use xtenant_shared::grant_breadth::{broad_builtin, broad_scope, narrower_data_scope};

use super::{CredentialReport, Estate, Finding, IdentityReport, Kind, Origin, RoleReport};
use crate::az::{argv, shell_line};

/// Who can become an identity: the distinct issuers its credentials trust,
/// how many of them are live clusters of Tenant A, and the distinct
/// subjects (AKS identity bindings count as one issuer and one subject each).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FanIn {
    pub issuers: usize,
    pub clusters: usize,
    pub subjects: usize,
}

impl FanIn {
    pub fn of(credentials: &[CredentialReport]) -> FanIn {
        let issuers: BTreeSet<&str> = credentials.iter().map(|c| c.issuer.as_str()).collect();
        let clusters: BTreeSet<(&str, &str, &str)> = credentials
            .iter()
            .filter_map(|c| c.cluster.as_ref())
            .map(|k| {
                (
                    k.subscription.as_str(),
                    k.resource_group.as_str(),
                    k.name.as_str(),
                )
            })
            .collect();
        let subjects: BTreeSet<(&str, &str)> = credentials
            .iter()
            .map(|c| (c.issuer.as_str(), c.subject.as_str()))
            .collect();
        FanIn {
            issuers: issuers.len(),
            clusters: clusters.len(),
            subjects: subjects.len(),
        }
    }

    /// The fan-in in words, for the identity's heading.
    pub fn words(&self, credentials: &[CredentialReport]) -> String {
        let bindings = credentials
            .iter()
            .any(|c| c.origin == Origin::AksIdentityBinding);
        format!(
            "{} subject{} of {} issuer{} ({} live cluster{}{}) can become it",
            self.subjects,
            plural(self.subjects),
            self.issuers,
            plural(self.issuers),
            self.clusters,
            plural(self.clusters),
            if bindings {
                ", plus every cluster bound by an AKS identity binding"
            } else {
                ""
            }
        )
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A grant that is not wrong but wider than the workload needs.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Advice {
    pub identity: String,
    pub role: String,
    pub scope: String,
    pub message: String,
    /// The narrower grant, then the removal of this one (never run by xtenant).
    pub fix: String,
}

/// A broad role or a broad scope, for every role assignment of the estate.
pub fn findings(estate: &Estate) -> Vec<Finding> {
    let mut out = Vec::new();
    for i in &estate.identities {
        for r in &i.role_assignments {
            if let Some(f) = broad(i, r) {
                out.push(f);
            }
        }
    }
    out
}

fn broad(i: &IdentityReport, r: &RoleReport) -> Option<Finding> {
    let role = broad_builtin(&r.role);
    let scope = broad_scope(&r.scope);
    let (kind, why) = match (role, scope) {
        (Some(role), Some(scope)) => (
            Kind::BroadRole,
            format!("{role} on a whole {scope}: whoever can become the identity manages all of it"),
        ),
        (Some(role), None) => (
            Kind::BroadRole,
            format!(
                "{role} manages everything in {} or hands out access to it",
                r.scope
            ),
        ),
        (None, Some(scope)) => (
            Kind::BroadScope,
            format!(
                "{} on a whole {scope} ({}): granted above any one resource",
                r.role,
                if r.scope.trim_end_matches('/').is_empty() {
                    "/"
                } else {
                    &r.scope
                }
            ),
        ),
        (None, None) => return None,
    };
    Some(Finding {
        kind,
        identity: i.name.clone(),
        credential: None,
        message: format!(
            "{why}; grant a role with only the actions the workload uses (a service's data role, e.g. Azure Service Bus Data Sender) on the one resource it uses, then remove this one"
        ),
        fix: shell_line(&argv::role_assignment_delete(&i.subscription, &r.id)),
        deletes: false,
        id: r.id.clone(),
    })
}

/// Data roles on a whole namespace or account, each with the narrower grant.
pub fn advice(estate: &Estate) -> Vec<Advice> {
    let mut out = Vec::new();
    for i in &estate.identities {
        // A grant whose scope is gone is a finding of its own.
        for r in i
            .role_assignments
            .iter()
            .filter(|r| r.scope_exists != Some(false))
        {
            let Some(n) = narrower_data_scope(&r.role, &r.scope) else {
                continue;
            };
            let create = shell_line(&argv::role_assignment_create(
                &i.subscription,
                &argv::Grant {
                    principal: &r.principal_id,
                    role: &r.role,
                    scope: &n.scope,
                    name: None,
                    description: None,
                },
            ));
            let delete = shell_line(&argv::role_assignment_delete(&i.subscription, &r.id));
            out.push(Advice {
                identity: i.name.clone(),
                role: r.role.clone(),
                scope: r.scope.clone(),
                message: format!(
                    "{} covers {}; the same role can be granted on the one the workload uses",
                    r.role, n.covers
                ),
                fix: format!("{create} && {delete}"),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{LiveCluster, Reach};

    const SUB: &str = "11111111-2222-4333-8444-555555555555";

    fn role(role: &str, scope: &str) -> RoleReport {
        RoleReport {
            id: format!("{scope}/providers/Microsoft.Authorization/roleAssignments/r"),
            principal_id: "p-1".into(),
            role: role.into(),
            scope: scope.into(),
            scope_exists: None,
            scope_reach: Reach::of(SUB, scope),
        }
    }

    fn estate(roles: Vec<RoleReport>) -> Estate {
        Estate {
            identities: vec![IdentityReport {
                name: "id".into(),
                resource_group: "rg".into(),
                subscription: SUB.into(),
                used: 0,
                limit: 20,
                fan_in: FanIn::default(),
                credentials: Vec::new(),
                role_assignments: roles,
            }],
            clusters: Vec::new(),
        }
    }

    fn ns() -> String {
        format!(
            "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/sb"
        )
    }

    #[test]
    fn broad_roles_and_scopes_are_findings_and_narrow_grants_are_not() {
        let sub = format!("/subscriptions/{SUB}");
        let mg = "/providers/Microsoft.Management/managementGroups/corp";
        let e = estate(vec![
            role("Owner", &ns()),
            role("Reader", mg),
            role("Reader", "/"),
            role("Contributor", &sub),
            role(
                "Azure Service Bus Data Sender",
                &format!("{}/queues/q", ns()),
            ),
            role("Reader", &format!("/subscriptions/{SUB}/resourceGroups/rg")),
        ]);
        let f = findings(&e);
        let kinds: Vec<(Kind, &str)> = f
            .iter()
            .map(|f| {
                (
                    f.kind,
                    f.id.split("/providers/Microsoft.Authorization")
                        .next()
                        .unwrap(),
                )
            })
            .collect();
        assert_eq!(
            kinds,
            [
                (Kind::BroadRole, ns().as_str()),
                (Kind::BroadScope, mg),
                (Kind::BroadScope, "/"),
                (Kind::BroadRole, sub.as_str()),
            ],
            "{f:#?}"
        );
        assert!(
            f[3].message.contains("Contributor on a whole subscription"),
            "{}",
            f[3].message
        );
        assert!(f[2].message.contains("(/)"), "{}", f[2].message);
        assert!(f.iter().all(|f| !f.deletes), "never deleted by --fix");
        assert!(
            f[0].fix.starts_with("az role assignment delete --ids "),
            "{}",
            f[0].fix
        );
    }

    #[test]
    fn a_data_role_on_a_namespace_is_advice_with_the_queue_grant() {
        let e = estate(vec![role("Azure Service Bus Data Owner", &ns())]);
        assert!(findings(&e).is_empty());
        let a = advice(&e);
        assert_eq!(a.len(), 1, "{a:#?}");
        assert!(
            a[0].fix.starts_with(&format!(
                "az role assignment create --role 'Azure Service Bus Data Owner' --assignee-object-id p-1 --assignee-principal-type ServicePrincipal --scope '{}/queues/<queue>'",
                ns()
            )),
            "{}",
            a[0].fix
        );
        assert!(
            a[0].fix.contains(" && az role assignment delete --ids "),
            "{}",
            a[0].fix
        );
    }

    #[test]
    fn fan_in_counts_distinct_issuers_clusters_and_subjects() {
        let cluster = |name: &str| LiveCluster {
            name: name.into(),
            resource_group: "rg-aks".into(),
            subscription: "a".into(),
            issuer: format!("https://oic.example/{name}/"),
        };
        let cred = |issuer: &str, subject: &str, cluster: Option<LiveCluster>| CredentialReport {
            name: format!("{issuer}{subject}"),
            id: String::new(),
            issuer: issuer.into(),
            subject: subject.into(),
            audiences: Vec::new(),
            cluster,
            issuer_answers: None,
            issuer_error: None,
            origin: Origin::Declared,
        };
        let creds = vec![
            cred(
                "https://oic.example/blue/",
                "system:serviceaccount:a:w",
                Some(cluster("blue")),
            ),
            cred(
                "https://oic.example/blue/",
                "system:serviceaccount:b:w",
                Some(cluster("blue")),
            ),
            cred(
                "https://oic.example/green/",
                "system:serviceaccount:a:w",
                Some(cluster("green")),
            ),
            cred("https://gone.example/", "system:serviceaccount:a:w", None),
        ];
        let f = FanIn::of(&creds);
        assert_eq!(
            f,
            FanIn {
                issuers: 3,
                clusters: 2,
                subjects: 4
            }
        );
        assert_eq!(
            f.words(&creds),
            "4 subjects of 3 issuers (2 live clusters) can become it"
        );
    }
}
