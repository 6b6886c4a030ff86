//! A declared graph against the fake az: its file, and Azure before and
//! after its apply.

use serde_json::json;

use super::*;

pub fn graph_file(w: &World) -> String {
    graph_file_with(w, &["writer", "reader"])
}

/// The graph file: one cluster, one identity with its Service Bus grant, and
/// a workload in namespace `orders` for each ServiceAccount named.
pub fn graph_file_with(w: &World, service_accounts: &[&str]) -> String {
    let path = w.path().join("xtenant.yaml");
    let workloads: String = service_accounts
        .iter()
        .map(|sa| {
            format!("  - namespace: orders\n    serviceAccount: {sa}\n    identity: {IDENTITY}\n")
        })
        .collect();
    let text = format!(
        "tenantA:
  tenantId: {TA}
  subscriptionId: {SA}
tenantB:
  tenantId: {TB}
  subscriptionId: {SB}
  resourceGroup: {RG}
  location: eastus
clusters:
  - name: {AKS}
    resourceGroup: {RG}
identities:
  - name: {IDENTITY}
    roles:
      - role: Azure Service Bus Data Owner
        scope: {scope}
workloads:
{workloads}",
        scope = ns_id()
    );
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

pub fn graph_credential(sa: &str) -> serde_json::Value {
    json!({"name": format!("xt-{AKS}-orders-{sa}"), "issuer": issuer(),
           "subject": format!("system:serviceaccount:orders:{sa}"),
           "audiences": ["api://AzureADTokenExchange"]})
}

/// Azure before the apply: the cluster exists, nothing in Tenant B does.
/// Reads answer "absent" `before` times, then what the apply made. (A plan
/// reads each thing once; an apply goes on with what its plan read.)
pub fn azure(w: &World, before: usize) {
    use Resp::*;
    w.logged_in();
    let twice = |absent: Resp, after: serde_json::Value| {
        let mut v: Vec<Resp> = (0..before)
            .map(|_| match &absent {
                Fail(c, m) => Fail(*c, m.clone()),
                Json(j) => Json(j.clone()),
                Raw(r) => Raw(r),
            })
            .collect();
        v.push(Json(after));
        v
    };
    w.on(
        &format!("aks_list@{SA}"),
        vec![Json(json!([cluster(true)]))],
    );
    w.on(
        &format!("group_show@{SB}"),
        twice(not_found(RG), group(true)),
    );
    w.on(&format!("group_create@{SB}"), vec![Json(group(true))]);
    w.on(
        &format!("identity_list@{SB}"),
        twice(Json(json!([])), json!([identity()])),
    );
    w.on(&format!("identity_create@{SB}"), vec![Json(identity())]);
    w.on(
        &format!("role_assignment_list@{SB}"),
        twice(Json(json!([])), json!([role_assignment()])),
    );
    w.on(
        &format!("role_assignment_create@{SB}"),
        vec![Json(role_assignment())],
    );
    w.on(&format!("identity_federated-credential_list@{SB}"), {
        let mut v: Vec<Resp> = (0..before).map(|_| Json(json!([]))).collect();
        v.push(Json(json!([
            graph_credential("writer"),
            graph_credential("reader")
        ])));
        v
    });
    w.on(
        &format!("identity_federated-credential_create@{SB}"),
        vec![Raw("{}")],
    );
    // `--no-wait`: az prints nothing; the deployment is then looked at.
    w.on(&format!("deployment_group_create@{SB}"), vec![Raw("")]);
    w.on(
        &format!("deployment_group_show@{SB}"),
        vec![Json(
            json!({"properties": {"provisioningState": "Succeeded"}}),
        )],
    );
}
