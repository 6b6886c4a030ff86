//! The machine-wide lock held while a control plane with the webhook runs.
//!
//! The workload identity webhook always listens on port 9443, so only one such
//! control plane can run on a machine at a time. Starting one takes an exclusive
//! `flock` on `<cache>/controlplane/webhook-9443.lock` (the cache is
//! `$XTENANT_CACHE`, else `$XDG_CACHE_HOME/xtenant`, else `~/.cache/xtenant`),
//! waiting for any other holder, in this process or another, to stop.

use std::fs::{File, OpenOptions};
use std::path::PathBuf;

use crate::Error;

/// The cache root shared with `build.sh`.
pub fn cache_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("XTENANT_CACHE").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir).join("xtenant");
    }
    let home = std::env::var_os("HOME").map_or_else(std::env::temp_dir, PathBuf::from);
    home.join(".cache").join("xtenant")
}

/// Path of the lock file.
pub fn path() -> PathBuf {
    cache_root().join("controlplane").join("webhook-9443.lock")
}

/// Blocks until the lock is held; it is released when the returned file is dropped.
pub async fn acquire() -> Result<File, Error> {
    let path = path();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("creating", dir, e))?;
    }
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io("opening", &path, e))?;
    let locked = tokio::task::spawn_blocking(move || file.lock().map(|()| file))
        .await
        .map_err(|e| Error::Setup(format!("waiting for the lock: {e}")))?;
    locked.map_err(|e| Error::io("locking", path, e))
}
