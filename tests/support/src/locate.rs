//! The binaries tests run: this workspace's own, found under `target/` and refused
//! when a source they are built from changed after they were linked (a test would
//! otherwise exercise stale code), and outside tools named by environment variables.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Each binary tests run: its name, the package that builds it, and the workspace
/// crates (relative to the workspace root) whose sources go into it.
const BINARIES: &[(&str, &str, &[&str])] = &[
    ("az-xtenant", "az-xtenant", &["az-xtenant", "shared"]),
    (
        "kubectl-xtenant",
        "kubectl-xtenant",
        &["kubectl-xtenant", "shared"],
    ),
    ("azsim", "azsim", &["tests/azsim", "tests/support"]),
    (
        "xtenant-controlplane",
        "controlplane",
        &["tests/controlplane", "tests/support"],
    ),
];

/// A binary older than one of its sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// The binary under `target/`.
    pub binary: PathBuf,
    /// The newest source file changed after it.
    pub source: PathBuf,
    /// The cargo command that rebuilds it.
    pub rebuild: String,
}

impl fmt::Display for Stale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is older than its source {}: rebuild it with `{}` (./test.sh builds the whole workspace) \
             instead of testing stale code",
            self.binary.display(),
            self.source.display(),
            self.rebuild
        )?;
        if self.source.ends_with("Cargo.toml") {
            write!(
                f,
                "; if cargo finds nothing to rebuild, the manifest change does not affect the binary: \
                 `touch {}`",
                self.binary.display()
            )?;
        }
        Ok(())
    }
}

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .nth(2)
        .map_or_else(|| here.to_path_buf(), Path::to_path_buf)
}

/// `target/<profile>` of the running test executable (`target/<profile>/deps/<test>`).
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("cannot locate the current test executable");
    let dir = exe
        .parent()
        .expect("the test executable has no parent directory");
    if dir.ends_with("deps") {
        dir.parent().unwrap_or(dir).to_path_buf()
    } else {
        dir.to_path_buf()
    }
}

/// Path of the workspace binary `name`; panics when it is not built or is stale.
pub fn workspace_bin(name: &str) -> PathBuf {
    let (_, package, crates) = BINARIES
        .iter()
        .find(|(bin, _, _)| *bin == name)
        .unwrap_or_else(|| panic!("no workspace binary {name} is known: add it to BINARIES"));
    let path = profile_dir().join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let rebuild = format!("cargo build -p {package} --bin {name}");
    assert!(
        path.is_file(),
        "binary {name} not built: run `{rebuild}` (./test.sh builds the whole workspace); looked for {}",
        path.display()
    );
    let root = workspace_root();
    let sources: Vec<PathBuf> = crates
        .iter()
        .flat_map(|c| [root.join(c).join("src"), root.join(c).join("Cargo.toml")])
        .collect();
    if let Err(stale) = check_fresh(&path, &sources, &rebuild) {
        panic!("{stale}");
    }
    path
}

/// `Err` naming the newest file under `sources` (files or directories) that
/// changed after `binary`.
pub fn check_fresh(binary: &Path, sources: &[PathBuf], rebuild: &str) -> Result<(), Stale> {
    let built = modified(binary).unwrap_or(SystemTime::UNIX_EPOCH);
    let mut newest: Option<(SystemTime, PathBuf)> = None;
    for source in sources {
        newest_file(source, &mut newest);
    }
    match newest {
        Some((t, source)) if t > built => Err(Stale {
            binary: binary.to_path_buf(),
            source,
            rebuild: rebuild.to_string(),
        }),
        _ => Ok(()),
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn newest_file(path: &Path, newest: &mut Option<(SystemTime, PathBuf)>) {
    if path.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        for entry in entries.flatten() {
            newest_file(&entry.path(), newest);
        }
    } else if let Some(t) = modified(path)
        && newest.as_ref().is_none_or(|(n, _)| t > *n)
    {
        *newest = Some((t, path.to_path_buf()));
    }
}

/// The file named by the environment variable `var`; panics when it is unset or
/// missing, saying what it is and `how` to get it.
pub fn env_path(var: &str, what: &str, how: &str) -> PathBuf {
    let value = std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| panic!("{var} is not set: this test needs {what}; {how}"));
    let path = PathBuf::from(value);
    assert!(
        path.exists(),
        "{var}={} does not exist: this test needs {what}; {how}",
        path.display()
    );
    path
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::fs;
    use std::time::Duration;

    use filetime::{FileTime, set_file_mtime};

    use super::*;

    const BUILT: i64 = 1_700_000_000;

    /// A binary built at `BUILT`, a source tree `src/{main.rs,sub/deep.rs}` and a `Cargo.toml`,
    /// all older than the binary.
    fn tree() -> (tempfile::TempDir, PathBuf, Vec<PathBuf>) {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::create_dir_all(d.join("src/sub")).unwrap();
        for f in ["src/main.rs", "src/sub/deep.rs", "Cargo.toml", "bin"] {
            fs::write(d.join(f), f).unwrap();
            set_file_mtime(d.join(f), FileTime::from_unix_time(BUILT - 60, 0)).unwrap();
        }
        set_file_mtime(d.join("bin"), FileTime::from_unix_time(BUILT, 0)).unwrap();
        let (bin, sources) = (d.join("bin"), vec![d.join("src"), d.join("Cargo.toml")]);
        (dir, bin, sources)
    }

    fn touch(path: &Path, secs: i64) {
        set_file_mtime(path, FileTime::from_unix_time(BUILT + secs, 0)).unwrap();
    }

    #[test]
    fn a_binary_newer_than_every_source_is_fresh() {
        let (_dir, bin, sources) = tree();
        assert_eq!(check_fresh(&bin, &sources, "cargo build"), Ok(()));
    }

    #[test]
    fn a_source_changed_after_the_build_is_named_with_the_rebuild_command() {
        let (dir, bin, sources) = tree();
        let deep = dir.path().join("src/sub/deep.rs");
        touch(&deep, 5);
        touch(&dir.path().join("src/main.rs"), 2);
        let stale = check_fresh(&bin, &sources, "cargo build -p x --bin x").unwrap_err();
        assert_eq!(stale.source, deep, "the newest source is named");
        let msg = stale.to_string();
        assert!(msg.contains(&bin.display().to_string()), "{msg}");
        assert!(msg.contains("deep.rs"), "{msg}");
        assert!(msg.contains("`cargo build -p x --bin x`"), "{msg}");
    }

    #[test]
    fn a_newer_manifest_makes_it_stale_and_says_how_to_accept_a_harmless_edit() {
        let (dir, bin, sources) = tree();
        touch(&dir.path().join("Cargo.toml"), 1);
        let msg = check_fresh(&bin, &sources, "cargo build")
            .unwrap_err()
            .to_string();
        assert!(msg.contains("Cargo.toml"), "{msg}");
        assert!(msg.contains(&format!("touch {}", bin.display())), "{msg}");
    }

    #[test]
    fn a_file_added_after_the_build_makes_it_stale() {
        let (dir, bin, sources) = tree();
        let new = dir.path().join("src/sub/new.rs");
        fs::write(&new, "").unwrap();
        assert_eq!(check_fresh(&bin, &sources, "c").unwrap_err().source, new);
    }

    #[test]
    fn a_missing_source_root_is_ignored() {
        let (dir, bin, mut sources) = tree();
        sources.push(dir.path().join("absent"));
        assert_eq!(check_fresh(&bin, &sources, "c"), Ok(()));
    }

    #[test]
    fn every_listed_crate_exists_in_the_workspace() {
        let root = workspace_root();
        assert!(root.join("Cargo.toml").is_file(), "{}", root.display());
        for (bin, _, crates) in BINARIES {
            for c in *crates {
                assert!(root.join(c).join("src").is_dir(), "{bin}: no crate at {c}");
            }
        }
    }

    #[test]
    fn time_resolution_is_fine_enough_for_the_check() {
        // Builds and edits within the same second must still be ordered.
        let (dir, bin, sources) = tree();
        let main = dir.path().join("src/main.rs");
        let built = FileTime::from_unix_time(BUILT, 0);
        let later = FileTime::from_unix_time(BUILT, Duration::from_millis(1).as_nanos() as u32);
        set_file_mtime(&bin, built).unwrap();
        set_file_mtime(&main, later).unwrap();
        assert!(check_fresh(&bin, &sources, "c").is_err());
    }
}
