//! The HTTP side of the trust chain: the issuer's OIDC discovery document and
//! Entra's token endpoint (client credentials with a federated assertion).
//! TLS is rustls with the platform's roots, so `SSL_CERT_FILE` is honoured.

pub mod aadsts;
pub mod jwt;

use std::time::Duration;

use anyhow::{Context, Result};
use serde::Deserialize;

/// The scope the producer asks for.
pub const SERVICEBUS_SCOPE: &str = "https://servicebus.azure.net/.default";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The HTTP client: rustls, native roots (which read `SSL_CERT_FILE` and
/// `SSL_CERT_DIR` when set), bounded time.
pub fn http_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_native_certs(true)
        .timeout(Duration::from_secs(30))
        .user_agent(concat!("kubectl-xtenant/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("building the HTTP client")
}

/// `<issuer>/.well-known/openid-configuration`, with or without a trailing
/// slash on the issuer.
pub fn discovery_url(issuer: &str) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    )
}

/// `<authority host>/<tenant>/oauth2/v2.0/token`.
pub fn token_url(authority: &str, tenant: &str) -> String {
    format!(
        "{}/{tenant}/oauth2/v2.0/token",
        authority.trim_end_matches('/')
    )
}

/// The fields of a discovery document that matter here.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Discovery {
    pub issuer: String,
    pub jwks_uri: Option<String>,
}

/// Fetches and parses the issuer's discovery document.
pub async fn discovery(http: &reqwest::Client, issuer: &str) -> Result<Discovery> {
    let url = discovery_url(issuer);
    let response = http
        .get(&url)
        .send()
        .await
        .with_context(|| format!("GET {url}"))?;
    let status = response.status();
    let body = response
        .text()
        .await
        .with_context(|| format!("reading {url}"))?;
    if !status.is_success() {
        anyhow::bail!(
            "GET {url}: HTTP {status}: {}",
            body.chars().take(200).collect::<String>()
        );
    }
    serde_json::from_str(&body)
        .with_context(|| format!("GET {url}: not an OIDC discovery document"))
}

/// Entra's answer to the token request. The access token is dropped unread.
#[derive(Debug, Clone, PartialEq)]
pub enum Exchange {
    Issued {
        token_type: String,
        expires_in: Option<u64>,
    },
    Rejected(EntraError),
}

/// Entra's JSON error body.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct EntraError {
    #[serde(skip)]
    pub status: u16,
    #[serde(default)]
    pub error: String,
    #[serde(default)]
    pub error_description: String,
    #[serde(default)]
    pub error_codes: Vec<u32>,
}

impl EntraError {
    /// The AADSTS codes, from `error_codes` or else from the description.
    pub fn codes(&self) -> Vec<u32> {
        if self.error_codes.is_empty() {
            aadsts::find_codes(&self.error_description)
        } else {
            self.error_codes.clone()
        }
    }

    /// The first line of the description (Entra appends trace and time lines).
    pub fn summary(&self) -> String {
        let first = self.error_description.lines().next().unwrap_or_default();
        format!("HTTP {} {}: {first}", self.status, self.error)
    }
}

#[derive(Deserialize)]
struct Issued {
    token_type: Option<String>,
    expires_in: Option<u64>,
}

/// Exchanges a service-account token for an access token in Tenant B.
pub async fn exchange(
    http: &reqwest::Client,
    authority: &str,
    tenant: &str,
    client_id: &str,
    assertion: &str,
) -> Result<Exchange> {
    let url = token_url(authority, tenant);
    let form = [
        ("client_id", client_id),
        ("grant_type", "client_credentials"),
        ("client_assertion_type", ASSERTION_TYPE),
        ("client_assertion", assertion),
        ("scope", SERVICEBUS_SCOPE),
    ];
    let response = http
        .post(&url)
        .form(&form)
        .send()
        .await
        .with_context(|| format!("POST {url}"))?;
    let status = response.status();
    let body = response
        .text()
        .await
        .with_context(|| format!("reading the answer of {url}"))?;
    parse_answer(status.as_u16(), &body).with_context(|| format!("POST {url}"))
}

/// Reads the token endpoint's answer.
pub fn parse_answer(status: u16, body: &str) -> Result<Exchange> {
    if (200..300).contains(&status) {
        let issued: Issued = serde_json::from_str(body).context("the token answer is not JSON")?;
        return Ok(Exchange::Issued {
            token_type: issued.token_type.unwrap_or_else(|| "Bearer".into()),
            expires_in: issued.expires_in,
        });
    }
    let mut error: EntraError = serde_json::from_str(body).unwrap_or_else(|_| EntraError {
        error: "unexpected_answer".into(),
        error_description: body.chars().take(300).collect(),
        ..EntraError::default()
    });
    error.status = status;
    Ok(Exchange::Rejected(error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_join_with_or_without_slash() {
        assert_eq!(
            discovery_url("https://i.example/t/u/"),
            "https://i.example/t/u/.well-known/openid-configuration"
        );
        assert_eq!(
            discovery_url("https://i.example"),
            "https://i.example/.well-known/openid-configuration"
        );
        assert_eq!(
            token_url("https://login.microsoftonline.com/", "tb"),
            "https://login.microsoftonline.com/tb/oauth2/v2.0/token"
        );
        assert_eq!(
            token_url("https://127.0.0.1:8443", "tb"),
            "https://127.0.0.1:8443/tb/oauth2/v2.0/token"
        );
    }

    #[test]
    fn entra_error_body_is_decoded() {
        let body = r#"{"error":"invalid_request","error_description":"AADSTS70021: No matching federated identity record found for presented assertion.\r\nTrace ID: x\r\nTimestamp: y","error_codes":[70021],"timestamp":"y"}"#;
        let Exchange::Rejected(e) = parse_answer(400, body).expect("parsed") else {
            panic!("not rejected")
        };
        assert_eq!(e.codes(), vec![70021]);
        assert_eq!(
            e.summary(),
            "HTTP 400 invalid_request: AADSTS70021: No matching federated identity record found for presented assertion."
        );
    }

    #[test]
    fn codes_fall_back_to_the_description_and_odd_bodies_survive() {
        let Exchange::Rejected(e) = parse_answer(
            401,
            r#"{"error":"invalid_client","error_description":"AADSTS700016: x"}"#,
        )
        .expect("parsed") else {
            panic!("not rejected")
        };
        assert_eq!(e.codes(), vec![700016]);
        let Exchange::Rejected(e) = parse_answer(502, "<html>bad gateway</html>").expect("parsed")
        else {
            panic!("not rejected")
        };
        assert_eq!(e.error, "unexpected_answer");
    }

    #[test]
    fn success_keeps_no_token() {
        let answer = parse_answer(
            200,
            r#"{"token_type":"Bearer","expires_in":3599,"access_token":"secret"}"#,
        )
        .expect("parsed");
        assert_eq!(
            answer,
            Exchange::Issued {
                token_type: "Bearer".into(),
                expires_in: Some(3599)
            }
        );
        assert!(!format!("{answer:?}").contains("secret"));
    }
}
