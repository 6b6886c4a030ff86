//! A Tenant A/Tenant B estate on the simulator for the declared graph:
//! `az-xtenant` run with the real az behind a wrapper on PATH that logs every
//! az process it starts, each profile in one private directory, and what a
//! run did read back from the simulator (ARM writes, requests) and the wrapper
//! (az processes).
// The test and the benchmark each use part of this module.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use azsim::{Config, Harness};
use serde_json::Value;
use tempfile::TempDir;

pub const FIC_TYPE: &str =
    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials";
pub const ID_TYPE: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";
pub const RA_TYPE: &str = "Microsoft.Authorization/roleAssignments";

/// The simulator, the real az logged in to both tenants, and `az-xtenant`.
pub struct Estate {
    pub h: Harness,
    bin: PathBuf,
    /// Profiles, graph files, the az wrapper and its log.
    dir: TempDir,
}

/// What one `az-xtenant` run did.
#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub out: String,
    pub err: String,
    /// The argv of every az process it started.
    pub az: Vec<String>,
    /// Its ARM writes, as `METHOD path -> status`.
    pub writes: Vec<String>,
    /// Requests the simulator answered meanwhile (ARM and Entra).
    pub requests: usize,
    pub took: Duration,
}

impl Outcome {
    /// Asserts exit 0; answers stdout.
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "{self}");
        &self.out
    }

    /// Stdout as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(self.ok())
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self}"))
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {} after {:.1} s, {} az processes, {} ARM writes\nstdout:\n{}\nstderr:\n{}",
            self.code,
            self.took.as_secs_f64(),
            self.az.len(),
            self.writes.len(),
            self.out,
            self.err
        )
    }
}

impl Estate {
    /// Starts the simulator with `config`; `bin` is the `az-xtenant` to run.
    pub fn start(config: Config, bin: PathBuf) -> Estate {
        let h = Harness::start_with(config);
        let dir = tempfile::Builder::new()
            .prefix("graph-e2e-")
            .tempdir()
            .unwrap();
        std::fs::create_dir_all(dir.path().join("bin")).unwrap();
        std::fs::create_dir_all(dir.path().join("profiles")).unwrap();
        let e = Estate { h, bin, dir };
        // One line per az process, then the real az (quoted paths: no quote in a temp dir).
        let wrapper = format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            e.log_path().display(),
            e.h.az.display()
        );
        let path = e.dir.path().join("bin/az");
        std::fs::write(&path, wrapper).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(e.log_path(), "").unwrap();
        e
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("az.log")
    }

    /// Every az process started through the wrapper so far.
    pub fn az_log(&self) -> Vec<String> {
        std::fs::read_to_string(self.log_path())
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Writes a graph file; answers its path.
    pub fn write(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    }

    /// The harness env with the wrapper first on PATH.
    fn env(&self) -> Vec<(String, OsString)> {
        let mut env = self.h.env();
        for (k, v) in &mut env {
            if k == "PATH" {
                let mut paths = vec![self.dir.path().join("bin")];
                paths.extend(std::env::split_paths(v));
                *v = std::env::join_paths(paths).unwrap();
            }
        }
        env
    }

    /// `az-xtenant --profile <profile> <args>`, output captured, exit not checked.
    pub fn cmd(&self, profile: &str, args: &[&str]) -> duct::Expression {
        let mut argv = vec!["--profile", profile];
        argv.extend(args);
        let c = duct::cmd(&self.bin, argv);
        self.env()
            .into_iter()
            .fold(c, |c, (k, v)| c.env(k, v))
            .env("XTENANT_CONFIG_DIR", self.dir.path().join("profiles"))
            .env("XTENANT_POLL_SECS", "1")
            .env("NO_COLOR", "1")
            .stdin_null()
            .stdout_capture()
            .stderr_capture()
            .unchecked()
    }

    /// Runs `az-xtenant` to the end; what it did.
    pub fn run(&self, profile: &str, args: &[&str]) -> Outcome {
        let (mark, logged) = (self.h.mark(), self.az_log().len());
        let started = Instant::now();
        let out = self.cmd(profile, args).run().unwrap();
        let took = started.elapsed();
        Outcome {
            code: out.status.code().unwrap_or(-1),
            out: String::from_utf8_lossy(&out.stdout).into_owned(),
            err: String::from_utf8_lossy(&out.stderr).into_owned(),
            az: self.az_log().split_off(logged),
            writes: self.h.writes_since(mark),
            requests: self.h.mark() - mark,
            took,
        }
    }

    /// The profile's JSON.
    pub fn profile(&self, name: &str) -> Value {
        let path = self
            .dir
            .path()
            .join("profiles")
            .join(format!("{name}.json"));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        serde_json::from_str(&text).unwrap()
    }

    /// The profile's `owned` records that are still only intended.
    pub fn intended(&self, name: &str) -> Vec<String> {
        self.profile(name)["owned"]
            .as_array()
            .expect("owned is a list")
            .iter()
            .filter(|o| o["state"] != "created")
            .map(|o| format!("{} {}", o["state"], o["id"]))
            .collect()
    }

    /// IDs of every stored resource of `rtype` whose ID starts with `prefix`
    /// (compared ignoring case, as ARM does), sorted.
    pub fn ids(&self, rtype: &str, prefix: &str) -> Vec<String> {
        let prefix = prefix.to_ascii_lowercase();
        let mut v: Vec<String> = self
            .h
            .resources_of_type(rtype)
            .iter()
            .filter_map(|r| r["id"].as_str())
            .filter(|id| id.to_ascii_lowercase().starts_with(&prefix))
            .map(str::to_string)
            .collect();
        v.sort();
        v
    }

    /// Every stored resource ID, sorted.
    pub fn all_ids(&self) -> Vec<String> {
        let g = self.h.server.sim.lock();
        let mut v: Vec<String> = g
            .resources
            .values()
            .filter_map(|r| r.body["id"].as_str().map(str::to_string))
            .collect();
        v.sort();
        v
    }

    /// The federated credentials of an identity: (name, issuer, subject), sorted.
    pub fn credentials(&self, identity_id: &str) -> Vec<(String, String, String)> {
        let prefix = format!("{identity_id}/federatedIdentityCredentials/").to_ascii_lowercase();
        let mut v: Vec<(String, String, String)> = self
            .h
            .resources_of_type(FIC_TYPE)
            .iter()
            .filter(|r| {
                r["id"]
                    .as_str()
                    .is_some_and(|id| id.to_ascii_lowercase().starts_with(&prefix))
            })
            .map(|r| {
                let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
                (
                    s(&r["name"]),
                    s(&r["properties"]["issuer"]),
                    s(&r["properties"]["subject"]),
                )
            })
            .collect();
        v.sort();
        v
    }

    /// The role assignments of a principal: (role definition GUID, scope), sorted.
    pub fn grants_of(&self, principal: &str) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self
            .h
            .resources_of_type(RA_TYPE)
            .iter()
            .filter(|r| r["properties"]["principalId"] == principal)
            .map(|r| {
                let p = &r["properties"];
                let def = p["roleDefinitionId"].as_str().unwrap_or_default();
                (
                    def.rsplit('/').next().unwrap_or_default().to_string(),
                    p["scope"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        v.sort();
        v
    }

    /// A stored identity's principal ID.
    pub fn principal(&self, identity_id: &str) -> String {
        let r = self
            .h
            .resource(identity_id)
            .unwrap_or_else(|| panic!("no identity {identity_id}"));
        r["properties"]["principalId"].as_str().unwrap().to_string()
    }

    /// The directory holding the profiles.
    pub fn profiles(&self) -> &Path {
        self.dir.path()
    }
}

/// The entries of the JSON array `v[list]` as (key0, key1, key2) strings,
/// sorted: a plan's changes, an audit's findings.
pub fn sorted_triples(v: &Value, list: &str, keys: [&str; 3]) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = v[list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list} list: {v:#}"))
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (s(keys[0]), s(keys[1]), s(keys[2]))
        })
        .collect();
    out.sort();
    out
}
