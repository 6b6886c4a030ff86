//! `az-xtenant apply` with the real az against ARM's own deployment timing
//! (no `Retry-After`: az alone would see a done deployment only after 30 s).
//! A caller without `Microsoft.Resources/deployments/*` is in
//! `caller_permissions.rs`.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

#[path = "graph_e2e/estate.rs"]
mod estate;

use std::time::Duration;

use azsim::{Config, workspace_bin};
use estate::Estate;

fn graph(e: &Estate, group: &str) -> String {
    let h = &e.h;
    let (sa, sb) = (h.sub_a(0), h.sub_b(0));
    let issuer = format!("https://oic.aks-{group}.example/{}/x/", h.tenant_a().id);
    h.seed_cluster(&sa, "rg-aks", &format!("aks-{group}"), &issuer);
    e.write(
        &format!("{group}.yaml"),
        &format!(
            "tenantA:
  tenantId: {ta}
  subscriptionId: {sa}
tenantB:
  tenantId: {tb}
  subscriptionId: {sb}
  resourceGroup: rg-{group}
  location: eastus
clusters:
  - name: aks-{group}
    resourceGroup: rg-aks
identities:
  - name: id-{group}
workloads:
  - namespace: orders
    serviceAccount: writer
    identity: id-{group}
  - namespace: orders
    serviceAccount: reader
    identity: id-{group}
  - namespace: orders
    serviceAccount: auditor
    identity: id-{group}
",
            ta = h.tenant_a().id,
            tb = h.tenant_b().id,
        ),
    )
}

#[test]
fn credentials_deployed_under_arms_timing_do_not_wait_for_azs_30_s_poll() {
    let e = Estate::start(Config::two_tenants(), workspace_bin("az-xtenant"));
    assert_eq!(e.h.faults().deployment_retry_after_secs, None);
    let file = graph(&e, "timing");
    let apply = e.run("timing", &["apply", "-f", &file, "--yes"]);
    assert_eq!(apply.code, 0, "{apply}");
    assert!(
        apply
            .az
            .iter()
            .any(|a| a.starts_with("deployment group create")),
        "{apply}"
    );
    assert!(
        apply.took < Duration::from_secs(25),
        "apply took {:?}: it waited for az's 30 s poll",
        apply.took
    );
}
