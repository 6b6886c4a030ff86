//! Benchmark: `az-xtenant up` (both tenants concurrently) against the same steps run one after
//! another, and against an idempotent re-run, with AKS-like creation latencies scaled down.
//!
//! Run with `cargo bench -p azsim --bench up_concurrency` (needs `XTENANT_AZ` and a built
//! `az-xtenant`). `BENCH_ROUNDS` sets the number of interleaved rounds (default 3).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use azsim::Harness;
use tempfile::TempDir;

/// Scaled-down creation latencies: AKS takes minutes, Service Bus and identities seconds.
const CLUSTER_PUT_MS: u64 = 6_000;
const NAMESPACE_PUT_MS: u64 = 3_000;
const IDENTITY_PUT_MS: u64 = 2_000;

/// One setup: its own profile directory and resource names.
struct Setup<'h> {
    h: &'h Harness,
    bin: &'h PathBuf,
    config: TempDir,
    vars: Vec<(String, String)>,
}

impl<'h> Setup<'h> {
    fn new(h: &'h Harness, bin: &'h PathBuf, tag: &str) -> Setup<'h> {
        let mut vars = h.ids_env();
        vars.extend([
            ("RESOURCE_GROUP".to_string(), format!("rg-bench-{tag}")),
            ("LOCATION".to_string(), "eastus".to_string()),
            ("CLUSTER_NAME".to_string(), format!("aks-bench-{tag}")),
        ]);
        let s = Setup {
            h,
            bin,
            config: tempfile::tempdir().expect("temporary profile directory"),
            vars,
        };
        s.ok(&["init"]);
        s
    }

    fn ok(&self, args: &[&str]) {
        let mut c = self.h.with_env(duct::cmd(self.bin, args));
        for (k, v) in &self.vars {
            c = c.env(k, v);
        }
        let out = c
            .env("XTENANT_CONFIG_DIR", self.config.path())
            .env("NO_COLOR", "1")
            .stdout_capture()
            .stderr_capture()
            .unchecked()
            .run()
            .expect("running az-xtenant");
        assert!(
            out.status.success(),
            "az-xtenant {} failed ({}):\nstdout: {}\nstderr: {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn timed(&self, steps: &[&str]) -> Duration {
        let started = Instant::now();
        for step in steps {
            self.ok(&[step]);
        }
        started.elapsed()
    }
}

fn median(v: &[Duration]) -> f64 {
    let mut s: Vec<f64> = v.iter().map(Duration::as_secs_f64).collect();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

fn main() {
    let rounds: usize = match std::env::var("BENCH_ROUNDS") {
        Ok(v) => v
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .unwrap_or_else(|| panic!("BENCH_ROUNDS={v} is not a positive integer")),
        Err(_) => 3,
    };
    let bin = azsim::newest_az_xtenant();
    let h = Harness::start();
    h.update_faults(|f| {
        f.lro_ms
            .insert("managedClusters.put".into(), CLUSTER_PUT_MS);
        // Service Bus answers the create at once and az polls the namespace every 30 s;
        // its scaled-down creation time is a latency of the PUT instead.
        f.delay_ms.insert("namespaces.put".into(), NAMESPACE_PUT_MS);
        f.delay_ms
            .insert("userAssignedIdentities.put".into(), IDENTITY_PUT_MS);
    });
    println!(
        "up_concurrency: {rounds} round(s); latencies: managedClusters.put {CLUSTER_PUT_MS} ms, \
         namespaces.put {NAMESPACE_PUT_MS} ms, userAssignedIdentities.put {IDENTITY_PUT_MS} ms"
    );
    println!("using {}", bin.display());

    let (mut up, mut seq, mut rerun) = (Vec::new(), Vec::new(), Vec::new());
    let mut rerun_writes = 0;
    for r in 0..rounds {
        let a = Setup::new(&h, &bin, &format!("r{r}-up"));
        let b = Setup::new(&h, &bin, &format!("r{r}-seq"));
        // Alternate which variant goes first so drift in machine load hits both.
        if r % 2 == 0 {
            up.push(a.timed(&["up"]));
            seq.push(b.timed(&["cluster", "resources", "trust"]));
        } else {
            seq.push(b.timed(&["cluster", "resources", "trust"]));
            up.push(a.timed(&["up"]));
        }
        let mark = h.mark();
        rerun.push(a.timed(&["up"]));
        let writes = h.writes_since(mark);
        assert_eq!(
            writes,
            Vec::<String>::new(),
            "a re-run of up must not write"
        );
        rerun_writes += writes.len();
        for s in [&a, &b] {
            s.ok(&["cleanup", "--yes"]);
        }
        eprintln!(
            "round {}: up {:.2} s, sequential {:.2} s, re-run {:.2} s",
            r + 1,
            up[r].as_secs_f64(),
            seq[r].as_secs_f64(),
            rerun[r].as_secs_f64()
        );
    }

    let (m_up, m_seq, m_re) = (median(&up), median(&seq), median(&rerun));
    println!();
    println!("| variant                             | median s |");
    println!("|-------------------------------------|---------:|");
    println!("| up (A and B concurrently)           | {m_up:8.2} |");
    println!("| cluster; resources; trust           | {m_seq:8.2} |");
    println!("| up re-run on a finished setup       | {m_re:8.2} |");
    println!();
    println!("sequential / up     = {:.2}x", m_seq / m_up);
    println!("fresh up / re-run   = {:.2}x", m_up / m_re);
    println!("re-run ARM writes   = {rerun_writes}");
}
