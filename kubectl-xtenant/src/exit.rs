//! Exit codes and the errors that choose them: the one table both tools
//! share (`xtenant_shared::exit`), named here so commands say `exit::…`.
//! kubectl-xtenant runs no external program and takes no profile lock, so it
//! has no error of its own to classify and ends with 0-4 only.

pub use xtenant_shared::exit::{CHECK_FAILED, OK, TIMEOUT, Timeout, Usage, finish};
