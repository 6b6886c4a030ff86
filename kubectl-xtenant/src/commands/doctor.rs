//! `doctor`: placeholder until the checklist lands.

use anyhow::Result;

use crate::cli::Global;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {}

pub async fn run(_global: &Global, _args: &Args) -> Result<u8> {
    anyhow::bail!("doctor is not implemented yet")
}
