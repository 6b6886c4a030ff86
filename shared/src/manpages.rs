//! Man pages for a tool, rendered from its clap definition: `<bin>.1` and one
//! `<bin>-<subcommand>.1` per visible subcommand. Both tools' hidden `man`
//! command call this, so packagers and `install.sh` get the same layout.

use std::io;
use std::path::{Path, PathBuf};

/// Writes every page of `top` (named `bin`) into `dir`, creating it; returns
/// the files written. Errors name the file.
pub fn write(top: clap::Command, bin: &str, dir: &Path) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| in_context(&e, "creating", dir))?;
    let top = top.name(bin.to_string());
    let version = top.get_version().unwrap_or_default().to_string();
    let mut written = vec![write_page(dir, bin, top.clone())?];
    for sub in top.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("{bin}-{}", sub.get_name());
        let page = sub.clone().name(name.clone()).version(version.clone());
        written.push(write_page(dir, &name, page)?);
    }
    Ok(written)
}

fn write_page(dir: &Path, name: &str, cmd: clap::Command) -> io::Result<PathBuf> {
    let mut buffer = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut buffer)?;
    let path = dir.join(format!("{name}.1"));
    std::fs::write(&path, buffer).map_err(|e| in_context(&e, "writing", &path))?;
    Ok(path)
}

fn in_context(e: &io::Error, action: &str, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{action} {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_page_per_visible_subcommand() {
        let cmd = clap::Command::new("x")
            .version("1.0")
            .subcommand(clap::Command::new("up").about("bring it up"))
            .subcommand(clap::Command::new("man").hide(true));
        let dir = tempfile::tempdir().expect("tempdir");
        let written = write(cmd, "tool", dir.path()).expect("pages");
        let names: Vec<_> = written
            .iter()
            .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["tool.1", "tool-up.1"]);
        let up = std::fs::read_to_string(dir.path().join("tool-up.1")).expect("read");
        assert!(up.contains("bring it up"), "{up}");
    }
}
