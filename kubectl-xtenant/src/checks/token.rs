//! Compares a service-account token's claims with what the federated
//! credential trusts: issuer and subject byte for byte (naming a difference
//! of only a trailing slash or letter case, through `xtenant_shared::issuer`),
//! and the audience.

use xtenant_shared::issuer::{self, Likeness};
use xtenant_shared::names::TOKEN_AUDIENCE;

use crate::entra::jwt::Claims;
use crate::output::Check;

const FIX_SUBJECT: &str = "the federated credential's subject must be exactly system:serviceaccount:<namespace>:<service account>, in lowercase as Kubernetes writes it: run `az-xtenant trust` for this namespace and ServiceAccount";

const FIX_ISSUER: &str = "Entra compares the issuer byte for byte: record it exactly as `az aks show --query oidcIssuerProfile.issuerUrl` prints it (`az-xtenant cluster`), then recreate the federated credential (`az-xtenant trust`)";

/// Checks `iss`, `sub` and `aud` of the token.
pub fn check_claims(claims: &Claims, issuer: &str, subject: &str) -> Vec<Check> {
    vec![
        issuer_check(claims.iss.as_deref(), issuer),
        subject_check(claims.sub.as_deref(), subject),
        audience_check(claims),
    ]
}

/// The token's `iss` against the recorded issuer.
pub fn issuer_check(iss: Option<&str>, issuer: &str) -> Check {
    const ID: &str = "token.iss";
    match iss {
        Some(iss) => match (issuer::compare(issuer, iss), issuer::explain(issuer, iss)) {
            (Likeness::Exact, _) => Check::pass(ID, iss),
            (_, Some(near)) => Check::fail(ID, format!("token iss {near}"), FIX_ISSUER),
            (_, None) => Check::fail(
                ID,
                format!("token iss {iss:?} is not the recorded issuer {issuer:?}"),
                FIX_ISSUER,
            ),
        },
        None => Check::fail(
            ID,
            "the token has no iss claim",
            "check the API server's --service-account-issuer",
        ),
    }
}

fn subject_check(sub: Option<&str>, subject: &str) -> Check {
    const ID: &str = "token.sub";
    let Some(sub) = sub else {
        return Check::fail(ID, "the token has no sub claim", FIX_SUBJECT);
    };
    match issuer::compare_subject(subject, sub) {
        Likeness::Exact => Check::pass(ID, sub),
        Likeness::Case | Likeness::TrailingSlash => Check::fail(
            ID,
            format!("token sub {sub:?} {}", case_only(subject)),
            FIX_SUBJECT,
        ),
        Likeness::Different => Check::fail(
            ID,
            format!("token sub {sub:?} is not the credential's subject {subject:?}"),
            FIX_SUBJECT,
        ),
    }
}

/// Why a subject that differs only in letter case is refused.
fn case_only(subject: &str) -> String {
    format!(
        "differs from the credential's subject {subject:?} only in letter case; Entra compares subjects byte for byte (AADSTS7002138)"
    )
}

fn audience_check(claims: &Claims) -> Check {
    const ID: &str = "token.aud";
    match &claims.aud {
        Some(aud) if aud.contains(TOKEN_AUDIENCE) => Check::pass(ID, TOKEN_AUDIENCE),
        other => Check::fail(
            ID,
            format!("token aud {other:?} lacks {TOKEN_AUDIENCE}"),
            "request the token with audience api://AzureADTokenExchange",
        ),
    }
}

/// The subject this run uses against the one the profile's credential names.
pub fn recorded_subject_check(recorded: Option<&str>, subject: &str) -> Check {
    const ID: &str = "subject";
    let fix = "pass the profile's namespace and ServiceAccount (-n, --service-account), or run `az-xtenant trust` again";
    let Some(r) = recorded else {
        return Check::pass(ID, format!("{subject} (no profile to compare with)"));
    };
    match issuer::compare_subject(r, subject) {
        Likeness::Exact => Check::pass(
            ID,
            format!("{subject} (as the profile's federated credential)"),
        ),
        Likeness::Case | Likeness::TrailingSlash => Check::fail(
            ID,
            format!("this run uses {subject:?}, which {}", case_only(r)),
            fix,
        ),
        Likeness::Different => Check::fail(
            ID,
            format!(
                "this run uses {subject:?}, but the profile's federated credential names {r:?}"
            ),
            fix,
        ),
    }
}

/// The discovery document's `issuer` against the recorded issuer.
pub fn discovery_check(found: Result<&str, String>, issuer: &str, url: &str) -> Check {
    const ID: &str = "discovery";
    match found {
        Ok(doc) if issuer::compare(issuer, doc) == Likeness::Exact => {
            Check::pass(ID, format!("{url} names issuer {doc:?}"))
        }
        Ok(doc) => {
            let why = issuer::explain(issuer, doc)
                .unwrap_or_else(|| format!("{doc:?} is not the recorded {issuer:?}"));
            Check::fail(ID, format!("{url} names issuer {doc:?}: {why}"), FIX_ISSUER)
        }
        Err(e) => Check::fail(
            ID,
            e,
            "Entra fetches this document and the JWKS it names (AADSTS90061 when it cannot): make the issuer reachable over https with a certificate Entra trusts",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entra::jwt::Audience;
    use crate::output::Verdict;

    fn claims(iss: &str, sub: &str) -> Claims {
        Claims {
            iss: Some(iss.into()),
            sub: Some(sub.into()),
            aud: Some(Audience::Many(vec![TOKEN_AUDIENCE.into()])),
            exp: None,
            iat: None,
            nbf: None,
        }
    }

    #[test]
    fn matching_claims_pass() {
        let c = claims("https://i/", "system:serviceaccount:default:sa");
        let checks = check_claims(&c, "https://i/", "system:serviceaccount:default:sa");
        assert!(
            checks.iter().all(|c| c.verdict == Verdict::Pass),
            "{checks:?}"
        );
    }

    #[test]
    fn trailing_slash_is_named() {
        let check = issuer_check(Some("https://i/t/u"), "https://i/t/u/");
        assert_eq!(check.verdict, Verdict::Fail);
        assert!(check.detail.contains("trailing slash"), "{}", check.detail);
    }

    #[test]
    fn letter_case_is_named_for_issuer_subject_and_discovery() {
        const ISSUER: &str = "https://eastus.oic.prod-aks.azure.com/t/u/";
        let upper = ISSUER.to_uppercase();
        let check = issuer_check(Some(&upper), ISSUER);
        assert_eq!(check.verdict, Verdict::Fail);
        assert!(check.detail.contains("letter case"), "{}", check.detail);

        let sub = "system:serviceaccount:default:sa";
        let c = claims(ISSUER, "system:serviceaccount:Default:sa");
        let check = &check_claims(&c, ISSUER, sub)[1];
        assert_eq!(check.verdict, Verdict::Fail);
        assert!(
            check.detail.contains("only in letter case"),
            "{}",
            check.detail
        );
        assert!(check.detail.contains("AADSTS7002138"), "{}", check.detail);

        let check = recorded_subject_check(Some("system:serviceaccount:default:SA"), sub);
        assert_eq!(check.verdict, Verdict::Fail);
        assert!(
            check.detail.contains("only in letter case"),
            "{}",
            check.detail
        );

        let check = discovery_check(Ok(&upper), ISSUER, "u");
        assert_eq!(check.verdict, Verdict::Fail);
        assert!(check.detail.contains("letter case"), "{}", check.detail);
        let check = discovery_check(Ok("https://i"), "https://i/", "u");
        assert!(check.detail.contains("trailing slash"), "{}", check.detail);
    }

    #[test]
    fn subject_and_audience_mismatches_fail() {
        let mut c = claims("https://i/", "system:serviceaccount:other:sa");
        c.aud = Some(Audience::One("https://kubernetes.default.svc".into()));
        let checks = check_claims(&c, "https://i/", "system:serviceaccount:default:sa");
        assert_eq!(checks[1].verdict, Verdict::Fail);
        assert_eq!(checks[2].verdict, Verdict::Fail);
    }

    #[test]
    fn recorded_subject_and_discovery() {
        assert_eq!(
            recorded_subject_check(Some("a"), "b").verdict,
            Verdict::Fail
        );
        assert_eq!(recorded_subject_check(None, "b").verdict, Verdict::Pass);
        assert_eq!(
            discovery_check(Ok("https://i/"), "https://i/", "u").verdict,
            Verdict::Pass
        );
        assert_eq!(
            discovery_check(Ok("https://i"), "https://i/", "u").verdict,
            Verdict::Fail
        );
        assert_eq!(
            discovery_check(Err("down".into()), "https://i/", "u").verdict,
            Verdict::Fail
        );
    }
}
