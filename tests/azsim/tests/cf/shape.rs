//! Comparing two JSON answers by shape: keys, nested keys and JSON types, the
//! `provisioningState` values and error codes; values that vary (IDs, GUIDs,
//! times, etags, names) are ignored.

use serde_json::Value;

/// Objects whose keys are data, not shape (tag names, identity IDs, template outputs).
const MAP_KEYS: &[&str] = &[
    "tags",
    "userAssignedIdentities",
    "outputs",
    "parameters",
    "addonProfiles",
    "identityProfile",
    "variables",
    "resources",
];

/// Values compared exactly, not only by type.
const EXACT: &[&str] = &["provisioningState", "code"];

/// Differences between the recorded body and the simulator's, as `kind:path[ detail]`.
pub fn diff(recorded: &Value, sim: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk("", recorded, sim, &mut out);
    out
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn last(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

fn walk(path: &str, rec: &Value, sim: &Value, out: &mut Vec<String>) {
    // A null is "no value" in ARM's answers, whatever the type would be.
    if rec.is_null() || sim.is_null() {
        return;
    }
    if type_name(rec) != type_name(sim) {
        out.push(format!(
            "type:{path} {}->{}",
            type_name(rec),
            type_name(sim)
        ));
        return;
    }
    match (rec, sim) {
        (Value::Object(r), Value::Object(s)) => {
            if MAP_KEYS.contains(&last(path)) {
                return;
            }
            for (k, rv) in r {
                let p = join(path, k);
                match s.get(k) {
                    None if !rv.is_null() => out.push(format!("missing:{p}")),
                    None => {}
                    Some(sv) => walk(&p, rv, sv, out),
                }
            }
            for k in s.keys().filter(|k| !r.contains_key(*k)) {
                out.push(format!("extra:{}", join(path, k)));
            }
        }
        // An array's shape is its first element's (lists hold one kind of item).
        (Value::Array(r), Value::Array(s)) => {
            if let (Some(rv), Some(sv)) = (r.first(), s.first()) {
                walk(&format!("{path}[]"), rv, sv, out);
            }
        }
        (Value::String(r), Value::String(s)) if EXACT.contains(&last(path)) && r != s => {
            out.push(format!("value:{path} {r}->{s}"));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_ignored_keys_and_states_compared() {
        let r = json!({"id": "a", "properties": {"provisioningState": "Creating", "x": 1}, "tags": {"a": "b"}});
        let s = json!({"id": "b", "properties": {"provisioningState": "Succeeded", "y": "1"}, "tags": {}});
        assert_eq!(
            diff(&r, &s),
            [
                "value:properties.provisioningState Creating->Succeeded",
                "missing:properties.x",
                "extra:properties.y"
            ]
        );
    }
}
