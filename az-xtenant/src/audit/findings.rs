//! The audit's findings: at most one per credential (the most pressing of
//! stale, near-duplicate, near issuer, foreign audience, undeclared, not
//! xtenant's), one per role assignment whose scope is gone, one per grant of
//! a broad role or at a broad scope ([`super::breadth`]), each with the az
//! command that fixes it.

use serde::Serialize;
use xtenant_shared::issuer::{self, Likeness};

use super::{AUDIENCE, CredentialReport, Estate, IdentityReport, Origin};
use crate::az::{argv, shell_line, types::FederatedCredential};

/// What is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Its issuer is no live cluster's and no longer answers.
    Stale,
    /// Another credential on the identity differs only by a trailing slash or case.
    NearDuplicate,
    /// Its issuer differs from a live cluster's only by a trailing slash or case.
    NearIssuer,
    /// Its audience is not the token exchange's.
    Audience,
    /// xtenant created it and nothing declares it any more.
    Undeclared,
    /// Made by someone else.
    Unmanaged,
    /// A role assignment whose scope no longer exists.
    ScopeGone,
    /// A built-in role that manages everything in its scope or hands out access.
    BroadRole,
    /// A role granted on a whole subscription, management group or the root.
    BroadScope,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Stale => "stale",
            Kind::NearDuplicate => "near-duplicate",
            Kind::NearIssuer => "near-issuer",
            Kind::Audience => "audience",
            Kind::Undeclared => "undeclared",
            Kind::Unmanaged => "unmanaged",
            Kind::ScopeGone => "scope-gone",
            Kind::BroadRole => "broad-role",
            Kind::BroadScope => "broad-scope",
        }
    }
}

/// One finding and its fix.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub kind: Kind,
    pub identity: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
    pub message: String,
    /// The az command that fixes it (never run without `--fix`).
    pub fix: String,
    /// Whether the fix deletes the credential.
    #[serde(skip)]
    pub deletes: bool,
    /// The credential's or assignment's ARM ID.
    #[serde(skip)]
    pub id: String,
}

/// What an audience other than the token exchange's is for, when known.
fn audience_use(a: &str) -> &'static str {
    match a {
        "api://AzureADTokenExchangeUSGov" => " (Azure Government's token exchange)",
        "api://AzureADTokenExchangeChina" => " (Azure operated by 21Vianet's token exchange)",
        _ => "",
    }
}

fn near(a: &CredentialReport, b: &CredentialReport) -> bool {
    let i = issuer::compare(&a.issuer, &b.issuer);
    let s = issuer::compare_subject(&a.subject, &b.subject);
    i != Likeness::Different && s != Likeness::Different && (i.is_near() || s.is_near())
}

/// Which of two twins to keep: the declared one, then the one trusting a
/// live cluster exactly, then the first by name.
fn rank(c: &CredentialReport) -> (bool, bool, String) {
    (
        c.origin != Origin::Declared,
        c.cluster.is_none(),
        c.name.clone(),
    )
}

/// Every finding of an estate.
pub fn find(estate: &Estate) -> Vec<Finding> {
    let mut out = Vec::new();
    for i in &estate.identities {
        for c in &i.credentials {
            if let Some(f) = credential_finding(estate, i, c) {
                out.push(f);
            }
        }
        for r in i
            .role_assignments
            .iter()
            .filter(|r| r.scope_exists == Some(false))
        {
            out.push(Finding {
                kind: Kind::ScopeGone,
                identity: i.name.clone(),
                credential: None,
                message: format!(
                    "role assignment {} on {} outlives its scope, which no longer exists",
                    r.role, r.scope
                ),
                fix: shell_line(&argv::role_assignment_delete(&i.subscription, &r.id)),
                deletes: false,
                id: r.id.clone(),
            });
        }
    }
    out.extend(super::breadth::findings(estate));
    out
}

fn credential_finding(
    estate: &Estate,
    i: &IdentityReport,
    c: &CredentialReport,
) -> Option<Finding> {
    if c.origin == Origin::AksIdentityBinding {
        // AKS manages it; it is right as it is.
        return None;
    }
    let delete = shell_line(&argv::federated_credential_delete(
        &i.subscription,
        &i.resource_group,
        &i.name,
        &c.name,
    ));
    let make = |kind, message: String, fix: String, deletes| Finding {
        kind,
        identity: i.name.clone(),
        credential: Some(c.name.clone()),
        message,
        fix,
        deletes,
        id: c.id.clone(),
    };
    let live_twin = estate
        .clusters
        .iter()
        .find(|k| issuer::compare(&k.issuer, &c.issuer).is_near());
    if c.cluster.is_none() && live_twin.is_none() && c.issuer_answers == Some(false) {
        return Some(make(
            Kind::Stale,
            format!(
                "trusts {}, the issuer of no live cluster, which no longer publishes its discovery document",
                c.issuer
            ),
            delete,
            true,
        ));
    }
    let keeper = i
        .credentials
        .iter()
        .filter(|k| k.name != c.name && near(k, c) && rank(k) < rank(c))
        .min_by_key(|k| rank(k));
    if let Some(k) = keeper {
        let why = issuer::explain(&k.issuer, &c.issuer).unwrap_or_else(|| {
            format!(
                "subject {:?} differs from {:?} only in letter case; Entra compares subjects byte for byte",
                c.subject, k.subject
            )
        });
        return Some(make(
            Kind::NearDuplicate,
            format!("near-duplicate of {}: {why}", k.name),
            delete,
            true,
        ));
    }
    if let (None, Some(k)) = (&c.cluster, live_twin) {
        let why = issuer::explain(&k.issuer, &c.issuer).unwrap_or_default();
        let fixed = FederatedCredential {
            name: c.name.clone(),
            issuer: k.issuer.clone(),
            subject: c.subject.clone(),
            audiences: Vec::new(),
        };
        return Some(make(
            Kind::NearIssuer,
            format!("meant for cluster {}? {why}", k.name),
            shell_line(&argv::federated_credential_update(
                &i.subscription,
                &i.resource_group,
                &i.name,
                &fixed,
                AUDIENCE,
            )),
            false,
        ));
    }
    if c.audiences.iter().any(|a| a != AUDIENCE) || c.audiences.is_empty() {
        let list = c
            .audiences
            .iter()
            .map(|a| format!("{a}{}", audience_use(a)))
            .collect::<Vec<_>>()
            .join(", ");
        return Some(make(
            Kind::Audience,
            format!("audience {list} is not {AUDIENCE}: the token exchange refuses it"),
            shell_line(&argv::federated_credential_update(
                &i.subscription,
                &i.resource_group,
                &i.name,
                &FederatedCredential {
                    audiences: Vec::new(),
                    ..plain(c)
                },
                AUDIENCE,
            )),
            false,
        ));
    }
    match c.origin {
        Origin::Declared | Origin::AksIdentityBinding => None,
        Origin::Undeclared => Some(make(
            Kind::Undeclared,
            "created by xtenant and no longer declared; `apply --prune` removes it".into(),
            delete,
            true,
        )),
        Origin::Unmanaged => Some(make(
            Kind::Unmanaged,
            "not made by xtenant: nothing declares it; remove it if nobody can explain it".into(),
            delete,
            true,
        )),
    }
}

fn plain(c: &CredentialReport) -> FederatedCredential {
    FederatedCredential {
        name: c.name.clone(),
        issuer: c.issuer.clone(),
        subject: c.subject.clone(),
        audiences: c.audiences.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{LiveCluster, Origin};

    const ISSUER: &str = "https://oic.example/t/blue/";

    fn credential(name: &str, issuer: &str, audience: &str) -> CredentialReport {
        CredentialReport {
            name: name.into(),
            id: format!("/i/federatedIdentityCredentials/{name}"),
            issuer: issuer.into(),
            subject: "system:serviceaccount:orders:writer".into(),
            audiences: vec![audience.into()],
            cluster: None,
            issuer_answers: None,
            issuer_error: None,
            origin: Origin::Unmanaged,
        }
    }

    fn estate(credentials: Vec<CredentialReport>) -> Estate {
        Estate {
            identities: vec![IdentityReport {
                name: "id".into(),
                resource_group: "rg".into(),
                subscription: "s".into(),
                used: credentials.len(),
                limit: 20,
                fan_in: Default::default(),
                credentials,
                role_assignments: Vec::new(),
            }],
            clusters: vec![LiveCluster {
                name: "blue".into(),
                resource_group: "rg-aks".into(),
                subscription: "a".into(),
                issuer: ISSUER.into(),
            }],
        }
    }

    #[test]
    fn a_lone_near_issuer_is_updated_to_the_clusters() {
        let f = find(&estate(vec![credential(
            "c",
            "https://OIC.example/t/blue",
            AUDIENCE,
        )]));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].kind, Kind::NearIssuer);
        assert!(f[0].message.contains("cluster blue"), "{}", f[0].message);
        assert!(
            f[0].fix.contains(&format!(
                "update --resource-group rg --identity-name id --name c --issuer {ISSUER} "
            )),
            "{}",
            f[0].fix
        );
        assert!(!f[0].deletes);
    }

    #[test]
    fn a_known_foreign_audience_says_what_it_is_for() {
        let mut c = credential("c", ISSUER, "api://AzureADTokenExchangeUSGov");
        c.origin = Origin::Declared;
        let f = find(&estate(vec![c]));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].kind, Kind::Audience);
        assert!(
            f[0].message.contains("Azure Government"),
            "{}",
            f[0].message
        );
    }
}
