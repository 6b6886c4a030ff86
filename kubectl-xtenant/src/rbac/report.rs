//! The paths of each ServiceAccount as the audit report: one check a path
//! (a failed one when it is more than the deployer, with its fix), the
//! control plane's own paths in one line, and the authorizer's verdict on
//! the claims, each disagreement a failed check of its own.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Value, json};

use super::authorizer::{Answer, Claim};
use super::findings::{self, describe_requests, judge};
use super::model::{Model, Subject};
use super::paths::{self, Path, Target};
use super::request::Request;
use crate::audit::Scope;
use crate::output::{Check, Report};

/// How many of the namespace's other ServiceAccounts are asked about as
/// subjects the computation says cannot.
const CANNOT_SAMPLE: usize = 3;

/// A ServiceAccount that stands for an identity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Account {
    pub target: Target,
    /// Its annotated client ID; None when only the graph binds it.
    pub client_id: Option<String>,
}

impl Account {
    pub fn new(ns: &str, name: &str, client_id: Option<String>) -> Self {
        Self {
            target: Target {
                namespace: ns.into(),
                name: name.into(),
            },
            client_id,
        }
    }
}

/// The computation for one account: its paths and the claims to confirm.
#[derive(Debug, Clone)]
pub struct AccountReview {
    pub account: Account,
    pub paths: Vec<Path>,
    pub claims: Vec<Claim>,
}

/// The requests asked about for a subject the computation says cannot.
fn cannot_requests(target: &Target) -> Vec<Request> {
    let ns = Some(target.namespace.as_str());
    vec![
        Request::new(ns, "create", "", "pods"),
        Request::new(ns, "create", "", "serviceaccounts")
            .subresource("token")
            .named(&target.name),
        Request::new(ns, "impersonate", "", "serviceaccounts").named(&target.name),
    ]
}

/// The claims of a path list (each subject and request once), then the
/// sample: the namespace's first other ServiceAccounts with no path.
pub fn claims(
    model: &Model,
    target: &Target,
    paths: &[Path],
    service_accounts: &[(String, String)],
) -> Vec<Claim> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for p in paths {
        for r in &p.requests {
            if seen.insert((p.subject.clone(), r.clone())) {
                out.push(Claim {
                    subject: p.subject.clone(),
                    request: r.clone(),
                    can: true,
                });
            }
        }
    }
    let with_path: BTreeSet<&Subject> = paths.iter().map(|p| &p.subject).collect();
    let others = service_accounts
        .iter()
        .filter(|(ns, name)| *ns == target.namespace && *name != target.name)
        .map(|(ns, name)| Subject::service_account(ns, name))
        .filter(|s| !with_path.contains(s))
        .take(CANNOT_SAMPLE);
    for subject in others {
        for request in cannot_requests(target) {
            let can = !model.allowing(&subject.user_info(), &request).is_empty();
            out.push(Claim {
                subject: subject.clone(),
                request,
                can,
            });
        }
    }
    out
}

/// Paths and claims of every account.
pub fn compute(
    model: &Model,
    accounts: &[Account],
    service_accounts: &[(String, String)],
) -> Vec<AccountReview> {
    accounts
        .iter()
        .map(|account| {
            let paths = paths::paths(model, &account.target);
            let claims = claims(model, &account.target, &paths, service_accounts);
            AccountReview {
                account: account.clone(),
                paths,
                claims,
            }
        })
        .collect()
}

fn id(t: &Target, check: &str) -> String {
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
fn authorizer_checks(t: &Target, claims: &[(&Claim, &Answer)]) -> Vec<Check> {
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
