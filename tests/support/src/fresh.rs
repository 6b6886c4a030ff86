//! Whether a binary is older than its sources. The sources are its crates' `src/`
//! and `Cargo.toml`; when cargo's dep-info (`<binary>.d`) is there, a file under
//! `src/` counts only if rustc read it for that binary: a scratch file no module
//! declares changes nothing cargo would rebuild, and must not make the binary look
//! stale forever.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

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

/// `Err` naming the newest file under `sources` (files or directories) that
/// changed after `binary`; manifests always count, other files only when the
/// binary's dep-info lists them (or there is no dep-info).
pub fn check_fresh(binary: &Path, sources: &[PathBuf], rebuild: &str) -> Result<(), Stale> {
    let built = modified(binary).unwrap_or(SystemTime::UNIX_EPOCH);
    let compiled = compiled_files(binary);
    let counts = |path: &Path| {
        path.ends_with("Cargo.toml")
            || compiled
                .as_ref()
                .is_none_or(|c| std::fs::canonicalize(path).is_ok_and(|p| c.contains(&p)))
    };
    let mut newest: Option<(SystemTime, PathBuf)> = None;
    for source in sources {
        newest_file(source, &counts, &mut newest);
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

/// The files rustc read for `binary`, from the dep-info cargo writes beside it:
/// one line `<binary>: <file> <file> ...`, a space inside a name escaped as `\ `.
fn compiled_files(binary: &Path) -> Option<HashSet<PathBuf>> {
    let mut name = binary.as_os_str().to_owned();
    name.push(".d");
    let text = std::fs::read_to_string(PathBuf::from(name)).ok()?;
    let (_, files) = text.split_once(": ")?;
    let files = files.replace("\\ ", "\0");
    Some(
        files
            .split_whitespace()
            .map(|f| PathBuf::from(f.replace('\0', " ")))
            .map(|f| std::fs::canonicalize(&f).unwrap_or(f))
            .collect(),
    )
}

fn newest_file(
    path: &Path,
    counts: &dyn Fn(&Path) -> bool,
    newest: &mut Option<(SystemTime, PathBuf)>,
) {
    if path.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        for entry in entries.flatten() {
            newest_file(&entry.path(), counts, newest);
        }
    } else if counts(path)
        && let Some(t) = modified(path)
        && newest.as_ref().is_none_or(|(n, _)| t > *n)
    {
        *newest = Some((t, path.to_path_buf()));
    }
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
    fn with_dep_info_only_compiled_files_and_manifests_count() {
        let (dir, bin, sources) = tree();
        let d = dir.path();
        // rustc read main.rs (whose name may hold a space) but not deep.rs.
        fs::rename(d.join("src/main.rs"), d.join("src/ma in.rs")).unwrap();
        let main = d.join("src/ma in.rs");
        let listed = main.display().to_string().replace(' ', "\\ ");
        fs::write(d.join("bin.d"), format!("{}: {listed}\n", bin.display())).unwrap();
        touch(&d.join("src/sub/deep.rs"), 5);
        assert_eq!(
            check_fresh(&bin, &sources, "c"),
            Ok(()),
            "an uncompiled file counted"
        );
        touch(&main, 3);
        assert_eq!(check_fresh(&bin, &sources, "c").unwrap_err().source, main);
        touch(&main, -3);
        touch(&d.join("Cargo.toml"), 1);
        assert!(
            check_fresh(&bin, &sources, "c").is_err(),
            "the manifest did not count"
        );
    }

    #[test]
    fn a_missing_source_root_is_ignored() {
        let (dir, bin, mut sources) = tree();
        sources.push(dir.path().join("absent"));
        assert_eq!(check_fresh(&bin, &sources, "c"), Ok(()));
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
