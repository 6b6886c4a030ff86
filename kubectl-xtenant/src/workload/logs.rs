//! The logs of a Job's newest pod, as `kubectl logs -f` on the pod the
//! procedure looks up by hand: the Job, its newest pod once started, the
//! container named like the Job, and that container's log lines.

use std::io;
use std::time::Duration;

use anyhow::{Context, Result};
use futures::{AsyncBufReadExt, Stream};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Container, Pod};
use kube::Client;
use kube::api::{Api, LogParams};

use crate::exit::Usage;
use crate::wait::{self, Deadline};

/// The container to read in a pod: the one named `name`, else the first.
pub fn container<'a>(pod: &'a Pod, name: &str) -> Option<&'a Container> {
    let containers = &pod.spec.as_ref()?.containers;
    containers
        .iter()
        .find(|c| c.name == name)
        .or(containers.first())
}

/// The log of the Job's newest pod, opened.
pub struct JobLog<S> {
    /// The pod whose log it is.
    pub pod: String,
    /// Its lines, followed (to the pod's end) or as far as written.
    pub lines: S,
}

/// Opens the log of job `job_name`'s newest pod in `ns`, waiting up to
/// `timeout` for the pod to exist and start. A missing Job is bad input.
pub async fn open(
    client: &Client,
    ns: &str,
    job_name: &str,
    follow: bool,
    timeout: Duration,
) -> Result<JobLog<impl Stream<Item = io::Result<String>> + Unpin>> {
    let jobs: Api<Job> = Api::namespaced(client.clone(), ns);
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let job = jobs
        .get_opt(job_name)
        .await
        .with_context(|| format!("reading job/{job_name}"))?
        .ok_or_else(|| {
            Usage(format!(
                "job/{job_name} not found in namespace {ns}: run `kubectl xtenant deploy` first"
            ))
        })?;
    let deadline = Deadline::after(timeout);
    let pod = wait::newest_pod(&pods, &wait::pod_selector(&job)?, deadline).await?;
    let name = pod.metadata.name.clone().unwrap_or_default();
    wait::pod_started(&pods, &name, deadline).await?;
    let params = LogParams {
        follow,
        container: container(&pod, job_name).map(|c| c.name.clone()),
        ..LogParams::default()
    };
    let lines = pods
        .log_stream(&name, &params)
        .await
        .with_context(|| format!("reading the logs of pod/{name}"))?
        .lines();
    Ok(JobLog { pod: name, lines })
}

#[cfg(test)]
mod tests {
    use futures::TryStreamExt;
    use serde_json::{Value, json};

    use super::*;
    use crate::fake_api::{self, Call};

    const JOB: &str = "/apis/batch/v1/namespaces/default/jobs/myproducer";
    const PODS: &str = "/api/v1/namespaces/default/pods";
    const LOG: &str = "/api/v1/namespaces/default/pods/myproducer-new/log";

    fn pod(name: &str, created: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": name, "namespace": "default", "creationTimestamp": created},
               "spec": {"containers": [{"name": "sidecar", "image": "s"}, {"name": "myproducer", "image": "p"}]},
               "status": {"phase": "Running"}})
    }

    fn route(c: &Call) -> Option<fake_api::Reply> {
        match (c.method.as_str(), c.path.as_str()) {
            ("GET", JOB) => Some((
                200,
                json!({"apiVersion": "batch/v1", "kind": "Job",
                       "metadata": {"name": "myproducer", "namespace": "default", "uid": "u1"}}),
            )),
            ("GET", PODS) if c.query.contains("metadata.name") => Some(fake_api::list(
                "Pod",
                &[pod("myproducer-new", "2026-01-01T00:01:00Z")],
            )),
            ("GET", PODS) => Some(fake_api::list(
                "Pod",
                &[
                    pod("myproducer-old", "2026-01-01T00:00:00Z"),
                    pod("myproducer-new", "2026-01-01T00:01:00Z"),
                ],
            )),
            ("GET", LOG) => Some((200, Value::String("sent 1\nsent 2\n".into()))),
            _ => None,
        }
    }

    #[tokio::test]
    async fn the_newest_pods_container_named_like_the_job_is_read() {
        let (client, calls) = fake_api::client(route);
        let log = open(
            &client,
            "default",
            "myproducer",
            false,
            Duration::from_secs(5),
        )
        .await
        .expect("open");
        assert_eq!(log.pod, "myproducer-new");
        let lines: Vec<String> = log.lines.try_collect().await.expect("lines");
        assert_eq!(lines, ["sent 1", "sent 2"]);
        let calls = calls.lock().expect("lock");
        let read = calls.iter().find(|c| c.path == LOG).expect("the log read");
        assert!(
            read.query.contains("container=myproducer"),
            "{}",
            read.query
        );
        assert!(!read.query.contains("follow=true"), "{}", read.query);
    }

    #[tokio::test]
    async fn a_missing_job_is_bad_input_naming_deploy() {
        let (client, calls) = fake_api::client(|_| None);
        let err = open(
            &client,
            "default",
            "myproducer",
            true,
            Duration::from_secs(5),
        )
        .await
        .err()
        .expect("refused");
        let usage = err.downcast_ref::<Usage>().expect("bad input");
        assert!(
            usage
                .0
                .contains("job/myproducer not found in namespace default")
                && usage.0.contains("kubectl xtenant deploy"),
            "{}",
            usage.0
        );
        assert_eq!(fake_api::trace(&calls), [format!("GET {JOB}")]);
    }
}
