//! Waiting on the cluster through watches (never sleep loops), each bounded
//! by a deadline: the Job's newest pod, the Job's end, an object's deletion.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::runtime::wait::{Condition, await_condition, conditions};
use kube::runtime::watcher::{self, Event, watcher};
use tokio::time::Instant;

use crate::exit::Timeout;

/// How a Job ended, or that it has not.
#[derive(Debug, Clone, PartialEq)]
pub enum JobState {
    Running,
    Complete,
    Failed(String),
}

/// The Job's state from its conditions.
pub fn job_state(job: &Job) -> JobState {
    let conditions = job.status.as_ref().and_then(|s| s.conditions.as_ref());
    for c in conditions.into_iter().flatten() {
        if c.status != "True" {
            continue;
        }
        match c.type_.as_str() {
            "Complete" => return JobState::Complete,
            "Failed" => {
                let why = [c.reason.as_deref(), c.message.as_deref()];
                let why: Vec<&str> = why.into_iter().flatten().collect();
                return JobState::Failed(why.join(": "));
            }
            _ => {}
        }
    }
    JobState::Running
}

/// The label selector of a Job's pods (by the Job's UID, so pods of an
/// older Job of the same name do not count).
pub fn pod_selector(job: &Job) -> Result<String> {
    let uid = job.metadata.uid.as_deref().context("the Job has no uid")?;
    Ok(format!("batch.kubernetes.io/controller-uid={uid}"))
}

/// The pod created last, by creation time then name.
pub fn newest(pods: &[Pod]) -> Option<&Pod> {
    pods.iter().max_by(|a, b| {
        let key = |p: &Pod| {
            (
                p.metadata.creation_timestamp.clone(),
                p.metadata.name.clone(),
            )
        };
        key(a).cmp(&key(b))
    })
}

/// Waits for the newest pod matching `selector`: the newest of those that
/// exist, else the first that appears.
pub async fn newest_pod(pods: &Api<Pod>, selector: &str, deadline: Deadline) -> Result<Pod> {
    let config = watcher::Config::default().labels(selector);
    let mut stream = watcher(pods.clone(), config).boxed();
    let find = async {
        let mut initial = Vec::new();
        while let Some(event) = stream.try_next().await.context("watching pods")? {
            match event {
                Event::Init => initial.clear(),
                Event::InitApply(pod) => initial.push(pod),
                Event::InitDone => {
                    if let Some(pod) = newest(&initial) {
                        return Ok(pod.clone());
                    }
                }
                Event::Apply(pod) => return Ok(pod),
                Event::Delete(_) => {}
            }
        }
        bail!("the pod watch ended")
    };
    within(deadline, "the Job's pod to be created", find).await
}

/// Waits until the Job has completed or failed.
pub async fn job_finished(jobs: &Api<Job>, name: &str, deadline: Deadline) -> Result<Job> {
    let done = |job: Option<&Job>| job.is_some_and(|j| job_state(j) != JobState::Running);
    let wait = async {
        let job = await_condition(jobs.clone(), name, done)
            .await
            .context("watching the Job")?;
        job.with_context(|| format!("job {name} disappeared"))
    };
    within(deadline, &format!("job {name} to complete or fail"), wait).await
}

/// Waits until an object with this uid is gone.
pub async fn deleted<K>(api: &Api<K>, name: &str, uid: &str, deadline: Deadline) -> Result<()>
where
    K: kube::Resource + Clone + std::fmt::Debug + serde::de::DeserializeOwned + Send + 'static,
{
    let cond = conditions::is_deleted::<K>(uid);
    let wait = async {
        await_condition(api.clone(), name, move |o: Option<&K>| {
            cond.matches_object(o)
        })
        .await
        .context("watching the deletion")?;
        Ok(())
    };
    within(deadline, &format!("{name} to be deleted"), wait).await
}

/// Waits until the pod's containers have started or the pod has ended, so
/// that its logs can be read.
pub async fn pod_started(pods: &Api<Pod>, name: &str, deadline: Deadline) -> Result<()> {
    let started = |pod: Option<&Pod>| {
        let phase = pod.and_then(|p| p.status.as_ref()?.phase.clone());
        !matches!(phase.as_deref(), Some("Pending") | None)
    };
    let wait = async {
        await_condition(pods.clone(), name, started)
            .await
            .context("watching the pod")?;
        Ok(())
    };
    within(deadline, &format!("pod {name} to start"), wait).await
}

/// One time limit shared by the waits of a command.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    at: Instant,
    total: Duration,
}

impl Deadline {
    pub fn after(total: Duration) -> Self {
        Self {
            at: Instant::now() + total,
            total,
        }
    }
}

pub async fn within<T>(
    deadline: Deadline,
    what: &str,
    fut: impl Future<Output = Result<T>>,
) -> Result<T> {
    match tokio::time::timeout_at(deadline.at, fut).await {
        Ok(result) => result,
        Err(_) => Err(Timeout {
            what: what.to_string(),
            seconds: deadline.total.as_secs(),
        }
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn job(conditions: &serde_json::Value) -> Job {
        serde_json::from_value(json!({"metadata": {"name": "j", "uid": "u1"},
            "status": {"conditions": conditions}}))
        .expect("job")
    }

    #[test]
    fn job_states() {
        assert_eq!(job_state(&job(&json!([]))), JobState::Running);
        let done = job(&json!([{"type": "SuccessCriteriaMet", "status": "True"},
                              {"type": "Complete", "status": "True"}]));
        assert_eq!(job_state(&done), JobState::Complete);
        let failed = job(&json!([{"type": "Failed", "status": "True",
            "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"}]));
        assert_eq!(
            job_state(&failed),
            JobState::Failed(
                "BackoffLimitExceeded: Job has reached the specified backoff limit".into()
            )
        );
        assert_eq!(
            pod_selector(&failed).expect("uid"),
            "batch.kubernetes.io/controller-uid=u1"
        );
    }

    #[test]
    fn newest_pod_by_creation_time() {
        let pod = |name: &str, t: &str| -> Pod {
            serde_json::from_value(json!({"metadata": {"name": name, "creationTimestamp": t}}))
                .expect("pod")
        };
        let pods = [
            pod("a", "2025-01-01T00:00:02Z"),
            pod("b", "2025-01-01T00:00:01Z"),
        ];
        assert_eq!(
            newest(&pods).and_then(|p| p.metadata.name.as_deref()),
            Some("a")
        );
        assert!(newest(&[]).is_none());
    }
}
