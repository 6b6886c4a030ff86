//! Deploy against a scripted API server: create, replace on a changed
//! template, leave an identical Job alone.

use serde_json::{Value, json};

use super::*;
use crate::fake_api::{self, Call};
use crate::manifests::tests::workload;

const SA_PATH: &str = "/api/v1/namespaces/default/serviceaccounts/myserviceaccount";
const JOB_PATH: &str = "/apis/batch/v1/namespaces/default/jobs/myproducer";

fn args() -> Options {
    Options {
        rerun: false,
        timeout: Duration::from_secs(5),
    }
}

fn existing_job(hash: &str) -> Value {
    json!({"apiVersion": "batch/v1", "kind": "Job",
           "metadata": {"name": "myproducer", "namespace": "default", "uid": "old-uid",
                        "annotations": {"xtenant/template-hash": hash}},
           "spec": {"template": {"spec": {"containers": []}}}})
}

/// Applies echo; `job` is what GET returns for the Job (None: absent).
fn route(job: Option<Value>) -> impl Fn(&Call) -> Option<fake_api::Reply> + Send + Sync {
    move |c: &Call| match (c.method.as_str(), c.path.as_str()) {
        ("PATCH", SA_PATH) | ("PATCH", JOB_PATH) => Some((200, c.body.clone())),
        ("GET", JOB_PATH) => job.clone().map(|j| (200, j)),
        ("DELETE", JOB_PATH) => job.clone().map(|j| (200, j)),
        // The deletion watch lists by name: the Job is gone.
        ("GET", "/apis/batch/v1/namespaces/default/jobs") => Some(fake_api::list("Job", &[])),
        _ => None,
    }
}

#[tokio::test]
async fn creates_service_account_and_job_by_server_side_apply() {
    let (client, calls) = fake_api::client(route(None));
    let report = deploy(client, &workload(), &args(), Format::Json)
        .await
        .expect("deploy");
    assert!(report.ok);
    assert_eq!(report.data["jobAction"], "created");
    let calls = calls.lock().expect("lock").clone();
    let sa = calls
        .iter()
        .find(|c| c.is("PATCH", SA_PATH))
        .expect("sa applied");
    assert!(
        sa.query.contains("fieldManager=xtenant") && sa.query.contains("force=true"),
        "{}",
        sa.query
    );
    assert_eq!(
        sa.body["metadata"]["annotations"]["azure.workload.identity/client-id"],
        workload().client_id
    );
    assert_eq!(
        sa.body["metadata"]["annotations"]["azure.workload.identity/tenant-id"],
        workload().tenant_b
    );
    // Only our fields are sent, so labels and annotations others set are kept.
    assert_eq!(
        sa.body["metadata"]["labels"].as_object().map(|m| m.len()),
        Some(1)
    );
    let job = calls
        .iter()
        .find(|c| c.is("PATCH", JOB_PATH))
        .expect("job applied");
    assert_eq!(
        job.body["spec"]["template"]["metadata"]["labels"]["azure.workload.identity/use"],
        "true"
    );
    assert_eq!(
        job.body["metadata"]["labels"]["app.kubernetes.io/managed-by"],
        "xtenant"
    );
}

#[tokio::test]
async fn changed_template_is_replaced_not_patched() {
    let (client, calls) = fake_api::client(route(Some(existing_job("0000000000000000"))));
    let report = deploy(client, &workload(), &args(), Format::Json)
        .await
        .expect("deploy");
    assert_eq!(report.data["jobAction"], "replaced");
    let trace = fake_api::trace(&calls);
    let delete = trace
        .iter()
        .position(|t| t == &format!("DELETE {JOB_PATH}"))
        .expect("deleted");
    let apply = trace
        .iter()
        .position(|t| t == &format!("PATCH {JOB_PATH}"))
        .expect("applied");
    let watched = trace
        .iter()
        .position(|t| t.ends_with("/jobs"))
        .expect("waited for deletion");
    assert!(delete < watched && watched < apply, "{trace:?}");
    let calls = calls.lock().expect("lock").clone();
    let del = calls
        .iter()
        .find(|c| c.is("DELETE", JOB_PATH))
        .expect("delete");
    assert_eq!(del.body["propagationPolicy"], "Foreground");
}

#[tokio::test]
async fn identical_job_is_left_alone_unless_rerun() {
    let hash = manifests::job(&workload())
        .expect("job")
        .metadata
        .annotations
        .expect("ann")[manifests::ANNOTATION_TEMPLATE_HASH]
        .clone();
    let (client, calls) = fake_api::client(route(Some(existing_job(&hash))));
    let report = deploy(client, &workload(), &args(), Format::Json)
        .await
        .expect("deploy");
    assert_eq!(report.data["jobAction"], "unchanged");
    assert!(
        !fake_api::trace(&calls)
            .iter()
            .any(|t| t == &format!("PATCH {JOB_PATH}"))
    );

    let (client, calls) = fake_api::client(route(Some(existing_job(&hash))));
    let rerun = Options {
        rerun: true,
        ..args()
    };
    let report = deploy(client, &workload(), &rerun, Format::Json)
        .await
        .expect("deploy");
    assert_eq!(report.data["jobAction"], "replaced");
    assert!(
        fake_api::trace(&calls)
            .iter()
            .any(|t| t == &format!("DELETE {JOB_PATH}"))
    );
}

#[tokio::test]
async fn api_errors_name_the_object() {
    let (client, _) = fake_api::client(|_c: &Call| {
        Some((
            403,
            json!({"kind": "Status", "apiVersion": "v1",
        "metadata": {}, "status": "Failure", "message": "forbidden", "reason": "Forbidden", "code": 403}),
        ))
    });
    let err = deploy(client, &workload(), &args(), Format::Json)
        .await
        .expect_err("forbidden");
    assert!(
        format!("{err:#}").contains("serviceaccount/myserviceaccount"),
        "{err:#}"
    );
}
