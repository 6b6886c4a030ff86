//! `verify KIND/NAME` against a scripted API server: the pods are found
//! through the workload's ReplicaSet, every container is checked, and a pod
//! older than the ServiceAccount's annotations needs a restart.

use std::time::Duration;

use serde_json::{Value, json};
use xtenant_shared::output::Format;

use super::*;
use crate::checks::pod::tests::{CLIENT, TENANT_A, TENANT_B, mutated_pod};
use crate::fake_api::{self, Call};
use crate::output::Verdict;

const DEPLOY: &str = "/apis/apps/v1/namespaces/default/deployments/web";
const SA: &str = "/api/v1/namespaces/default/serviceaccounts/api";
const ANNOTATED: &str = "2026-01-02T00:00:00Z";

fn identity() -> IdentityFlags {
    IdentityFlags {
        client_id: Some(CLIENT.into()),
        tenant_id: Some(TENANT_B.into()),
    }
}

fn deployment() -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "web", "namespace": "default", "uid": "d1"},
           "spec": {"selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}},
                                 "spec": {"serviceAccountName": "api", "containers": [{"name": "app"}]}}}})
}

fn service_account() -> Value {
    json!({"apiVersion": "v1", "kind": "ServiceAccount",
           "metadata": {"name": "api", "namespace": "default",
                        "annotations": {"azure.workload.identity/client-id": CLIENT},
                        "managedFields": [{"manager": "xtenant", "operation": "Apply", "time": ANNOTATED,
                            "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:annotations":
                                {"f:azure.workload.identity/client-id": {}}}}}]}})
}

fn owned(kind: &str, name: &str, uid: &str) -> Value {
    json!([{"apiVersion": "apps/v1", "kind": kind, "name": name, "uid": uid, "controller": true}])
}

/// A mutated pod of the ReplicaSet `rs`, created at `created`.
fn pod(name: &str, rs: &str, created: &str, tenant: &str) -> Value {
    let mut p = mutated_pod(tenant);
    p["metadata"]["name"] = json!(name);
    p["metadata"]["creationTimestamp"] = json!(created);
    p["metadata"]["ownerReferences"] = owned("ReplicaSet", "web-1", rs);
    p
}

fn route(pods: Vec<Value>) -> impl Fn(&Call) -> Option<fake_api::Reply> + Send + Sync {
    move |c: &Call| match (c.method.as_str(), c.path.as_str()) {
        ("GET", DEPLOY) => Some((200, deployment())),
        ("GET", SA) => Some((200, service_account())),
        ("GET", "/apis/apps/v1/namespaces/default/replicasets") => {
            assert!(
                c.query.contains("app%3Dweb") || c.query.contains("app=web"),
                "{}",
                c.query
            );
            let mut mine = json!({"metadata": {"name": "web-1", "uid": "rs1"}});
            mine["metadata"]["ownerReferences"] = owned("Deployment", "web", "d1");
            let other = json!({"metadata": {"name": "other-1", "uid": "rs2"}});
            Some(fake_api::list("ReplicaSet", &[mine, other]))
        }
        ("GET", "/api/v1/namespaces/default/pods") => Some(fake_api::list("Pod", &pods)),
        _ => None,
    }
}

async fn run(pods: Vec<Value>) -> Report {
    let (client, _) = fake_api::client(route(pods));
    let target = binding::parse_target("deployment/web").expect("target");
    verify(
        client,
        "default",
        &target,
        &identity(),
        Settings::flags_only(),
        None,
        None,
    )
    .await
    .expect("verify")
}

/// verify with `--timeout`, against a Deployment whose list (what the
/// rollout watch starts from) shows `status` for its generation 2.
async fn run_waiting(status: Value, timeout: Duration) -> (Report, Vec<Call>) {
    let mut listed = deployment();
    listed["metadata"]["generation"] = json!(2);
    listed["spec"]["replicas"] = json!(2);
    listed["status"] = status;
    let pods = vec![pod("web-1-a", "rs1", "2026-01-03T00:00:00Z", TENANT_B)];
    let base = route(pods);
    let (client, calls) = fake_api::client(move |c: &Call| {
        if c.method == "GET" && c.path == "/apis/apps/v1/namespaces/default/deployments" {
            return Some(fake_api::list("Deployment", std::slice::from_ref(&listed)));
        }
        base(c)
    });
    let target = binding::parse_target("deployment/web").expect("target");
    let wait = RolloutWait {
        timeout,
        format: Format::Json,
    };
    let report = verify(
        client,
        "default",
        &target,
        &identity(),
        Settings::flags_only(),
        None,
        Some(wait),
    )
    .await
    .expect("verify");
    let all = calls.lock().expect("lock").clone();
    (report, all)
}

#[tokio::test]
async fn with_a_timeout_verify_waits_for_the_rollout_then_checks_the_pods() {
    let done = json!({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2});
    let (report, calls) = run_waiting(done, Duration::from_secs(5)).await;
    assert_eq!(verdict(&report, "rollout"), Verdict::Pass);
    assert_eq!(verdict(&report, "web-1-a/restart"), Verdict::Pass);
    assert_eq!(report.exit_code(), crate::exit::OK, "{:#?}", report.checks);
    let watched = calls
        .iter()
        .position(|c| c.method == "GET" && c.path.ends_with("/deployments"))
        .expect("the rollout was watched");
    let pods_read = calls
        .iter()
        .position(|c| c.path.ends_with("/pods"))
        .expect("pods read");
    assert!(watched < pods_read, "the pods are read once rolled out");
}

#[tokio::test]
async fn a_rollout_still_going_at_the_timeout_exits_4() {
    let going = json!({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 1, "availableReplicas": 2});
    let (report, _) = run_waiting(going, Duration::from_millis(300)).await;
    let c = report
        .checks
        .iter()
        .find(|c| c.id == "rollout")
        .expect("rollout");
    assert_eq!(c.verdict, Verdict::Fail, "{c:?}");
    assert!(c.detail.contains("timed out"), "{c:?}");
    assert!(report.timed_out);
    assert_eq!(report.exit_code(), crate::exit::TIMEOUT);
    // The pods are still checked.
    assert_eq!(verdict(&report, "web-1-a/restart"), Verdict::Pass);
}

fn verdict(report: &Report, id: &str) -> Verdict {
    let c = report.checks.iter().find(|c| c.id == id);
    c.unwrap_or_else(|| panic!("no check {id}: {:#?}", report.checks))
        .verdict
}

#[tokio::test]
async fn pods_made_after_the_annotation_pass_every_check() {
    let report = run(vec![
        pod("web-1-a", "rs1", "2026-01-03T00:00:00Z", TENANT_B),
        pod("other-1-a", "rs2", "2026-01-01T00:00:00Z", TENANT_A),
    ])
    .await;
    assert!(report.ok, "{:#?}", report.checks);
    assert_eq!(report.data["pods"], json!(["web-1-a"]));
    assert_eq!(verdict(&report, "web-1-a/restart"), Verdict::Pass);
    assert_eq!(verdict(&report, "web-1-a/pod.label"), Verdict::Pass);
    assert_eq!(
        verdict(&report, "web-1-a/myproducer/env.AZURE_TENANT_ID"),
        Verdict::Pass
    );
    assert_eq!(
        verdict(&report, "web-1-a/myproducer/token.volume"),
        Verdict::Pass
    );
}

#[tokio::test]
async fn a_pod_older_than_the_annotation_needs_a_restart() {
    let report = run(vec![pod(
        "web-1-a",
        "rs1",
        "2026-01-01T00:00:00Z",
        TENANT_A,
    )])
    .await;
    assert_eq!(report.exit_code(), crate::exit::CHECK_FAILED);
    let c = report
        .checks
        .iter()
        .find(|c| c.id == "web-1-a/restart")
        .expect("restart");
    assert_eq!(c.verdict, Verdict::Fail);
    assert!(c.detail.contains("restart needed"), "{c:?}");
    assert_eq!(
        c.fix.as_deref(),
        Some("kubectl rollout restart deployment/web")
    );
    assert_eq!(
        verdict(&report, "web-1-a/myproducer/env.AZURE_TENANT_ID"),
        Verdict::Fail
    );
}

#[tokio::test]
async fn init_containers_are_checked_and_skipped_ones_reported() {
    let mut p = pod("web-1-a", "rs1", "2026-01-03T00:00:00Z", TENANT_B);
    p["spec"]["initContainers"] = json!([{"name": "migrate"}, {"name": "proxy"}]);
    p["metadata"]["annotations"] = json!({"azure.workload.identity/skip-containers": "proxy"});
    let report = run(vec![p]).await;
    assert_eq!(
        verdict(&report, "web-1-a/migrate/env.AZURE_CLIENT_ID"),
        Verdict::Fail
    );
    assert_eq!(verdict(&report, "web-1-a/proxy/container"), Verdict::Skip);
}

#[tokio::test]
async fn no_pod_fails_except_for_a_cron_job_between_runs() {
    let report = run(Vec::new()).await;
    assert_eq!(verdict(&report, "pods"), Verdict::Fail);
    let cj = binding::parse_target("cronjob/nightly").expect("target");
    let c = pods_check(&cj, 0);
    assert_eq!(c.verdict, Verdict::Warn);
    assert!(c.detail.contains("no running Job"), "{c:?}");
}

/// Creation and managedFields times are to the second: a pod created in the
/// same second as the annotations may be older or newer than them. Verify
/// cannot tell, and says so (a warning: neither a pass nor a failure).
#[tokio::test]
async fn a_pod_created_in_the_second_of_the_annotation_cannot_be_told() {
    let report = run(vec![pod("web-1-a", "rs1", ANNOTATED, TENANT_B)]).await;
    let c = report
        .checks
        .iter()
        .find(|c| c.id == "web-1-a/restart")
        .expect("restart");
    assert_eq!(c.verdict, Verdict::Warn, "{c:?}");
    assert!(c.detail.contains("cannot tell"), "{c:?}");
    assert_eq!(
        c.fix.as_deref(),
        Some("kubectl rollout restart deployment/web")
    );
    assert_eq!(report.exit_code(), crate::exit::OK, "{:#?}", report.checks);
}
