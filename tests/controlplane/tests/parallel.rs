//! Two control planes with the real webhook at once, on one machine: each webhook
//! serves on a port of its own, and each API server calls its own webhook (the
//! pods it mutates carry its own tenant). Needs XTENANT_CONTROLPLANE_BIN.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::time::Duration;

use common::{CLIENT_ID, TENANT_A, create_pod, env, namespace, service_account};
use controlplane::{ControlPlane, Options};

const TENANT_C: &str = "cccccccc-0000-4000-8000-00000000000c";

/// Both at once; without a port per webhook the second could not serve (or would
/// wait for the first to stop), so a deadline turns a wait into a failure.
async fn start_both() -> (ControlPlane, ControlPlane) {
    let both = async {
        tokio::join!(
            ControlPlane::start(Options::from_env(TENANT_A)),
            ControlPlane::start(Options::from_env(TENANT_C)),
        )
    };
    let (a, c) = tokio::time::timeout(Duration::from_secs(240), both)
        .await
        .expect("two control planes with webhooks did not start side by side within 240 s");
    (a.unwrap(), c.unwrap())
}

/// The tenant the webhook of `cp` injects into a labelled pod.
async fn injected_tenant(cp: &ControlPlane) -> String {
    let client = cp.client().await.unwrap();
    namespace(&client, "wi").await;
    service_account(&client, "wi", "workload", Some(CLIENT_ID)).await;
    let pod = create_pod(&client, "wi", "labelled", "workload", true).await;
    env(&pod)
        .get("AZURE_TENANT_ID")
        .cloned()
        .unwrap_or_else(|| panic!("pod not mutated by the webhook of {}", cp.server()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_control_planes_with_webhooks_run_side_by_side() {
    let (a, c) = start_both().await;
    let (url_a, url_c) = (a.webhook_url().unwrap(), c.webhook_url().unwrap());
    assert_ne!(url_a, url_c, "both webhooks registered at the same address");
    for url in [url_a, url_c] {
        assert!(
            !url.contains(":9443/"),
            "{url}: the webhook still serves on the fixed upstream port"
        );
    }
    let (tenant_a, tenant_c) = tokio::join!(injected_tenant(&a), injected_tenant(&c));
    assert_eq!(tenant_a, TENANT_A, "control plane A called another webhook");
    assert_eq!(tenant_c, TENANT_C, "control plane C called another webhook");
}
