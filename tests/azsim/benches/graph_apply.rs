//! Benchmark: `az-xtenant apply` of a declared graph of 10 clusters × 10
//! workloads over 5 identities (100 federated credentials, 20 per identity)
//! with a credential write latency of 1 s, against its physical limit: Azure
//! takes one credential write per identity at a time, so the longest chain is
//! 20 writes × 1 s. Then a no-op `plan` of the same file. Prints, from one
//! run, the wall times, the az processes started (counted by a wrapper around
//! az on PATH) and the ARM writes, and whether each goal is met.
//!
//! Run with `cargo bench -p azsim --bench graph_apply` (needs `XTENANT_AZ` and
//! a built `az-xtenant`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/graph_e2e/estate.rs"]
mod estate;
#[path = "../tests/graph_e2e/spec.rs"]
mod spec;

use std::collections::BTreeMap;

use azsim::Config;
use estate::{Estate, Outcome};
use spec::{ClusterSpec, IdentitySpec, Spec, WorkloadSpec};

const CLUSTERS: usize = 10;
const WORKLOADS: usize = 10;
const IDENTITIES: usize = 5;
/// Latency of one federated credential PUT.
const WRITE_MS: u64 = 1_000;
/// Apply wall time / the longest chain of credential writes.
const RATIO_GOAL: f64 = 1.3;

/// Ten seeded clusters with their own issuers; five identities, each with a
/// grant at its own scope (a vault, an account, a group, two more vaults) and
/// two workloads on every cluster.
fn seed(e: &Estate) -> Spec {
    let h = &e.h;
    let (sa, sb) = (h.sub_a(0), h.sub_b(0));
    let clusters: Vec<ClusterSpec> = (0..CLUSTERS)
        .map(|i| {
            let name = format!("aks-{i:02}");
            h.seed_cluster(
                &sa,
                "rg-fleet",
                &name,
                &format!("https://oic.{name}.example/{}/", h.tenant_a().id),
            );
            ClusterSpec {
                name,
                resource_group: "rg-fleet".into(),
                subscription: None,
            }
        })
        .collect();
    let id = |v: serde_json::Value| v["id"].as_str().unwrap().to_string();
    let scopes = [
        (
            "Key Vault Secrets User",
            id(h.seed_vault(&sb, "rg-data", "kv-bench-0")),
        ),
        (
            "Storage Blob Data Reader",
            id(h.seed_storage_account(&sb, "rg-data", "stbench0")),
        ),
        (
            "Storage Blob Data Contributor",
            format!("/subscriptions/{sb}/resourceGroups/rg-data"),
        ),
        (
            "Key Vault Reader",
            id(h.seed_vault(&sb, "rg-data", "kv-bench-1")),
        ),
        (
            "Key Vault Secrets Officer",
            id(h.seed_vault(&sb, "rg-data", "kv-bench-2")),
        ),
    ];
    let identities = scopes
        .iter()
        .enumerate()
        .map(|(i, (role, scope))| IdentitySpec {
            name: format!("id-{i}"),
            roles: vec![((*role).to_string(), scope.clone())],
        })
        .collect();
    let workloads = (0..WORKLOADS)
        .map(|w| {
            WorkloadSpec::new(
                &format!("app-{w}"),
                "runner",
                &format!("id-{}", w % IDENTITIES),
                None,
            )
        })
        .collect();
    Spec {
        tenant_a: h.tenant_a().id.clone(),
        sub_a: sa,
        tenant_b: h.tenant_b().id.clone(),
        sub_b: sb,
        identity_group: "rg-fleet-ids".into(),
        clusters,
        identities,
        workloads,
    }
}

/// How many az processes of each command (the words before the first option).
fn by_command(o: &Outcome) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for argv in &o.az {
        let words: Vec<&str> = argv
            .split(' ')
            .take_while(|w| !w.starts_with('-'))
            .collect();
        *m.entry(words.join(" ")).or_default() += 1;
    }
    m
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}

fn main() {
    let bin = azsim::newest_az_xtenant();
    let e = Estate::start(Config::two_tenants(), bin.clone());
    // The time a credential write keeps its identity busy (Azure refuses
    // another write on it meanwhile): the whole of the write's latency.
    e.h.update_faults(|f| f.fic_write_ms = WRITE_MS);
    let spec = seed(&e);
    let file = e.write("xtenant.yaml", &spec.yaml());
    let chains = spec.bindings().iter().fold(BTreeMap::new(), |mut m, b| {
        *m.entry(b.identity.clone()).or_insert(0_u64) += 1;
        m
    });
    let longest = chains.values().copied().max().unwrap_or(0);
    let limit = (longest * WRITE_MS) as f64 / 1000.0;
    println!(
        "graph_apply: {CLUSTERS} clusters x {WORKLOADS} workloads over {IDENTITIES} identities = {} credentials; \
         federatedIdentityCredentials.put latency {WRITE_MS} ms",
        spec.bindings().len()
    );
    println!("using {}", bin.display());

    let apply = e.run("bench", &["apply", "-f", &file, "--yes"]);
    if apply.code != 0 {
        println!("apply FAILED (the figures below are from the failed run):\n{apply}");
    }
    let credentials_written = apply
        .writes
        .iter()
        .filter(|w| w.contains("/federatedIdentityCredentials/"))
        .count();
    let noop = e.run("bench", &["plan", "-f", &file, "--detailed-exitcode"]);
    if noop.code != 0 {
        println!("no-op plan exited {} (0 expected):\n{noop}", noop.code);
    }

    let ratio = apply.took.as_secs_f64() / limit;
    let scopes = spec.grants().len();
    // One read per object the plan must look at: each cluster, each identity,
    // each role scope, the identities' group, and az's account list (login check).
    let reads_goal = CLUSTERS + IDENTITIES + scopes + 1 + 1;
    println!();
    println!("| run          | wall s | az processes | ARM writes |");
    println!("|--------------|-------:|-------------:|-----------:|");
    for (name, o) in [("apply", &apply), ("no-op plan", &noop)] {
        println!(
            "| {name:<12} | {:6.1} | {:12} | {:10} |",
            o.took.as_secs_f64(),
            o.az.len(),
            o.writes.len()
        );
    }
    println!();
    println!(
        "physical limit: {longest} credential writes on one identity x {WRITE_MS} ms = {limit:.1} s"
    );
    println!(
        "apply / limit      = {ratio:.2} (goal <= {RATIO_GOAL}: {}); {credentials_written} credential writes",
        verdict(ratio <= RATIO_GOAL)
    );
    println!(
        "no-op plan az      = {} (goal <= {reads_goal}: one per cluster, identity and role scope, \
         plus the group and the login check: {}); writes {} ({})",
        noop.az.len(),
        verdict(noop.az.len() <= reads_goal),
        noop.writes.len(),
        verdict(noop.writes.is_empty())
    );
    for (name, o) in [("apply", &apply), ("no-op plan", &noop)] {
        let parts: Vec<String> = by_command(o)
            .iter()
            .map(|(c, n)| format!("{c} {n}"))
            .collect();
        println!("{name} az by command: {}", parts.join(", "));
    }
}
