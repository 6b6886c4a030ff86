//! Federated client assertions: find the managed identity, verify the assertion against its issuer's JWKS, match the credentials.

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use serde_json::Value;

use crate::entra::EntraError;
use crate::keys::{format_utc, now_secs, unverified_claims};
use crate::state::Sim;

/// A federated credential as stored.
struct Credential {
    issuer: String,
    subject: String,
    audiences: Vec<String>,
    created: Instant,
}

/// Checks a client assertion for `client_id` in `tenant`; on success returns
/// the identity's (client ID, principal ID).
pub async fn check(
    sim: &Sim,
    tenant: &str,
    client_id: &str,
    assertion: &str,
) -> Result<(String, String), EntraError> {
    let (principal, creds) = lookup(sim, tenant, client_id)?;
    let claims = unverified_claims(assertion).ok_or_else(|| {
        EntraError::bad(
            "invalid_request",
            50027,
            "JWT token is invalid or malformed.",
        )
    })?;
    let text = |k: &str| {
        claims
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let (iss, sub) = (text("iss"), text("sub"));
    let auds: Vec<String> = match claims.get("aud") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    };
    let by_issuer: Vec<&Credential> = creds.iter().filter(|c| c.issuer == iss).collect();
    if by_issuer.is_empty() {
        // Matching is case-sensitive. No distinct public code is known for an issuer
        // that matches only when case is ignored (7002137 is a subject mismatch with
        // an expected-subject hint, microsoft/Agents#202), so it stays AADSTS700211,
        // with the hint the subject's case error carries.
        let hint = if creds.iter().any(|c| c.issuer.eq_ignore_ascii_case(&iss)) {
            " The issuer matches with case-insensitive comparison, but not with case-sensitive comparison."
        } else {
            ""
        };
        return Err(EntraError::bad(
            "invalid_request",
            700_211,
            format!(
                "No matching federated identity record found for presented assertion issuer '{iss}'.{hint} Please check your federated identity credential Subject, Audience and Issuer against the presented assertion."
            ),
        ));
    }
    verify_signature(sim, &iss, assertion).await?;
    let (nbf, exp) = (
        num(&claims, "nbf").or(num(&claims, "iat")),
        num(&claims, "exp"),
    );
    let now = now_secs();
    if exp.is_none_or(|e| e + 300 < now) || nbf.is_some_and(|n| n > now + 300) {
        return Err(EntraError::bad(
            "invalid_client",
            700_024,
            format!(
                "Client assertion is not within its valid time range. Current time: {}, assertion valid from {}, expiry time of assertion {}.",
                format_utc(now, 'T'),
                nbf.map_or("unknown".into(), |n| format_utc(n, 'T')),
                exp.map_or("unknown".into(), |e| format_utc(e, 'T')),
            ),
        ));
    }
    let by_subject: Vec<&&Credential> = by_issuer.iter().filter(|c| c.subject == sub).collect();
    if by_subject.is_empty()
        && by_issuer
            .iter()
            .any(|c| c.subject.eq_ignore_ascii_case(&sub))
    {
        // Entra's answer since matching became case-sensitive (Azure/login#515).
        return Err(EntraError::bad(
            "invalid_request",
            7_002_138,
            format!(
                "No matching federated identity record found for presented assertion subject '{sub}'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. See documentation at: https://learn.microsoft.com/entra/workload-id/workload-identity-federation. See breaking change notification and remediation at: https://learn.microsoft.com/en-us/entra/identity-platform/reference-breaking-changes#august-2024."
            ),
        ));
    }
    if by_subject.is_empty() {
        return Err(EntraError::bad(
            "invalid_request",
            700_213,
            format!(
                "No matching federated identity record found for presented assertion subject '{sub}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion."
            ),
        ));
    }
    let matching: Vec<&&&Credential> = by_subject
        .iter()
        .filter(|c| c.audiences.iter().any(|a| auds.contains(a)))
        .collect();
    if matching.is_empty() {
        return Err(EntraError::bad(
            "invalid_request",
            700_212,
            format!(
                "No matching federated identity record found for presented assertion audience '{}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.",
                auds.join(",")
            ),
        ));
    }
    let delay = Duration::from_secs(sim.faults().fic_propagation_secs);
    if !matching.iter().any(|c| c.created.elapsed() >= delay) {
        return Err(EntraError::bad(
            "invalid_request",
            70021,
            format!(
                "No matching federated identity record found for presented assertion. Assertion Issuer: '{iss}'. Assertion Subject: '{sub}'. Assertion Audience: '{}'.",
                auds.join(",")
            ),
        ));
    }
    Ok((client_id.to_string(), principal))
}

fn num(claims: &Value, k: &str) -> Option<u64> {
    claims.get(k).and_then(Value::as_u64)
}

/// The identity with this client ID in this tenant: its principal ID and credentials.
fn lookup(
    sim: &Sim,
    tenant: &str,
    client_id: &str,
) -> Result<(String, Vec<Credential>), EntraError> {
    let g = sim.lock();
    let identity = g
        .resources
        .values()
        .find(|r| {
            r.tenant.eq_ignore_ascii_case(tenant)
                && r.body["type"] == "Microsoft.ManagedIdentity/userAssignedIdentities"
                && r.body["properties"]["clientId"]
                    .as_str()
                    .is_some_and(|c| c.eq_ignore_ascii_case(client_id))
        })
        .ok_or_else(|| EntraError::app_not_found(client_id, tenant))?;
    let principal = identity.body["properties"]["principalId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let id = identity.body["id"].as_str().unwrap_or_default();
    let creds = g
        .under(&format!("{id}/federatedIdentityCredentials"))
        .map(|c| {
            let p = &c.body["properties"];
            Credential {
                issuer: p["issuer"].as_str().unwrap_or_default().into(),
                subject: p["subject"].as_str().unwrap_or_default().into(),
                audiences: p["audiences"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default(),
                created: c.created,
            }
        })
        .collect();
    Ok((principal, creds))
}

fn external(iss: &str, what: &str, err: impl std::fmt::Display) -> EntraError {
    EntraError::bad(
        "invalid_request",
        90061,
        format!("Request to External OIDC endpoint failed. Issuer '{iss}': {what}: {err}"),
    )
}

/// Verifies the assertion's signature with the issuer's published keys.
async fn verify_signature(sim: &Sim, iss: &str, assertion: &str) -> Result<(), EntraError> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        iss.trim_end_matches('/')
    );
    let doc: Value = fetch(sim, &url).await.map_err(|e| external(iss, &url, e))?;
    let jwks_uri = doc["jwks_uri"]
        .as_str()
        .ok_or_else(|| external(iss, &url, "no jwks_uri"))?;
    let set: JwkSet = fetch(sim, jwks_uri)
        .await
        .map_err(|e| external(iss, jwks_uri, e))?;
    let header = jsonwebtoken::decode_header(assertion).map_err(|e| {
        EntraError::bad(
            "invalid_request",
            50027,
            format!("JWT token is invalid or malformed: {e}"),
        )
    })?;
    let candidates: Vec<_> = set
        .keys
        .iter()
        .filter(|k| header.kid.is_none() || k.common.key_id == header.kid)
        .collect();
    let mut validation = Validation::new(header.alg);
    validation.validate_aud = false;
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    let ok = candidates.iter().any(|jwk| {
        DecodingKey::from_jwk(jwk)
            .and_then(|k| jsonwebtoken::decode::<Value>(assertion, &k, &validation))
            .is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(EntraError::bad(
            "invalid_client",
            700_027,
            format!(
                "Client assertion failed signature validation. (kid {:?} not verified by the keys of issuer '{iss}')",
                header.kid
            ),
        ))
    }
}

async fn fetch<T: serde::de::DeserializeOwned>(sim: &Sim, url: &str) -> Result<T, reqwest::Error> {
    sim.http
        .get(url)
        .timeout(Duration::from_secs(10))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await
}
