//! One writer per profile: a command that changes Azure or the profile holds
//! `<profile>.json.run` locked (flock) for its whole run, with who holds it
//! written inside, so a second command refuses at once naming the holder
//! (PID, command, since when), or waits for it with `--wait-lock`. The lock
//! goes with the process, however it ends.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::store::{ProfileError, ProfileStore};

/// Held for a whole run; released when dropped or when the process ends.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
    path: PathBuf,
}

impl RunLock {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Who holds the lock, as written in the lock file.
#[derive(Debug, Serialize, Deserialize)]
struct Holder {
    pid: u32,
    command: String,
    /// Seconds since the Unix epoch.
    since: u64,
}

impl Holder {
    fn describe(&self) -> String {
        let ago = now().saturating_sub(self.since);
        format!("`{}` (PID {}, running for {ago} s)", self.command, self.pid)
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl ProfileStore {
    /// Takes the run lock of this profile for `command`. When another
    /// process holds it: waits up to `wait`, then fails with
    /// [`ProfileError::Busy`] naming the holder.
    pub fn lock_run(&self, command: &str, wait: Duration) -> Result<RunLock, ProfileError> {
        let path = self.path().with_extension("json.run");
        let io_err = |action, source| ProfileError::Io {
            action,
            path: path.clone(),
            source,
        };
        self.ensure_dir()?;
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| io_err("opening lock", e))?;
        let deadline = Instant::now() + wait;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(ProfileError::Busy {
                        holder: read_holder(&mut file),
                        path: self.path().to_path_buf(),
                    });
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(io_err("locking", e)),
            }
        }
        let holder = Holder {
            pid: std::process::id(),
            command: command.to_string(),
            since: now(),
        };
        let text = serde_json::to_vec(&holder).unwrap_or_default();
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(&text))
            .and_then(|()| file.flush())
            .map_err(|e| io_err("writing lock", e))?;
        Ok(RunLock { _file: file, path })
    }
}

/// The holder's description; the holder may not have written it yet.
fn read_holder(file: &mut File) -> String {
    for _ in 0..5 {
        let mut text = String::new();
        if file.rewind().is_ok()
            && file.read_to_string(&mut text).is_ok()
            && let Ok(h) = serde_json::from_str::<Holder>(&text)
        {
            return h.describe();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    "another xtenant command".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_refused_with_the_holder_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = ProfileStore::at(dir.path().join("p.json"));
        let held = store
            .lock_run("az-xtenant up", Duration::ZERO)
            .expect("first");
        let started = Instant::now();
        let err = store
            .lock_run("az-xtenant cleanup", Duration::ZERO)
            .expect_err("busy");
        assert!(started.elapsed() < Duration::from_secs(1));
        let text = err.to_string();
        assert!(text.contains("`az-xtenant up`"), "{text}");
        assert!(
            text.contains(&format!("PID {}", std::process::id())),
            "{text}"
        );
        assert!(matches!(err, ProfileError::Busy { .. }));
        drop(held);
        store
            .lock_run("az-xtenant cleanup", Duration::ZERO)
            .expect("free again");
    }

    #[test]
    fn a_waiting_writer_gets_the_lock_when_it_is_released() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = ProfileStore::at(dir.path().join("p.json"));
        let held = store.lock_run("first", Duration::ZERO).expect("first");
        let waiter =
            std::thread::spawn(move || store.lock_run("second", Duration::from_secs(20)).map(drop));
        std::thread::sleep(Duration::from_millis(300));
        drop(held);
        waiter.join().expect("thread").expect("got the lock");
    }
}
