//! `completions <shell>`: the shell completion script, on stdout.

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::exit;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: &Args) -> Result<u8> {
    xtenant_shared::output::bytes(&script(args.shell))?;
    Ok(exit::OK)
}

/// The completion script, generated in memory: clap_complete panics when its
/// writer fails, and stdout may be a closed pipe.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    // Completion is registered for the plugin binary; kubectl's own
    // completion hands `kubectl xtenant …` to `kubectl_complete-xtenant`.
    clap_complete::generate(shell, &mut cmd, "kubectl-xtenant", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_gets_a_script_for_the_plugin_binary() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let text = String::from_utf8(script(shell)).expect("utf-8");
            assert!(text.contains("kubectl-xtenant"), "{shell}");
        }
    }
}
