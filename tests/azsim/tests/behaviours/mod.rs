//! Running the real `az` against the simulator and reading what it did, for the
//! Azure behaviour tests.
// Each test file uses part of this module.
#![allow(dead_code)]

use azsim::Harness;
use serde_json::Value;

/// What `az` did: exit code, stdout, stderr.
pub struct Run {
    pub code: i32,
    pub out: String,
    pub err: String,
}

impl Run {
    pub fn json(&self) -> Value {
        assert_eq!(self.code, 0, "az failed: {}", self.err);
        serde_json::from_str(&self.out).unwrap_or_else(|e| panic!("{e}: {}", self.out))
    }

    /// Asserts the exit code and that stderr names each needle.
    pub fn fails(&self, code: i32, needles: &[&str]) {
        assert_eq!(self.code, code, "exit code; stderr: {}", self.err);
        for n in needles {
            assert!(
                self.err.contains(n),
                "{n:?} missing from stderr: {}",
                self.err
            );
        }
    }
}

/// `az <args> --subscription <sub> -o json`.
pub fn az(h: &Harness, sub: &str, args: &[&str]) -> Run {
    let mut a = args.to_vec();
    a.extend(["--subscription", sub, "-o", "json"]);
    let out = h.az_output(&a).unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every call since `mark`: its operation name and answer status.
pub fn ops_since(h: &Harness, mark: usize) -> Vec<(String, u16)> {
    let g = h.server.sim.lock();
    g.requests[mark..]
        .iter()
        .map(|r| (r.op.clone(), r.status))
        .collect()
}
