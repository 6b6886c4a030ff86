//! The allowlist of known divergences: `recording interaction what-differs  # reason`,
//! each of the first three a pattern (`*` matches any text, case-insensitive); the
//! interaction is an index in the cassette or a pattern on `METHOD path`.

use std::path::Path;

/// One allowlist line.
pub struct Entry {
    pub line: usize,
    pub recording: String,
    pub interaction: String,
    pub what: String,
    pub reason: String,
}

impl Entry {
    /// True when this line covers a divergence.
    pub fn covers(&self, recording: &str, index: usize, call: &str, what: &str) -> bool {
        let at = if self.interaction.chars().all(|c| c.is_ascii_digit()) {
            self.interaction == index.to_string()
        } else {
            glob(&self.interaction, call)
        };
        at && glob(&self.recording, recording) && glob(&self.what, what)
    }
}

/// Reads the allowlist; panics naming the line when one is malformed.
pub fn read(file: &Path) -> Vec<Entry> {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(n, l)| {
            let (rule, reason) = l.split_once('#').unwrap_or((l, ""));
            let fields: Vec<&str> = rule.split_whitespace().collect();
            let reason = reason.trim();
            assert!(
                fields.len() == 3 && !reason.is_empty(),
                "{}:{}: expected `recording interaction what-differs  # reason`, got {l:?}",
                file.display(),
                n + 1
            );
            Entry {
                line: n + 1,
                recording: fields[0].into(),
                interaction: fields[1].into(),
                what: fields[2].into(),
                reason: reason.into(),
            }
        })
        .collect()
}

/// `*` matches any run of characters; everything else matches itself, ignoring case.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p = pattern.to_ascii_lowercase();
    let t = text.to_ascii_lowercase();
    let parts: Vec<&str> = p.split('*').collect();
    if parts.len() == 1 {
        return p == t;
    }
    let (first, rest) = parts.split_first().expect("split yields one part");
    let Some(mut t) = t.strip_prefix(first) else {
        return false;
    };
    let (lastp, middle) = rest.split_last().expect("a star yields two parts");
    for m in middle {
        match t.find(m) {
            Some(i) => t = &t[i + m.len()..],
            None => return false,
        }
    }
    t.len() >= lastp.len() && t.ends_with(lastp)
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob("acr/*", "acr/test_x.yaml"));
        assert!(glob(
            "*registries*",
            "PUT /subscriptions/s/providers/Microsoft.ContainerRegistry/registries/r"
        ));
        assert!(glob("missing:properties.*", "missing:properties.x"));
        assert!(!glob("missing:properties.*", "extra:properties.x"));
        assert!(glob("status:*", "status:200->404"));
        assert!(!glob("a*b", "ab-c"));
    }
}
