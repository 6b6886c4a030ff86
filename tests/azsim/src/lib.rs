//! A local two-tenant simulator of Entra and Azure Resource Manager, for testing with the real Azure CLI.

use std::path::PathBuf;

/// Path of a binary built by this workspace (`cargo build --workspace`).
///
/// The target directory is found from the running test executable
/// (`target/<profile>/deps/<test>` → `target/<profile>`). Panics with a loud
/// message when the binary has not been built.
pub fn workspace_bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("cannot locate the current test executable");
    let deps = exe.parent().expect("test executable has no parent directory");
    let profile_dir = if deps.ends_with("deps") {
        deps.parent().expect("deps directory has no parent")
    } else {
        deps
    };
    let path = profile_dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "binary {name} not built: run `cargo build --workspace` (./test.sh does); looked for {}",
        path.display()
    );
    path
}
