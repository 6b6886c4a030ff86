//! Tests of the pod checks on pods shaped like the webhook's output.

use super::*;
use crate::output::Verdict;
use serde_json::json;

pub const TENANT_A: &str = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";
pub const TENANT_B: &str = "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb";
pub const CLIENT: &str = "11111111-1111-1111-1111-111111111111";

/// A pod as the v1.5 webhook leaves it, with `tenant` in env.
pub fn mutated_pod(tenant: &str) -> serde_json::Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "myproducer-abcde", "namespace": "default",
                     "labels": {"azure.workload.identity/use": "true", "job-name": "myproducer"}},
        "spec": {
            "serviceAccountName": "myserviceaccount",
            "containers": [{
                "name": "myproducer", "image": "img",
                "env": [
                    {"name": "AZURE_TENANT_ID", "value": tenant},
                    {"name": "AZURE_CLIENT_ID", "value": CLIENT},
                    {"name": "AZURE_FEDERATED_TOKEN_FILE", "value": "/var/run/secrets/azure/tokens/azure-identity-token"},
                    {"name": "AZURE_AUTHORITY_HOST", "value": "https://login.microsoftonline.com/"}
                ],
                "volumeMounts": [{"name": "azure-identity-token", "mountPath": "/var/run/secrets/azure/tokens", "readOnly": true}]
            }],
            "volumes": [{"name": "azure-identity-token", "projected": {"sources": [
                {"serviceAccountToken": {"audience": "api://AzureADTokenExchange", "expirationSeconds": 3600, "path": "azure-identity-token"}}
            ]}}]
        }
    })
}

fn expect() -> Expect {
    Expect {
        client_id: CLIENT.into(),
        tenant_b: TENANT_B.into(),
        container: "myproducer".into(),
    }
}

fn verdicts(pod: serde_json::Value) -> Vec<(String, Verdict, String)> {
    let pod: Pod = serde_json::from_value(pod).expect("pod");
    check_pod(&pod, &expect())
        .into_iter()
        .map(|c| (c.id, c.verdict, c.detail))
        .collect()
}

fn verdict_of(all: &[(String, Verdict, String)], id: &str) -> (Verdict, String) {
    let (_, v, d) = all.iter().find(|(i, _, _)| i == id).expect(id);
    (*v, d.clone())
}

#[test]
fn a_correctly_mutated_pod_passes() {
    let all = verdicts(mutated_pod(TENANT_B));
    assert!(all.iter().all(|(_, v, _)| *v == Verdict::Pass), "{all:?}");
    assert_eq!(all.len(), 6);
}

#[test]
fn tenant_a_in_env_fails() {
    let all = verdicts(mutated_pod(TENANT_A));
    let (v, d) = verdict_of(&all, "env.AZURE_TENANT_ID");
    assert_eq!(v, Verdict::Fail);
    assert!(d.contains("AADSTS700016"), "{d}");
}

#[test]
fn the_envfrom_trap_is_named() {
    let mut pod = mutated_pod(TENANT_A);
    pod["spec"]["containers"][0]["envFrom"] = json!([{"configMapRef": {"name": "tenant"}}]);
    let all = verdicts(pod);
    let (v, d) = verdict_of(&all, "env.AZURE_TENANT_ID");
    assert_eq!(v, Verdict::Fail);
    assert!(d.contains("envFrom"), "{d}");
}

#[test]
fn a_pod_the_webhook_skipped_fails_every_injection() {
    let mut pod = mutated_pod(TENANT_B);
    pod["spec"]["containers"][0]["env"] = json!([{"name": "AZURE_TENANT_ID", "value": TENANT_B}]);
    pod["spec"]["containers"][0]["volumeMounts"] = json!([]);
    pod["spec"]["volumes"] = json!([]);
    let all = verdicts(pod);
    for id in [
        "env.AZURE_CLIENT_ID",
        "env.AZURE_FEDERATED_TOKEN_FILE",
        "env.AZURE_AUTHORITY_HOST",
    ] {
        assert_eq!(verdict_of(&all, id).0, Verdict::Fail, "{id}");
    }
    assert_eq!(verdict_of(&all, "token.volume").0, Verdict::Skip);
}

#[test]
fn token_path_is_read_from_the_pod_not_assumed() {
    // v1.6 layout: a different directory, matched through the mount.
    let mut pod = mutated_pod(TENANT_B);
    let file = "/var/run/secrets/azure/wi/token/azure-identity-token";
    pod["spec"]["containers"][0]["env"][2]["value"] = json!(file);
    pod["spec"]["containers"][0]["volumeMounts"][0]["mountPath"] =
        json!("/var/run/secrets/azure/wi/token");
    assert_eq!(
        verdict_of(&verdicts(pod.clone()), "token.volume").0,
        Verdict::Pass
    );
    // The same file with the mount left at the old directory is not backed.
    pod["spec"]["containers"][0]["volumeMounts"][0]["mountPath"] =
        json!("/var/run/secrets/azure/tokens");
    assert_eq!(verdict_of(&verdicts(pod), "token.volume").0, Verdict::Fail);
}

#[test]
fn wrong_audience_fails() {
    let mut pod = mutated_pod(TENANT_B);
    pod["spec"]["volumes"][0]["projected"]["sources"][0]["serviceAccountToken"]["audience"] =
        json!("other");
    let (v, d) = verdict_of(&verdicts(pod), "token.volume");
    assert_eq!(v, Verdict::Fail);
    assert!(d.contains("other"), "{d}");
}

#[test]
fn missing_label_fails() {
    let mut pod = mutated_pod(TENANT_B);
    pod["metadata"]["labels"] = json!({});
    assert_eq!(verdict_of(&verdicts(pod), "pod.label").0, Verdict::Fail);
}

#[test]
fn last_env_entry_wins() {
    let c: Container = serde_json::from_value(json!({"name": "c", "env": [
        {"name": "X", "value": "1"}, {"name": "X", "value": "2"}]}))
    .expect("container");
    assert_eq!(env_value(&c, "X"), EnvValue::Literal("2".into()));
    assert_eq!(env_value(&c, "Y"), EnvValue::Missing);
}
