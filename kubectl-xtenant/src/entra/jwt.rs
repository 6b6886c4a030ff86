//! Reads the claims of a service-account token without verifying it (Entra
//! verifies; we only compare). The token itself is never printed.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A token that is not a readable JWT.
#[derive(Debug, Error, PartialEq)]
pub enum JwtError {
    /// Not three dot-separated parts.
    #[error("the token is not a JWT (expected three dot-separated parts, found {0})")]
    Shape(usize),
    /// The payload is not base64url.
    #[error("the token's payload is not base64url: {0}")]
    Base64(String),
    /// The payload is not a JSON object of claims.
    #[error("the token's payload is not JSON claims: {0}")]
    Json(String),
}

/// `aud` may be one string or a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    pub fn contains(&self, aud: &str) -> bool {
        match self {
            Audience::One(a) => a == aud,
            Audience::Many(all) => all.iter().any(|a| a == aud),
        }
    }
}

/// The claims that matter for the federated credential match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: Option<String>,
    pub sub: Option<String>,
    pub aud: Option<Audience>,
    pub exp: Option<i64>,
    pub iat: Option<i64>,
    pub nbf: Option<i64>,
}

/// Decodes the payload of a compact JWT.
pub fn claims(token: &str) -> Result<Claims, JwtError> {
    let parts: Vec<&str> = token.trim().split('.').collect();
    if parts.len() != 3 {
        return Err(JwtError::Shape(parts.len()));
    }
    // Some encoders pad; base64url in JWTs is specified without padding.
    let payload = parts[1].trim_end_matches('=');
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|e| JwtError::Base64(e.to_string()))?;
    serde_json::from_slice(&bytes).map_err(|e| JwtError::Json(e.to_string()))
}

/// Builds an unsigned token with these claims (for tests and fakes).
#[cfg(test)]
pub fn unsigned(claims: &serde_json::Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{body}.c2lnbmF0dXJl")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_service_account_claims() {
        let token = unsigned(&json!({
            "iss": "https://eastus.oic.prod-aks.azure.com/t/u/",
            "sub": "system:serviceaccount:default:myserviceaccount",
            "aud": ["api://AzureADTokenExchange"],
            "exp": 1700000600, "iat": 1700000000,
            "kubernetes.io": {"namespace": "default"}
        }));
        let c = claims(&token).expect("claims");
        assert_eq!(
            c.iss.as_deref(),
            Some("https://eastus.oic.prod-aks.azure.com/t/u/")
        );
        assert_eq!(
            c.sub.as_deref(),
            Some("system:serviceaccount:default:myserviceaccount")
        );
        assert!(c.aud.expect("aud").contains("api://AzureADTokenExchange"));
        assert_eq!(c.exp, Some(1700000600));
    }

    #[test]
    fn single_string_audience() {
        let token = unsigned(&json!({"aud": "x"}));
        assert!(
            claims(&token)
                .expect("claims")
                .aud
                .expect("aud")
                .contains("x")
        );
    }

    #[test]
    fn malformed_tokens_are_errors() {
        assert_eq!(claims("abc"), Err(JwtError::Shape(1)));
        assert!(matches!(claims("a.!!!.c"), Err(JwtError::Base64(_))));
        let not_json = format!("a.{}.c", URL_SAFE_NO_PAD.encode("nope"));
        assert!(matches!(claims(&not_json), Err(JwtError::Json(_))));
    }
}
