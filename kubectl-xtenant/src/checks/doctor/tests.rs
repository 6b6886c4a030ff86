//! Doctor against a scripted API server and a local HTTPS issuer/Entra.

use serde_json::{Value, json};

use super::*;
use crate::checks::pod::tests::{CLIENT, TENANT_B};
use crate::fake_api::{self, Call};
use crate::output::Verdict;

use xtenant_testsupport::entra::{self as entra_fake, Behaviour, FakeEntra};

const SA_PATH: &str = "/api/v1/namespaces/default/serviceaccounts/myserviceaccount";

struct Cluster {
    webhook: bool,
    token_iss: String,
}

fn version() -> Value {
    json!({"major": "1", "minor": "34", "gitVersion": "v1.34.1", "gitCommit": "x", "gitTreeState": "clean",
           "buildDate": "2025-01-01T00:00:00Z", "goVersion": "go1.24", "compiler": "gc", "platform": "linux/amd64"})
}

fn webhooks(present: bool) -> Value {
    let items = if present {
        vec![
            json!({"metadata": {"name": "azure-wi-webhook-mutating-webhook-configuration"}, "webhooks": [{
            "name": "mutation.azure-workload-identity.io", "admissionReviewVersions": ["v1"], "sideEffects": "None",
            "clientConfig": {"service": {"name": "azure-wi-webhook-webhook-service", "namespace": "azure-workload-identity-system", "path": "/mutate-v1-pod"}}}]}),
        ]
    } else {
        vec![]
    };
    fake_api::list("MutatingWebhookConfiguration", &items).1
}

fn route(cluster: Cluster) -> impl Fn(&Call) -> Option<fake_api::Reply> + Send + Sync {
    move |c: &Call| match (c.method.as_str(), c.path.as_str()) {
        ("GET", "/version") => Some((200, version())),
        ("GET", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations") => {
            Some((200, webhooks(cluster.webhook)))
        }
        ("GET", SA_PATH) => Some((
            200,
            json!({"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": "myserviceaccount", "namespace": "default",
                         "annotations": {"azure.workload.identity/client-id": CLIENT, "azure.workload.identity/tenant-id": TENANT_B}}}),
        )),
        ("POST", p) if p == format!("{SA_PATH}/token") => {
            assert_eq!(
                c.body["spec"]["audiences"],
                json!(["api://AzureADTokenExchange"])
            );
            assert_eq!(c.body["spec"]["expirationSeconds"], 600);
            let token = crate::entra::jwt::unsigned(
                &json!({"iss": cluster.token_iss, "aud": ["api://AzureADTokenExchange"],
                "sub": "system:serviceaccount:default:myserviceaccount", "exp": 4_000_000_000_i64, "iat": 1}),
            );
            Some((
                201,
                json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "metadata": {},
                "spec": c.body["spec"], "status": {"token": token, "expirationTimestamp": "2099-01-01T00:00:00Z"}}),
            ))
        }
        _ => None,
    }
}

fn plan(fake: &FakeEntra) -> Plan {
    Plan {
        namespace: "default".into(),
        service_account: "myserviceaccount".into(),
        client_id: CLIENT.into(),
        tenant_b: Some(TENANT_B.into()),
        issuer: format!("{}/", fake.base),
        recorded_subject: None,
        exchange: true,
        authority_host: format!("{}/", fake.base),
    }
}

fn http(fake: &FakeEntra) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(fake.ca_pem.as_bytes()).expect("ca");
    reqwest::Client::builder()
        .use_rustls_tls()
        .add_root_certificate(ca)
        .build()
        .expect("client")
}

fn verdict(report: &Report, id: &str) -> Verdict {
    report
        .checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("{id} missing: {}", report.human()))
        .verdict
}

#[tokio::test]
async fn a_sound_chain_passes_and_the_exchange_is_well_formed() {
    let fake = entra_fake::start(Behaviour::default()).await;
    let plan = plan(&fake);
    let (client, _) = fake_api::client(route(Cluster {
        webhook: true,
        token_iss: plan.issuer.clone(),
    }));
    let report = doctor(Ok((client, "https://fake".into())), &http(&fake), &plan).await;
    assert!(report.ok, "{}", report.human());
    for id in [
        "cluster",
        "webhook",
        "serviceaccount",
        "sa.client-id",
        "sa.tenant-id",
        "token",
        "token.iss",
        "token.sub",
        "token.aud",
        "discovery",
        "exchange",
    ] {
        assert_eq!(verdict(&report, id), Verdict::Pass, "{id}");
    }
    let forms = fake.token_requests.lock().expect("lock").clone();
    assert_eq!(forms.len(), 1);
    let form = &forms[0];
    assert_eq!(form["tenant"], TENANT_B);
    assert_eq!(form["client_id"], CLIENT);
    assert_eq!(form["grant_type"], "client_credentials");
    assert_eq!(
        form["client_assertion_type"],
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    );
    assert_eq!(form["scope"], "https://servicebus.azure.net/.default");
    assert_eq!(
        crate::entra::jwt::claims(&form["client_assertion"])
            .expect("jwt")
            .iss
            .as_deref(),
        Some(plan.issuer.as_str())
    );
    // The token is never printed.
    assert!(
        !serde_json::to_string(&report)
            .expect("json")
            .contains(&form["client_assertion"])
    );
}

#[tokio::test]
async fn missing_webhook_fails_with_a_fix() {
    let fake = entra_fake::start(Behaviour::default()).await;
    let plan = plan(&fake);
    let (client, _) = fake_api::client(route(Cluster {
        webhook: false,
        token_iss: plan.issuer.clone(),
    }));
    let report = doctor(Ok((client, "https://fake".into())), &http(&fake), &plan).await;
    assert_eq!(verdict(&report, "webhook"), Verdict::Fail);
    let check = report
        .checks
        .iter()
        .find(|c| c.id == "webhook")
        .expect("webhook");
    assert!(
        check
            .fix
            .as_deref()
            .unwrap_or_default()
            .contains("enable-workload-identity")
    );
    assert!(!report.ok);
}

#[tokio::test]
async fn issuer_differing_by_a_trailing_slash_is_caught() {
    let fake = entra_fake::start(Behaviour::default()).await;
    let plan = plan(&fake);
    // The cluster's tokens say the issuer without the slash.
    let (client, _) = fake_api::client(route(Cluster {
        webhook: true,
        token_iss: fake.base.clone(),
    }));
    let report = doctor(Ok((client, "https://fake".into())), &http(&fake), &plan).await;
    let check = report
        .checks
        .iter()
        .find(|c| c.id == "token.iss")
        .expect("iss");
    assert_eq!(check.verdict, Verdict::Fail);
    assert!(check.detail.contains("trailing slash"), "{}", check.detail);
    assert!(!report.ok);
}

#[tokio::test]
async fn a_rejected_exchange_is_decoded() {
    let answer = (
        400,
        json!({"error": "invalid_request",
        "error_description": "AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'x'.\r\nTrace ID: t\r\nTimestamp: 2025",
        "error_codes": [70021]}),
    );
    let fake = entra_fake::start(Behaviour {
        token_answer: answer,
        ..Behaviour::default()
    })
    .await;
    let plan = plan(&fake);
    let (client, _) = fake_api::client(route(Cluster {
        webhook: true,
        token_iss: plan.issuer.clone(),
    }));
    let report = doctor(Ok((client, "https://fake".into())), &http(&fake), &plan).await;
    assert_eq!(verdict(&report, "exchange"), Verdict::Fail);
    assert_eq!(verdict(&report, "aadsts.70021"), Verdict::Fail);
    let exchange = report
        .checks
        .iter()
        .find(|c| c.id == "exchange")
        .expect("exchange");
    assert!(
        exchange
            .detail
            .contains("HTTP 400 invalid_request: AADSTS70021"),
        "{}",
        exchange.detail
    );
}

#[tokio::test]
async fn unreachable_cluster_skips_cluster_checks_but_checks_discovery() {
    let fake = entra_fake::start(Behaviour::default()).await;
    let plan = Plan {
        exchange: false,
        ..plan(&fake)
    };
    let report = doctor(Err("connection refused".into()), &http(&fake), &plan).await;
    assert_eq!(verdict(&report, "cluster"), Verdict::Fail);
    assert_eq!(verdict(&report, "token"), Verdict::Skip);
    assert_eq!(verdict(&report, "discovery"), Verdict::Pass);
    assert_eq!(report.exit_code(), crate::exit::CHECK_FAILED);
}

#[tokio::test]
async fn discovery_naming_another_issuer_fails() {
    let fake = entra_fake::start(Behaviour {
        issuer_in_doc: Some("https://elsewhere.example/".into()),
        ..Behaviour::default()
    })
    .await;
    let plan = Plan {
        exchange: false,
        ..plan(&fake)
    };
    let report = doctor(Err("down".into()), &http(&fake), &plan).await;
    assert_eq!(verdict(&report, "discovery"), Verdict::Fail);
}
