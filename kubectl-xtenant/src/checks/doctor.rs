//! `doctor`: a checklist of the trust chain, each line with a verdict and a
//! fix: cluster, webhook, ServiceAccount, a real token's claims, the issuer's
//! discovery document, and (with `--exchange`) Entra's token exchange.

use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::Client;
use kube::api::{Api, PostParams};
use xtenant_shared::names::{self, TOKEN_AUDIENCE};

use crate::checks::token;
use crate::entra::{self, jwt};
use crate::output::{Check, Report};

mod cluster;

/// Shortest expiry the TokenRequest API allows.
const TOKEN_SECONDS: i64 = 600;

/// Everything `doctor` needs, resolved.
#[derive(Debug, Clone)]
pub struct Plan {
    pub namespace: String,
    pub service_account: String,
    pub client_id: String,
    pub tenant_b: Option<String>,
    pub issuer: String,
    /// The subject of the profile's federated credential, when there is a profile.
    pub recorded_subject: Option<String>,
    pub exchange: bool,
    pub authority_host: String,
}

impl Plan {
    pub fn subject(&self) -> String {
        names::subject(&self.namespace, &self.service_account)
    }
}

/// Runs every check that can run; a failed check skips those that need it.
pub async fn doctor(
    cluster: Result<(Client, String), String>,
    http: &reqwest::Client,
    plan: &Plan,
) -> Report {
    let mut report = Report::new("doctor");
    report.set("namespace", plan.namespace.clone());
    report.set("subject", plan.subject());
    report.set("issuer", plan.issuer.clone());
    report.push(token::recorded_subject_check(
        plan.recorded_subject.as_deref(),
        &plan.subject(),
    ));
    let token = match cluster {
        Ok((client, server)) => cluster_checks(&client, &server, plan, &mut report).await,
        Err(e) => {
            report.push(Check::fail("cluster", e, cluster::FIX_CLUSTER));
            for id in ["webhook", "serviceaccount", "token"] {
                report.push(Check::skip(id, "needs the cluster"));
            }
            None
        }
    };
    let url = entra::discovery_url(&plan.issuer);
    let found = entra::discovery(http, &plan.issuer)
        .await
        .map(|d| d.issuer)
        .map_err(|e| format!("{e:#}"));
    report.push(token::discovery_check(
        found.as_deref().map_err(Clone::clone),
        &plan.issuer,
        &url,
    ));
    if plan.exchange {
        exchange_checks(http, plan, token.as_deref(), &mut report).await;
    }
    report
}

/// The checks that need the cluster; returns the minted token, if any.
async fn cluster_checks(
    client: &Client,
    server: &str,
    plan: &Plan,
    report: &mut Report,
) -> Option<String> {
    let reachable = cluster::version_check(client, server).await;
    let up = !reachable.failed();
    report.push(reachable);
    if !up {
        for id in ["webhook", "serviceaccount", "token"] {
            report.push(Check::skip(id, "needs the cluster"));
        }
        return None;
    }
    report.push(cluster::webhook_check(client).await);
    let sas: Api<ServiceAccount> = Api::namespaced(client.clone(), &plan.namespace);
    let present = cluster::service_account_checks(&sas, plan, report).await;
    if !present {
        report.push(Check::skip("token", "needs the ServiceAccount"));
        return None;
    }
    token_checks(&sas, plan, report).await
}

async fn token_checks(
    sas: &Api<ServiceAccount>,
    plan: &Plan,
    report: &mut Report,
) -> Option<String> {
    let request = TokenRequest {
        spec: TokenRequestSpec {
            audiences: vec![TOKEN_AUDIENCE.to_string()],
            expiration_seconds: Some(TOKEN_SECONDS),
            bound_object_ref: None,
        },
        ..TokenRequest::default()
    };
    let minted = sas
        .create_token_request(&plan.service_account, &PostParams::default(), &request)
        .await;
    let token = match minted.map(|t| t.status.map(|s| s.token)) {
        Ok(Some(token)) => token,
        Ok(None) => {
            report.push(Check::fail(
                "token",
                "the TokenRequest answer has no token",
                "check the API server's service-account token signing flags",
            ));
            return None;
        }
        Err(e) => {
            report.push(Check::fail("token", format!("TokenRequest for serviceaccount/{}: {e}", plan.service_account), "allow this user to create serviceaccounts/token, or ask a cluster admin to run doctor"));
            return None;
        }
    };
    match jwt::claims(&token) {
        Ok(claims) => {
            report.push(Check::pass("token", format!("minted through the TokenRequest API, audience {TOKEN_AUDIENCE}, {TOKEN_SECONDS} s")));
            report.set("claims", serde_json::to_value(&claims).unwrap_or_default());
            for check in token::check_claims(&claims, &plan.issuer, &plan.subject()) {
                report.push(check);
            }
            Some(token)
        }
        Err(e) => {
            report.push(Check::fail(
                "token",
                e.to_string(),
                "check the API server's service-account token flags",
            ));
            None
        }
    }
}

async fn exchange_checks(
    http: &reqwest::Client,
    plan: &Plan,
    token: Option<&str>,
    report: &mut Report,
) {
    const ID: &str = "exchange";
    let (Some(token), Some(tenant)) = (token, plan.tenant_b.as_deref()) else {
        report.push(Check::skip(ID, "needs a token and Tenant B's ID"));
        return;
    };
    match entra::exchange(http, &plan.authority_host, tenant, &plan.client_id, token).await {
        Ok(entra::Exchange::Issued {
            token_type,
            expires_in,
        }) => report.push(Check::pass(
            ID,
            format!(
                "Entra issued a {token_type} token for {} (expires in {} s)",
                entra::SERVICEBUS_SCOPE,
                expires_in.unwrap_or_default()
            ),
        )),
        Ok(entra::Exchange::Rejected(error)) => {
            report.push(Check::fail(
                ID,
                error.summary(),
                "see the AADSTS explanation below",
            ));
            for code in error.codes() {
                let (what, fix) = crate::entra::aadsts::describe(code);
                report.push(Check::fail(&format!("aadsts.{code}"), what, fix));
            }
        }
        Err(e) => report.push(Check::fail(
            ID,
            format!("{e:#}"),
            "check --authority-host and the network path to Entra",
        )),
    }
}

#[cfg(test)]
mod tests;
