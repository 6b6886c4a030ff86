//! The workloads xtenant binds: their kinds and patches (`binding`), reading
//! one with its pod template, the pods it owns, rolling them out, and
//! recreating or deleting a Job, reading its newest pod's log. What the verbs and the checks share.

pub mod binding;
pub mod cleanup;
pub mod deploy;
pub mod job;
pub mod logs;
pub mod owned_pods;
pub mod recreate;
pub mod rollout;

use anyhow::{Context, Result};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use kube::Client;
use kube::api::{Api, DynamicObject};

use crate::exit::Usage;
use binding::Target;

/// A workload read from the cluster, with its pod template.
pub struct Found {
    pub api: Api<DynamicObject>,
    pub object: DynamicObject,
    pub template: PodTemplateSpec,
}

/// Reads the workload; a missing one is bad input.
pub async fn read(client: &Client, ns: &str, target: &Target) -> Result<Found> {
    let ar = target.kind.api_resource();
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &ar);
    let object = api
        .get_opt(&target.name)
        .await
        .with_context(|| format!("reading {target}"))?
        .ok_or_else(|| Usage(format!("{target} not found in namespace {ns}")))?;
    let template = binding::pod_template(target.kind, &object)?;
    Ok(Found {
        api,
        object,
        template,
    })
}
