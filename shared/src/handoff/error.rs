//! Why a hand-off document is refused. Every variant is bad input (exit 2):
//! nothing is done with a document that fails to read, breaks a rule, was
//! edited after it was made, or answers another request.

use thiserror::Error;

use super::review::Finding;

/// A hand-off document refused.
#[derive(Debug, Error)]
pub enum HandoffError {
    /// Not YAML, or not the document's shape: an unknown or missing key, a
    /// value of the wrong type. The message names the key and its line.
    #[error("{source_name}: {message}")]
    Parse {
        source_name: String,
        message: String,
    },
    /// An `apiVersion` or `kind` this version does not read.
    #[error("{source_name}: {field} is {found:?}, expected {expected:?}; {hint}")]
    Version {
        source_name: String,
        field: &'static str,
        found: String,
        expected: &'static str,
        hint: &'static str,
    },
    /// Values that break their rules, each with its key.
    #[error("{}", list(.0))]
    Invalid(Vec<Finding>),
    /// The content does not match the digest it carries.
    #[error(
        "{source_name} was changed after it was made: it carries digest {recorded}, its content has {computed}; ask its sender for the file as they made it"
    )]
    Tampered {
        source_name: String,
        recorded: String,
        computed: String,
    },
    /// A grant that does not answer the request on record; each difference
    /// is named.
    #[error("the grant does not answer the request on record: {}", .0.join("; "))]
    Mismatch(Vec<String>),
}

fn list(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("{}: {} ({})", f.at, f.what, f.fix))
        .collect::<Vec<_>>()
        .join("; ")
}
