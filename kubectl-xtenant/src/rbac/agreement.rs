//! The authorizer's answers against the claims, as checks: all confirmed
//! (a pass), each disagreement a failed check with the `kubectl auth can-i`
//! that shows it, unanswered claims a warning that says why.

use super::authorizer::{Answer, Claim};
use super::paths::Target;
use super::report::id;
use crate::output::Check;

/// `kubectl auth can-i` for a claim, for the reader to see for themselves.
fn can_i(c: &Claim) -> String {
    let r = &c.request;
    let mut resource = if r.group.is_empty() {
        r.resource.clone()
    } else {
        format!("{}.{}", r.resource, r.group)
    };
    if let Some(name) = &r.name {
        resource.push_str(&format!("/{name}"));
    }
    let mut out = format!("kubectl auth can-i {} {resource}", r.verb);
    if let Some(sub) = &r.subresource {
        out.push_str(&format!(" --subresource={sub}"));
    }
    if let Some(ns) = &r.namespace {
        out.push_str(&format!(" -n {ns}"));
    }
    let who = c.subject.user_info();
    match who.user {
        Some(user) => out.push_str(&format!(" --as={user}")),
        None => out.push_str(" --as=someone"),
    }
    for g in who.groups {
        out.push_str(&format!(" --as-group={g}"));
    }
    out
}

/// The authorizer's checks for one account.
pub fn authorizer_checks(t: &Target, claims: &[(&Claim, &Answer)]) -> Vec<Check> {
    let mut checks = Vec::new();
    let (mut can, mut cannot) = (0, 0);
    let mut unanswered: Vec<&Answer> = Vec::new();
    for (claim, answer) in claims {
        match answer.agrees(claim.can) {
            Some(true) if claim.can => can += 1,
            Some(true) => cannot += 1,
            Some(false) => {
                let (said, says) = if claim.can {
                    ("can", "denies")
                } else {
                    ("cannot", "allows")
                };
                let reason = match answer {
                    Answer::Allowed { reason } | Answer::Denied { reason }
                        if !reason.is_empty() =>
                    {
                        format!(": {reason}")
                    }
                    _ => String::new(),
                };
                let why = if claim.can {
                    "the RBAC computation claims a right the authorizer does not give: check the binding's role exists and holds the rule"
                } else {
                    "something besides the RBAC roles and bindings read allows it (another authorizer such as a webhook or the Node authorizer, system:masters, or a binding the caller could not read): find it and narrow it"
                };
                checks.push(Check::fail(
                    &id(t, "authorizer"),
                    format!(
                        "the computation says {} {said} {}, the API server's authorizer {says} it{reason}",
                        claim.subject,
                        claim.request.describe()
                    ),
                    format!("{why}\nsee for yourself: {}", can_i(claim)),
                ));
            }
            None => unanswered.push(answer),
        }
    }
    if let Some(first) = unanswered.first() {
        let (what, message) = match first {
            Answer::Forbidden { message } => {
                ("the caller may not create SubjectAccessReviews", message)
            }
            Answer::Failed { message } => ("the SubjectAccessReviews failed", message),
            _ => ("", &String::new()),
        };
        checks.push(Check::warn(
            &id(t, "authorizer"),
            format!(
                "{what} ({message}): {} of {} claims are not confirmed by the authorizer",
                unanswered.len(),
                claims.len()
            ),
            "ask for create on subjectaccessreviews.authorization.k8s.io (e.g. the system:auth-delegator ClusterRole) and run again",
        ));
    }
    if checks.is_empty() {
        checks.push(Check::pass(
            &id(t, "authorizer"),
            format!(
                "the API server's authorizer (SubjectAccessReview) confirms all {can} request(s) the computation says can be made and {cannot} it says cannot"
            ),
        ));
    }
    checks
}
