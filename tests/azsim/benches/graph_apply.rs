//! Benchmark: `az-xtenant apply` of a declared graph of 100 federated
//! credentials in three shapes — 2, 5 and 20 credentials per identity (2
//! clusters × 50 workloads over 50 identities, 5 × 20 over 20, 10 × 10 over
//! 5) — with a credential write latency of 1 s, against its physical limit:
//! Azure takes one credential write per identity at a time, so the longest
//! chain is (credentials per identity) writes × 1 s. Deployments are timed as
//! ARM times them (the simulator's default: no `Retry-After`, so az alone would
//! poll every 30 s). Then a no-op `plan` of the same file. Prints, from one
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

/// Clusters, workloads (each on every cluster) and identities (workload `w`
/// uses identity `w % identities`): 100 credentials each.
#[derive(Clone, Copy)]
struct Shape {
    clusters: usize,
    workloads: usize,
    identities: usize,
}

const SHAPES: [Shape; 3] = [
    Shape {
        clusters: 2,
        workloads: 50,
        identities: 50,
    },
    Shape {
        clusters: 5,
        workloads: 20,
        identities: 20,
    },
    Shape {
        clusters: 10,
        workloads: 10,
        identities: 5,
    },
];
/// Latency of one federated credential PUT.
const WRITE_MS: u64 = 1_000;
/// Apply wall time / the longest chain of credential writes.
const RATIO_GOAL: f64 = 1.3;

/// Seeded clusters with their own issuers; identities each with a grant at
/// one of five scopes (a vault, an account, a group, two more vaults, in
/// turn), and every workload on every cluster.
fn seed(e: &Estate, shape: Shape) -> Spec {
    let h = &e.h;
    let (sa, sb) = (h.sub_a(0), h.sub_b(0));
    let clusters: Vec<ClusterSpec> = (0..shape.clusters)
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
    let identities = (0..shape.identities)
        .map(|i| {
            let (role, scope) = &scopes[i % scopes.len()];
            IdentitySpec {
                name: format!("id-{i}"),
                roles: vec![((*role).to_string(), scope.clone())],
            }
        })
        .collect();
    let workloads = (0..shape.workloads)
        .map(|w| {
            WorkloadSpec::new(
                &format!("app-{w}"),
                "runner",
                &format!("id-{}", w % shape.identities),
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
    println!("using {}", bin.display());
    let mut rows = Vec::new();
    for shape in SHAPES {
        rows.push(run_shape(&bin, shape));
    }
    println!();
    println!(
        "| credentials per identity | identities | limit s | apply s | apply / limit | az processes (apply) | no-op plan az |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {} | {:.1} | {:.1} | {:.2} | {} | {} |",
            r.per_identity, r.identities, r.limit, r.apply_secs, r.ratio, r.apply_az, r.noop_az
        );
    }
    let worst = rows.iter().map(|r| r.ratio).fold(0.0_f64, f64::max);
    println!(
        "\nworst apply / limit = {worst:.2} (goal <= {RATIO_GOAL}: {})",
        verdict(worst <= RATIO_GOAL)
    );
}

/// One shape's figures.
struct Row {
    per_identity: usize,
    identities: usize,
    limit: f64,
    apply_secs: f64,
    ratio: f64,
    apply_az: usize,
    noop_az: usize,
}

fn run_shape(bin: &std::path::Path, shape: Shape) -> Row {
    let e = Estate::start(Config::two_tenants(), bin.to_path_buf());
    // The time a credential write keeps its identity busy (Azure refuses
    // another write on it meanwhile): the whole of the write's latency.
    e.h.update_faults(|f| f.fic_write_ms = WRITE_MS);
    let spec = seed(&e, shape);
    let file = e.write("xtenant.yaml", &spec.yaml());
    let chains = spec.bindings().iter().fold(BTreeMap::new(), |mut m, b| {
        *m.entry(b.identity.clone()).or_insert(0_u64) += 1;
        m
    });
    let longest = chains.values().copied().max().unwrap_or(0);
    let limit = (longest * WRITE_MS) as f64 / 1000.0;
    println!(
        "\ngraph_apply: {} clusters x {} workloads over {} identities = {} credentials ({longest} per identity); \
         federatedIdentityCredentials.put latency {WRITE_MS} ms",
        shape.clusters,
        shape.workloads,
        shape.identities,
        spec.bindings().len()
    );

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
    let reads_goal = shape.clusters + shape.identities + scopes + 1 + 1;
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
    Row {
        per_identity: usize::try_from(longest).unwrap_or(usize::MAX),
        identities: shape.identities,
        limit,
        apply_secs: apply.took.as_secs_f64(),
        ratio,
        apply_az: apply.az.len(),
        noop_az: noop.az.len(),
    }
}
