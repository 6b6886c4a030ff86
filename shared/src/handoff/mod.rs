//! The hand-off between two administrators who never share a login: Tenant
//! A's (the clusters) and Tenant B's (the identities and the resources).
//!
//! Two files pass between them, both YAML with an `apiVersion` and a `kind`,
//! both refused whole when a key is unknown or a value breaks its rule:
//!
//! - the **request** ([`TrustRequest`], `kind: TrustRequest`), written by
//!   Tenant A: Tenant A's ID, each cluster (name, resource ID, issuer), each
//!   identity asked for with the roles asked for (requests, not decisions:
//!   a role name and a scope in words or as an ARM ID), each workload
//!   (namespace, ServiceAccount, subject, identity, clusters), when it was
//!   made, and a digest over all of that;
//! - the **grant** ([`TrustGrant`], `kind: TrustGrant`), written by Tenant B
//!   in answer: Tenant B's ID, the digest of the request it answers, each
//!   identity's client ID and the roles actually granted, the (issuer,
//!   subject) pairs trusted, and its own digest. Nothing secret is in
//!   either file: IDs, names and URLs only.
//!
//! The four commands that use them:
//!
//! - `az-xtenant request` (signed in to Tenant A only) reads each cluster's
//!   issuer live and writes the request;
//! - `az-xtenant review REQUEST` (signed in to Tenant B only) shows what
//!   accepting would do: the pure checks of [`review`] plus a live fetch of
//!   each issuer's discovery document; exit 0 clean, 1 with findings, 2 for a
//!   malformed or edited request ([`review::exit_code`]);
//! - `az-xtenant grant REQUEST` (Tenant B) creates the identities and
//!   credentials, the roles Tenant B decides, and writes the grant;
//! - `az-xtenant accept GRANT` (Tenant A) checks the grant answers the request
//!   on record ([`TrustGrant::answers`]) and records the client IDs.
//!
//! The digest (`sha256:<hex>`, see [`digest`]) makes an edit detectable, by
//! mistake or on the way; it is not a signature: whoever edits a file can
//! compute a new one. What protects Tenant B is that it reviews what it
//! grants, and what protects Tenant A is that a grant must answer the
//! request Tenant A kept.

pub mod accept;
pub mod digest;
mod document;
mod error;
pub mod grant;
pub mod request;
pub mod review;
pub mod when;

pub use accept::Accepted;
pub use error::HandoffError;
pub use grant::{GrantedIdentity, RoleGrant, TrustGrant, TrustedSubject};
pub use request::{
    RequestedCluster, RequestedIdentity, RequestedWorkload, RoleRequest, TrustRequest,
};
pub use review::{Check, Finding, ReviewContext, Severity};

/// The `apiVersion` of both documents. A change that an older reader would
/// misread gets a new version; an older reader refuses it by name.
pub const API_VERSION: &str = "xtenant/v1alpha1";

/// Azure's limit of federated credentials on one user-assigned identity
/// (a hard limit Azure has declined to raise).
pub const MAX_CREDENTIALS_PER_IDENTITY: usize = 20;

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod tests;
