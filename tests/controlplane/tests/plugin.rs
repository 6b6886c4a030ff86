//! `kubectl xtenant` against the real control plane: deploy is accepted, the real webhook
//! mutates the producer pod, verify reports each injected field and reads the producer's
//! log from kwok, AADSTS errors in the log are explained, doctor passes on a correct setup
//! and catches a missing webhook, cleanup removes what deploy made.
//! Needs XTENANT_CONTROLPLANE_BIN (set by ./test.sh) and `cargo build --workspace`.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use common::TENANT_A;
use common::plugin::{CLIENT_ID, Plugin, TENANT_B, check};
use controlplane::{ControlPlane, Options};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::api::Api;
use tokio::runtime::Runtime;

/// What the sample producer prints when it works.
const PRODUCER_OK: &str = "\
Sending 100 messages to myqueue on sb-xtenant.servicebus.windows.net
Sent 100 messages
";

/// What it prints when the token request went to Tenant A.
const PRODUCER_AADSTS700016: &str = "\
Sending 100 messages to myqueue on sb-xtenant.servicebus.windows.net
Error: ClientAuthenticationError: AADSTS700016: Application with identifier '11111111-2222-4333-8444-555555555555' was not found in the directory 'Tenant A'. This can happen if the application has not been installed by the administrator of the tenant.
";

fn start(rt: &Runtime, webhook: bool) -> ControlPlane {
    // Refuse a missing or stale plugin before spending time on start-up.
    xtenant_testsupport::workspace_bin("kubectl-xtenant");
    let mut opts = Options::from_env(TENANT_A);
    opts.webhook = webhook;
    rt.block_on(ControlPlane::start(opts)).unwrap()
}

fn exists<K>(rt: &Runtime, cp: &ControlPlane, name: &str) -> bool
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
    K::DynamicType: Default,
{
    rt.block_on(async {
        let client = cp.client().await.unwrap();
        Api::<K>::namespaced(client, "default")
            .get_opt(name)
            .await
            .unwrap()
            .is_some()
    })
}

#[test]
fn deploy_verify_doctor_explain_and_cleanup() {
    let rt = Runtime::new().unwrap();
    let cp = start(&rt, true);
    let kx = Plugin::new(&cp);
    rt.block_on(cp.set_namespace_logs("default", PRODUCER_OK))
        .unwrap();

    kx.deploy(&[]);
    assert!(exists::<ServiceAccount>(&rt, &cp, "myserviceaccount"));
    assert!(exists::<Job>(&rt, &cp, "myproducer"));

    // The real webhook mutated the producer pod; verify reports each injected field.
    let run = kx.verify();
    assert_eq!(run.code, 0, "verify failed");
    let report = run.json();
    for (id, needle) in [
        ("pod.label", "azure.workload.identity/use=true"),
        ("env.AZURE_CLIENT_ID", CLIENT_ID),
        ("env.AZURE_TENANT_ID", TENANT_B),
        ("env.AZURE_FEDERATED_TOKEN_FILE", "azure-identity-token"),
        (
            "env.AZURE_AUTHORITY_HOST",
            "https://login.microsoftonline.com/",
        ),
        ("token.volume", "api://AzureADTokenExchange"),
        ("job", "completed"),
    ] {
        let (verdict, detail, _) = check(&report, id);
        assert_eq!(verdict, "pass", "{id}: {detail}");
        assert!(detail.contains(needle), "{id}: {detail:?} lacks {needle:?}");
    }
    assert_eq!(check(&report, "logs.sent").0, "pass");

    // doctor passes on this setup (issuer as the API server serves it).
    let run = kx.doctor(cp.issuer());
    assert_eq!(run.code, 0, "doctor failed on a correct setup");
    for id in [
        "cluster",
        "webhook",
        "sa.client-id",
        "sa.tenant-id",
        "token.iss",
        "token.sub",
    ] {
        assert_eq!(check(&run.json(), id).0, "pass", "{id}");
    }
    // ...and catches an issuer recorded without its trailing slash.
    let run = kx.doctor(cp.issuer().trim_end_matches('/'));
    assert_ne!(run.code, 0);
    assert_eq!(check(&run.json(), "token.iss").0, "fail");

    // A run whose log carries AADSTS700016 is explained: cause and fix.
    rt.block_on(cp.set_namespace_logs("default", PRODUCER_AADSTS700016))
        .unwrap();
    kx.deploy(&["--rerun"]);
    let run = kx.verify();
    assert_ne!(run.code, 0, "verify passed although the producer failed");
    let report = run.json();
    assert_eq!(check(&report, "logs.sent").0, "fail");
    let (verdict, detail, fix) = check(&report, "aadsts.700016");
    assert_eq!(verdict, "fail");
    assert!(detail.contains("Tenant A"), "{detail}");
    assert!(fix.contains("AZURE_TENANT_ID"), "{fix}");

    // cleanup removes what deploy made.
    kx.ok(&["cleanup"]);
    assert!(!exists::<Job>(&rt, &cp, "myproducer"));
    assert!(!exists::<ServiceAccount>(&rt, &cp, "myserviceaccount"));
}

#[test]
fn doctor_says_when_the_webhook_is_not_installed() {
    let rt = Runtime::new().unwrap();
    let cp = start(&rt, false);
    let kx = Plugin::new(&cp);
    kx.deploy(&[]);
    let run = kx.doctor(cp.issuer());
    assert_ne!(run.code, 0, "doctor passed without a webhook");
    let (verdict, detail, fix) = check(&run.json(), "webhook");
    assert_eq!(verdict, "fail", "{detail}");
    assert!(!fix.is_empty(), "no fix given for the missing webhook");
}
