//! The `az-xtenant` a benchmark measures: the newest build in the
//! benchmark's own target directory, release or debug.

use std::path::PathBuf;
use std::time::SystemTime;

use xtenant_testsupport::workspace_bin;

/// The newest `az-xtenant` build beside the running benchmark; else the
/// workspace lookup, which fails loudly saying how to build it.
pub fn newest_az_xtenant() -> PathBuf {
    let exe = std::env::current_exe().expect("locating the benchmark executable");
    let target = exe
        .ancestors()
        .nth(3)
        .expect("benchmark executable outside target/<profile>/deps");
    let mtime = |p: &PathBuf| {
        std::fs::metadata(p)
            .and_then(|m| m.modified())
            .unwrap_or(SystemTime::UNIX_EPOCH)
    };
    ["release", "debug"]
        .iter()
        .map(|d| {
            target
                .join(d)
                .join(format!("az-xtenant{}", std::env::consts::EXE_SUFFIX))
        })
        .filter(|p| p.is_file())
        .max_by_key(mtime)
        .unwrap_or_else(|| workspace_bin("az-xtenant"))
}
