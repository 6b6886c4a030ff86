//! Benchmark: how many az processes `az-xtenant up` starts and how long it
//! takes beyond its longest chain of writes, for a fresh run, a run with
//! nothing left to do, and a run resumed after the first was killed during
//! the identity's create. Every az call goes through a wrapper that logs its
//! start, end and argv; the write chain is the longest path of the demo's
//! graph weighted by how long each of its writes took; an az start-up is the
//! median length of the run's reads.
//!
//! Run with `cargo bench -p azsim --bench up_reads` (needs `XTENANT_AZ`;
//! `BENCH_AZ_XTENANT` picks the az-xtenant to time, else the newest built).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use azsim::Harness;
use tempfile::TempDir;

/// Scaled-down creation latencies, as in the `up_concurrency` benchmark.
const CLUSTER_PUT_MS: u64 = 6_000;
const NAMESPACE_PUT_MS: u64 = 3_000;
const IDENTITY_PUT_MS: u64 = 2_000;

/// One az call as the wrapper logged it.
struct Call {
    start: f64,
    secs: f64,
    argv: String,
}

/// The demo's writes, by what their argv starts with, and what each needs
/// (the `up` graph: group → cluster / namespace → queue, role / identity →
/// role, credential).
const WRITES: [(&str, &str, &[&str]); 8] = [
    ("group-a", "group create", &[]),
    ("group-b", "group create", &[]),
    ("cluster", "aks create", &["group-a"]),
    ("namespace", "servicebus namespace create", &["group-b"]),
    ("queue", "servicebus queue create", &["namespace"]),
    ("identity", "identity create", &["group-b"]),
    ("role", "role assignment create", &["identity", "namespace"]),
    (
        "credential",
        "identity federated-credential create",
        &["identity", "cluster"],
    ),
];

struct Setup<'h> {
    h: &'h Harness,
    bin: &'h Path,
    wrapper: &'h Path,
    config: TempDir,
    vars: Vec<(String, String)>,
}

impl<'h> Setup<'h> {
    fn new(h: &'h Harness, bin: &'h Path, wrapper: &'h Path, tag: &str) -> Setup<'h> {
        let mut vars = h.ids_env();
        vars.extend([
            ("RESOURCE_GROUP".to_string(), format!("rg-reads-{tag}")),
            ("LOCATION".to_string(), "eastus".to_string()),
            ("CLUSTER_NAME".to_string(), format!("aks-reads-{tag}")),
        ]);
        let s = Setup {
            h,
            bin,
            wrapper,
            config: tempfile::tempdir().expect("temporary profile directory"),
            vars,
        };
        s.cmd(&["init"]).run().expect("init");
        s
    }

    fn log(&self) -> PathBuf {
        self.config.path().join("az-calls.log")
    }

    fn cmd(&self, args: &[&str]) -> duct::Expression {
        let mut c = duct::cmd(self.bin, args);
        let mut path = self.wrapper.as_os_str().to_owned();
        for (k, v) in self.h.env() {
            if k == "PATH" {
                // The wrapper first, so that it is the `az` found.
                path.push(":");
                path.push(v);
            } else {
                c = c.env(k, v);
            }
        }
        for (k, v) in &self.vars {
            c = c.env(k, v);
        }
        c.env("XTENANT_CONFIG_DIR", self.config.path())
            .env("NO_COLOR", "1")
            .env("PATH", path)
            .env("BENCH_REAL_AZ", self.h.az.as_os_str())
            .env("BENCH_AZ_LOG", self.log())
            .stdout_capture()
            .stderr_capture()
            .unchecked()
    }

    /// Runs `up`, answering its wall time and the az calls it made.
    fn up(&self) -> (Duration, Vec<Call>) {
        let _ = std::fs::remove_file(self.log());
        let started = Instant::now();
        let out = self.cmd(&["up"]).run().expect("running az-xtenant");
        let took = started.elapsed();
        assert!(
            out.status.success(),
            "up failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        (took, self.calls())
    }

    fn calls(&self) -> Vec<Call> {
        std::fs::read_to_string(self.log())
            .unwrap_or_default()
            .lines()
            .map(|l| {
                let mut parts = l.splitn(3, ' ');
                let start: f64 = parts.next().unwrap().parse().unwrap();
                let end: f64 = parts.next().unwrap().parse().unwrap();
                Call {
                    start,
                    secs: end - start,
                    argv: parts.next().unwrap_or_default().to_string(),
                }
            })
            .collect()
    }
}

/// Seconds the longest chain of writes took.
fn write_chain(calls: &[Call], sub_a: &str) -> f64 {
    let took = |key: &str, prefix: &str| -> f64 {
        calls
            .iter()
            .filter(|c| c.argv.starts_with(prefix))
            .filter(|c| match key {
                "group-a" => c.argv.contains(sub_a),
                "group-b" => !c.argv.contains(sub_a),
                _ => true,
            })
            .map(|c| c.secs)
            .sum()
    };
    let mut finish: Vec<(&str, f64)> = Vec::new();
    for (key, prefix, needs) in WRITES {
        let ready = needs
            .iter()
            .map(|n| finish.iter().find(|(k, _)| k == n).map_or(0.0, |f| f.1))
            .fold(0.0, f64::max);
        finish.push((key, ready + took(key, prefix)));
    }
    finish.iter().map(|f| f.1).fold(0.0, f64::max)
}

fn is_read(c: &Call) -> bool {
    let verb = c.argv.split(' ').take_while(|w| !w.starts_with('-')).last();
    matches!(verb, Some("show" | "list"))
}

fn reads(calls: &[Call]) -> usize {
    calls.iter().filter(|c| is_read(c)).count()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn report(label: &str, took: Duration, calls: &[Call], sub_a: &str) {
    if std::env::var_os("BENCH_SHOW_CALLS").is_some() {
        // When each call started and how long it took, from the first.
        let first = calls.iter().map(|c| c.start).fold(f64::MAX, f64::min);
        let mut sorted: Vec<&Call> = calls.iter().collect();
        sorted.sort_by(|a, b| a.start.total_cmp(&b.start));
        for c in sorted {
            let words: Vec<&str> = c
                .argv
                .split(' ')
                .take_while(|w| !w.starts_with('-'))
                .collect();
            eprintln!(
                "{label}: +{:6.2} s {:6.2} s {}",
                c.start - first,
                c.secs,
                words.join(" ")
            );
        }
    }
    let chain = write_chain(calls, sub_a);
    let startup = median(
        calls
            .iter()
            .filter(|c| is_read(c))
            .map(|c| c.secs)
            .collect(),
    );
    let over = took.as_secs_f64() - chain;
    println!(
        "| {label:<8} | {:>5} | {:>5} | {:>7.2} | {chain:>7.2} | {over:>6.2} | {:>9.1} |",
        calls.len(),
        reads(calls),
        took.as_secs_f64(),
        over / startup.max(0.01)
    );
}

fn main() {
    let bin =
        std::env::var_os("BENCH_AZ_XTENANT").map_or_else(azsim::newest_az_xtenant, PathBuf::from);
    let h = Harness::start();
    h.update_faults(|f| {
        f.lro_ms
            .insert("managedClusters.put".into(), CLUSTER_PUT_MS);
        f.delay_ms.insert("namespaces.put".into(), NAMESPACE_PUT_MS);
        f.delay_ms
            .insert("userAssignedIdentities.put".into(), IDENTITY_PUT_MS);
    });
    let wrapper = tempfile::tempdir().expect("wrapper directory");
    let script = wrapper.path().join("az");
    std::fs::write(
        &script,
        "#!/bin/sh\ns=$(date +%s.%N)\n\"$BENCH_REAL_AZ\" \"$@\"\nrc=$?\n\
         printf '%s %s %s\\n' \"$s\" \"$(date +%s.%N)\" \"$*\" >> \"$BENCH_AZ_LOG\"\nexit $rc\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let sub_a = h.tenant_a().subscriptions[0].id.clone();
    println!("using {}", bin.display());
    println!(
        "| run      | az    | reads | wall s  | chain s | over s | start-ups |\n\
         |----------|------:|------:|--------:|--------:|-------:|----------:|"
    );

    let s = Setup::new(&h, &bin, wrapper.path(), "fresh");
    let (took, calls) = s.up();
    report("fresh", took, &calls, &sub_a);
    let (took, calls) = s.up();
    report("no-op", took, &calls, &sub_a);

    // Killed while the identity's create is under way (it takes effect;
    // the answer never comes), then run again.
    let r = Setup::new(&h, &bin, wrapper.path(), "resumed");
    h.hold("userAssignedIdentities.put");
    let handle = r.cmd(&["up"]).start().expect("starting up");
    h.wait_until_held("userAssignedIdentities.put", Duration::from_secs(120));
    handle.kill().expect("killing up");
    h.release("userAssignedIdentities.put");
    // The killed run's az child holds the profile's lock until it ends.
    std::thread::sleep(Duration::from_secs(10));
    let (took, calls) = r.up();
    report("resumed", took, &calls, &sub_a);
    for s in [&s, &r] {
        let _ = s.cmd(&["cleanup", "--yes"]).run();
    }
}
