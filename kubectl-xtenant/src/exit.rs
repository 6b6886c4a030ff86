//! Exit codes and the errors that choose them, so scripts and tests can tell
//! a failed check from bad input, an unreachable cluster or a timeout.

use std::process::ExitCode;

use thiserror::Error;

/// Everything that was checked passed.
pub const OK: u8 = 0;
/// A check failed, or the Job failed.
pub const FAILED: u8 = 1;
/// Bad or missing input; nothing was changed.
pub const USAGE: u8 = 2;
/// The cluster or another service could not be used.
pub const ERROR: u8 = 3;
/// A wait ran out of time.
pub const TIMEOUT: u8 = 4;

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

/// The exit code for an error chain.
pub fn code_for(err: &anyhow::Error) -> ExitCode {
    let code = if err
        .chain()
        .any(|e| e.is::<Usage>() || e.is::<xtenant_shared::InvalidInput>())
    {
        USAGE
    } else if err.chain().any(|e| e.is::<Timeout>()) {
        TIMEOUT
    } else {
        ERROR
    };
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_error_kind() {
        let usage = anyhow::Error::new(Usage("x".into())).context("loading settings");
        assert_eq!(code_for(&usage), ExitCode::from(USAGE));
        let timeout = anyhow::Error::new(Timeout {
            what: "the pod".into(),
            seconds: 5,
        });
        assert_eq!(code_for(&timeout), ExitCode::from(TIMEOUT));
        assert_eq!(code_for(&anyhow::anyhow!("boom")), ExitCode::from(ERROR));
    }
}
