//! The hand-off's bad inputs, each given to `review` and to `grant` against
//! the fake az: a request edited after its digest; an issuer of another
//! tenant (the AKS shape with another tenant segment, sealed again so the
//! digest holds); a subject that is not `system:serviceaccount:NS:SA`; 21
//! credentials on one identity; a grant passed as the request; a file that
//! is not YAML; a file that cannot be read. Each is a clear error naming
//! what is wrong, exit 2, and no write — `grant` makes no az call at all.
#![allow(clippy::unwrap_used)]

mod support;

use support::handoff::*;
use support::*;
use xtenant_shared::handoff::{
    GrantedIdentity, RequestedWorkload, TrustGrant, TrustRequest, TrustedSubject,
};

/// `request` changed by `change`, then sealed again: the digest holds, so
/// what is refused is the content itself.
fn resealed(yaml: &str, change: impl FnOnce(&mut TrustRequest)) -> String {
    let mut r = TrustRequest::from_yaml("request.yaml", yaml).unwrap();
    change(&mut r);
    r.seal();
    r.to_yaml()
}

fn grant_of(yaml: &str) -> String {
    let r = TrustRequest::from_yaml("request.yaml", yaml).unwrap();
    let identities = r
        .identities
        .iter()
        .map(|i| GrantedIdentity {
            name: i.name.clone(),
            client_id: CLIENT.to_string(),
            roles: Vec::new(),
        })
        .collect();
    let all = TrustedSubject::all_of(&r);
    TrustGrant::new(TB, &r, std::time::SystemTime::now(), identities, all)
        .unwrap()
        .to_yaml()
}

/// Each bad input: what it is, the file's text (`None`: no file at all),
/// and what the error must say.
fn cases(yaml: &str) -> Vec<(&'static str, Option<String>, String)> {
    let other_tenant =
        format!("https://eastus.oic.prod-aks.azure.com/{TB}/eeeeeeee-0000-4000-8000-00000000000e/");
    vec![
        (
            "edited after its digest",
            Some(yaml.replace("orders:writer", "orders:admin")),
            "changed after it was made".into(),
        ),
        (
            "an issuer of another tenant",
            Some(resealed(yaml, |r| r.clusters[0].issuer = other_tenant)),
            format!("belongs to tenant {TB}"),
        ),
        (
            "a subject not system:serviceaccount:NS:SA",
            Some(resealed(yaml, |r| {
                r.workloads[0].subject = "orders:writer".into();
            })),
            "workloads[0].subject".into(),
        ),
        (
            "21 credentials on one identity",
            Some(resealed(yaml, |r| {
                r.workloads = (0..21)
                    .map(|n| RequestedWorkload::new("orders", &format!("sa-{n}"), IDENTITY, &[AKS]))
                    .collect();
            })),
            "21 federated credentials".into(),
        ),
        (
            "a grant passed as the request",
            Some(grant_of(yaml)),
            "kind".into(),
        ),
        ("not YAML", Some("{{{".into()), "bad.yaml".into()),
        ("unreadable", None, "cannot read the request".into()),
    ]
}

/// Writes the case's file (or none) in `w`; answers its path.
fn write_case(w: &World, text: Option<&String>) -> String {
    let path = w.path().join("bad.yaml");
    let _ = std::fs::remove_file(&path);
    if let Some(text) = text {
        std::fs::write(&path, text).unwrap();
    }
    path.to_str().unwrap().to_string()
}

#[test]
fn review_refuses_each_bad_request_with_exit_2() {
    let (_a, b, yaml, _) = handed_over();
    for (what, text, says) in cases(&yaml) {
        let path = write_case(&b, text.as_ref());
        b.clear_calls();
        let out = b.run(&["review", &path]);
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(2), "{what}: {}", describe(&out));
        assert!(said.contains(&says), "{what}: should say {says:?}:\n{said}");
        // Refused on its content: nothing fetched, nothing read in Tenant B.
        assert!(b.calls().is_empty(), "{what}: {:?}", b.calls());
    }
}

#[test]
fn grant_refuses_each_bad_request_with_exit_2_before_any_az_call() {
    let (_a, b, yaml, _) = handed_over();
    for (what, text, says) in cases(&yaml) {
        let path = write_case(&b, text.as_ref());
        b.clear_calls();
        let out = b.run(&grant_args(&path, &[]));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {}", describe(&out));
        assert!(err.contains(&says), "{what}: should say {says:?}:\n{err}");
        assert!(
            out.stdout.is_empty(),
            "{what}: no grant: {}",
            describe(&out)
        );
        assert!(b.calls().is_empty(), "{what}: {:?}", b.calls());
    }
}

#[test]
fn grant_refuses_a_request_of_another_tenant_a_in_a_profile_that_granted_one() {
    let (_a, b, yaml, file) = handed_over();
    let out = b.run(&grant_args(&file, &[]));
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    // Another Tenant A's request, its cluster's issuer its own.
    let other = "cccccccc-0000-4000-8000-00000000000c";
    let theirs = resealed(&yaml, |r| {
        r.tenant_a = other.into();
        r.clusters[0].issuer = format!(
            "https://eastus.oic.prod-aks.azure.com/{other}/eeeeeeee-0000-4000-8000-00000000000e/"
        );
    });
    let path = write_case(&b, Some(&theirs));
    b.clear_calls();
    for more in [&[][..], &["--prune"], &["--retire"]] {
        let out = b.run(&grant_args(&path, more));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{more:?}: {}", describe(&out));
        assert!(
            err.contains(TA) && err.contains("--profile"),
            "{more:?}: should name the tenant granted and --profile:\n{err}"
        );
        assert!(b.calls().is_empty(), "{more:?}: {:?}", b.calls());
    }
}
