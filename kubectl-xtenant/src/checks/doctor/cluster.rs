//! Doctor's cluster-side checks: reachability and version, the workload
//! identity webhook's registration, the ServiceAccount's annotations.

use k8s_openapi::api::admissionregistration::v1::MutatingWebhookConfiguration;
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::Client;
use kube::api::{Api, ListParams};
use xtenant_shared::names::{ANNOTATION_CLIENT_ID, ANNOTATION_TENANT_ID};

use super::Plan;
use crate::output::{Check, Report};

pub const FIX_CLUSTER: &str = "check --kubeconfig/--context (`kubectl cluster-info`); for AKS, `az aks get-credentials --resource-group <group> --name <cluster>`";

const FIX_WEBHOOK: &str = "enable workload identity on the cluster (`az aks update --enable-workload-identity`, which `az-xtenant cluster` runs), or install the azure-workload-identity webhook";

/// Reachability and the server's version.
pub async fn version_check(client: &Client, server: &str) -> Check {
    match client.apiserver_version().await {
        Ok(v) => Check::pass(
            "cluster",
            format!("reachable at {server}, Kubernetes {}", v.git_version),
        ),
        Err(e) => Check::fail(
            "cluster",
            format!("{server}: {:#}", anyhow::Error::new(e)),
            FIX_CLUSTER,
        ),
    }
}

/// The name of the workload identity webhook in a configuration, if it has one.
/// The upstream manifests name the configuration
/// `azure-wi-webhook-mutating-webhook-configuration`, its webhook
/// `mutation.azure-workload-identity.io`, served at `/mutate-v1-pod`.
pub fn workload_identity_webhook(config: &MutatingWebhookConfiguration) -> Option<String> {
    let config_name = config.metadata.name.clone().unwrap_or_default();
    config.webhooks.iter().flatten().find_map(|w| {
        let path = w
            .client_config
            .service
            .as_ref()
            .and_then(|s| s.path.as_deref());
        let named =
            w.name.contains("azure-workload-identity") || config_name.starts_with("azure-wi");
        (named || (path == Some("/mutate-v1-pod") && w.name.contains("azure")))
            .then(|| format!("{config_name} ({})", w.name))
    })
}

/// The webhook is registered.
pub async fn webhook_check(client: &Client) -> Check {
    let api: Api<MutatingWebhookConfiguration> = Api::all(client.clone());
    match api.list(&ListParams::default()).await {
        Ok(list) => match list.items.iter().find_map(workload_identity_webhook) {
            Some(found) => Check::pass("webhook", format!("mutating webhook {found}")),
            None => Check::fail(
                "webhook",
                format!(
                    "no azure-workload-identity webhook among {} mutating webhook configuration(s); pods get no AZURE_* variables or token",
                    list.items.len()
                ),
                FIX_WEBHOOK,
            ),
        },
        Err(e) => Check::warn(
            "webhook",
            format!("cannot list mutatingwebhookconfigurations: {e}"),
            "ask a cluster admin, or run doctor with more rights",
        ),
    }
}

/// The ServiceAccount exists with the annotations the profile implies;
/// returns whether it exists.
pub async fn service_account_checks(
    sas: &Api<ServiceAccount>,
    plan: &Plan,
    report: &mut Report,
) -> bool {
    let name = &plan.service_account;
    let sa = match sas.get_opt(name).await {
        Ok(Some(sa)) => sa,
        Ok(None) => {
            report.push(Check::fail(
                "serviceaccount",
                format!(
                    "serviceaccount/{name} not found in namespace {}",
                    plan.namespace
                ),
                "run `kubectl xtenant deploy`",
            ));
            return false;
        }
        Err(e) => {
            report.push(Check::fail(
                "serviceaccount",
                format!("reading serviceaccount/{name}: {e}"),
                "check your rights in the namespace",
            ));
            return false;
        }
    };
    report.push(Check::pass(
        "serviceaccount",
        format!("serviceaccount/{name} in namespace {}", plan.namespace),
    ));
    let annotations = sa.metadata.annotations.unwrap_or_default();
    let fix = "run `kubectl xtenant deploy` to annotate it";
    report.push(match annotations.get(ANNOTATION_CLIENT_ID) {
        Some(v) if v.eq_ignore_ascii_case(&plan.client_id) => {
            Check::pass("sa.client-id", v.clone())
        }
        Some(v) => Check::fail(
            "sa.client-id",
            format!("{ANNOTATION_CLIENT_ID} is {v}, not {}", plan.client_id),
            fix,
        ),
        None => Check::fail(
            "sa.client-id",
            format!("no {ANNOTATION_CLIENT_ID} annotation"),
            fix,
        ),
    });
    report.push(match (annotations.get(ANNOTATION_TENANT_ID), plan.tenant_b.as_deref()) {
        (Some(v), Some(b)) if v.eq_ignore_ascii_case(b) => Check::pass("sa.tenant-id", format!("{v} (Tenant B)")),
        (Some(v), Some(b)) => Check::fail("sa.tenant-id", format!("{ANNOTATION_TENANT_ID} is {v}, not Tenant B ({b})"), fix),
        (Some(v), None) => Check::pass("sa.tenant-id", v.clone()),
        (None, _) => Check::warn("sa.tenant-id", format!("no {ANNOTATION_TENANT_ID} annotation: pods get the cluster's tenant (Tenant A) unless AZURE_TENANT_ID is in their env"), fix),
    });
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config(name: &str, webhook: &str, path: &str) -> MutatingWebhookConfiguration {
        serde_json::from_value(json!({"metadata": {"name": name}, "webhooks": [{
            "name": webhook, "admissionReviewVersions": ["v1"], "sideEffects": "None",
            "clientConfig": {"service": {"name": "svc", "namespace": "ns", "path": path}}}]}))
        .expect("config")
    }

    #[test]
    fn recognises_the_upstream_webhook() {
        let upstream = config(
            "azure-wi-webhook-mutating-webhook-configuration",
            "mutation.azure-workload-identity.io",
            "/mutate-v1-pod",
        );
        assert!(workload_identity_webhook(&upstream).is_some());
        let other = config(
            "istio-sidecar-injector",
            "sidecar-injector.istio.io",
            "/inject",
        );
        assert!(workload_identity_webhook(&other).is_none());
    }
}
