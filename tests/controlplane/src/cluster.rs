//! Objects the harness creates in the cluster: the issuer-discovery binding, kwok's
//! custom resource definitions and fake node, and the webhook's registration.

use std::collections::BTreeMap;
use std::path::Path;

use k8s_openapi::ByteString;
use k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhook, MutatingWebhookConfiguration, RuleWithOperations, WebhookClientConfig,
};
use k8s_openapi::api::core::v1::{Container, Node, Pod, PodSpec, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRoleBinding, RoleRef, Subject};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use kube::Client;
use kube::api::{Api, Patch, PatchParams, PostParams};

use crate::Error;

/// Name of the webhook registration, as the upstream install names it.
pub const WEBHOOK_CONFIGURATION: &str = "azure-wi-webhook-mutating-webhook-configuration";
/// The label that makes the webhook mutate a pod.
pub const USE_LABEL: &str = "azure.workload.identity/use";
/// Name of the fake node kwok manages.
pub const NODE_NAME: &str = "kwok-node-0";
/// Annotation selecting the nodes kwok manages.
pub const NODE_ANNOTATION: &str = "kwok.x-k8s.io/node";

fn apply() -> PatchParams {
    PatchParams::apply("xtenant-controlplane").force()
}

fn meta(name: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        ..ObjectMeta::default()
    }
}

/// Lets anonymous clients read `/.well-known/openid-configuration` and `/openid/v1/jwks`.
pub async fn allow_issuer_discovery(client: &Client) -> Result<(), Error> {
    let name = "service-account-issuer-discovery-unauthenticated";
    let crb = ClusterRoleBinding {
        metadata: meta(name),
        role_ref: RoleRef {
            api_group: "rbac.authorization.k8s.io".into(),
            kind: "ClusterRole".into(),
            name: "system:service-account-issuer-discovery".into(),
        },
        subjects: Some(vec![Subject {
            api_group: Some("rbac.authorization.k8s.io".into()),
            kind: "Group".into(),
            name: "system:unauthenticated".into(),
            ..Subject::default()
        }]),
    };
    Api::<ClusterRoleBinding>::all(client.clone())
        .patch(name, &apply(), &Patch::Apply(&crb))
        .await
        .map_err(|e| Error::kube("binding issuer discovery to system:unauthenticated", e))?;
    Ok(())
}

/// Creates kwok's custom resource definitions from the YAML files in `dir`.
pub async fn install_crds(client: &Client, dir: &Path) -> Result<Vec<String>, Error> {
    let api = Api::<CustomResourceDefinition>::all(client.clone());
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io("reading", dir, e))?;
    let mut names = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::io("reading", dir, e))?.path();
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io("reading", &path, e))?;
        let crd: CustomResourceDefinition = serde_yaml::from_str(&text)
            .map_err(|e| Error::Setup(format!("parsing {}: {e}", path.display())))?;
        let name = crd.metadata.name.clone().unwrap_or_default();
        api.patch(&name, &apply(), &Patch::Apply(&crd))
            .await
            .map_err(|e| Error::kube(format!("creating CRD {name}"), e))?;
        names.push(name);
    }
    Ok(names)
}

/// `Ok(())` when every named CRD reports `Established`.
pub async fn crds_established(client: &Client, names: &[String]) -> Result<(), String> {
    let api = Api::<CustomResourceDefinition>::all(client.clone());
    for name in names {
        let crd = api
            .get(name)
            .await
            .map_err(|e| format!("CRD {name}: {e}"))?;
        let ok = crd
            .status
            .and_then(|s| s.conditions)
            .unwrap_or_default()
            .iter()
            .any(|c| c.type_ == "Established" && c.status == "True");
        if !ok {
            return Err(format!("CRD {name} not established yet"));
        }
    }
    Ok(())
}

/// Creates the fake node that kwok manages.
pub async fn create_node(client: &Client) -> Result<(), Error> {
    let mut node = Node {
        metadata: meta(NODE_NAME),
        ..Node::default()
    };
    node.metadata.annotations = Some(BTreeMap::from([(NODE_ANNOTATION.into(), "fake".into())]));
    node.metadata.labels = Some(BTreeMap::from([
        ("kubernetes.io/hostname".into(), NODE_NAME.into()),
        ("kubernetes.io/os".into(), "linux".into()),
        ("kubernetes.io/arch".into(), "amd64".into()),
        ("type".into(), "kwok".into()),
    ]));
    Api::<Node>::all(client.clone())
        .patch(NODE_NAME, &apply(), &Patch::Apply(&node))
        .await
        .map_err(|e| Error::kube(format!("creating node {NODE_NAME}"), e))?;
    Ok(())
}

/// `Ok(())` when the fake node is `Ready`.
pub async fn node_ready(client: &Client) -> Result<(), String> {
    let node = Api::<Node>::all(client.clone())
        .get(NODE_NAME)
        .await
        .map_err(|e| format!("node {NODE_NAME}: {e}"))?;
    let ready = node
        .status
        .and_then(|s| s.conditions)
        .unwrap_or_default()
        .iter()
        .any(|c| c.type_ == "Ready" && c.status == "True");
    ready
        .then_some(())
        .ok_or_else(|| format!("node {NODE_NAME} not Ready yet"))
}

/// `Ok(())` once the controller-manager has created the `default` ServiceAccount.
pub async fn default_service_account(client: &Client) -> Result<(), String> {
    Api::<ServiceAccount>::namespaced(client.clone(), "default")
        .get("default")
        .await
        .map(|_| ())
        .map_err(|e| format!("ServiceAccount default/default: {e}"))
}

/// Registers the webhook for pods labelled `azure.workload.identity/use: "true"`.
pub async fn register_webhook(client: &Client, url: &str, ca_pem: &str) -> Result<(), Error> {
    let hook = MutatingWebhook {
        name: "mutation.azure-workload-identity.io".into(),
        admission_review_versions: vec!["v1".into(), "v1beta1".into()],
        client_config: WebhookClientConfig {
            url: Some(url.into()),
            ca_bundle: Some(ByteString(ca_pem.as_bytes().to_vec())),
            service: None,
        },
        failure_policy: Some("Fail".into()),
        match_policy: Some("Equivalent".into()),
        reinvocation_policy: Some("IfNeeded".into()),
        side_effects: "None".into(),
        timeout_seconds: Some(10),
        object_selector: Some(LabelSelector {
            match_labels: Some(BTreeMap::from([(USE_LABEL.into(), "true".into())])),
            match_expressions: None,
        }),
        rules: Some(vec![RuleWithOperations {
            api_groups: Some(vec![String::new()]),
            api_versions: Some(vec!["v1".into()]),
            operations: Some(vec!["CREATE".into()]),
            resources: Some(vec!["pods".into()]),
            scope: None,
        }]),
        ..MutatingWebhook::default()
    };
    let mwc = MutatingWebhookConfiguration {
        metadata: meta(WEBHOOK_CONFIGURATION),
        webhooks: Some(vec![hook]),
    };
    Api::<MutatingWebhookConfiguration>::all(client.clone())
        .patch(WEBHOOK_CONFIGURATION, &apply(), &Patch::Apply(&mwc))
        .await
        .map_err(|e| Error::kube(format!("registering {WEBHOOK_CONFIGURATION}"), e))?;
    Ok(())
}

/// `Ok(())` when a dry-run pod with the label comes back mutated, i.e. the
/// API server has picked up the registration and reaches the webhook.
pub async fn webhook_effective(client: &Client) -> Result<(), String> {
    let mut pod = Pod {
        metadata: ObjectMeta {
            generate_name: Some("webhook-probe-".into()),
            labels: Some(BTreeMap::from([(USE_LABEL.into(), "true".into())])),
            ..ObjectMeta::default()
        },
        spec: Some(PodSpec {
            containers: vec![Container {
                name: "probe".into(),
                image: Some("probe".into()),
                ..Container::default()
            }],
            ..PodSpec::default()
        }),
        ..Pod::default()
    };
    pod.metadata.namespace = Some("default".into());
    let pp = PostParams {
        dry_run: true,
        ..PostParams::default()
    };
    let created = Api::<Pod>::namespaced(client.clone(), "default")
        .create(&pp, &pod)
        .await
        .map_err(|e| format!("dry-run pod: {e}"))?;
    let mutated = created
        .spec
        .and_then(|s| s.containers.into_iter().next())
        .and_then(|c| c.env)
        .unwrap_or_default()
        .iter()
        .any(|e| e.name == "AZURE_FEDERATED_TOKEN_FILE");
    mutated
        .then_some(())
        .ok_or_else(|| "dry-run pod not mutated yet".to_string())
}
