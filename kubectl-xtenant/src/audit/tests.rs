//! `audit` against a scripted API server: a clean namespace passes, and each
//! kind of mistake is found exactly once, with the command that fixes it.

mod fixtures;

use serde_json::json;
use xtenant_shared::Profile;

use super::*;
use crate::checks::pod::tests::{CLIENT, TENANT_A, TENANT_B, mutated_pod};
use crate::exit::Usage;
use crate::fake_api;
use crate::output::{Check, Report, Verdict};
use fixtures::{
    UNKNOWN, World, binding, clean, deployment, graph_profile, handed_off_profile, route,
    service_account, settings,
};

async fn audit_with(world: World, scope: Scope, profile: Option<Profile>) -> Report {
    let (client, _) = fake_api::client(route(world));
    let known = Known::new(settings(profile), None, None).expect("known");
    crate::audit::audit(&client, &scope, &known)
        .await
        .expect("audit")
}

async fn audit_shop(world: World) -> Report {
    audit_with(
        world,
        Scope::Namespace("shop".into()),
        Some(graph_profile()),
    )
    .await
}

fn failed(report: &Report) -> Vec<&Check> {
    report.checks.iter().filter(|c| c.failed()).collect()
}

/// The report's only failed check: its id and fix.
fn the_finding(report: &Report) -> (String, String) {
    let failed = failed(report);
    assert_eq!(failed.len(), 1, "{:#?}", report.checks);
    assert_eq!(report.exit_code(), crate::exit::CHECK_FAILED);
    assert_eq!(report.data["findings"], json!(1));
    let c = failed[0];
    (c.id.clone(), c.fix.clone().unwrap_or_default())
}

#[tokio::test]
async fn a_clean_namespace_passes() {
    let report = audit_shop(clean()).await;
    assert!(report.ok, "{:#?}", report.checks);
    assert_eq!(report.exit_code(), crate::exit::OK);
    let ids: Vec<&str> = report.checks.iter().map(|c| c.id.as_str()).collect();
    for id in [
        "profile",
        "shop/serviceaccount/web/client-id",
        "shop/serviceaccount/web/credential",
        "shop/deployment/web/label",
        "shop/pod/web-1-a/restart",
        "shop/pod/web-1-a/myproducer/env.AZURE_TENANT_ID",
    ] {
        assert!(ids.contains(&id), "no {id} in {ids:#?}");
    }
}

#[tokio::test]
async fn a_label_on_the_object_only_is_found() {
    let mut w = clean();
    let d = w.find("deployments", "web");
    d["metadata"]["labels"] = json!({"azure.workload.identity/use": "true"});
    d["spec"]["template"]["metadata"]["labels"] = json!({"app": "web"});
    let pod = w.find("pods", "web-1-a");
    pod["metadata"]["labels"] = json!({"app": "web"});
    let (id, fix) = the_finding(&audit_shop(w).await);
    assert_eq!(id, "shop/deployment/web/label");
    assert_eq!(fix, "kubectl xtenant bind deployment/web -n shop");
}

#[tokio::test]
async fn a_pod_older_than_the_annotations_needs_a_restart_and_nothing_else() {
    let mut w = clean();
    // Made before the annotations, the webhook gave it the cluster's tenant.
    let mut old = mutated_pod(TENANT_A);
    let pod = w.find("pods", "web-1-a");
    old["metadata"] = pod["metadata"].clone();
    old["metadata"]["creationTimestamp"] = json!("2026-01-01T00:00:00Z");
    old["spec"]["serviceAccountName"] = json!("web");
    *pod = old;
    let (id, fix) = the_finding(&audit_shop(w).await);
    assert_eq!(id, "shop/pod/web-1-a/restart");
    assert_eq!(fix, "kubectl rollout restart deployment/web -n shop");
}

#[tokio::test]
async fn an_old_pod_of_a_cron_job_or_of_no_workload_has_its_own_fix() {
    let mut w = clean();
    w.add(
        "cronjobs",
        json!({"metadata": {"name": "nightly", "namespace": "shop", "uid": "cj"}}),
    );
    let mut job = json!({"metadata": {"name": "nightly-1", "namespace": "shop", "uid": "j1"}});
    job["metadata"]["ownerReferences"] = fixtures::owner("CronJob", "nightly", "cj");
    w.add("jobs", job);
    let pod = w.find("pods", "web-1-a");
    pod["metadata"]["creationTimestamp"] = json!("2026-01-01T00:00:00Z");
    pod["metadata"]["ownerReferences"] = fixtures::owner("Job", "nightly-1", "j1");
    let (_, fix) = the_finding(&audit_shop(w.clone()).await);
    assert!(
        fix.starts_with("the next run of cronjob/nightly in namespace shop creates new pods"),
        "{fix}"
    );
    let pod = w.find("pods", "web-1-a");
    pod["metadata"]
        .as_object_mut()
        .expect("metadata")
        .remove("ownerReferences");
    let (_, fix) = the_finding(&audit_shop(w).await);
    assert_eq!(
        fix,
        "kubectl delete pod web-1-a -n shop, then create it again"
    );
}

#[tokio::test]
async fn tenant_a_in_an_init_container_is_found() {
    let mut w = clean();
    let pod = w.find("pods", "web-1-a");
    pod["spec"]["initContainers"] =
        json!([{"name": "migrate", "env": [{"name": "AZURE_TENANT_ID", "value": TENANT_A}]}]);
    let (id, fix) = the_finding(&audit_shop(w).await);
    assert_eq!(id, "shop/pod/web-1-a/migrate/env.AZURE_TENANT_ID");
    assert_eq!(
        fix,
        format!("kubectl set env deployment/web -n shop -c migrate AZURE_TENANT_ID={TENANT_B}")
    );
}

#[tokio::test]
async fn an_unknown_client_id_is_found_once() {
    let mut w = clean();
    w.add("serviceaccounts", service_account("legacy", UNKNOWN));
    let report = audit_shop(w).await;
    let (id, fix) = the_finding(&report);
    assert_eq!(id, "shop/serviceaccount/legacy/client-id");
    assert!(
        fix.starts_with("kubectl annotate serviceaccount legacy -n shop azure.workload.identity/client-id- azure.workload.identity/tenant-id-"),
        "{fix}"
    );
    let credential = report
        .checks
        .iter()
        .find(|c| c.id == "shop/serviceaccount/legacy/credential")
        .expect("credential check");
    assert_eq!(credential.verdict, Verdict::Skip);
}

#[tokio::test]
async fn a_client_id_other_than_the_bound_identity_is_found() {
    let mut w = clean();
    let sa = w.find("serviceaccounts", "web");
    sa["metadata"]["annotations"]["azure.workload.identity/client-id"] = json!(UNKNOWN);
    let (id, fix) = the_finding(&audit_shop(w).await);
    assert_eq!(id, "shop/serviceaccount/web/client-id");
    assert_eq!(
        fix,
        format!(
            "kubectl annotate serviceaccount web -n shop azure.workload.identity/client-id={CLIENT} --overwrite"
        )
    );
}

#[tokio::test]
async fn a_subject_without_a_recorded_credential_is_found() {
    let mut w = clean();
    w.add("serviceaccounts", service_account("batch", CLIENT));
    let (id, fix) = the_finding(&audit_shop(w).await);
    assert_eq!(id, "shop/serviceaccount/batch/credential");
    assert!(
        fix.contains("serviceAccount: batch, identity: shop-web"),
        "{fix}"
    );
    assert!(fix.contains("az-xtenant apply -f xtenant.yaml"), "{fix}");
}

#[tokio::test]
async fn a_credential_whose_service_account_is_gone_or_bare_is_found() {
    let mut p = graph_profile();
    p.graph.bindings.push(binding("shop", "gone"));
    let report = audit_with(clean(), Scope::Namespace("shop".into()), Some(p.clone())).await;
    let (id, fix) = the_finding(&report);
    assert_eq!(id, "shop/serviceaccount/gone/credential");
    assert!(
        fix.contains("az-xtenant apply -f xtenant.yaml --prune"),
        "{fix}"
    );

    // The ServiceAccount exists without annotations and a Deployment runs as it.
    let mut w = clean();
    w.add(
        "serviceaccounts",
        json!({"metadata": {"name": "gone", "namespace": "shop"}}),
    );
    w.add("deployments", deployment("worker", "gone", false));
    let report = audit_with(w, Scope::Namespace("shop".into()), Some(p)).await;
    let (id, fix) = the_finding(&report);
    assert_eq!(id, "shop/serviceaccount/gone/credential");
    assert_eq!(fix, "kubectl xtenant bind deployment/worker -n shop");
}

/// In a profile whose identity came from Tenant B's grant, `apply` cannot
/// change Tenant B's credentials: each fix goes through a new request.
#[tokio::test]
async fn a_handed_off_identity_is_fixed_through_a_new_request() {
    let request = "run `az-xtenant request -f xtenant.yaml`, send the request to Tenant B's admin (`az-xtenant grant REQUEST`), then `az-xtenant accept GRANT`";
    let mut w = clean();
    w.add("serviceaccounts", service_account("batch", CLIENT));
    let shop = Scope::Namespace("shop".into());
    let report = audit_with(w, shop.clone(), Some(handed_off_profile())).await;
    let (id, fix) = the_finding(&report);
    assert_eq!(id, "shop/serviceaccount/batch/credential");
    assert!(fix.ends_with(request), "{fix}");
    assert!(!fix.contains("apply"), "{fix}");

    let mut p = handed_off_profile();
    p.graph.bindings.push(binding("shop", "gone"));
    let (id, fix) = the_finding(&audit_with(clean(), shop.clone(), Some(p)).await);
    assert_eq!(id, "shop/serviceaccount/gone/credential");
    assert!(
        fix.contains("from xtenant.yaml and run `az-xtenant request -f xtenant.yaml`, send the request to Tenant B's admin (`az-xtenant grant REQUEST --prune`), then `az-xtenant accept GRANT`"),
        "{fix}"
    );
    assert!(!fix.contains("apply"), "{fix}");

    let mut w = clean();
    w.add("serviceaccounts", service_account("batch", UNKNOWN));
    let (id, fix) = the_finding(&audit_with(w, shop, Some(handed_off_profile())).await);
    assert_eq!(id, "shop/serviceaccount/batch/client-id");
    assert!(fix.ends_with(request), "{fix}");
}

#[tokio::test]
async fn without_a_graph_the_credentials_are_skipped_and_said_so() {
    let mut p = Profile::default();
    p.graph.demo_identity_mut().client_id = Some(CLIENT.into());
    p.resources.tenant_id = Some(TENANT_B.into());
    let report = audit_with(clean(), Scope::Namespace("shop".into()), Some(p)).await;
    assert!(report.ok, "{:#?}", report.checks);
    let profile = &report.checks[0];
    assert_eq!(
        (profile.id.as_str(), profile.verdict),
        ("profile", Verdict::Skip)
    );
    assert!(
        profile.detail.contains("records no trust graph"),
        "{profile:?}"
    );
    assert!(!report.checks.iter().any(|c| c.id.ends_with("/credential")));

    let report = audit_with(clean(), Scope::Namespace("shop".into()), None).await;
    assert!(report.ok, "{:#?}", report.checks);
    assert!(
        report.checks[0].detail.contains("no profile"),
        "{:?}",
        report.checks[0]
    );
}

#[tokio::test]
async fn all_namespaces_compares_every_recorded_credential() {
    let mut p = graph_profile();
    p.graph.bindings.push(binding("other", "api"));
    let report = audit_with(clean(), Scope::All, Some(p.clone())).await;
    let (id, _) = the_finding(&report);
    assert_eq!(id, "other/serviceaccount/api/credential");
    assert_eq!(report.data["namespaces"], json!("all"));
    // One namespace: the other's credentials are not its business.
    let report = audit_with(clean(), Scope::Namespace("shop".into()), Some(p)).await;
    assert!(report.ok, "{:#?}", report.checks);
}

#[tokio::test]
async fn the_json_report_has_the_shared_shape() {
    let mut w = clean();
    w.add("serviceaccounts", service_account("legacy", UNKNOWN));
    let report = audit_shop(w).await;
    let json = serde_json::to_value(&report).expect("json");
    assert_eq!(json["command"], "audit");
    assert_eq!(json["ok"], false);
    assert_eq!(json["data"]["namespaces"], "shop");
    assert_eq!(json["data"]["cluster"], "aks-blue");
    assert_eq!(json["data"]["findings"], 1);
    let finding = json["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["verdict"] == "fail")
        .expect("a finding");
    for key in ["id", "verdict", "detail", "fix"] {
        assert!(finding[key].is_string(), "{key}: {finding:#}");
    }
}

#[tokio::test]
async fn an_unknown_namespace_is_bad_input() {
    let (client, _) = fake_api::client(route(clean()));
    let err = Inventory::read(&client, &Scope::Namespace("nope".into()))
        .await
        .err()
        .expect("refused");
    assert!(err.is::<Usage>(), "{err:#}");
    assert!(err.to_string().contains("\"nope\""), "{err}");
}

#[test]
fn a_cluster_the_graph_does_not_have_is_bad_input() {
    let err =
        Known::new(settings(Some(graph_profile())), Some("aks-red"), None).expect_err("refused");
    assert!(err.is::<Usage>(), "{err:#}");
    assert!(err.to_string().contains("aks-blue"), "{err}");
    let err = Known::new(settings(None), Some("aks-red"), None).expect_err("refused");
    assert!(err.is::<Usage>(), "{err:#}");
}

#[test]
fn a_migrated_version_2_profile_knows_the_demos_identity_and_the_graphs_cluster() {
    use xtenant_testsupport::profiles::*;
    let mut p: Profile =
        serde_json::from_value(version_2_with_demo_and_graph()).expect("a profile");
    p.migrate();
    let known = Known::new(settings(Some(p)), None, None).expect("known");
    let names: Vec<&str> = known.identities.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, [DEMO_IDENTITY, GRAPH_OLD_IDENTITY, GRAPH_IDENTITY]);
    assert_eq!(
        known.identity(DEMO_CLIENT).map(|i| i.name.as_str()),
        Some(DEMO_IDENTITY)
    );
    // The demo's cluster is not one of the graph's: the graph's only one is this.
    assert_eq!(known.cluster_name(), Some(GRAPH_CLUSTER));
    assert_eq!(
        known
            .binding("orders", "writer")
            .map(|b| b.credential.as_str()),
        Some(GRAPH_CREDENTIAL)
    );
    assert!(known.binding("default", "myserviceaccount").is_none());
    assert!(known.is_demo_workload("default", "myserviceaccount", DEMO_CLIENT));
    assert_eq!(
        known.tenant_b("default", "myserviceaccount").as_deref(),
        Some(TENANT_B)
    );
    let flag = Known::new(
        settings(known.settings.profile.clone()),
        Some("@demo"),
        None,
    );
    let Err(err) = flag else {
        panic!("@demo is not a cluster of the graph");
    };
    assert!(err.to_string().contains("it has: aks-blue"), "{err}");
}
