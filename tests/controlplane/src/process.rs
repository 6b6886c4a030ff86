//! Child processes of the control plane: started with their output in a log file,
//! stopped by PID (SIGTERM, then SIGKILL after a grace period).

use std::ffi::OsStr;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal, kill_process};

use crate::Error;

/// A running component.
#[derive(Debug)]
pub struct Proc {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Proc {
    /// Starts `program` with `args` and `envs`, stdout and stderr going to `<log_dir>/<name>.log`.
    pub fn spawn<I, S>(
        name: &str,
        program: &Path,
        args: I,
        envs: &[(&str, &OsStr)],
        log_dir: &Path,
    ) -> Result<Self, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        if !program.is_file() {
            return Err(Error::MissingBinary(program.to_path_buf()));
        }
        let log = log_dir.join(format!("{name}.log"));
        let out = File::create(&log).map_err(|e| Error::io("creating", &log, e))?;
        let err = out.try_clone().map_err(|e| Error::io("opening", &log, e))?;
        let mut cmd = Command::new(program);
        cmd.args(args).stdin(Stdio::null()).stdout(out).stderr(err);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let child = cmd.spawn().map_err(|source| Error::Spawn {
            name: name.to_string(),
            program: program.to_path_buf(),
            source,
        })?;
        Ok(Self {
            name: name.to_string(),
            child,
            log,
        })
    }

    /// The component's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Path of the component's log file.
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// The process ID.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The last part of the log (at most `max` bytes).
    pub fn log_tail(&self, max: usize) -> String {
        let text = std::fs::read(&self.log).unwrap_or_default();
        let start = text.len().saturating_sub(max);
        String::from_utf8_lossy(&text[start..]).into_owned()
    }

    /// `Some(status)` when the process has exited.
    pub fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            Ok(None) => None,
            Err(e) => Some(format!("unknown state: {e}")),
        }
    }

    /// Asks the process to stop (SIGTERM).
    pub fn terminate(&self) {
        let _ = kill_process(Pid::from_child(&self.child), Signal::TERM);
    }

    /// Waits up to `grace` for the process to exit after [`Proc::terminate`], then kills it.
    pub fn reap(&mut self, grace: Duration) {
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.terminate();
            self.reap(Duration::from_secs(5));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stops_a_process_and_keeps_its_log() {
        let dir = tempfile::tempdir().unwrap();
        let sh = Path::new("/bin/sh");
        let mut p = Proc::spawn(
            "sleeper",
            sh,
            ["-c", "echo started; exec sleep 60"],
            &[],
            dir.path(),
        )
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while !p.log_tail(100).contains("started") && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(p.log_tail(100).contains("started"));
        assert!(p.exited().is_none());
        p.terminate();
        p.reap(Duration::from_secs(5));
        assert!(
            p.exited().is_some(),
            "process still running after terminate"
        );
    }

    #[test]
    fn missing_binary_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = Proc::spawn("x", &dir.path().join("nope"), ["a"], &[], dir.path()).unwrap_err();
        assert!(err.to_string().contains("build.sh"), "{err}");
    }
}
