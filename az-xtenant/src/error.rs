//! Exit codes follow the table both tools share (`xtenant_shared::exit`);
//! this tool only says how its az errors map onto it.

pub use xtenant_shared::exit::Usage as UsageError;

use crate::az::AzError;

/// The code for one of this tool's own errors in a chain, if it is one.
pub fn classify(e: &(dyn std::error::Error + 'static)) -> Option<u8> {
    e.downcast_ref::<AzError>().map(AzError::exit_code)
}

/// The exit code for an error chain.
#[cfg(test)]
pub fn exit_code(err: &anyhow::Error) -> u8 {
    xtenant_shared::exit::code_for(err, classify)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn codes_follow_the_shared_table() {
        let usage = anyhow::Error::new(UsageError("x".into())).context("init");
        assert_eq!(exit_code(&usage), 2);
        let az = Err::<(), _>(AzError::Failed {
            command: "az x".into(),
            code: 1,
            message: String::new(),
            hint: String::new(),
        })
        .context("creating")
        .expect_err("err");
        assert_eq!(exit_code(&az), 3);
        assert_eq!(exit_code(&anyhow::Error::new(AzError::Missing)), 127);
        assert_eq!(exit_code(&anyhow::anyhow!("other")), 3);
    }
}
