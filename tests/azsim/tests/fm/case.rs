//! One case of the matrix: its own resource groups (`fmNN-a`, `fmNN-b`, and
//! `fmNN-keep` for what xtenant must keep) and profile directory, `up` killed at
//! a write or met by a fault, then the end-state checks.

use std::io::Write as _;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use azsim::Harness;
use azsim::hold_scoped::{after_key, before_key};
use rustix::process::{Pid, Signal, kill_process_group};
use serde_json::Value;
use tempfile::TempDir;

use super::converged::{self, Reference};
use super::seed::{self, Arm};
use super::{Followup, Outcome, Point, Trial, Write, after, check, controls};

/// How long a case waits for `up` to reach the write it is killed at.
pub const REACH: Duration = Duration::from_secs(300);

/// A case's names, profile and failures.
pub struct Case<'c> {
    pub h: &'c Harness,
    bin: &'c Path,
    pub trial: Trial,
    config: TempDir,
    pub tag: String,
    /// Tenant A's group, Tenant B's, and Tenant B's group of hand-made objects.
    pub groups: [String; 3],
    pub cluster: String,
    pub failures: Vec<String>,
    followup: Followup,
}

/// Runs case `n`; a panic counts as a failure. The clean run publishes its
/// estate in `reference` once everything after it passed; the other cases
/// compare theirs with it.
pub fn run(
    h: &Harness,
    bin: &Path,
    arm: &Arm,
    reference: &Reference,
    n: usize,
    trial: Trial,
) -> Outcome {
    let started = Instant::now();
    let tag = format!("fm{n:02}");
    let mut case = Case {
        h,
        bin,
        trial,
        config: tempfile::tempdir().expect("profile directory"),
        groups: [
            format!("{tag}-a"),
            format!("{tag}-b"),
            format!("{tag}-keep"),
        ],
        cluster: format!("aks-{tag}"),
        tag,
        failures: Vec::new(),
        followup: Followup::NotReached,
    };
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| case.go(arm, reference)));
    if matches!(trial, Trial::Clean) {
        // Published or not, the clean run is over: no case waits on it longer.
        reference.settle();
    }
    let state = match ran {
        Ok(Ok(state)) => Some(state),
        Ok(Err(e)) => {
            case.failures.push(e);
            None
        }
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_default();
            case.failures.push(format!("panicked: {msg}"));
            None
        }
    };
    Outcome {
        trial,
        failures: case.failures,
        state,
        followup: case.followup,
        secs: started.elapsed().as_secs_f64(),
    }
}

impl Case<'_> {
    /// init, hand-made objects, the trial, then every check; the normalised end state.
    fn go(&mut self, arm: &Arm, reference: &Reference) -> Result<Vec<String>, String> {
        let [a, b, _] = self.groups.clone();
        self.ok(&["init", "-g", &a, "--resource-group-b", &b])?;
        let keep_a = !self.trial.creates_group_a();
        let seeds = seed::plant(arm, self.h, (&a, &self.groups[2]), keep_a);
        let mut from = self.h.mark();
        match self.trial {
            Trial::Clean => {
                self.ok(&["up"])?;
            }
            Trial::Kill(w, p) => {
                self.kill_at(w, p)?;
                check::at_kill(self, w, p);
                self.ok(&["up"])?;
            }
            Trial::Fault(f) => from = self.fault(f)?,
        }
        let state = check::end_state(self, from);
        let clean = matches!(self.trial, Trial::Clean);
        let estate = converged::text(self);
        if !clean {
            match reference.difference(&estate) {
                None => {
                    // The clean run's further `up` and `cleanup` met this estate.
                    self.followup = Followup::AsCleanRun;
                    return Ok(state);
                }
                // Said past the test harness's capture: why this case costs
                // a further `up` and `cleanup` of its own.
                Some(why) => {
                    let _ = writeln!(
                        std::io::stderr(),
                        "fault matrix: case {} runs its own further up and cleanup: {why}",
                        self.tag
                    );
                }
            }
        }
        after::rerun_writes_nothing(self)?;
        // The clean run's finished state, corrupted one way at a time, must be
        // flagged by the checks above and below (no further case needed).
        if clean {
            controls::before_cleanup(self, from)?;
        }
        let cleanup = after::cleanup_keeps_what_is_not_ours(self, &seeds.ids)?;
        self.followup = Followup::Ran;
        if clean {
            controls::after_cleanup(self, &cleanup, &seeds.ids);
            if self.failures.is_empty() {
                reference.set(estate);
            }
        }
        Ok(state)
    }

    /// `az-xtenant <args>` in this case's profile directory.
    pub fn cmd(&self, args: &[&str]) -> duct::Expression {
        let mut c = self.h.with_env(duct::cmd(self.bin, args));
        for (k, v) in self.h.ids_env() {
            c = c.env(k, v);
        }
        c.env("XTENANT_CONFIG_DIR", self.config.path())
            .env("CLUSTER_NAME", &self.cluster)
            .env("LOCATION", "eastus")
            .env("XTENANT_POLL_SECS", "1")
            .env("NO_COLOR", "1")
            .stdin_null()
            .stdout_capture()
            .stderr_capture()
            .unchecked()
    }

    /// Runs `az-xtenant <args>`; its stdout, or an error naming its exit and stderr.
    pub fn ok(&self, args: &[&str]) -> Result<String, String> {
        let out = self
            .cmd(args)
            .run()
            .map_err(|e| format!("az-xtenant {}: {e}", args.join(" ")))?;
        if out.status.success() {
            return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
        }
        Err(format!(
            "az-xtenant {} failed ({}): {}",
            args.join(" "),
            out.status,
            tail(&out)
        ))
    }

    /// `/resourcegroups/<group>`, the path part that picks this case's calls in a group.
    pub fn scope(&self, in_a: bool) -> String {
        format!("/resourcegroups/{}", self.groups[usize::from(!in_a)])
    }

    /// The profile file.
    pub fn profile_path(&self) -> std::path::PathBuf {
        self.config.path().join("default.json")
    }

    /// The profile file as JSON.
    pub fn profile(&self) -> Value {
        let text = std::fs::read_to_string(self.profile_path()).expect("reading the profile");
        serde_json::from_str(&text).expect("the profile is JSON")
    }

    /// Starts `up` in a process group of its own, waits until the write is held,
    /// kills the group (SIGKILL), then lets the held write go as `p` says.
    fn kill_at(&self, w: Write, p: Point) -> Result<(), String> {
        let entry = format!("{}@{}", w.op, self.scope(w.in_a));
        let key = if p == Point::After {
            self.h.hold_after(&entry);
            after_key(&entry)
        } else {
            self.h.hold_before(&entry);
            before_key(&entry)
        };
        let up = self
            .cmd(&["up"])
            .before_spawn(|c| {
                c.process_group(0);
                Ok(())
            })
            .start()
            .map_err(|e| format!("starting up: {e}"))?;
        let deadline = Instant::now() + REACH;
        while !self.h.held_within(&key, Duration::from_millis(200)) {
            if let Some(out) = up.try_wait().map_err(|e| e.to_string())? {
                return Err(format!(
                    "up ended ({}) before reaching {entry}: {}",
                    out.status,
                    tail(out)
                ));
            }
            if Instant::now() >= deadline {
                return Err(format!("up did not reach {entry} within {REACH:?}"));
            }
        }
        let pid = up.pids()[0];
        let group = i32::try_from(pid)
            .ok()
            .and_then(Pid::from_raw)
            .expect("pid");
        kill_process_group(group, Signal::KILL).map_err(|e| format!("kill: {e}"))?;
        let out = up.wait().map_err(|e| e.to_string())?;
        if out.status.signal() != Some(9) {
            return Err(format!("up was not killed: {}", out.status));
        }
        match p {
            Point::Before => self.h.abandon_before(&entry),
            Point::During => {
                self.h.release_before(&entry);
                self.await_recorded(w)?;
            }
            Point::After => self.h.release_after(&entry),
        }
        Ok(())
    }

    /// Waits until the released write has taken effect (it is logged after that).
    fn await_recorded(&self, w: Write) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        while check::statuses(self, w.op, &self.scope(w.in_a), 0).is_empty() {
            if Instant::now() >= deadline {
                return Err(format!("the released {} never took effect", w.op));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }
}

/// The end of a command's stderr, for failure messages.
pub fn tail(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().rev().take(6).collect();
    lines.into_iter().rev().collect::<Vec<_>>().join(" | ")
}
