//! What `az-xtenant review` checks in a request without calling anyone: the
//! digest, the shape of every value, each issuer against Tenant A, each
//! subject, the credential budget per identity once accepted, and the roles
//! that reach too far. The live checks (each issuer's discovery document,
//! what exists in Tenant B) are the command's; their results come in through
//! [`ReviewContext`].
//!
//! Each finding is `{"severity", "check", "at", "what", "fix"}` in JSON, in
//! that order; `at` is the key of the request it is about
//! (`workloads[0].subject`).

mod budget;
mod issuer;
mod roles;
mod shape;
mod subject;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::TrustRequest;
use crate::exit;

/// How much a finding weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The request is malformed, edited or impossible to grant as it is:
    /// refused (exit 2).
    Error,
    /// Tenant B should look before granting (exit 1).
    Warning,
}

/// Which check a finding comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Check {
    Digest,
    Shape,
    Issuer,
    Subject,
    Budget,
    Role,
    /// The issuer's discovery document, fetched live by the command.
    Discovery,
}

/// One thing the review found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub severity: Severity,
    pub check: Check,
    /// The key of the request it is about.
    pub at: String,
    pub what: String,
    /// What to do about it.
    pub fix: String,
}

impl Finding {
    pub fn error(check: Check, at: String, what: String, fix: &str) -> Self {
        let fix = fix.to_string();
        Self {
            severity: Severity::Error,
            check,
            at,
            what,
            fix,
        }
    }

    pub fn warning(check: Check, at: String, what: String, fix: &str) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(check, at, what, fix)
        }
    }
}

/// What Tenant B knows that the request does not say.
#[derive(Debug, Clone, Default)]
pub struct ReviewContext {
    /// Per identity name: federated credentials already on Tenant B's
    /// identity of that name that the request does not ask for again.
    pub existing_credentials: BTreeMap<String, usize>,
    /// Per role name (as Tenant B's role definitions spell it): its actions.
    /// A role not listed is judged by its name only.
    pub role_actions: BTreeMap<String, Vec<String>>,
}

/// Every finding on `request`, the digest's first.
pub fn review(request: &TrustRequest, context: &ReviewContext) -> Vec<Finding> {
    let mut findings = digest(request);
    findings.extend(well_formed(request));
    findings.extend(budget::check(request, &context.existing_credentials));
    findings.extend(roles::check(request, &context.role_actions));
    findings
}

/// The checks that need nothing but the request, digest and budget aside.
fn well_formed(request: &TrustRequest) -> Vec<Finding> {
    let mut findings = shape::check(request);
    findings.extend(issuer::check(request));
    findings.extend(subject::check(request));
    findings
}

/// The exit code of a review: 0 clean, 1 with warnings, 2 with an error.
pub fn exit_code(findings: &[Finding]) -> u8 {
    if findings.iter().any(|f| f.severity == Severity::Error) {
        exit::USAGE
    } else if findings.is_empty() {
        exit::OK
    } else {
        exit::CHECK_FAILED
    }
}

fn digest(request: &TrustRequest) -> Vec<Finding> {
    let computed = request.computed_digest();
    if computed == request.digest {
        return Vec::new();
    }
    vec![Finding::error(
        Check::Digest,
        "digest".into(),
        format!(
            "the request was changed after it was made: it carries {:?}, its content has {computed:?}",
            request.digest
        ),
        "grant nothing from this file; ask Tenant A for the request as `az-xtenant request` wrote it",
    )]
}

#[cfg(test)]
mod tests;
