//! `az-xtenant apply` with the real az when ARM loses track of a running
//! credential deployment for a while: `az deployment group show` answers 404
//! `DeploymentNotFound` (as Azure has, Azure/azure-cli#28834) while ARM goes
//! on writing. The apply keeps watching the deployment and ends done, each
//! credential written once.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

#[path = "graph_e2e/estate.rs"]
mod estate;

use azsim::{Config, ErrorRule, workspace_bin};
use estate::Estate;

#[test]
fn a_deployment_whose_poll_is_lost_is_waited_for_and_the_apply_ends_done() {
    let e = Estate::start(Config::two_tenants(), workspace_bin("az-xtenant"));
    let h = &e.h;
    let (sa, sb) = (h.sub_a(0), h.sub_b(0));
    let issuer = format!("https://oic.aks-poll.example/{}/poll/", h.tenant_a().id);
    h.seed_cluster(&sa, "rg-aks", "aks-poll", &issuer);
    let file = e.write(
        "xtenant.yaml",
        &format!(
            "tenantA:
  tenantId: {ta}
  subscriptionId: {sa}
tenantB:
  tenantId: {tb}
  subscriptionId: {sb}
  resourceGroup: rg-poll-ids
  location: eastus
clusters:
  - name: aks-poll
    resourceGroup: rg-aks
identities:
  - name: id-poll
workloads:
  - namespace: orders
    serviceAccount: writer
    identity: id-poll
  - namespace: orders
    serviceAccount: reader
    identity: id-poll
",
            ta = h.tenant_a().id,
            tb = h.tenant_b().id,
        ),
    );
    // Each write keeps the identity busy, so the chain still runs when the
    // deployment is first looked at; that look is lost.
    h.update_faults(|f| {
        f.fic_write_ms = 2_500;
        f.errors.push(
            ErrorRule::new("deployments.get", 404, 1)
                .at("/deployments/")
                .answer(
                    "DeploymentNotFound",
                    "Deployment 'xtenant-credentials' could not be found.",
                ),
        );
    });
    let apply = e.run("poll", &["apply", "-f", &file, "--yes"]);
    assert_eq!(apply.code, 0, "{apply}");
    assert!(
        h.faults().errors.iter().all(|r| r.count == 0),
        "a look at the deployment was answered 404: {apply}"
    );
    let puts: Vec<&String> = apply
        .writes
        .iter()
        .filter(|w| w.contains("/federatedIdentityCredentials/"))
        .collect();
    assert_eq!(puts.len(), 2, "each credential written once: {apply}");
    let identity = format!(
        "/subscriptions/{sb}/resourceGroups/rg-poll-ids/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-poll"
    );
    let names: Vec<String> = e.credentials(&identity).into_iter().map(|c| c.0).collect();
    assert_eq!(
        names,
        ["xt-aks-poll-orders-reader", "xt-aks-poll-orders-writer"]
    );
    assert!(e.intended("poll").is_empty(), "{}", e.profile("poll"));
}
