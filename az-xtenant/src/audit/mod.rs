//! `audit`: who Tenant B's identities trust, read from both tenants — each
//! federated credential's issuer resolved to a live AKS cluster of Tenant A
//! (or to none, and then whether the issuer still publishes its discovery
//! document), near-duplicates, foreign audiences, who made it, each
//! identity's credential budget and role assignments. Every finding carries
//! the az command that fixes it; nothing is changed unless `--fix` is given.

pub mod breadth;
pub mod collect;
pub mod findings;
pub mod reach;
pub mod render;

use serde::Serialize;

pub use breadth::{Advice, FanIn};
pub use collect::{Estate, Scope};
pub use findings::{Finding, Kind};
pub use reach::Reach;

/// The audience Entra expects in a workload identity token exchange.
pub use xtenant_shared::names::TOKEN_AUDIENCE as AUDIENCE;

/// A live cluster of Tenant A.
#[derive(Debug, Clone, Serialize)]
pub struct LiveCluster {
    pub name: String,
    pub resource_group: String,
    pub subscription: String,
    #[serde(skip)]
    pub issuer: String,
}

/// Who made a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// The graph (or the profile's demo setup) declares it.
    Declared,
    /// xtenant created it and nothing declares it any more.
    Undeclared,
    /// Someone else made it.
    Unmanaged,
    /// An AKS identity binding made it (`az aks identity-binding`): one
    /// credential for every cluster bound, trusting AKS's binding issuer.
    AksIdentityBinding,
}

impl Origin {
    pub fn label(self) -> &'static str {
        match self {
            Origin::Declared => "declared",
            Origin::Undeclared => "xtenant's, undeclared",
            Origin::Unmanaged => "not xtenant's",
            Origin::AksIdentityBinding => "AKS identity binding",
        }
    }
}

/// One federated credential as the audit sees it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialReport {
    pub name: String,
    /// Its ARM ID.
    pub id: String,
    pub issuer: String,
    pub subject: String,
    pub audiences: Vec<String>,
    /// The live cluster issuing exactly this issuer, if any.
    pub cluster: Option<LiveCluster>,
    /// For an issuer of no live cluster: whether its discovery document
    /// answers (absent when it could not be asked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer_answers: Option<bool>,
    /// Why the discovery document did not answer, in az's words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer_error: Option<String>,
    pub origin: Origin,
}

/// One role assignment of an identity.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleReport {
    pub id: String,
    /// The principal it is granted to (the identity's).
    pub principal_id: String,
    pub role: String,
    pub scope: String,
    /// Whether the scope still exists; `null` when it was not looked up (a
    /// scope outside the subscription).
    pub scope_exists: Option<bool>,
    /// Where the scope lies, seen from the identity's subscription.
    pub scope_reach: Reach,
}

/// One identity of Tenant B.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityReport {
    pub name: String,
    pub resource_group: String,
    pub subscription: String,
    pub used: usize,
    pub limit: usize,
    /// How many issuers, live clusters and subjects can become it.
    pub fan_in: FanIn,
    pub credentials: Vec<CredentialReport>,
    pub role_assignments: Vec<RoleReport>,
}

/// The whole audit.
#[derive(Debug, Serialize)]
pub struct Report {
    pub identities: Vec<IdentityReport>,
    pub clusters: Vec<LiveCluster>,
    pub findings: Vec<Finding>,
    /// Grants wider than needed that are not findings (the exit code ignores them).
    pub advice: Vec<Advice>,
}
