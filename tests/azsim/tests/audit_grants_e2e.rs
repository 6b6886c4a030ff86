//! `az-xtenant audit` on Tenant B's grants, end to end with the real az
//! against the simulator: a graph whose identity is granted Owner on a
//! resource group and Storage Blob Data Reader on a whole storage account.
//! Owner is a `broad-role` finding (fixed by hand, never by `--fix`), the
//! account-wide data role is advice with the container-level grant, and the
//! identity's fan-in counts the subjects and clusters that can become it.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

#[path = "graph_e2e/estate.rs"]
mod estate;
#[path = "graph_e2e/spec.rs"]
mod spec;

use azsim::{Config, workspace_bin};
use estate::Estate;
use serde_json::Value;
use spec::{ClusterSpec, IdentitySpec, Spec, WorkloadSpec};

const IDS: &str = "rg-grant-ids";
const AKS: &str = "rg-aks";

#[test]
fn broad_grants_are_found_and_wide_data_grants_get_advice() {
    let e = Estate::start(Config::two_tenants(), workspace_bin("az-xtenant"));
    let (sa, sb) = (e.h.sub_a(0), e.h.sub_b(0));
    for name in ["aks-blue", "aks-green"] {
        e.h.seed_cluster(&sa, AKS, name, &e.h.named_issuer(name));
    }
    let account = e.h.seed_storage_account(&sb, "rg-data", "stgrants")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let group = format!("/subscriptions/{sb}/resourceGroups/rg-data");
    let h = &e.h;
    let spec = Spec {
        tenant_a: h.tenant_a().id.clone(),
        sub_a: sa,
        tenant_b: h.tenant_b().id.clone(),
        sub_b: sb,
        identity_group: IDS.into(),
        clusters: ["aks-blue", "aks-green"]
            .iter()
            .map(|c| ClusterSpec {
                name: (*c).into(),
                resource_group: AKS.into(),
                subscription: None,
            })
            .collect(),
        identities: vec![IdentitySpec {
            name: "id-reports".into(),
            roles: vec![
                ("Owner".into(), group.clone()),
                ("Storage Blob Data Reader".into(), account.clone()),
            ],
        }],
        workloads: vec![
            WorkloadSpec::new("reports", "reader", "id-reports", None),
            WorkloadSpec::new("batch", "job", "id-reports", Some(&["aks-green"])),
        ],
    };
    let file = e.write("xtenant.yaml", &spec.yaml());
    e.h.expect_list_404(&format!(
        "/resourceGroups/{IDS}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?"
    ));
    e.h.expect_list_404("/userAssignedIdentities/id-reports/federatedIdentityCredentials?");
    e.run("grants", &["apply", "-f", &file, "--yes"]).ok();

    let out = e.run("grants", &["audit", "-f", &file, "-o", "json"]);
    assert_eq!(out.code, 1, "a broad grant is a finding: {out}");
    assert_eq!(out.writes, Vec::<String>::new(), "an audit writes nothing");
    let v: Value = serde_json::from_str(&out.out).unwrap();
    let findings: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["kind"].as_str().unwrap(), f["fix"].as_str().unwrap()))
        .collect();
    assert_eq!(findings.len(), 1, "{v:#}");
    assert_eq!(findings[0].0, "broad-role", "{v:#}");
    assert!(
        findings[0]
            .1
            .starts_with("az role assignment delete --ids ")
            && findings[0].1.contains(&format!(
                "{group}/providers/Microsoft.Authorization/roleAssignments/"
            )),
        "{v:#}"
    );
    let advice = v["advice"].as_array().unwrap();
    assert_eq!(advice.len(), 1, "{v:#}");
    let fix = advice[0]["fix"].as_str().unwrap();
    assert!(
        fix.starts_with("az role assignment create --role 'Storage Blob Data Reader' ")
            && fix.contains(&format!(
                "{account}/blobServices/default/containers/<container>"
            )),
        "{fix}"
    );
    assert_eq!(
        v["identities"][0]["fanIn"],
        serde_json::json!({"issuers": 2, "clusters": 2, "subjects": 3}),
        "{v:#}"
    );

    // --fix deletes no grant, broad or not.
    let fix = e.run("grants", &["audit", "-f", &file, "--fix", "--yes"]);
    assert_eq!(fix.code, 1, "{fix}");
    assert_eq!(fix.writes, Vec::<String>::new(), "{fix}");
    assert_eq!(e.h.unknown_routes(), Vec::<String>::new());
    assert_eq!(e.h.unexpected_list_404s(), Vec::<String>::new());
}
