//! Each review check on a request that breaks only its rule, and the JSON
//! shape and exit code of what the review reports.

use serde_json::json;

use super::*;
use crate::handoff::RequestedWorkload;
use crate::handoff::fixture::{self, OTHER_TENANT, TENANT_A};
use crate::names;

/// The checks that fired, with where.
fn fired(findings: &[Finding]) -> Vec<(Severity, Check, &str)> {
    findings
        .iter()
        .map(|f| (f.severity, f.check, f.at.as_str()))
        .collect()
}

fn clean() -> ReviewContext {
    ReviewContext::default()
}

#[test]
fn the_fixture_is_clean() {
    let findings = review(&fixture::request(), &clean());
    assert_eq!(findings, vec![]);
    assert_eq!(exit_code(&findings), 0);
}

#[test]
fn an_edited_field_is_an_error() {
    let mut r = fixture::request();
    r.identities[0].roles[0].role = "Owner".into();
    let findings = review(&r, &clean());
    assert_eq!(findings[0].check, Check::Digest, "{findings:#?}");
    assert_eq!(findings[0].severity, Severity::Error);
    assert_eq!(exit_code(&findings), 2);
}

#[test]
fn a_malformed_subject_is_an_error() {
    let mut r = fixture::request();
    r.workloads[0].subject = "system:serviceaccount:orders".into();
    r.workloads[1].subject = names::subject("orders", "admin");
    r.seal();
    let findings = review(&r, &clean());
    assert_eq!(
        fired(&findings),
        vec![
            (Severity::Error, Check::Subject, "workloads[0].subject"),
            (Severity::Error, Check::Subject, "workloads[1].subject"),
        ]
    );
    assert!(
        findings[0].what.contains("is not a ServiceAccount subject"),
        "{findings:#?}"
    );
    assert!(
        findings[1]
            .what
            .contains("system:serviceaccount:orders:audit"),
        "{findings:#?}"
    );
    assert_eq!(exit_code(&findings), 2);
}

#[test]
fn an_invalid_service_account_name_is_an_error() {
    let mut r = fixture::request();
    r.workloads[2] =
        RequestedWorkload::new("reports", "Reader_1", "reports-reader", &["aks-green"]);
    r.seal();
    let findings = review(&r, &clean());
    assert_eq!(
        fired(&findings),
        vec![(
            Severity::Error,
            Check::Subject,
            "workloads[2].serviceAccount"
        )]
    );
}

#[test]
fn an_issuer_of_another_tenant_is_an_error() {
    let mut r = fixture::request();
    r.clusters[1].issuer = fixture::issuer(OTHER_TENANT, 2);
    r.seal();
    let findings = review(&r, &clean());
    assert_eq!(
        fired(&findings),
        vec![(Severity::Error, Check::Issuer, "clusters[1].issuer")]
    );
    assert!(
        findings[0].what.contains(&format!(
            "belongs to tenant {OTHER_TENANT}, not to the request's Tenant A ({TENANT_A})"
        )),
        "{findings:#?}"
    );
    assert_eq!(exit_code(&findings), 2);
}

#[test]
fn an_issuer_not_of_the_aks_shape_is_a_warning_and_not_a_url_an_error() {
    let mut r = fixture::request();
    r.clusters[0].issuer = r.clusters[0].issuer.trim_end_matches('/').to_string();
    r.clusters[1].issuer = "http://issuer.example/".into();
    r.seal();
    assert_eq!(
        fired(&review(&r, &clean())),
        vec![
            (Severity::Warning, Check::Issuer, "clusters[0].issuer"),
            (Severity::Error, Check::Issuer, "clusters[1].issuer"),
        ]
    );
}

#[test]
fn twenty_one_credentials_on_one_identity_is_an_error() {
    // orders-writer: 3 credentials asked for (writer on two clusters, audit
    // on one); 18 already there make 21.
    let r = fixture::request();
    let mut context = clean();
    context
        .existing_credentials
        .insert("orders-writer".into(), 17);
    assert_eq!(review(&r, &context), vec![], "20 fit");
    context
        .existing_credentials
        .insert("orders-writer".into(), 18);
    let findings = review(&r, &context);
    assert_eq!(
        fired(&findings),
        vec![(Severity::Error, Check::Budget, "identities[0]")]
    );
    assert!(
        findings[0]
            .what
            .contains("would hold 21 federated credentials"),
        "{findings:#?}"
    );
    assert_eq!(exit_code(&findings), 2);
}

#[test]
fn a_request_of_twenty_one_credentials_is_not_made() {
    let clusters: Vec<_> = (0..21)
        .map(|n| fixture::cluster(&format!("aks-{n}"), format!("https://eastus.oic.prod-aks.azure.com/{TENANT_A}/000000{n:02}-aaaa-4bbb-8ccc-dddddddddddd/")))
        .collect();
    let names: Vec<String> = clusters.iter().map(|c| c.name.clone()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let err = crate::handoff::TrustRequest::new(
        TENANT_A,
        fixture::made_at(),
        clusters,
        vec![fixture::identity("orders-writer", &[])],
        vec![RequestedWorkload::new(
            "orders",
            "writer",
            "orders-writer",
            &names,
        )],
    )
    .expect_err("21 credentials");
    assert!(
        err.to_string()
            .contains("would hold 21 federated credentials"),
        "{err}"
    );
}

#[test]
fn broad_roles_are_warnings() {
    let sub = "/subscriptions/33333333-4444-4555-8666-777777777777";
    let mut r = fixture::request();
    r.identities[0].roles = fixture::identity(
        "orders-writer",
        &[
            ("Contributor", "rg-data"),
            ("Azure Service Bus Data Sender", sub),
            ("Orders Operator", "the orders queue"),
            ("Azure Service Bus Data Sender", "the orders queue"),
        ],
    )
    .roles;
    r.seal();
    let mut context = clean();
    context.role_actions.insert(
        "orders operator".into(),
        vec!["Microsoft.ServiceBus/*".into()],
    );
    let findings = review(&r, &context);
    assert_eq!(
        fired(&findings),
        vec![
            (Severity::Warning, Check::Role, "identities[0].roles[0]"),
            (Severity::Warning, Check::Role, "identities[0].roles[1]"),
            (Severity::Warning, Check::Role, "identities[0].roles[2]"),
        ]
    );
    assert!(
        findings[1].what.contains("subscription scope"),
        "{findings:#?}"
    );
    assert!(
        findings[2].what.contains("\"Microsoft.ServiceBus/*\""),
        "{findings:#?}"
    );
    assert_eq!(exit_code(&findings), 1);
}

#[test]
fn a_finding_has_a_stable_json_shape() {
    let finding = Finding::warning(
        Check::Role,
        "identities[0].roles[0]".into(),
        "w".into(),
        "f",
    );
    let text = serde_json::to_string(&finding).expect("serialises");
    assert_eq!(
        text,
        r#"{"severity":"warning","check":"role","at":"identities[0].roles[0]","what":"w","fix":"f"}"#
    );
    let all = [
        Check::Digest,
        Check::Shape,
        Check::Issuer,
        Check::Subject,
        Check::Budget,
        Check::Role,
    ];
    assert_eq!(
        serde_json::to_value(all).expect("serialises"),
        json!(["digest", "shape", "issuer", "subject", "budget", "role"])
    );
}
