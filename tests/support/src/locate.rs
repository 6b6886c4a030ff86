//! The binaries tests run: this workspace's own, found under `target/` and refused
//! when a source they are built from changed after they were linked (a test would
//! otherwise exercise stale code, see [`crate::fresh`]), and outside tools named by
//! environment variables.

use std::path::{Path, PathBuf};

use crate::fresh::check_fresh;

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
    use super::*;

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
    #[should_panic(expected = "no workspace binary nope is known")]
    fn an_unknown_binary_is_refused() {
        workspace_bin("nope");
    }
}
