//! `logs`: follows the logs of the Job's newest pod, like
//! `kubectl logs -f` on the pod the procedure looks up by hand.

use std::time::Duration;

use anyhow::{Context, Result};
use futures::{AsyncBufReadExt, TryStreamExt};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams};

use crate::cli::{WorkloadArgs, parse_duration};
use crate::context;
use crate::exit::{self, Usage};
use crate::wait::{self, Deadline};

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub workload: WorkloadArgs,
    /// Print the logs so far and exit instead of following
    #[arg(long)]
    pub no_follow: bool,
    /// How long to wait for the pod to start
    #[arg(long, default_value = "2m", value_parser = parse_duration)]
    pub timeout: Duration,
}

pub async fn run(ctx: &context::Context, args: &Args) -> Result<u8> {
    let settings = ctx.settings()?;
    let job_name = settings.job_name(args.workload.job_name.as_deref())?;
    let target = ctx.cluster().await?;
    let jobs: Api<Job> = Api::namespaced(target.client.clone(), &target.namespace);
    let pods: Api<Pod> = Api::namespaced(target.client.clone(), &target.namespace);
    let job = jobs
        .get_opt(&job_name)
        .await
        .with_context(|| format!("reading job/{job_name}"))?
        .ok_or_else(|| {
            Usage(format!(
                "job/{job_name} not found in namespace {}: run `kubectl xtenant deploy` first",
                target.namespace
            ))
        })?;
    let deadline = Deadline::after(args.timeout);
    let pod = wait::newest_pod(&pods, &wait::pod_selector(&job)?, deadline).await?;
    let name = pod.metadata.name.clone().unwrap_or_default();
    wait::pod_started(&pods, &name, deadline).await?;
    eprintln!("pod/{name}:");
    let container = crate::checks::pod::container(&pod, &job_name).map(|c| c.name.clone());
    let params = LogParams {
        follow: !args.no_follow,
        container,
        ..LogParams::default()
    };
    let mut lines = pods
        .log_stream(&name, &params)
        .await
        .with_context(|| format!("reading the logs of pod/{name}"))?
        .lines();
    while let Some(line) = lines.try_next().await.context("reading the log stream")? {
        xtenant_shared::output::println(line)?;
        // Nobody reads a followed log any more (`| head`): stop following.
        if xtenant_shared::output::closed() {
            break;
        }
    }
    Ok(exit::OK)
}
