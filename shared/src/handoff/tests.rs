//! The two documents: written and read back unchanged, an edit detected,
//! a key or a version this reader does not know refused by name, and a
//! grant checked against the request it must answer.

use super::fixture::{self, OTHER_TENANT, TENANT_A};
use super::*;
use crate::names;

#[test]
fn a_request_round_trips_through_yaml() {
    let request = fixture::request();
    let text = request.to_yaml();
    assert!(
        text.starts_with("apiVersion: xtenant/v1alpha1\nkind: TrustRequest\n"),
        "{text}"
    );
    let back = TrustRequest::from_yaml("request.yaml", &text).expect("reads back");
    assert_eq!(back, request);
    back.verify_digest("request.yaml").expect("digest holds");
}

#[test]
fn a_grant_round_trips_through_yaml_and_answers_its_request() {
    let request = fixture::request();
    let grant = fixture::grant(&request);
    let back = TrustGrant::from_yaml("grant.yaml", &grant.to_yaml()).expect("reads back");
    assert_eq!(back, grant);
    back.verify_digest("grant.yaml").expect("digest holds");
    back.answers(&request)
        .expect("answers the request it was made for");
    assert_eq!(
        back.client_id_for("orders", "audit"),
        Some("c1c1c1c1-0000-4000-8000-000000000001")
    );
    assert_eq!(back.client_id_for("orders", "nobody"), None);
}

#[test]
fn an_edited_request_fails_its_digest() {
    let text = fixture::request().to_yaml();
    // One field edited by hand: another ServiceAccount in the same namespace.
    let edited = text.replacen("serviceAccount: audit", "serviceAccount: admin", 1);
    assert_ne!(edited, text, "the fixture has the field");
    let request = TrustRequest::from_yaml("request.yaml", &edited).expect("still YAML");
    let err = request.verify_digest("request.yaml").expect_err("edited");
    let msg = err.to_string();
    assert!(matches!(err, HandoffError::Tampered { .. }), "{msg}");
    assert!(
        msg.contains("request.yaml was changed after it was made"),
        "{msg}"
    );
}

#[test]
fn an_edited_grant_fails_its_digest() {
    let request = fixture::request();
    let mut grant = fixture::grant(&request);
    grant.identities[0].client_id = "c9c9c9c9-0000-4000-8000-000000000009".into();
    let err = grant.verify_digest("grant.yaml").expect_err("edited");
    assert!(matches!(err, HandoffError::Tampered { .. }), "{err}");
}

#[test]
fn an_unknown_key_is_refused_by_name() {
    let text = fixture::request().to_yaml();
    let text = text.replacen(
        "  serviceAccount: writer\n",
        "  serviceAccount: writer\n  namepsace: x\n",
        1,
    );
    let err = TrustRequest::from_yaml("request.yaml", &text).expect_err("unknown key");
    let msg = err.to_string();
    assert!(matches!(err, HandoffError::Parse { .. }), "{msg}");
    assert!(msg.starts_with("request.yaml: "), "{msg}");
    assert!(msg.contains("namepsace"), "{msg}");
    assert!(msg.contains("line "), "{msg}");
    let grant = fixture::grant(&fixture::request()).to_yaml();
    let grant = grant.replacen("tenantB:", "tenantC: x\ntenantB:", 1);
    let err = TrustGrant::from_yaml("grant.yaml", &grant).expect_err("unknown key");
    assert!(err.to_string().contains("unknown field `tenantC`"), "{err}");
}

#[test]
fn another_version_or_kind_is_refused_before_its_keys() {
    let text = fixture::request().to_yaml();
    let newer = text.replacen("xtenant/v1alpha1", "xtenant/v2", 1) + "somethingNew: 1\n";
    let err = TrustRequest::from_yaml("request.yaml", &newer).expect_err("newer");
    assert!(
        err.to_string().contains("apiVersion is \"xtenant/v2\""),
        "{err}"
    );
    let grant = fixture::grant(&fixture::request()).to_yaml();
    let err = TrustRequest::from_yaml("grant.yaml", &grant).expect_err("a grant");
    assert!(
        err.to_string()
            .contains("kind is \"TrustGrant\", expected \"TrustRequest\""),
        "{err}"
    );
}

#[test]
fn a_malformed_request_is_not_made() {
    let mut bad = fixture::cluster("aks-blue", fixture::issuer(TENANT_A, 1));
    bad.resource_id = "aks-blue".into();
    let err = TrustRequest::new(
        "not-a-guid",
        fixture::made_at(),
        vec![bad],
        vec![fixture::identity("orders-writer", &[])],
        vec![RequestedWorkload::new(
            "orders",
            "writer",
            "orders-writer",
            &["aks-red"],
        )],
    )
    .expect_err("malformed");
    let msg = err.to_string();
    for key in [
        "tenantA:",
        "clusters[0].resourceId:",
        "workloads[0].clusters[0]:",
    ] {
        assert!(msg.contains(key), "{key} in {msg}");
    }
    assert!(msg.contains("correct it in the graph file"), "{msg}");
}

#[test]
fn a_grant_for_another_request_is_refused_naming_each_difference() {
    let request = fixture::request();
    // Another request: another Tenant A, one subject more.
    let mut other = request.clone();
    other.tenant_a = OTHER_TENANT.into();
    other.workloads[2].service_account = "admin".into();
    other.workloads[2].subject = names::subject("reports", "admin");
    other.seal();
    let grant = fixture::grant(&other);
    let err = grant.answers(&request).expect_err("another request");
    let msg = err.to_string();
    assert!(matches!(err, HandoffError::Mismatch(_)), "{msg}");
    assert!(
        msg.contains(&format!("the grant is for {OTHER_TENANT}")),
        "{msg}"
    );
    assert!(msg.contains("request: the grant answers sha256:"), "{msg}");
    assert!(
        msg.contains("trusts system:serviceaccount:reports:admin"),
        "{msg}"
    );
    assert!(
        msg.contains("asked to trust system:serviceaccount:reports:reader"),
        "{msg}"
    );
}

#[test]
fn a_grant_trusting_a_subject_through_another_identity_is_refused() {
    let request = fixture::request();
    let mut grant = fixture::grant(&request);
    grant.trusted[0].identity = "reports-reader".into();
    let err = grant.answers(&request).expect_err("another identity");
    assert!(
        err.to_string()
            .contains("as identity reports-reader, the request asked for orders-writer"),
        "{err}"
    );
}

#[test]
fn a_grant_with_a_malformed_client_id_does_not_read() {
    let request = fixture::request();
    let text = fixture::grant(&request).to_yaml().replacen(
        "c1c1c1c1-0000-4000-8000-000000000001",
        "c1c1c1c1",
        1,
    );
    let err = TrustGrant::from_yaml("grant.yaml", &text).expect_err("bad client ID");
    assert!(err.to_string().contains("identities[0].clientId"), "{err}");
}

#[test]
fn nothing_secret_is_written() {
    let request = fixture::request();
    let text = request.to_yaml() + &fixture::grant(&request).to_yaml();
    for word in ["secret", "token", "password", "assertion"] {
        assert!(!text.to_lowercase().contains(word), "{word} in {text}");
    }
}
