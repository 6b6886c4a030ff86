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
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let cmd = Cli::command().name("kubectl-xtenant");
    let mut written = vec![write_page(dir, "kubectl-xtenant", cmd.clone())?];
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("kubectl-xtenant-{}", sub.get_name());
        let page = sub
            .clone()
            .name(name.clone())
            .version(cmd.get_version().unwrap_or_default().to_string());
        written.push(write_page(dir, &name, page)?);
    }
    Ok(written)
}

fn write_page(dir: &Path, name: &str, cmd: clap::Command) -> Result<PathBuf> {
    let mut buffer = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut buffer)
        .with_context(|| format!("rendering the {name} man page"))?;
    let path = dir.join(format!("{name}.1"));
    std::fs::write(&path, buffer).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
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
