//! Every value of a request against its rule, and every name a workload
//! uses declared once: a request that breaks one is malformed.

use std::collections::BTreeSet;

use super::{Check, Finding};
use crate::handoff::{TrustRequest, when};
use crate::validate::Kind;

const FIX: &str = "ask Tenant A for a request written by `az-xtenant request`";

pub(super) fn check(r: &TrustRequest) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut bad = |at: String, what: String| out.push(Finding::error(Check::Shape, at, what, FIX));
    let mut kind = |at: String, value: &str, kind: Kind| {
        if !kind.accepts(value) {
            bad(at, format!("{value:?} {}", kind.rule()));
        }
    };
    kind("tenantA".into(), &r.tenant_a, Kind::Guid);
    if !when::is_rfc3339(&r.made_at) {
        bad_time(&mut out, &r.made_at);
    }
    if r.workloads.is_empty() {
        out.push(Finding::error(
            Check::Shape,
            "workloads".into(),
            "the request asks for no workload".into(),
            FIX,
        ));
    }
    clusters(r, &mut out);
    identities(r, &mut out);
    workloads(r, &mut out);
    out
}

fn bad_time(out: &mut Vec<Finding>, value: &str) {
    out.push(Finding::error(
        Check::Shape,
        "madeAt".into(),
        format!("{value:?} is not a UTC time like 2026-12-04T22:03:09Z"),
        FIX,
    ));
}

fn clusters(r: &TrustRequest, out: &mut Vec<Finding>) {
    let mut seen = BTreeSet::new();
    for (i, c) in r.clusters.iter().enumerate() {
        let at = |key: &str| format!("clusters[{i}].{key}");
        if !Kind::AksCluster.accepts(&c.name) {
            let what = format!("{:?} {}", c.name, Kind::AksCluster.rule());
            out.push(Finding::error(Check::Shape, at("name"), what, FIX));
        }
        if !seen.insert(c.name.as_str()) {
            let what = format!("cluster {:?} is declared twice", c.name);
            out.push(Finding::error(Check::Shape, at("name"), what, FIX));
        }
        if !is_cluster_id(&c.resource_id, &c.name) {
            let what = format!(
                "{:?} is not the ARM ID of managed cluster {:?} (/subscriptions/<guid>/resourceGroups/<group>/providers/Microsoft.ContainerService/managedClusters/<name>)",
                c.resource_id, c.name
            );
            out.push(Finding::error(Check::Shape, at("resourceId"), what, FIX));
        }
    }
}

fn is_cluster_id(id: &str, name: &str) -> bool {
    let s: Vec<&str> = id.split('/').collect();
    let fixed = |i: usize, want: &str| s[i].eq_ignore_ascii_case(want);
    s.len() == 9
        && s[0].is_empty()
        && fixed(1, "subscriptions")
        && Kind::Guid.accepts(s[2])
        && fixed(3, "resourceGroups")
        && Kind::ResourceGroup.accepts(s[4])
        && fixed(5, "providers")
        && fixed(6, "Microsoft.ContainerService")
        && fixed(7, "managedClusters")
        && s[8].eq_ignore_ascii_case(name)
}

fn identities(r: &TrustRequest, out: &mut Vec<Finding>) {
    let mut seen = BTreeSet::new();
    for (i, id) in r.identities.iter().enumerate() {
        let at = format!("identities[{i}].name");
        if !Kind::Identity.accepts(&id.name) {
            let what = format!("{:?} {}", id.name, Kind::Identity.rule());
            out.push(Finding::error(Check::Shape, at.clone(), what, FIX));
        }
        if !seen.insert(id.name.as_str()) {
            let what = format!("identity {:?} is declared twice", id.name);
            out.push(Finding::error(Check::Shape, at, what, FIX));
        }
        for (j, role) in id.roles.iter().enumerate() {
            for (key, value) in [("role", &role.role), ("scope", &role.scope)] {
                if value.trim().is_empty() {
                    let at = format!("identities[{i}].roles[{j}].{key}");
                    out.push(Finding::error(Check::Shape, at, "is empty".into(), FIX));
                }
            }
        }
    }
}

fn workloads(r: &TrustRequest, out: &mut Vec<Finding>) {
    let mut seen = BTreeSet::new();
    for (i, w) in r.workloads.iter().enumerate() {
        let at = |key: &str| format!("workloads[{i}].{key}");
        if !r.identities.iter().any(|id| id.name == w.identity) {
            let what = format!("identity {:?} is not among the identities", w.identity);
            out.push(Finding::error(Check::Shape, at("identity"), what, FIX));
        }
        if w.clusters.is_empty() {
            let what = "names no cluster".to_string();
            out.push(Finding::error(Check::Shape, at("clusters"), what, FIX));
        }
        for (j, name) in w.clusters.iter().enumerate() {
            if !r.clusters.iter().any(|c| &c.name == name) {
                let what = format!("cluster {name:?} is not among the clusters");
                out.push(Finding::error(
                    Check::Shape,
                    at(&format!("clusters[{j}]")),
                    what,
                    FIX,
                ));
            }
        }
        if !seen.insert((w.namespace.as_str(), w.service_account.as_str())) {
            let what = format!(
                "ServiceAccount {}/{} is asked for twice; list its clusters in one entry",
                w.namespace, w.service_account
            );
            out.push(Finding::error(
                Check::Shape,
                at("serviceAccount"),
                what,
                FIX,
            ));
        }
    }
}
