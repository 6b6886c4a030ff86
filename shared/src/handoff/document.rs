//! Reading and writing a hand-off document as YAML: the `apiVersion` and
//! `kind` are checked first, so a newer or another document is refused by
//! name rather than by its first unknown key.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{API_VERSION, HandoffError};

/// The two keys every hand-off document starts with. Unknown keys are
/// allowed here only: the full read that follows refuses them.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Header {
    api_version: Option<String>,
    kind: Option<String>,
}

/// Reads a document of `kind` from `text`; `source_name` (a file name)
/// starts every error.
pub fn read<T: DeserializeOwned>(
    source_name: &str,
    text: &str,
    kind: &'static str,
) -> Result<T, HandoffError> {
    let parse = |e: serde_saphyr::Error| {
        let at = e
            .location()
            .map(|l| format!(" (line {}, column {})", l.line(), l.column()))
            .unwrap_or_default();
        let message = e.without_snippet().to_string();
        // The library appends its own " at line …"; keep one place, ours.
        let message = message
            .rfind(" at line ")
            .map_or(message.as_str(), |i| &message[..i]);
        HandoffError::Parse {
            source_name: source_name.to_string(),
            message: format!("{message}{at}"),
        }
    };
    let header: Header = serde_saphyr::from_str(text).map_err(parse)?;
    let version = |field, found: Option<String>, expected, hint| HandoffError::Version {
        source_name: source_name.to_string(),
        field,
        found: found.unwrap_or_default(),
        expected,
        hint,
    };
    if header.api_version.as_deref() != Some(API_VERSION) {
        return Err(version(
            "apiVersion",
            header.api_version,
            API_VERSION,
            "it was written by another version of xtenant: use the same version on both sides",
        ));
    }
    if header.kind.as_deref() != Some(kind) {
        return Err(version(
            "kind",
            header.kind,
            kind,
            "this command reads the other file of the hand-off",
        ));
    }
    serde_saphyr::from_str(text).map_err(parse)
}

/// Writes a document as YAML.
pub fn write<T: Serialize>(document: &T) -> String {
    // One line per value: a long issuer folded with `>-` reads back the
    // same, but a reader checking it byte for byte should see it whole.
    let mut options = serde_saphyr::SerializerOptions::default();
    options.prefer_block_scalars = false;
    serde_saphyr::to_string_with_options(document, options)
        .expect("a document of strings and lists always serialises to YAML")
}
