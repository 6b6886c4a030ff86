//! The exit codes both tools end with, and the errors that choose them, so a
//! script can tell a failed check from bad input, a failed operation, a wait
//! that ran out, a busy profile or an interruption, whichever tool it ran.
//!
//! | code | meaning |
//! |------|---------|
//! | 0    | done; every check passed |
//! | 1    | a check found a problem (nothing failed to run) |
//! | 2    | bad or missing input; nothing was changed |
//! | 3    | an operation failed: az, the cluster, Entra, a file |
//! | 4    | a wait ran out of time; `plan --detailed-exitcode`: changes pending |
//! | 5    | another xtenant command is using the profile |
//! | 127  | a program xtenant needs (az) is not on PATH |
//! | 130  | interrupted (Ctrl-C or SIGTERM); run the command again to resume |

use std::process::ExitCode;

use thiserror::Error;

use crate::store::ProfileError;
use crate::validate::InvalidInput;

/// Everything that was asked for is done, or every check passed.
pub const OK: u8 = 0;
/// A check found a problem.
pub const CHECK_FAILED: u8 = 1;
/// Bad or missing input, found before anything changed.
pub const USAGE: u8 = 2;
/// An operation failed (az, the cluster, Entra, a file).
pub const ERROR: u8 = 3;
/// A wait ran out of time.
pub const TIMEOUT: u8 = 4;
/// `plan --detailed-exitcode`: there are changes to apply. The same number
/// as [`TIMEOUT`], as Terraform's scripts expect a distinct code; `plan`
/// never waits, so it cannot mean both.
pub const CHANGES_PENDING: u8 = 4;
/// Another xtenant command holds the profile.
pub const BUSY: u8 = 5;
/// A program xtenant runs is not installed.
pub const NOT_INSTALLED: u8 = 127;
/// Stopped by SIGINT or SIGTERM.
pub const INTERRUPTED: u8 = 130;

/// Bad or missing input, found before anything ran.
#[derive(Debug, Error)]
#[error("{0}")]
pub struct Usage(pub String);

/// A wait that ran out of time.
#[derive(Debug, Error)]
#[error("timed out after {seconds} s waiting for {what}")]
pub struct Timeout {
    pub what: String,
    pub seconds: u64,
}

/// A check that found a problem; the report has already been printed.
#[derive(Debug, Error)]
#[error("{0}")]
pub struct CheckFailed(pub String);

/// The run was interrupted; what finished is saved.
#[derive(Debug, Error)]
#[error("interrupted: run the same command again to resume")]
pub struct Interrupted;

/// The exit code for an error chain. `extra` classifies a tool's own error
/// types first (e.g. az missing); everything unclassified is [`ERROR`].
pub fn code_for(
    err: &anyhow::Error,
    extra: impl Fn(&(dyn std::error::Error + 'static)) -> Option<u8>,
) -> u8 {
    let chain = || err.chain();
    if chain().any(|e| e.is::<Interrupted>()) {
        return INTERRUPTED;
    }
    for e in chain() {
        if let Some(code) = extra(e) {
            return code;
        }
    }
    if chain().any(|e| e.is::<Usage>() || e.is::<InvalidInput>()) {
        return USAGE;
    }
    for e in chain() {
        if let Some(p) = e.downcast_ref::<ProfileError>() {
            return profile_code(p);
        }
    }
    if chain().any(|e| e.is::<Timeout>()) {
        TIMEOUT
    } else if chain().any(|e| e.is::<CheckFailed>()) {
        CHECK_FAILED
    } else {
        ERROR
    }
}

fn profile_code(p: &ProfileError) -> u8 {
    match p {
        ProfileError::Busy { .. } => BUSY,
        ProfileError::Io { .. } => ERROR,
        ProfileError::NoConfigDir
        | ProfileError::InvalidName(_)
        | ProfileError::Corrupt { .. }
        | ProfileError::NewerSchema { .. }
        | ProfileError::Missing { .. } => USAGE,
    }
}

/// How both tools end: the code for success, or the error chain printed once
/// on stderr and its code. A closed stdout is no error here: `output` drops
/// what is left to print, so the command ends with its own code.
pub fn finish(
    result: anyhow::Result<u8>,
    extra: impl Fn(&(dyn std::error::Error + 'static)) -> Option<u8>,
) -> ExitCode {
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            let code = code_for(&err, extra);
            if code == INTERRUPTED {
                // What was stopped matters less than what to do next.
                eprintln!("{Interrupted}");
            } else {
                eprintln!("error: {err:#}");
            }
            ExitCode::from(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    fn code(err: impl Into<anyhow::Error>) -> u8 {
        code_for(&err.into(), |_| None)
    }

    #[test]
    fn each_kind_has_its_code() {
        assert_eq!(
            code(anyhow::Error::new(Usage("x".into())).context("init")),
            USAGE
        );
        let invalid =
            crate::validate::check("--tenant-a", crate::Kind::Guid, "x").expect_err("bad");
        assert_eq!(code(anyhow::Error::new(invalid)), USAGE);
        let t = Timeout {
            what: "the pod".into(),
            seconds: 5,
        };
        assert_eq!(code(anyhow::Error::new(t).context("verify")), TIMEOUT);
        assert_eq!(
            code(anyhow::Error::new(CheckFailed("2 checks failed".into()))),
            CHECK_FAILED
        );
        assert_eq!(code(anyhow::Error::new(Interrupted)), INTERRUPTED);
        assert_eq!(code(anyhow::anyhow!("boom")), ERROR);
        let newer = ProfileError::NewerSchema {
            path: "p".into(),
            found: 9,
            supported: 2,
        };
        assert_eq!(code(anyhow::Error::new(newer).context("loading")), USAGE);
        let busy = ProfileError::Busy {
            path: "p".into(),
            holder: "pid 1".into(),
        };
        assert_eq!(code(anyhow::Error::new(busy)), BUSY);
    }

    #[test]
    fn the_tool_classifies_its_own_errors_first() {
        let err = anyhow::anyhow!("az missing").context(Usage("x".into()));
        assert_eq!(
            code_for(&err, |e| e
                .to_string()
                .contains("missing")
                .then_some(NOT_INSTALLED)),
            NOT_INSTALLED
        );
    }

    #[test]
    fn interruption_wins_over_the_error_it_caused() {
        let err = Err::<(), _>(anyhow::Error::new(Interrupted))
            .context(Timeout {
                what: "x".into(),
                seconds: 1,
            })
            .expect_err("err");
        assert_eq!(code(err), INTERRUPTED);
    }
}
