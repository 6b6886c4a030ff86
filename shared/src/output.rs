//! What both tools print on stdout: the format flag, and writes that neither
//! panic on a closed pipe as `println!` does nor turn it into an error. Once
//! the reader has gone (`… | head -1`), what is left to print is dropped and
//! the command goes on to end with its own exit code, so a script under
//! `set -o pipefail` still sees a failed check or pending changes.

use std::fmt::Display;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

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

/// Set when a write found stdout's reader gone.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// Whether stdout's reader has gone: a command that only streams (logs)
/// stops then, since nobody reads what it would print.
pub fn closed() -> bool {
    CLOSED.load(Ordering::SeqCst)
}

/// Runs `write` on a locked stdout and flushes; a closed pipe is noted and
/// swallowed, every other error returned.
fn write_out(write: impl FnOnce(&mut io::StdoutLock<'static>) -> io::Result<()>) -> io::Result<()> {
    if closed() {
        return Ok(());
    }
    let mut out = io::stdout().lock();
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
            CLOSED.store(true, Ordering::SeqCst);
            Ok(())
        }
        other => other,
    }
}

/// Writes `text` to stdout as it is.
pub fn print(text: impl Display) -> io::Result<()> {
    write_out(|out| write!(out, "{text}"))
}

/// Writes `text` and a newline to stdout.
pub fn println(text: impl Display) -> io::Result<()> {
    write_out(|out| writeln!(out, "{text}"))
}

/// Writes `value` as pretty JSON and a newline to stdout.
pub fn json(value: &impl serde::Serialize) -> io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
    println(text)
}

/// Writes raw bytes (a completion script, a rendered page) to stdout.
pub fn bytes(data: &[u8]) -> io::Result<()> {
    write_out(|out| out.write_all(data))
}
