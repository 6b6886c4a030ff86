//! Exit codes: 2 for bad input (refused before any az call), az's own code
//! when an az call failed, 1 for anything else.

use thiserror::Error;
use xtenant_shared::{InvalidInput, ProfileError};

use crate::az::AzError;

/// Input the user must fix (a missing setting, a refused confirmation);
/// exits with code 2.
#[derive(Debug, Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Exit code for bad input.
pub const USAGE: u8 = 2;

/// The exit code for an error chain.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if cause.is::<UsageError>() || cause.is::<InvalidInput>() {
            return USAGE;
        }
        if let Some(ProfileError::InvalidName(_) | ProfileError::Missing { .. }) =
            cause.downcast_ref::<ProfileError>()
        {
            return USAGE;
        }
        if let Some(az) = cause.downcast_ref::<AzError>() {
            return az.exit_code();
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn codes_follow_the_cause() {
        let usage = anyhow::Error::new(UsageError("x".into())).context("init");
        assert_eq!(exit_code(&usage), 2);
        let az = Err::<(), _>(AzError::Failed {
            command: "az x".into(),
            code: 3,
            message: String::new(),
            hint: String::new(),
        })
        .context("creating")
        .expect_err("err");
        assert_eq!(exit_code(&az), 3);
        assert_eq!(exit_code(&anyhow::anyhow!("other")), 1);
    }
}
