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
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let top = Cli::command();
    let version = top.get_version().unwrap_or_default().to_string();
    let mut pages = vec![("az-xtenant".to_string(), top.clone())];
    for sub in top.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("az-xtenant-{}", sub.get_name());
        pages.push((
            name.clone(),
            sub.clone().name(name).version(version.clone()),
        ));
    }
    pages
        .into_iter()
        .map(|(name, cmd)| {
            let mut text = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut text)
                .with_context(|| format!("rendering the {name} man page"))?;
            let path = dir.join(format!("{name}.1"));
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
            Ok(path)
        })
        .collect()
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
