//! Compares a service-account token's claims with what the federated
//! credential trusts: issuer byte for byte, subject, audience.

use xtenant_shared::names::TOKEN_AUDIENCE;

use crate::jwt::Claims;
use crate::output::Check;

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
        Some(iss) if iss == issuer => Check::pass(ID, iss),
        Some(iss) if iss.trim_end_matches('/') == issuer.trim_end_matches('/') => Check::fail(
            ID,
            format!(
                "token iss {iss:?} and recorded issuer {issuer:?} differ only by a trailing slash"
            ),
            FIX_ISSUER,
        ),
        Some(iss) => Check::fail(
            ID,
            format!("token iss {iss:?} is not the recorded issuer {issuer:?}"),
            FIX_ISSUER,
        ),
        None => Check::fail(
            ID,
            "the token has no iss claim",
            "check the API server's --service-account-issuer",
        ),
    }
}

fn subject_check(sub: Option<&str>, subject: &str) -> Check {
    const ID: &str = "token.sub";
    match sub {
        Some(sub) if sub == subject => Check::pass(ID, sub),
        other => Check::fail(
            ID,
            format!("token sub {other:?} is not the credential's subject {subject:?}"),
            "the federated credential's subject must be system:serviceaccount:<namespace>:<service account>: run `az-xtenant trust` for this namespace and ServiceAccount",
        ),
    }
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
    match recorded {
        Some(r) if r != subject => Check::fail(
            ID,
            format!(
                "this run uses {subject:?}, but the profile's federated credential names {r:?}"
            ),
            "pass the profile's namespace and ServiceAccount (-n, --service-account), or run `az-xtenant trust` again",
        ),
        Some(_) => Check::pass(
            ID,
            format!("{subject} (as the profile's federated credential)"),
        ),
        None => Check::pass(ID, format!("{subject} (no profile to compare with)")),
    }
}

/// The discovery document's `issuer` against the recorded issuer.
pub fn discovery_check(found: Result<&str, String>, issuer: &str, url: &str) -> Check {
    const ID: &str = "discovery";
    match found {
        Ok(doc) if doc == issuer => Check::pass(ID, format!("{url} names issuer {doc:?}")),
        Ok(doc) => Check::fail(
            ID,
            format!("{url} names issuer {doc:?}, not the recorded {issuer:?}"),
            FIX_ISSUER,
        ),
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
    use crate::jwt::Audience;
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
