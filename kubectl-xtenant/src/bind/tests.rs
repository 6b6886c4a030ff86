//! bind and unbind against a scripted API server: refusals change nothing,
//! the patches carry only xtenant's fields, the checks of each container.

use serde_json::{Value, json};

use super::*;
use std::time::Duration;

use crate::exit;
use crate::fake_api::{self, Call};
use crate::output::Verdict;

const B: &str = "bbbbbbbb-0000-4000-8000-00000000000b";
const A: &str = "aaaaaaaa-0000-4000-8000-00000000000a";
const CLIENT: &str = "11111111-2222-4333-8444-555555555555";
const DEPLOY: &str = "/apis/apps/v1/namespaces/default/deployments/web";
const SA: &str = "/api/v1/namespaces/default/serviceaccounts/api";
const CM: &str = "/api/v1/namespaces/default/configmaps/cfg";

fn args(target: &str) -> Request {
    Request {
        target: binding::parse_target(target).expect("target"),
        identity: IdentityFlags {
            client_id: Some(CLIENT.into()),
            tenant_id: Some(B.into()),
        },
        recreate: false,
        no_restart: false,
        dry_run: false,
        allow_default_sa: false,
        // The scripted server never answers watches.
        wait: Wait {
            no_wait: true,
            timeout: Duration::from_secs(5),
        },
    }
}

fn deployment(pod_spec: &Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "web", "namespace": "default"},
           "spec": {"selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod_spec}}})
}

fn api_sa() -> Value {
    json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "api", "namespace": "default"}})
}

/// GETs answer with `objects` by path; an apply answers with the object
/// merged with its body (a rough server-side apply that never removes).
fn route(
    objects: Vec<(&'static str, Value)>,
) -> impl Fn(&Call) -> Option<fake_api::Reply> + Send + Sync {
    move |c: &Call| {
        let found = objects
            .iter()
            .find(|(p, _)| *p == c.path)
            .map(|(_, o)| o.clone());
        match c.method.as_str() {
            "PATCH" => {
                let mut merged = found.unwrap_or(Value::Null);
                merge(&mut merged, &c.body);
                Some((200, merged))
            }
            "GET" => found.map(|o| (200, o)),
            _ => None,
        }
    }
}

fn merge(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

fn patches(calls: &fake_api::Calls) -> Vec<Call> {
    calls
        .lock()
        .expect("lock")
        .iter()
        .filter(|c| c.method == "PATCH")
        .cloned()
        .collect()
}

/// The report's check with `id`.
fn named<'a>(report: &'a Report, id: &str) -> &'a Check {
    let found = report.checks.iter().find(|c| c.id == id);
    found.unwrap_or_else(|| panic!("no check {id}: {:#?}", report.checks))
}

async fn run_bind(
    objects: Vec<(&'static str, Value)>,
    args: &Request,
) -> (Result<Report>, Vec<Call>) {
    let (client, calls) = fake_api::client(route(objects));
    let result = bind(
        client,
        "default",
        args,
        Settings::flags_only(),
        None,
        Format::Json,
    )
    .await;
    (result, patches(&calls))
}

#[tokio::test]
async fn the_default_service_account_is_refused_unless_allowed() {
    let d = deployment(&json!({"containers": [{"name": "app"}]}));
    let (result, applied) = run_bind(vec![(DEPLOY, d.clone())], &args("deployment/web")).await;
    let err = result.expect_err("refused");
    assert_eq!(
        xtenant_shared::exit::code_for(&err, |_| None),
        xtenant_shared::exit::USAGE
    );
    assert!(format!("{err:#}").contains("--allow-default-sa"), "{err:#}");
    assert!(applied.is_empty(), "{applied:?}");

    let default_sa =
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}});
    let allowed = Request {
        allow_default_sa: true,
        ..args("deployment/web")
    };
    let objects = vec![
        (DEPLOY, d),
        (
            "/api/v1/namespaces/default/serviceaccounts/default",
            default_sa,
        ),
    ];
    let (result, applied) = run_bind(objects, &allowed).await;
    assert!(result.expect("bound").ok);
    assert_eq!(applied.len(), 2);
}

#[tokio::test]
async fn a_tenant_a_value_in_env_is_refused_with_the_fix() {
    let d = deployment(&json!({"serviceAccountName": "api",
        "initContainers": [{"name": "migrate", "env": [{"name": "AZURE_TENANT_ID", "value": A}]}],
        "containers": [{"name": "app"}]}));
    let (result, applied) =
        run_bind(vec![(DEPLOY, d), (SA, api_sa())], &args("deployment/web")).await;
    let report = result.expect("report");
    assert_eq!(report.exit_code(), exit::CHECK_FAILED);
    let c = named(&report, "container.migrate");
    assert_eq!(c.verdict, Verdict::Fail);
    assert!(c.fix.as_deref().unwrap_or_default().contains(B), "{c:?}");
    assert!(applied.is_empty(), "nothing may change: {applied:?}");
}

#[tokio::test]
async fn a_tenant_in_env_from_is_a_warning_and_binding_goes_on() {
    let d = deployment(&json!({"serviceAccountName": "api",
        "containers": [{"name": "app", "envFrom": [{"configMapRef": {"name": "cfg"}}]}]}));
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"},
                    "data": {"AZURE_TENANT_ID": A}});
    let (result, applied) = run_bind(
        vec![(DEPLOY, d), (SA, api_sa()), (CM, cm)],
        &args("deployment/web"),
    )
    .await;
    let report = result.expect("report");
    assert_eq!(report.exit_code(), exit::OK);
    let c = named(&report, "container.app");
    assert_eq!(c.verdict, Verdict::Warn, "{c:?}");
    assert!(
        c.detail.contains("configmap/cfg") && c.detail.contains("wins"),
        "{c:?}"
    );
    assert_eq!(applied.len(), 2);
}

#[tokio::test]
async fn a_job_is_explained_and_nothing_is_read() {
    let job = binding::parse_target("job/once").expect("target");
    let err = check_recreate(&job, "bind", false).expect_err("refused");
    assert!(err.is::<Usage>());
    assert!(err.to_string().contains("immutable"), "{err}");
    assert!(err.to_string().contains("--recreate"), "{err}");
    assert!(check_recreate(&job, "bind", true).is_ok());
    let cron_job = binding::parse_target("cronjob/nightly").expect("t");
    assert!(check_recreate(&cron_job, "bind", false).is_ok());
    let err = check_recreate(&cron_job, "bind", true).expect_err("only for a Job");
    assert!(err.is::<Usage>());
    assert!(err.to_string().contains("without it"), "{err}");
}

#[tokio::test]
async fn dry_run_reports_the_exact_patches_and_applies_nothing() {
    let d = deployment(&json!({"serviceAccountName": "api", "containers": [{"name": "app"}]}));
    let dry = Request {
        dry_run: true,
        ..args("deploy/web")
    };
    let (result, applied) = run_bind(vec![(DEPLOY, d), (SA, api_sa())], &dry).await;
    let report = result.expect("report");
    assert!(applied.is_empty(), "{applied:?}");
    let p = &report.data["patches"];
    assert_eq!(
        p[0],
        json!({"apiVersion": "v1", "kind": "ServiceAccount",
               "metadata": {"name": "api", "namespace": "default",
                            "annotations": {"azure.workload.identity/client-id": CLIENT,
                                            "azure.workload.identity/tenant-id": B}}})
    );
    let at =
        p[1]["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
            .as_str()
            .expect("restart annotation");
    assert_eq!(
        p[1],
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "web", "namespace": "default"},
               "spec": {"template": {"metadata": {
                   "labels": {"azure.workload.identity/use": "true"},
                   "annotations": {"kubectl.kubernetes.io/restartedAt": at}}}}})
    );
}

#[tokio::test]
async fn bind_applies_the_service_account_first_as_xtenant() {
    let d = deployment(&json!({"serviceAccountName": "api", "containers": [{"name": "app"}]}));
    let (result, applied) =
        run_bind(vec![(DEPLOY, d), (SA, api_sa())], &args("deployment/web")).await;
    let report = result.expect("report");
    assert!(report.ok);
    assert_eq!(applied[0].path, SA);
    assert_eq!(applied[1].path, DEPLOY);
    for c in &applied {
        assert!(
            c.query.contains("fieldManager=xtenant") && c.query.contains("force=true"),
            "{}",
            c.query
        );
    }
    assert!(applied[1].body["spec"].get("selector").is_none());
    let restart = named(&report, "restart");
    assert!(restart.detail.contains("restart requested"), "{restart:?}");
}

#[tokio::test]
async fn no_restart_keeps_the_restart_annotation_xtenant_applied() {
    let mut d = deployment(&json!({"serviceAccountName": "api", "containers": [{"name": "app"}]}));
    d["spec"]["template"]["metadata"]["annotations"] =
        json!({"kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"});
    d["metadata"]["managedFields"] = json!([{"manager": "xtenant", "operation": "Apply",
        "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:template": {"f:metadata":
            {"f:annotations": {"f:kubectl.kubernetes.io/restartedAt": {}}}}}}}]);
    let quiet = Request {
        no_restart: true,
        ..args("deployment/web")
    };
    let (result, applied) = run_bind(vec![(DEPLOY, d), (SA, api_sa())], &quiet).await;
    assert!(result.expect("report").ok);
    assert_eq!(
        applied[1].body["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"],
        "2026-01-01T00:00:00Z"
    );
}

#[tokio::test]
async fn a_cron_job_is_labelled_on_its_job_template_for_the_next_run() {
    let path = "/apis/batch/v1/namespaces/default/cronjobs/nightly";
    let cj = json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly"},
        "spec": {"schedule": "0 1 * * *", "jobTemplate": {"spec": {"template": {"spec":
            {"serviceAccountName": "api", "containers": [{"name": "app"}]}}}}}});
    let (result, applied) =
        run_bind(vec![(path, cj), (SA, api_sa())], &args("cronjob/nightly")).await;
    let report = result.expect("report");
    let labels = &applied[1].body["spec"]["jobTemplate"]["spec"]["template"]["metadata"];
    assert_eq!(
        labels,
        &json!({"labels": {"azure.workload.identity/use": "true"}})
    );
    let restart = named(&report, "restart");
    assert!(restart.detail.contains("next run"), "{restart:?}");
}

#[tokio::test]
async fn unbind_applies_empty_configurations_workload_first() {
    let d = deployment(&json!({"serviceAccountName": "api", "containers": [{"name": "app"}]}));
    let (client, calls) = fake_api::client(route(vec![(DEPLOY, d), (SA, api_sa())]));
    let args = unbind::Request {
        target: binding::parse_target("deployment/web").expect("t"),
        dry_run: false,
        wait: args("deployment/web").wait,
    };
    let report = unbind::unbind(client, "default", &args, Format::Json)
        .await
        .expect("unbound");
    assert!(report.ok);
    let applied = patches(&calls);
    assert_eq!(applied[0].path, DEPLOY);
    assert_eq!(applied[1].path, SA);
    assert_eq!(
        applied[0].body,
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"}})
    );
    assert_eq!(
        applied[1].body,
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "api", "namespace": "default"}})
    );
    assert!(
        applied
            .iter()
            .all(|c| c.query.contains("fieldManager=xtenant"))
    );
}

/// bind against a Deployment whose list (what the rollout watch starts from)
/// shows `status`; waits up to `timeout`.
async fn bind_with_rollout(status: Value, timeout: Duration) -> (Report, Vec<Call>) {
    let mut d = deployment(&json!({"serviceAccountName": "api", "containers": [{"name": "app"}]}));
    d["metadata"]["generation"] = json!(2);
    d["spec"]["replicas"] = json!(2);
    d["status"] = status;
    let listed = d.clone();
    let base = route(vec![(DEPLOY, d), (SA, api_sa())]);
    let (client, calls) = fake_api::client(move |c: &Call| {
        if c.method == "GET" && c.path == "/apis/apps/v1/namespaces/default/deployments" {
            return Some(fake_api::list("Deployment", std::slice::from_ref(&listed)));
        }
        base(c)
    });
    let waiting = Request {
        wait: Wait {
            no_wait: false,
            timeout,
        },
        ..args("deployment/web")
    };
    let report = bind(
        client,
        "default",
        &waiting,
        Settings::flags_only(),
        None,
        Format::Json,
    )
    .await
    .expect("report");
    let all = calls.lock().expect("lock").clone();
    (report, all)
}

#[tokio::test]
async fn bind_waits_for_the_rollout_of_the_deployment_it_changed() {
    let done = json!({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2});
    let (report, calls) = bind_with_rollout(done, Duration::from_secs(5)).await;
    let rollout = named(&report, "rollout");
    assert_eq!(rollout.verdict, Verdict::Pass, "{rollout:?}");
    assert!(rollout.detail.contains("2 pods updated"), "{rollout:?}");
    let watched = calls
        .iter()
        .find(|c| c.method == "GET" && c.path.ends_with("/deployments"))
        .expect("listed");
    assert!(
        watched.query.contains("metadata.name%3Dweb"),
        "{}",
        watched.query
    );
    assert_eq!(report.exit_code(), exit::OK);
}

#[tokio::test]
async fn a_rollout_still_going_at_the_deadline_is_a_timeout() {
    let going = json!({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 1, "availableReplicas": 2});
    let (report, _) = bind_with_rollout(going, Duration::from_millis(300)).await;
    let rollout = named(&report, "rollout");
    assert_eq!(rollout.verdict, Verdict::Fail, "{rollout:?}");
    assert!(
        rollout
            .fix
            .as_deref()
            .is_some_and(|f| f.contains("kubectl rollout status deployment/web")),
        "{rollout:?}"
    );
    assert!(report.timed_out);
    assert_eq!(report.exit_code(), exit::TIMEOUT);
}

fn created_job() -> Value {
    json!({"apiVersion": "batch/v1", "kind": "Job",
           "metadata": {"name": "once", "namespace": "default", "uid": "j1", "resourceVersion": "9",
                        "labels": {"batch.kubernetes.io/controller-uid": "j1", "job-name": "once"}},
           "spec": {"backoffLimit": 1,
                    "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "j1"}},
                    "template": {"metadata": {"labels": {"app": "once", "batch.kubernetes.io/controller-uid": "j1",
                                                         "controller-uid": "j1", "job-name": "once"}},
                                 "spec": {"serviceAccountName": "api", "restartPolicy": "Never",
                                          "containers": [{"name": "app", "image": "i"}]}}},
           "status": {"active": 1}})
}

const JOB: &str = "/apis/batch/v1/namespaces/default/jobs/once";

/// `bind job/once --recreate`, the creation answered with `created` (none:
/// the body sent back, as a server would).
async fn recreate_job(created: Option<fake_api::Reply>) -> (Result<Report>, fake_api::Calls) {
    let base = route(vec![(JOB, created_job()), (SA, api_sa())]);
    let (client, calls) = fake_api::client(move |c: &Call| match c.method.as_str() {
        "DELETE" => Some((200, created_job())),
        "POST" => Some(created.clone().unwrap_or_else(|| (201, c.body.clone()))),
        // The deletion watch starts from a list without the Job: it is gone.
        "GET" if c.path.ends_with("/jobs") => Some(fake_api::list("Job", &[])),
        _ => base(c),
    });
    let recreate = Request {
        recreate: true,
        ..args("job/once")
    };
    let flags = Settings::flags_only();
    let result = bind(client, "default", &recreate, flags, None, Format::Json).await;
    (result, calls)
}

#[tokio::test]
async fn a_job_is_deleted_and_created_again_with_the_label() {
    let (result, calls) = recreate_job(None).await;
    let report = result.expect("report");
    assert!(report.ok, "{:#?}", report.checks);
    let trace = fake_api::trace(&calls);
    let writes: Vec<&String> = trace.iter().filter(|t| !t.starts_with("GET")).collect();
    assert_eq!(
        writes,
        [
            &format!("PATCH {SA}"),
            &format!("DELETE {JOB}"),
            &"POST /apis/batch/v1/namespaces/default/jobs".to_string(),
        ]
    );
    let all = calls.lock().expect("lock").clone();
    let delete = all.iter().find(|c| c.method == "DELETE").expect("deleted");
    assert_eq!(delete.body["propagationPolicy"], "Foreground");
    let created = &all
        .iter()
        .find(|c| c.method == "POST")
        .expect("created")
        .body;
    assert_eq!(
        created["spec"]["template"]["metadata"]["labels"],
        json!({"app": "once", "azure.workload.identity/use": "true"})
    );
    assert!(created["spec"].get("selector").is_none(), "{created}");
    assert!(created.get("status").is_none(), "{created}");
    assert_eq!(created["spec"]["backoffLimit"], 1);
}

#[tokio::test]
async fn a_dry_run_of_recreate_prints_the_new_job_and_changes_nothing() {
    let dry = Request {
        recreate: true,
        dry_run: true,
        ..args("job/once")
    };
    let (result, applied) = run_bind(vec![(JOB, created_job()), (SA, api_sa())], &dry).await;
    let report = result.expect("report");
    assert!(applied.is_empty(), "{applied:?}");
    let workload = named(&report, "workload");
    assert!(workload.detail.contains("would be deleted"), "{workload:?}");
    let job = &report.data["patches"][1];
    assert_eq!(
        job["metadata"],
        json!({"name": "once", "namespace": "default"})
    );
    assert_eq!(
        job["spec"]["template"]["metadata"]["labels"]["azure.workload.identity/use"],
        "true"
    );
}

#[tokio::test]
async fn a_job_that_cannot_be_created_again_is_printed_in_the_error() {
    let forbidden = json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                           "message": "jobs.batch is forbidden", "reason": "Forbidden", "code": 403});
    let (result, _) = recreate_job(Some((403, forbidden))).await;
    let text = format!("{:#}", result.expect_err("failed"));
    assert!(text.contains("after it was deleted"), "{text}");
    assert!(
        text.contains("kind: Job") && text.contains("name: once"),
        "{text}"
    );
    assert!(text.contains("forbidden"), "{text}");
}
