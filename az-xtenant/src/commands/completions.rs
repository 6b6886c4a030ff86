//! `completions <shell>`: the clap_complete script for a shell, on stdout.

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

/// Print the completion script for a shell (bash, zsh, fish, elvish, powershell)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to complete for
    pub shell: Shell,
}

pub fn run(args: &Args) -> Result<()> {
    // Into memory first: clap_complete panics when a write fails (a closed pipe).
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "az-xtenant", &mut out);
    xtenant_shared::output::bytes(&out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bash_script_names_the_subcommands() {
        let mut out = Vec::new();
        clap_complete::generate(Shell::Bash, &mut Cli::command(), "az-xtenant", &mut out);
        let text = String::from_utf8(out).expect("utf-8");
        for sub in ["init", "up", "cleanup", "status"] {
            assert!(text.contains(sub), "{sub}");
        }
    }
}
