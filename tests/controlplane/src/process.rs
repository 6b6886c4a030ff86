//! Child processes of the control plane: started with their output in a log file,
//! stopped by PID (SIGTERM, then SIGKILL after a grace period).

use std::ffi::OsStr;
use std::fs::File;
use std::net::TcpListener;
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

/// The lowest port the kernel hands out on its own (for `bind(:0)` and for
/// every outgoing connection), from `ip_local_port_range`; 32768 when it
/// cannot be read (Linux's default).
fn ephemeral_low() -> u16 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(32768)
}

/// Where ports are chosen: from here up to the ephemeral range.
const LOWEST: u16 = 10_000;

/// A free TCP port on 127.0.0.1, below the kernel's ephemeral range (the
/// listener is closed before returning). A port taken with `bind(:0)` is in
/// that range, where every outgoing connection (az's, the tests' HTTP
/// clients) also gets its local port: between its release here and the
/// component's own bind, another process could take it ("address already in
/// use"). Below the range a port is only ever taken by an explicit bind.
/// Chosen at random and given out once per process.
pub fn free_port() -> Result<u16, Error> {
    use std::collections::BTreeSet;
    use std::hash::{BuildHasher, RandomState};
    use std::sync::Mutex;

    static GIVEN: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    let high = ephemeral_low().max(LOWEST + 1000);
    let span = u64::from(high - LOWEST);
    let seed = RandomState::new();
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    for attempt in 0..1000u64 {
        let pick = seed.hash_one((std::process::id(), attempt)) % span;
        let port = LOWEST + u16::try_from(pick).unwrap_or(0);
        if given.contains(&port) {
            continue;
        }
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            given.insert(port);
            return Ok(port);
        }
    }
    Err(Error::io(
        "binding",
        format!("127.0.0.1:{LOWEST}-{high}"),
        std::io::Error::new(
            std::io::ErrorKind::AddrInUse,
            "no free port below the ephemeral range",
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_free_distinct_and_below_the_ephemeral_range() {
        let low = ephemeral_low();
        // Each port is bound as soon as it is given (and kept): other test
        // binaries bind ports of their own meanwhile, so one given minutes
        // (or fifty ports) earlier may be taken by then, not by a fault here.
        let mut held = Vec::new();
        let ports: Vec<u16> = (0..50)
            .map(|_| {
                let p = free_port().unwrap();
                held.push(TcpListener::bind(("127.0.0.1", p)).expect("free when given"));
                p
            })
            .collect();
        let distinct: std::collections::BTreeSet<_> = ports.iter().collect();
        assert_eq!(distinct.len(), ports.len(), "{ports:?}");
        for p in &ports {
            assert!((LOWEST..low).contains(p), "{p} is not below {low}");
        }
    }

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
