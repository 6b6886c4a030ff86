//! The report of the paths and the authorizer's answers: findings with
//! their fixes, the deployer alone is clean, a disagreement is a finding,
//! a caller without SubjectAccessReviews is told so.

use crate::audit::Scope;
use crate::output::{Report, Verdict};
use crate::rbac::authorizer::{Answer, Claim, review_of};
use crate::rbac::claims::{Account, compute};
use crate::rbac::model::{Binding, Model, RoleDef, RoleRef, Rule, Subject};
use crate::rbac::report::report;

fn runner(ns: &str) -> RoleDef {
    RoleDef {
        namespace: Some(ns.into()),
        name: "runner".into(),
        rules: vec![Rule {
            verbs: vec!["create".into()],
            api_groups: vec![String::new()],
            resources: vec!["pods".into()],
            resource_names: vec![],
        }],
        ..RoleDef::default()
    }
}

fn rb(name: &str, subject: Subject) -> Binding {
    Binding {
        namespace: Some("team".into()),
        name: name.into(),
        role: RoleRef {
            kind: "Role".into(),
            name: "runner".into(),
        },
        subjects: vec![subject],
        platform: false,
    }
}

const SAS: [(&str, &str); 3] = [("team", "app"), ("team", "default"), ("team", "worker")];

fn service_accounts() -> Vec<(String, String)> {
    SAS.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// The report with the authorizer answering `answer(claim)`.
fn run(model: &Model, answer: impl Fn(&Claim) -> Answer) -> Report {
    let reviews = compute(
        model,
        &[Account::new("team", "app", Some("c1".into()))],
        &service_accounts(),
    );
    let claims: Vec<Claim> = reviews.iter().flat_map(|r| r.claims.clone()).collect();
    let answers: Vec<Answer> = claims.iter().map(&answer).collect();
    report(
        &Scope::Namespace("team".into()),
        &reviews,
        &claims,
        &answers,
    )
}

/// An authorizer that agrees with every claim.
fn agreeing(c: &Claim) -> Answer {
    if c.can {
        Answer::Allowed {
            reason: "RBAC: allowed".into(),
        }
    } else {
        Answer::Denied {
            reason: String::new(),
        }
    }
}

fn check<'a>(report: &'a Report, id: &str) -> Vec<&'a crate::output::Check> {
    report.checks.iter().filter(|c| c.id == id).collect()
}

#[test]
fn the_deployer_alone_is_clean_and_confirmed() {
    let model = Model::new(
        vec![runner("team")],
        vec![],
        vec![rb("deployer", Subject::user("alice"))],
    );
    let report = run(&model, agreeing);
    assert!(report.ok, "{report:#?}");
    assert_eq!(report.exit_code(), 0);
    let alice = check(&report, "team/serviceaccount/app/User:alice");
    assert_eq!(alice[0].verdict, Verdict::Pass);
    assert!(
        alice[0]
            .detail
            .contains("rolebinding team/deployer → Role runner"),
        "{}",
        alice[0].detail
    );
    let auth = check(&report, "team/serviceaccount/app/authorizer");
    assert_eq!(auth.len(), 1);
    // One "can" (alice, create pods) and the sample: default and worker,
    // three requests each.
    assert!(
        auth[0].detail.contains("all 1 request(s)")
            && auth[0].detail.contains("and 6 it says cannot"),
        "{}",
        auth[0].detail
    );
    let data = &report.data["whoCan"][0];
    assert_eq!(
        data["paths"][0]["requests"][0]["authorizer"]["answer"],
        "allowed"
    );
    assert_eq!(data["sample"].as_array().map(Vec::len), Some(6));
}

#[test]
fn a_group_is_a_finding_with_its_fix() {
    let model = Model::new(
        vec![runner("team")],
        vec![],
        vec![rb("everyone", Subject::group("system:authenticated"))],
    );
    let report = run(&model, agreeing);
    assert_eq!(report.exit_code(), 1);
    let c = check(
        &report,
        "team/serviceaccount/app/Group:system:authenticated",
    );
    assert_eq!(c[0].verdict, Verdict::Fail);
    let fix = c[0].fix.as_deref().unwrap_or_default();
    assert!(fix.starts_with("narrow rolebinding team/everyone"), "{fix}");
    assert!(
        fix.contains("kubectl edit rolebinding everyone -n team"),
        "{fix}"
    );
    assert!(fix.contains("a namespace of its own"), "{fix}");
    assert_eq!(report.data["findings"], 1);
}

#[test]
fn a_disagreement_of_the_authorizer_is_a_finding_either_way() {
    let model = Model::new(
        vec![runner("team")],
        vec![],
        vec![rb("deployer", Subject::user("alice"))],
    );
    // The authorizer denies what the computation says alice can, and lets
    // worker create pods, which the computation says it cannot.
    let report = run(&model, |c| {
        let worker =
            c.subject == Subject::service_account("team", "worker") && c.request.resource == "pods";
        if c.subject == Subject::user("alice") {
            Answer::Denied {
                reason: "no".into(),
            }
        } else if worker {
            Answer::Allowed {
                reason: "webhook".into(),
            }
        } else {
            agreeing(c)
        }
    });
    assert_eq!(report.exit_code(), 1);
    let auth = check(&report, "team/serviceaccount/app/authorizer");
    let details: Vec<&str> = auth.iter().map(|c| c.detail.as_str()).collect();
    assert_eq!(auth.len(), 2, "{details:#?}");
    assert!(
        details[0]
            .contains("says User:alice can create pods, the API server's authorizer denies it: no"),
        "{details:#?}"
    );
    assert!(details[1].contains("ServiceAccount:team/worker cannot create pods, the API server's authorizer allows it: webhook"), "{details:#?}");
    let fix = auth[1].fix.as_deref().unwrap_or_default();
    assert!(
        fix.contains(
            "kubectl auth can-i create pods -n team --as=system:serviceaccount:team:worker"
        ),
        "{fix}"
    );
}

#[test]
fn a_caller_without_subject_access_reviews_is_told() {
    let model = Model::new(
        vec![runner("team")],
        vec![],
        vec![rb("deployer", Subject::user("alice"))],
    );
    let report = run(&model, |_| Answer::Forbidden {
        message: "subjectaccessreviews.authorization.k8s.io is forbidden".into(),
    });
    let auth = check(&report, "team/serviceaccount/app/authorizer");
    assert_eq!(auth.len(), 1);
    assert_eq!(auth[0].verdict, Verdict::Warn);
    assert!(
        auth[0]
            .detail
            .starts_with("the caller may not create SubjectAccessReviews"),
        "{}",
        auth[0].detail
    );
    assert!(
        auth[0].detail.contains("7 of 7 claims are not confirmed"),
        "{}",
        auth[0].detail
    );
}

#[test]
fn no_identity_account_is_said() {
    let report = report(&Scope::All, &[], &[], &[]);
    assert!(report.ok);
    assert!(
        report.checks[0].detail.contains("no ServiceAccount"),
        "{:?}",
        report.checks
    );
}

#[test]
fn a_review_carries_the_subject_user_and_groups() {
    let claim = Claim {
        subject: Subject::service_account("ci", "bot"),
        request: crate::rbac::request::Request::new(Some("team"), "create", "", "serviceaccounts")
            .subresource("token")
            .named("app"),
        can: true,
    };
    let review = serde_json::to_value(review_of(&claim)).unwrap_or_default();
    assert_eq!(review["spec"]["user"], "system:serviceaccount:ci:bot");
    assert_eq!(review["spec"]["groups"][1], "system:serviceaccounts:ci");
    assert_eq!(review["spec"]["resourceAttributes"]["subresource"], "token");
    assert_eq!(review["spec"]["resourceAttributes"]["name"], "app");
    assert_eq!(review["spec"]["resourceAttributes"]["namespace"], "team");
}
