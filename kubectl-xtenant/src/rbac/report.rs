//! The paths of each ServiceAccount as the audit report: one check a path
//! (a failed one when it is more than the deployer, with its fix), the
//! control plane's own paths in one line, and the authorizer's verdict on
//! the claims, each disagreement a failed check of its own.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::agreement::authorizer_checks;
use super::authorizer::{Answer, Claim};
use super::claims::AccountReview;
use super::findings::{self, describe_requests, judge};
use super::model::Subject;
use super::paths::{Path, Target};
use super::request::Request;
use crate::audit::Scope;
use crate::output::{Check, Report};

/// The check id `ns/serviceaccount/name/check`.
pub fn id(t: &Target, check: &str) -> String {
    format!("{}/serviceaccount/{}/{check}", t.namespace, t.name)
}

fn path_detail(p: &Path) -> String {
    let how = describe_requests(p);
    let grant = format!(
        "{} → {} {}",
        p.binding.describe(),
        p.binding.role.kind,
        p.binding.role.name
    );
    match &p.through {
        Some(t) => format!("becomes {t}: {how} ({grant})"),
        None => format!("{how} ({grant})"),
    }
}

/// The subject's answers, for the JSON.
fn answers_of<'a>(
    subject: &Subject,
    request: &Request,
    pairs: &[(&'a Claim, &'a Answer)],
) -> Option<&'a Answer> {
    pairs
        .iter()
        .find(|(c, _)| c.subject == *subject && c.request == *request)
        .map(|(_, a)| *a)
}

/// The report: every account's paths, findings and authorizer checks.
pub fn report(
    scope: &Scope,
    reviews: &[AccountReview],
    claims: &[Claim],
    answers: &[Answer],
) -> Report {
    let mut report = Report::new("audit");
    report.set("namespaces", scope.to_string());
    let mut data = Vec::new();
    let mut offset = 0;
    for review in reviews {
        let t = &review.account.target;
        let n = review.claims.len();
        let pairs: Vec<(&Claim, &Answer)> = claims[offset..offset + n]
            .iter()
            .zip(&answers[offset..offset + n])
            .collect();
        offset += n;
        let mut platform = Vec::new();
        let mut paths_json = Vec::new();
        for p in &review.paths {
            let verdict = judge(p, t);
            let confirmed: Vec<Value> = p
                .requests
                .iter()
                .map(|r| json!({"request": r, "authorizer": answers_of(&p.subject, r, &pairs)}))
                .collect();
            paths_json.push(json!({
                "subject": p.subject, "binding": {"kind": if p.binding.namespace.is_some() {"RoleBinding"} else {"ClusterRoleBinding"},
                "namespace": p.binding.namespace, "name": p.binding.name}, "role": p.binding.role,
                "means": p.means, "through": p.through, "requests": confirmed,
                "finding": verdict.finding, "platform": verdict.platform, "reasons": verdict.reasons,
            }));
            if verdict.platform {
                platform.push(p);
                continue;
            }
            let check_id = id(t, &findings::subject_id(&p.subject));
            let detail = path_detail(p);
            report.push(if verdict.finding {
                Check::fail(
                    &check_id,
                    format!("{detail}: {}", verdict.reasons.join("; ")),
                    findings::fix(p, t),
                )
            } else {
                Check::pass(
                    &check_id,
                    format!("{detail}: bound in the namespace, as its deployer is"),
                )
            });
        }
        if !platform.is_empty() {
            let subjects: BTreeSet<String> =
                platform.iter().map(|p| p.subject.to_string()).collect();
            report.push(Check::pass(
                &id(t, "platform"),
                format!(
                    "{} path(s) of the control plane's own bindings: {}",
                    platform.len(),
                    subjects.into_iter().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        for check in authorizer_checks(t, &pairs) {
            report.push(check);
        }
        let cannot: Vec<Value> = pairs
            .iter()
            .filter(|(c, _)| !review.paths.iter().any(|p| p.subject == c.subject))
            .map(|(c, a)| json!({"subject": c.subject, "request": c.request, "can": c.can, "authorizer": a}))
            .collect();
        data.push(json!({
            "namespace": t.namespace, "serviceAccount": t.name, "clientId": review.account.client_id,
            "paths": paths_json, "sample": cannot,
        }));
    }
    if reviews.is_empty() {
        report.push(Check::pass(
            "who-can",
            format!("no ServiceAccount in namespace(s) {scope} is annotated with a client ID or bound by the profile's graph"),
        ));
    }
    report.set("whoCan", Value::Array(data));
    let findings = report.checks.iter().filter(|c| c.failed()).count();
    report.set("findings", findings);
    report
}

#[cfg(test)]
mod tests;
