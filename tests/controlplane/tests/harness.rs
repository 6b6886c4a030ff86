//! The control plane harness itself: a real API server serving OIDC discovery, the real
//! workload identity webhook mutating pods, kwok completing a Job's pod with logs.
//! Needs XTENANT_CONTROLPLANE_BIN (set by ./test.sh); fails loudly without it.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{CLIENT_ID, TENANT_A, create_pod, env, namespace, service_account};
use controlplane::cluster::WEBHOOK_CONFIGURATION;
use controlplane::{ControlPlane, Options};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use k8s_openapi::api::admissionregistration::v1::MutatingWebhookConfiguration;
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Container, Pod, PodSpec, PodTemplateSpec, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, ListParams, LogParams, PostParams};
use serde_json::Value;
use xtenant_testsupport::wait::eventually;

const WAIT: Duration = Duration::from_secs(60);

fn anonymous_http(cp: &ControlPlane) -> reqwest::Client {
    let ca = std::fs::read(cp.ca_cert()).unwrap();
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .no_proxy()
        .build()
        .unwrap()
}

async fn get_json(http: &reqwest::Client, url: &str) -> Value {
    let r = http.get(url).send().await.unwrap();
    assert!(r.status().is_success(), "GET {url}: {}", r.status());
    r.json().await.unwrap()
}

fn signal(pid: u32, signal: rustix::process::Signal) {
    let pid = rustix::process::Pid::from_raw(pid.try_into().unwrap()).unwrap();
    rustix::process::kill_process(pid, signal).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_plane_with_the_real_webhook() {
    let cp = ControlPlane::start(Options::from_env(TENANT_A))
        .await
        .unwrap();
    eprintln!("start-up took {:.1}s", cp.startup_time().as_secs_f64());
    let client = cp.client().await.unwrap();

    // The API server is the version we built.
    let version = client.apiserver_version().await.unwrap();
    assert_eq!(version.git_version, "v1.34.4");

    // OIDC discovery is served anonymously, with our issuer (trailing slash, as on AKS).
    assert!(cp.issuer().starts_with("https://127.0.0.1:") && cp.issuer().ends_with('/'));
    let http = anonymous_http(&cp);
    let base = cp.issuer().trim_end_matches('/');
    let doc = get_json(&http, &format!("{base}/.well-known/openid-configuration")).await;
    assert_eq!(doc["issuer"], cp.issuer());
    let jwks_uri = doc["jwks_uri"].as_str().unwrap();
    let jwks: JwkSet = serde_json::from_value(get_json(&http, jwks_uri).await).unwrap();
    assert!(!jwks.keys.is_empty(), "no keys at {jwks_uri}");

    // A service-account token for the exchange audience verifies against those keys.
    namespace(&client, "wi").await;
    service_account(&client, "wi", "workload", Some(CLIENT_ID)).await;
    let tr = TokenRequest {
        spec: TokenRequestSpec {
            audiences: vec!["api://AzureADTokenExchange".into()],
            ..TokenRequestSpec::default()
        },
        ..TokenRequest::default()
    };
    let token = Api::<ServiceAccount>::namespaced(client.clone(), "wi")
        .create_token_request("workload", &PostParams::default(), &tr)
        .await
        .unwrap()
        .status
        .unwrap()
        .token;
    let header = jsonwebtoken::decode_header(&token).unwrap();
    let mut validation = Validation::new(header.alg);
    validation.set_audience(&["api://AzureADTokenExchange"]);
    validation.set_issuer(&[cp.issuer()]);
    let verified = jwks.keys.iter().find_map(|k| {
        jsonwebtoken::decode::<Value>(&token, &DecodingKey::from_jwk(k).ok()?, &validation).ok()
    });
    let claims = verified
        .expect("token not verified by the issuer's JWKS")
        .claims;
    assert_eq!(claims["sub"], "system:serviceaccount:wi:workload");

    // The webhook is registered as the upstream install names it...
    let mwc = Api::<MutatingWebhookConfiguration>::all(client.clone())
        .get(WEBHOOK_CONFIGURATION)
        .await
        .unwrap();
    assert_eq!(
        mwc.webhooks.unwrap()[0].failure_policy.as_deref(),
        Some("Fail")
    );

    // ...and mutates a labelled pod: env and the projected token volume.
    let pod = create_pod(&client, "wi", "labelled", "workload", true).await;
    let e = env(&pod);
    assert_eq!(
        e.get("AZURE_CLIENT_ID").map(String::as_str),
        Some(CLIENT_ID)
    );
    assert_eq!(e.get("AZURE_TENANT_ID").map(String::as_str), Some(TENANT_A));
    assert_eq!(
        e.get("AZURE_AUTHORITY_HOST").map(String::as_str),
        Some("https://login.microsoftonline.com/")
    );
    let token_file = e
        .get("AZURE_FEDERATED_TOKEN_FILE")
        .expect("no AZURE_FEDERATED_TOKEN_FILE");
    assert!(token_file.ends_with("azure-identity-token"), "{token_file}");
    // v1.6 names the volume azure-workload-identity-reserved-<hash>: find it by its mount.
    let spec = pod.spec.unwrap();
    let mount = spec.containers[0]
        .volume_mounts
        .clone()
        .unwrap_or_default()
        .into_iter()
        .find(|m| token_file.starts_with(&m.mount_path))
        .expect("nothing mounted where AZURE_FEDERATED_TOKEN_FILE points");
    let sat = spec
        .volumes
        .unwrap_or_default()
        .into_iter()
        .find(|v| v.name == mount.name)
        .and_then(|v| {
            v.projected?
                .sources?
                .into_iter()
                .find_map(|s| s.service_account_token)
        })
        .expect("the token mount is not a projected service account token");
    assert_eq!(sat.audience.as_deref(), Some("api://AzureADTokenExchange"));
    assert_eq!(sat.expiration_seconds, Some(3600));
    assert_eq!(
        format!("{}/{}", mount.mount_path.trim_end_matches('/'), sat.path),
        *token_file
    );

    // An unlabelled pod is left alone.
    let plain = create_pod(&client, "wi", "plain", "workload", false).await;
    assert!(!env(&plain).contains_key("AZURE_CLIENT_ID"));

    // kwok runs a Job's pod to completion and serves the log we gave it (kwok serves it
    // once set_namespace_logs returns, so the log is read once, without retrying).
    namespace(&client, "jobs").await;
    cp.set_namespace_logs("jobs", "connecting\nSent 100 messages\n")
        .await
        .unwrap();
    let job = Job {
        metadata: ObjectMeta {
            name: Some("producer".into()),
            ..ObjectMeta::default()
        },
        spec: Some(k8s_openapi::api::batch::v1::JobSpec {
            backoff_limit: Some(0),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(BTreeMap::from([(
                        "app".to_string(),
                        "producer".to_string(),
                    )])),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    restart_policy: Some("Never".into()),
                    containers: vec![Container {
                        name: "producer".into(),
                        image: Some("example.invalid/producer:1".into()),
                        ..Container::default()
                    }],
                    ..PodSpec::default()
                }),
            },
            ..Default::default()
        }),
        ..Job::default()
    };
    let jobs = Api::<Job>::namespaced(client.clone(), "jobs");
    jobs.create(&PostParams::default(), &job).await.unwrap();
    eventually("the Job to complete", WAIT, || async {
        let j = jobs.get("producer").await.ok()?;
        let done = j
            .status?
            .conditions?
            .iter()
            .any(|c| c.type_ == "Complete" && c.status == "True");
        done.then_some(())
    })
    .await;
    let pods = Api::<Pod>::namespaced(client.clone(), "jobs");
    let pod = pods
        .list(&ListParams::default().labels("job-name=producer"))
        .await
        .unwrap()
        .items
        .into_iter()
        .next()
        .expect("the Job has no pod");
    assert_eq!(pod.status.unwrap().phase.as_deref(), Some("Succeeded"));
    let log = pods
        .logs(pod.metadata.name.as_deref().unwrap(), &LogParams::default())
        .await
        .unwrap();
    assert_eq!(log, "connecting\nSent 100 messages\n");

    // Logs can also be given to one named pod. kwok learns of them through a watch, and
    // set_pod_logs returns only once kwok serves them: while kwok is stopped it waits.
    let kwok = cp
        .processes()
        .into_iter()
        .find(|(name, ..)| name == "kwok")
        .map(|(_, pid, _)| pid)
        .unwrap();
    signal(kwok, rustix::process::Signal::STOP);
    let set = cp.set_pod_logs("wi", "plain", "just me\n");
    let early = tokio::time::timeout(Duration::from_secs(2), set).await;
    signal(kwok, rustix::process::Signal::CONT);
    assert!(
        early.is_err(),
        "set_pod_logs returned while kwok was stopped"
    );
    cp.set_pod_logs("wi", "plain", "just me\n").await.unwrap();
    let wi_pods = Api::<Pod>::namespaced(client.clone(), "wi");
    let log = wi_pods.logs("plain", &LogParams::default()).await.unwrap();
    assert_eq!(log, "just me\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_plane_without_the_webhook_and_nothing_left_running() {
    let mut opts = Options::from_env(TENANT_A);
    opts.webhook = false;
    let mut cp = ControlPlane::start(opts).await.unwrap();
    let client = cp.client().await.unwrap();
    assert!(!cp.has_webhook());
    let mwc = Api::<MutatingWebhookConfiguration>::all(client.clone())
        .get_opt(WEBHOOK_CONFIGURATION)
        .await
        .unwrap();
    assert!(mwc.is_none(), "webhook registered although disabled");
    namespace(&client, "wi").await;
    service_account(&client, "wi", "workload", Some(CLIENT_ID)).await;
    let pod = create_pod(&client, "wi", "labelled", "workload", true).await;
    assert!(
        !env(&pod).contains_key("AZURE_CLIENT_ID"),
        "mutated without a webhook"
    );

    let pids: Vec<u32> = cp.processes().iter().map(|(_, pid, _)| *pid).collect();
    assert_eq!(pids.len(), 5, "{:?}", cp.processes());
    cp.stop();
    for pid in pids {
        assert!(
            !std::path::Path::new(&format!("/proc/{pid}")).exists(),
            "process {pid} still running after stop"
        );
    }
}
