//! Deleting a Job the way `deploy`, `cleanup` and `--recreate` need it: in the
//! foreground (its pods first), then waiting until it is gone.

use anyhow::{Context, Result};
use k8s_openapi::api::batch::v1::Job;
use kube::api::{Api, DeleteParams};

use crate::wait::{self, Deadline};

/// Deletes a Job in the foreground (its pods first) and waits until it is gone.
pub async fn delete_job(jobs: &Api<Job>, job: &Job, deadline: Deadline) -> Result<()> {
    let name = job
        .metadata
        .name
        .as_deref()
        .context("the Job has no name")?;
    let uid = job.metadata.uid.clone().unwrap_or_default();
    jobs.delete(name, &DeleteParams::foreground())
        .await
        .with_context(|| format!("deleting job/{name}"))?;
    wait::deleted(jobs, name, &uid, deadline).await
}
