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
    let mut cmd = Cli::command();
    // Completion is registered for the plugin binary; kubectl's own
    // completion hands `kubectl xtenant …` to `kubectl_complete-xtenant`.
    clap_complete::generate(
        args.shell,
        &mut cmd,
        "kubectl-xtenant",
        &mut std::io::stdout(),
    );
    Ok(exit::OK)
}
