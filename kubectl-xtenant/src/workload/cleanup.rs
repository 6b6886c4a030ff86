//! Cleaning up the demo: deletes the Job (with its pods) and the
//! ServiceAccount, but only objects that carry xtenant's managed-by label;
//! anything else is left alone.

use std::time::Duration;

use anyhow::{Context, Result};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Pod, ServiceAccount};
use kube::api::{Api, DeleteParams, ListParams};
use kube::{Client, Resource};

use crate::manifests::{LABEL_MANAGED_BY, MANAGED_BY};
use crate::output::{Check, Report};
use crate::wait::Deadline;
use crate::workload::job::delete_job;

fn managed<K: Resource>(obj: &K) -> bool {
    obj.meta()
        .labels
        .as_ref()
        .and_then(|l| l.get(LABEL_MANAGED_BY))
        .is_some_and(|v| v == MANAGED_BY)
}

const NOT_OURS: &str = "not labelled app.kubernetes.io/managed-by=xtenant: left alone";

/// Deletes what xtenant manages and reports each object.
pub async fn cleanup(
    client: Client,
    ns: &str,
    job_name: &str,
    sa_name: &str,
    timeout: Duration,
) -> Result<Report> {
    let mut report = Report::new("cleanup");
    let jobs: Api<Job> = Api::namespaced(client.clone(), ns);
    let job = jobs
        .get_opt(job_name)
        .await
        .with_context(|| format!("reading job/{job_name}"))?;
    report.push(match job {
        None => Check::pass("job", format!("job/{job_name} not present")),
        Some(job) if managed(&job) => {
            delete_job(&jobs, &job, Deadline::after(timeout)).await?;
            Check::pass("job", format!("job/{job_name} deleted with its pods"))
        }
        Some(_) => Check::warn(
            "job",
            format!("job/{job_name} {NOT_OURS}"),
            format!("kubectl delete job {job_name} -n {ns}, if it should go"),
        ),
    });
    // Pods a deleted Job left behind (orphaned), still labelled as ours.
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let selector =
        format!("{LABEL_MANAGED_BY}={MANAGED_BY},batch.kubernetes.io/job-name={job_name}");
    let leftover = pods
        .list(&ListParams::default().labels(&selector))
        .await
        .context("listing pods")?;
    if !leftover.items.is_empty() {
        pods.delete_collection(
            &DeleteParams::background(),
            &ListParams::default().labels(&selector),
        )
        .await
        .context("deleting leftover pods")?;
        report.push(Check::pass(
            "pods",
            format!("{} leftover pod(s) deleted", leftover.items.len()),
        ));
    }
    let sas: Api<ServiceAccount> = Api::namespaced(client, ns);
    let sa = sas
        .get_opt(sa_name)
        .await
        .with_context(|| format!("reading serviceaccount/{sa_name}"))?;
    report.push(match sa {
        None => Check::pass(
            "serviceaccount",
            format!("serviceaccount/{sa_name} not present"),
        ),
        Some(sa) if managed(&sa) => {
            sas.delete(sa_name, &DeleteParams::default())
                .await
                .with_context(|| format!("deleting serviceaccount/{sa_name}"))?;
            Check::pass(
                "serviceaccount",
                format!("serviceaccount/{sa_name} deleted"),
            )
        }
        Some(_) => Check::warn(
            "serviceaccount",
            format!("serviceaccount/{sa_name} {NOT_OURS}"),
            format!("kubectl delete serviceaccount {sa_name} -n {ns}, if it should go"),
        ),
    });
    report.set("namespace", ns.to_string());
    Ok(report)
}

#[cfg(test)]
mod scenarios {
    use serde_json::json;

    use super::*;
    use crate::fake_api::{self, Call};
    use crate::output::Verdict;

    const JOB: &str = "/apis/batch/v1/namespaces/default/jobs/myproducer";
    const SA: &str = "/api/v1/namespaces/default/serviceaccounts/myserviceaccount";

    fn labels(ours: bool) -> serde_json::Value {
        if ours {
            json!({"app.kubernetes.io/managed-by": "xtenant"})
        } else {
            json!({"app": "theirs"})
        }
    }

    fn route(ours: bool) -> impl Fn(&Call) -> Option<fake_api::Reply> + Send + Sync {
        move |c: &Call| match (c.method.as_str(), c.path.as_str()) {
            ("GET", JOB) | ("DELETE", JOB) => Some((
                200,
                json!({"apiVersion": "batch/v1", "kind": "Job",
                "metadata": {"name": "myproducer", "uid": "u1", "labels": labels(ours)}}),
            )),
            ("GET", SA) | ("DELETE", SA) => Some((
                200,
                json!({"apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": {"name": "myserviceaccount", "labels": labels(ours)}}),
            )),
            ("GET", "/apis/batch/v1/namespaces/default/jobs") => Some(fake_api::list("Job", &[])),
            ("GET", "/api/v1/namespaces/default/pods") => Some(fake_api::list("Pod", &[])),
            _ => None,
        }
    }

    #[tokio::test]
    async fn deletes_only_what_xtenant_manages() {
        let (client, calls) = fake_api::client(route(true));
        let report = cleanup(
            client,
            "default",
            "myproducer",
            "myserviceaccount",
            Duration::from_secs(5),
        )
        .await
        .expect("cleanup");
        assert!(report.ok);
        let trace = fake_api::trace(&calls);
        assert!(
            trace.contains(&format!("DELETE {JOB}")) && trace.contains(&format!("DELETE {SA}")),
            "{trace:?}"
        );

        let (client, calls) = fake_api::client(route(false));
        let report = cleanup(
            client,
            "default",
            "myproducer",
            "myserviceaccount",
            Duration::from_secs(5),
        )
        .await
        .expect("cleanup");
        assert!(
            report.checks.iter().all(|c| c.verdict == Verdict::Warn),
            "{}",
            report.human()
        );
        assert!(
            !fake_api::trace(&calls)
                .iter()
                .any(|t| t.starts_with("DELETE"))
        );
    }
}
