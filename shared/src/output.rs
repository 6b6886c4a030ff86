//! What both tools print on stdout: the format flag, and writes that report a
//! closed pipe as an error (so `… | head -1` ends quietly) instead of
//! panicking as `println!` does.

use std::fmt::Display;
use std::io::{self, Write};

use clap::ValueEnum;

/// Output formats of the data printed on stdout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    // No doc comments on the values: clap would then lay every help page out
    // long. The flags' own help names them.
    #[default]
    Human,
    Json,
}

/// Writes `text` to stdout as it is.
pub fn print(text: impl Display) -> io::Result<()> {
    let mut out = io::stdout().lock();
    write!(out, "{text}")?;
    out.flush()
}

/// Writes `text` and a newline to stdout.
pub fn println(text: impl Display) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()
}

/// Writes `value` as pretty JSON and a newline to stdout.
pub fn json(value: &impl serde::Serialize) -> io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
    println(text)
}

/// Writes raw bytes (a completion script, a rendered page) to stdout.
pub fn bytes(data: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(data)?;
    out.flush()
}
