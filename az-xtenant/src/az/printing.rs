//! `--dry-run`: every az command is printed on stdout, shell-quoted, in the
//! order it would run; reads go on to the runner inside (the real az, or the
//! assumed Azure), writes stop here.

use serde_json::Value;
use xtenant_shared::output;

use super::{AzError, Runner, shell_line};

/// Prints, then lets only reads through.
pub struct Printing<R> {
    inner: R,
}

impl<R: Runner> Printing<R> {
    pub fn new(inner: R) -> Self {
        Self { inner }
    }

    fn print(argv: &[String]) -> Result<(), AzError> {
        // A closed stdout is skipped (see `output`); the plan goes on.
        output::println(shell_line(argv)).map_err(|source| AzError::Spawn {
            command: "printing the plan".into(),
            source,
        })
    }
}

impl<R: Runner> Runner for Printing<R> {
    fn read(&self, purpose: &str, argv: &[String]) -> Result<Option<Value>, AzError> {
        Self::print(argv)?;
        self.inner.read(purpose, argv)
    }

    fn write(&self, _purpose: &str, argv: &[String]) -> Result<Option<Value>, AzError> {
        Self::print(argv)?;
        Ok(None)
    }

    fn interactive(&self, argv: &[String]) -> Result<(), AzError> {
        Self::print(argv)
    }

    fn dry_run(&self) -> bool {
        true
    }

    fn assumed(&self) -> bool {
        self.inner.assumed()
    }
}
