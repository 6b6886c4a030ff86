//! Verify against a scripted API server: a good run, and each way the
//! webhook's injection or the Job can go wrong.

use serde_json::{Value, json};

use super::*;
use crate::checks::pod::tests::{CLIENT, TENANT_A, TENANT_B, mutated_pod};
use crate::fake_api::{self, Call};
use crate::output::Verdict;

const JOB_PATH: &str = "/apis/batch/v1/namespaces/default/jobs/myproducer";

fn plan() -> Plan {
    Plan {
        namespace: "default".into(),
        job_name: "myproducer".into(),
        expect: Expect {
            client_id: CLIENT.into(),
            tenant_b: TENANT_B.into(),
            container: "myproducer".into(),
        },
        messages: 100,
        timeout: Duration::from_secs(5),
    }
}

fn job(condition: Option<&str>) -> Value {
    let conditions: Vec<Value> = condition
        .map(|t| json!({"type": t, "status": "True", "reason": if t == "Failed" { "BackoffLimitExceeded" } else { "" }}))
        .into_iter()
        .collect();
    json!({"apiVersion": "batch/v1", "kind": "Job",
           "metadata": {"name": "myproducer", "namespace": "default", "uid": "u1"},
           "status": {"conditions": conditions}})
}

fn route(
    pod: Value,
    finished: &'static str,
    logs: &'static str,
) -> impl Fn(&Call) -> Option<fake_api::Reply> + Send + Sync {
    move |c: &Call| match (c.method.as_str(), c.path.as_str()) {
        ("GET", JOB_PATH) => Some((200, job(None))),
        ("GET", "/api/v1/namespaces/default/pods") => {
            assert!(
                c.query.contains("controller-uid%3Du1") || c.query.contains("controller-uid=u1"),
                "{}",
                c.query
            );
            Some(fake_api::list("Pod", std::slice::from_ref(&pod)))
        }
        ("GET", "/apis/batch/v1/namespaces/default/jobs") => {
            Some(fake_api::list("Job", &[job(Some(finished))]))
        }
        ("GET", "/api/v1/namespaces/default/pods/myproducer-abcde/log") => {
            Some((200, Value::String(logs.into())))
        }
        _ => None,
    }
}

async fn run_verify(pod: Value, finished: &'static str, logs: &'static str) -> Report {
    let (client, _) = fake_api::client(route(pod, finished, logs));
    verify(client, &plan(), Format::Json).await.expect("verify")
}

fn failed_ids(report: &Report) -> Vec<String> {
    report
        .checks
        .iter()
        .filter(|c| c.failed())
        .map(|c| c.id.clone())
        .collect()
}

#[tokio::test]
async fn a_good_run_passes() {
    let report = run_verify(
        mutated_pod(TENANT_B),
        "Complete",
        "Adding message to batch: Hello World!\nSent 100 messages\n",
    )
    .await;
    assert!(report.ok, "{}", report.human());
    assert_eq!(report.exit_code(), crate::exit::OK);
}

#[tokio::test]
async fn env_not_injected_fails() {
    let mut pod = mutated_pod(TENANT_B);
    pod["spec"]["containers"][0]["env"] = json!([{"name": "AZURE_TENANT_ID", "value": TENANT_B}]);
    pod["spec"]["volumes"] = json!([]);
    pod["spec"]["containers"][0]["volumeMounts"] = json!([]);
    let report = run_verify(
        pod,
        "Failed",
        "DefaultAzureCredential failed to retrieve a token\n",
    )
    .await;
    let failed = failed_ids(&report);
    for id in [
        "env.AZURE_CLIENT_ID",
        "env.AZURE_FEDERATED_TOKEN_FILE",
        "env.AZURE_AUTHORITY_HOST",
        "job",
        "logs.sent",
    ] {
        assert!(failed.contains(&id.to_string()), "{id} not in {failed:?}");
    }
    assert_eq!(report.exit_code(), crate::exit::CHECK_FAILED);
}

#[tokio::test]
async fn tenant_a_in_env_fails_and_job_logs_are_decoded() {
    let logs = "ERROR: AADSTS700016: Application with identifier '11111111-1111-1111-1111-111111111111' was not found in the directory 'Tenant A'.\n";
    let report = run_verify(mutated_pod(TENANT_A), "Failed", logs).await;
    let failed = failed_ids(&report);
    assert!(
        failed.contains(&"env.AZURE_TENANT_ID".to_string()),
        "{failed:?}"
    );
    let code = report
        .checks
        .iter()
        .find(|c| c.id == "aadsts.700016")
        .expect("decoded");
    assert!(
        code.fix
            .as_deref()
            .unwrap_or_default()
            .contains("AZURE_TENANT_ID")
    );
    assert!(
        report
            .checks
            .iter()
            .any(|c| c.id == "job" && c.detail.contains("BackoffLimitExceeded"))
    );
}

#[tokio::test]
async fn the_envfrom_trap_is_flagged() {
    let mut pod = mutated_pod(TENANT_A);
    pod["spec"]["containers"][0]["envFrom"] = json!([{"configMapRef": {"name": "tenant-b"}}]);
    let report = run_verify(pod, "Complete", "Sent 100 messages\n").await;
    let tenant = report
        .checks
        .iter()
        .find(|c| c.id == "env.AZURE_TENANT_ID")
        .expect("check");
    assert!(
        tenant.failed() && tenant.detail.contains("envFrom"),
        "{tenant:?}"
    );
    assert!(!report.ok);
}

#[tokio::test]
async fn missing_job_is_a_usage_error() {
    let (client, _) = fake_api::client(|_c: &Call| None);
    let err = verify(client, &plan(), Format::Json)
        .await
        .expect_err("no job");
    assert!(err.is::<Usage>(), "{err:#}");
    assert!(err.to_string().contains("kubectl xtenant deploy"), "{err}");
}

#[test]
fn sent_count_reads_the_last_line() {
    let logs = "Adding message to batch: Hello World!\nSent 100 messages\n";
    assert_eq!(sent_count(logs), Some(100));
    assert_eq!(sent_count("Sent 1 message"), Some(1));
    assert_eq!(sent_count("nothing sent"), None);
}

#[test]
fn success_needs_the_requested_count() {
    let ok = outcome_checks(&JobState::Complete, "Sent 100 messages\n", 100);
    assert!(ok.iter().all(|c| c.verdict == Verdict::Pass), "{ok:?}");
    let short = outcome_checks(&JobState::Complete, "Sent 5 messages\n", 100);
    assert!(short.iter().any(|c| c.id == "logs.sent" && c.failed()));
}

#[test]
fn failure_decodes_aadsts() {
    let logs =
        "ERROR: AADSTS700016: Application with identifier 'x' was not found in the directory 'y'.";
    let checks = outcome_checks(&JobState::Failed("BackoffLimitExceeded".into()), logs, 100);
    let code = checks
        .iter()
        .find(|c| c.id == "aadsts.700016")
        .expect("decoded");
    assert!(code.detail.contains("Tenant A"), "{}", code.detail);
    assert!(
        code.fix
            .as_deref()
            .unwrap_or_default()
            .contains("AZURE_TENANT_ID")
    );
}
