//! Helpers shared by the control plane tests.
#![allow(dead_code, clippy::unwrap_used)] // helpers shared by several test files

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, Namespace, Pod, PodSpec, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Client;
use kube::api::{Api, PostParams};

/// Tenant of the local cluster (what AKS would call Tenant A).
pub const TENANT_A: &str = "aaaaaaaa-0000-4000-8000-00000000000a";
/// A client ID to annotate ServiceAccounts with.
pub const CLIENT_ID: &str = "c11e0000-0000-4000-8000-0000000000c1";

pub mod local;
pub mod plugin;
pub mod workloads;

pub async fn namespace(client: &Client, name: &str) {
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    };
    Api::<Namespace>::all(client.clone())
        .create(&PostParams::default(), &ns)
        .await
        .unwrap();
}

pub async fn service_account(client: &Client, ns: &str, name: &str, client_id: Option<&str>) {
    let sa = ServiceAccount {
        metadata: ObjectMeta {
            name: Some(name.into()),
            annotations: client_id.map(|id| {
                BTreeMap::from([(
                    "azure.workload.identity/client-id".to_string(),
                    id.to_string(),
                )])
            }),
            ..ObjectMeta::default()
        },
        ..ServiceAccount::default()
    };
    Api::<ServiceAccount>::namespaced(client.clone(), ns)
        .create(&PostParams::default(), &sa)
        .await
        .unwrap();
}

/// Creates a pod (optionally labelled for workload identity) and returns it as admitted.
pub async fn create_pod(client: &Client, ns: &str, name: &str, sa: &str, labelled: bool) -> Pod {
    let pod = Pod {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: labelled.then(|| {
                BTreeMap::from([(
                    "azure.workload.identity/use".to_string(),
                    "true".to_string(),
                )])
            }),
            ..ObjectMeta::default()
        },
        spec: Some(PodSpec {
            service_account_name: Some(sa.into()),
            containers: vec![Container {
                name: "app".into(),
                image: Some("example.invalid/app:1".into()),
                ..Container::default()
            }],
            ..PodSpec::default()
        }),
        ..Pod::default()
    };
    Api::<Pod>::namespaced(client.clone(), ns)
        .create(&PostParams::default(), &pod)
        .await
        .unwrap()
}

/// The env of a pod's first container as a map.
pub fn env(pod: &Pod) -> BTreeMap<String, String> {
    pod.spec
        .as_ref()
        .and_then(|s| s.containers.first())
        .and_then(|c| c.env.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|e| (e.name, e.value.unwrap_or_default()))
        .collect()
}
