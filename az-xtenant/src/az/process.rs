//! The only code that runs the Azure CLI. `az` is found on PATH with `which`
//! and run with `duct` (never through a shell); its stdout is parsed as JSON,
//! its stderr kept for errors. A run that is interrupted (Ctrl-C, SIGTERM)
//! starts no new az, and stops the one that runs.

use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{AzError, Runner, parse_json, shell_line};
use crate::interrupt;
use crate::progress::Progress;

/// The real `az`.
#[derive(Debug, Clone)]
pub struct AzCli {
    program: PathBuf,
    progress: Progress,
}

impl AzCli {
    /// Finds `az` on PATH.
    pub fn find(progress: Progress) -> Result<Self, AzError> {
        let program = which::which("az").map_err(|_| AzError::Missing)?;
        Ok(Self { program, progress })
    }

    /// Runs az, once more when it crashed in its own imports
    /// ([`AzError::is_az_import_deadlock`]). Running the same argv again is
    /// safe for every call az-xtenant makes: each is a read or an ARM PUT or
    /// DELETE of a named object (role assignments too are named), which
    /// Azure applies once however often it is sent, and a crash is no worse
    /// than the kill of az mid-call that every run already survives.
    fn run(&self, purpose: &str, argv: &[String]) -> Result<Value, AzError> {
        match self.run_once(purpose, argv) {
            Err(e) if e.is_az_import_deadlock() => {
                self.progress.note(&format!(
                    "`{}` crashed inside az (a deadlock between its own Python imports, \
                     an az defect that says nothing of the request); running it once more",
                    shell_line(argv)
                ));
                self.run_once(purpose, argv)
            }
            result => result,
        }
    }

    fn run_once(&self, purpose: &str, argv: &[String]) -> Result<Value, AzError> {
        let command = shell_line(argv);
        if interrupt::requested() {
            return Err(AzError::Interrupted { command });
        }
        let out = self
            .progress
            .wait(purpose, || self.capture(argv, &command))?;
        if !out.status.success() && stopped_by_interrupt(&out.status) {
            return Err(AzError::Interrupted { command });
        }
        if !out.status.success() {
            let message = String::from_utf8_lossy(&out.stderr).trim().to_string();
            let hint = if message.contains("az login") {
                "\nlog in to both tenants with `az-xtenant login` (or `az login --tenant <tenant>`)"
            } else {
                ""
            };
            return Err(AzError::Failed {
                command,
                code: out.status.code().unwrap_or(1),
                message,
                hint: hint.to_string(),
            });
        }
        parse_json(&command, &out.stdout)
    }

    /// Runs az to the end, or until the run is interrupted (then az is killed).
    fn capture(&self, argv: &[String], command: &str) -> Result<std::process::Output, AzError> {
        let spawn_err = |source| AzError::Spawn {
            command: command.to_string(),
            source,
        };
        let handle = duct::cmd(&self.program, argv)
            .stdin_null()
            .stdout_capture()
            .stderr_capture()
            .unchecked()
            .start()
            .map_err(spawn_err)?;
        loop {
            if let Some(out) = handle.try_wait().map_err(spawn_err)? {
                return Ok(out.clone());
            }
            if interrupt::requested() {
                let _ = handle.kill();
                return Err(AzError::Interrupted {
                    command: command.to_string(),
                });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Whether az, which failed, failed because the run was interrupted. A
/// terminal's Ctrl-C reaches the whole foreground process group, so az dies
/// of the same SIGINT (or, being Python, exits 1 after it) at the moment the
/// handler sets the flag: az's end can be seen first. A death by signal
/// waits a moment for the flag before it counts as az's own failure.
fn stopped_by_interrupt(status: &ExitStatus) -> bool {
    if interrupt::requested() {
        return true;
    }
    if status.signal().is_none() {
        return false;
    }
    let deadline = Instant::now() + SIGNAL_GRACE;
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
        if interrupt::requested() {
            return true;
        }
    }
    false
}

/// How long a signal that killed az may take to reach this process too.
const SIGNAL_GRACE: Duration = Duration::from_millis(200);

impl Runner for AzCli {
    fn read(&self, purpose: &str, argv: &[String]) -> Result<Option<Value>, AzError> {
        match self.run(purpose, argv) {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn write(&self, purpose: &str, argv: &[String]) -> Result<Option<Value>, AzError> {
        self.run(purpose, argv).map(Some)
    }

    /// az's stdout goes to stderr so that ours carries only data.
    fn interactive(&self, argv: &[String]) -> Result<(), AzError> {
        let command = shell_line(argv);
        let status = duct::cmd(&self.program, argv)
            .stdout_to_stderr()
            .unchecked()
            .run()
            .map_err(|source| AzError::Spawn {
                command: command.clone(),
                source,
            })?
            .status;
        if status.success() {
            Ok(())
        } else if stopped_by_interrupt(&status) {
            Err(AzError::Interrupted { command })
        } else {
            Err(AzError::Failed {
                command,
                code: status.code().unwrap_or(1),
                message: "(see az's messages above)".into(),
                hint: String::new(),
            })
        }
    }

    fn dry_run(&self) -> bool {
        false
    }
}
