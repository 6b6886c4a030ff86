//! `man <out-dir>` (hidden, for packagers): writes `az-xtenant.1` and one page
//! per subcommand (`az-xtenant-up.1`, ...) with clap_mangen.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::CommandFactory;

use crate::cli::Cli;

/// Write man pages into a directory
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory to write the pages into (created if missing)
    pub out_dir: PathBuf,
}

pub fn run(args: &Args) -> Result<()> {
    for path in write(&args.out_dir)? {
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// Renders every page into `dir`; returns the files written.
pub fn write(dir: &Path) -> Result<Vec<PathBuf>> {
    xtenant_shared::manpages::write(Cli::command(), "az-xtenant", dir)
        .context("writing the man pages")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_page_per_visible_subcommand() {
        let dir = tempfile::tempdir().expect("tempdir");
        let written = write(dir.path()).expect("pages");
        let names: Vec<String> = written
            .iter()
            .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
            .collect();
        for n in [
            "az-xtenant.1",
            "az-xtenant-up.1",
            "az-xtenant-cleanup.1",
            "az-xtenant-completions.1",
        ] {
            assert!(names.contains(&n.to_string()), "{n} in {names:?}");
        }
        assert!(!names.contains(&"az-xtenant-man.1".to_string()));
        let up = std::fs::read_to_string(dir.path().join("az-xtenant-up.1")).expect("read");
        assert!(up.contains("az\\-xtenant\\-up"), "{up}");
    }
}
