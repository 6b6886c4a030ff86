//! The digest of a hand-off document: `sha256:` and 64 lowercase hex digits,
//! over the document's canonical form without its own `digest` key.
//!
//! The canonical form is the document's JSON with every object's keys in
//! byte order and no whitespace (serde_json's escaping for strings). It does
//! not depend on the YAML it was read from (quoting, key order, comments), so
//! a file re-indented by an editor keeps its digest, and any changed value
//! changes it.

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

/// The prefix naming the hash function.
pub const PREFIX: &str = "sha256:";

/// The key the digest itself is kept under, left out of what it covers.
const DIGEST_KEY: &str = "digest";

/// The digest of `document`, its `digest` key excluded.
pub fn of<T: Serialize>(document: &T) -> String {
    let mut value = serde_json::to_value(document).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.remove(DIGEST_KEY);
    }
    let mut canonical = String::new();
    write_canonical(&value, &mut canonical);
    let hash = Sha256::digest(canonical.as_bytes());
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("{PREFIX}{hex}")
}

/// Refuses a document whose content is not what its `recorded` digest covers.
pub(crate) fn verify<T: Serialize>(
    document: &T,
    recorded: &str,
    source_name: &str,
) -> Result<(), super::HandoffError> {
    let computed = of(document);
    if computed == recorded {
        Ok(())
    } else {
        Err(super::HandoffError::Tampered {
            source_name: source_name.to_string(),
            recorded: recorded.to_string(),
            computed,
        })
    }
}

/// Whether `value` has the shape of a digest (it may still be the wrong one).
pub fn is_well_formed(value: &str) -> bool {
    value.strip_prefix(PREFIX).is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_and_the_digest_key_do_not_count() {
        let a = json!({"b": 1, "a": [{"y": "x", "x": "y"}], "digest": "old"});
        let b = json!({"a": [{"x": "y", "y": "x"}], "b": 1});
        assert_eq!(of(&a), of(&b));
        assert!(is_well_formed(&of(&a)), "{}", of(&a));
    }

    #[test]
    fn any_changed_value_changes_it() {
        let a = json!({"a": ["x", "y"]});
        assert_ne!(of(&a), of(&json!({"a": ["y", "x"]})), "order of a list");
        assert_ne!(of(&a), of(&json!({"a": ["x", "y "]})), "one space");
    }

    #[test]
    fn it_is_the_sha256_of_the_canonical_json() {
        // sha256 of `{"a":"b"}`, as `printf '{"a":"b"}' | sha256sum` gives it.
        assert_eq!(
            of(&json!({"a": "b"})),
            "sha256:db4a7ecb114bc66c623a06c4ff6fe8daa2f49cc270ebbf7a1f81e22ab061c837"
        );
    }

    #[test]
    fn malformed_digests_are_told_apart() {
        assert!(!is_well_formed("sha256:ABC"));
        assert!(!is_well_formed(&"0".repeat(64)));
        assert!(!is_well_formed(&format!("md5:{}", "0".repeat(64))));
    }
}
