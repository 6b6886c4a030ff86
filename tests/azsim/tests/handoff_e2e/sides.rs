//! One side of the hand-off: `az-xtenant` run with a profile and an Azure
//! CLI configuration of its own, and what it asked the simulator.
#![allow(dead_code, clippy::unwrap_used)] // each test file uses part of it

use std::path::Path;

use azsim::state::{RequestRecord, Surface};
use azsim::workspace_bin;

use super::estate::{Estate, Outcome};

/// `az-xtenant --profile PROFILE ARGS` in the az configuration `config`,
/// output captured, exit not checked.
pub fn side_cmd(e: &Estate, profile: &str, config: &Path, args: &[&str]) -> duct::Expression {
    let mut argv = vec!["--profile", profile];
    argv.extend(args);
    e.h.env_in(config)
        .into_iter()
        .fold(duct::cmd(workspace_bin("az-xtenant"), argv), |c, (k, v)| {
            c.env(k, v)
        })
        .env("XTENANT_CONFIG_DIR", e.h.dir().join("profiles"))
        .env("XTENANT_POLL_SECS", "1")
        .env("NO_COLOR", "1")
        .stdin_null()
        .stdout_capture()
        .stderr_capture()
        .unchecked()
}

/// `az-xtenant` as one side: its own profile and az configuration.
pub fn side(
    e: &Estate,
    profile: &str,
    config: &Path,
    args: &[&str],
) -> (Outcome, Vec<RequestRecord>) {
    let mark = e.h.mark();
    let started = std::time::Instant::now();
    let out = side_cmd(e, profile, config, args).run().unwrap();
    let outcome = Outcome {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
        az: Vec::new(),
        writes: e.h.writes_since(mark),
        requests: e.h.mark() - mark,
        took: started.elapsed(),
    };
    (outcome, e.h.requests_since(mark))
}

/// A side's profile.
pub fn profile(e: &Estate, name: &str) -> serde_json::Value {
    let path = e.h.dir().join("profiles").join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The ARM and Entra requests that name any of `ids` (a tenant or subscription).
pub fn naming(requests: &[RequestRecord], ids: &[&str]) -> Vec<String> {
    requests
        .iter()
        .filter(|r| matches!(r.surface, Surface::Arm | Surface::Entra))
        .filter(|r| {
            let path = r.path.to_ascii_lowercase();
            ids.iter().any(|id| path.contains(&id.to_ascii_lowercase()))
        })
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}
