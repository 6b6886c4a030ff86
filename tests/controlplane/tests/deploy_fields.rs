//! `kubectl xtenant deploy` against the real API server keeps what other field
//! managers own on the ServiceAccount: a chart installed it first (server-side
//! apply as "helm", with a label and annotations of its own and a stale client ID);
//! deploy sets xtenant's annotations, takes over the client ID, and leaves helm's
//! label, annotation and managedFields entry in place. Needs XTENANT_CONTROLPLANE_BIN
//! and `cargo build --workspace`.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use common::TENANT_A;
use common::plugin::{CLIENT_ID, Plugin, TENANT_B};
use controlplane::{ControlPlane, Options};
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::api::{Api, Patch, PatchParams};
use serde_json::{Value, json};
use tokio::runtime::Runtime;

const SA: &str = "myserviceaccount";
const CHART_LABEL: (&str, &str) = ("helm.sh/chart", "producer-1.2.0");
const RELEASE_ANNOTATION: (&str, &str) = ("meta.helm.sh/release-name", "producer");
const CLIENT_ID_KEY: &str = "azure.workload.identity/client-id";
const TENANT_ID_KEY: &str = "azure.workload.identity/tenant-id";
const STALE_CLIENT_ID: &str = "00000000-0000-4000-8000-000000000001";

/// The ServiceAccount as the chart applies it, with field manager "helm".
async fn helm_installs(api: &Api<ServiceAccount>) {
    let sa = json!({
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {
            "name": SA,
            "labels": {CHART_LABEL.0: CHART_LABEL.1},
            "annotations": {
                RELEASE_ANNOTATION.0: RELEASE_ANNOTATION.1,
                CLIENT_ID_KEY: STALE_CLIENT_ID,
            },
        },
    });
    api.patch(SA, &PatchParams::apply("helm"), &Patch::Apply(sa))
        .await
        .unwrap();
}

/// The `fieldsV1` of `manager`'s Apply entry in managedFields.
fn owned_by(sa: &ServiceAccount, manager: &str) -> Value {
    let entries = sa.metadata.managed_fields.clone().unwrap_or_default();
    let entry = entries
        .iter()
        .find(|e| e.manager.as_deref() == Some(manager) && e.operation.as_deref() == Some("Apply"))
        .unwrap_or_else(|| panic!("no Apply entry of {manager} in managedFields: {entries:#?}"));
    entry.fields_v1.clone().unwrap().0
}

fn has_key(fields: &Value, section: &str, key: &str) -> bool {
    fields["f:metadata"][format!("f:{section}")]
        .get(format!("f:{key}"))
        .is_some()
}

fn assert_helm_fields_kept(sa: &ServiceAccount) {
    let labels = sa.metadata.labels.clone().unwrap_or_default();
    let annotations = sa.metadata.annotations.clone().unwrap_or_default();
    assert_eq!(
        labels.get(CHART_LABEL.0).map(String::as_str),
        Some(CHART_LABEL.1),
        "helm's label is gone: {labels:?}"
    );
    assert_eq!(
        annotations.get(RELEASE_ANNOTATION.0).map(String::as_str),
        Some(RELEASE_ANNOTATION.1),
        "helm's annotation is gone: {annotations:?}"
    );
    let helm = owned_by(sa, "helm");
    assert!(has_key(&helm, "labels", CHART_LABEL.0), "{helm:#}");
    assert!(
        has_key(&helm, "annotations", RELEASE_ANNOTATION.0),
        "{helm:#}"
    );
}

#[test]
fn deploy_keeps_the_fields_other_managers_own() {
    // Refuse a missing or stale plugin before spending time on start-up.
    xtenant_testsupport::workspace_bin("kubectl-xtenant");
    let rt = Runtime::new().unwrap();
    let mut opts = Options::from_env(TENANT_A);
    opts.webhook = false; // field ownership needs only the API server
    let cp = rt.block_on(ControlPlane::start(opts)).unwrap();
    let api: Api<ServiceAccount> =
        rt.block_on(async { Api::namespaced(cp.client().await.unwrap(), "default") });
    rt.block_on(helm_installs(&api));
    assert_helm_fields_kept(&rt.block_on(api.get(SA)).unwrap());

    let kx = Plugin::new(&cp);
    // A second deploy re-applies over the first and must keep them too.
    for _ in 0..2 {
        kx.deploy(&[]);
        let sa = rt.block_on(api.get(SA)).unwrap();
        assert_helm_fields_kept(&sa);

        let annotations = sa.metadata.annotations.clone().unwrap_or_default();
        assert_eq!(
            annotations.get(CLIENT_ID_KEY).map(String::as_str),
            Some(CLIENT_ID)
        );
        assert_eq!(
            annotations.get(TENANT_ID_KEY).map(String::as_str),
            Some(TENANT_B)
        );
        let xtenant = owned_by(&sa, "xtenant");
        assert!(
            has_key(&xtenant, "annotations", CLIENT_ID_KEY),
            "{xtenant:#}"
        );
        assert!(
            has_key(&xtenant, "annotations", TENANT_ID_KEY),
            "{xtenant:#}"
        );
        // deploy forces the client ID it was given; helm no longer owns that field.
        let helm = owned_by(&sa, "helm");
        assert!(!has_key(&helm, "annotations", CLIENT_ID_KEY), "{helm:#}");
    }
}
