//! `man <out-dir>` (hidden): writes `kubectl-xtenant.1` and one page per
//! subcommand (`kubectl-xtenant-deploy.1`, …) for packagers.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::CommandFactory;

use crate::cli::Cli;
use crate::exit;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Directory to write the pages into (created if missing)
    pub out_dir: PathBuf,
}

pub fn run(args: &Args) -> Result<u8> {
    let written = write_pages(&args.out_dir)?;
    for path in written {
        eprintln!("wrote {}", path.display());
    }
    Ok(exit::OK)
}

/// Writes every page; returns their paths.
pub fn write_pages(dir: &Path) -> Result<Vec<PathBuf>> {
    xtenant_shared::manpages::write(Cli::command(), "kubectl-xtenant", dir)
        .context("writing the man pages")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_one_page_per_visible_subcommand() {
        let dir = tempfile::tempdir().expect("tempdir");
        let written = write_pages(dir.path()).expect("pages");
        let names: Vec<String> = written
            .iter()
            .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
            .collect();
        for expected in [
            "kubectl-xtenant.1",
            "kubectl-xtenant-deploy.1",
            "kubectl-xtenant-verify.1",
            "kubectl-xtenant-doctor.1",
            "kubectl-xtenant-logs.1",
            "kubectl-xtenant-cleanup.1",
            "kubectl-xtenant-completions.1",
        ] {
            assert!(
                names.iter().any(|n| n == expected),
                "{expected} missing from {names:?}"
            );
        }
        assert!(!names.iter().any(|n| n.contains("-man")), "{names:?}");
        let page =
            std::fs::read_to_string(dir.path().join("kubectl-xtenant-deploy.1")).expect("read");
        assert!(page.contains("dry\\-run"), "{page}");
    }
}
