//! A case's converged estate as one text: every object in its three groups as
//! ARM renders it, and its whole profile, with what differs between cases by
//! construction renamed: the case's tag, the generated names (the namespace's,
//! the cluster's FQDN label), every GUID in order of first appearance (so that
//! what points at what is kept), every timestamp, the records' creation times
//! and their order. Two cases with the same text hold the same objects, wired
//! the same way, and the same records of them: a further `up` or a `cleanup`
//! asks Azure the same questions, gets the same answers and so does the same.
//! The clean run's further `up` must write nothing and its `cleanup` delete
//! exactly what it made; a case whose text equals the clean run's needs
//! neither of its own, and any other runs both.

use std::sync::{Condvar, Mutex};

use serde_json::Value;

use super::case::Case;
use super::check::{lower, resources};

/// The clean run's estate text, once its further `up`, its `cleanup` and the
/// negative controls on it have all passed. A case that reaches its estate
/// while the clean run is still going waits for it: under load it would
/// otherwise run its own further `up` and `cleanup` only because it was
/// early (several az start-ups each, the matrix's whole cost).
pub struct Reference {
    known: Mutex<Known>,
    settled: Condvar,
}

enum Known {
    /// The clean run has not ended yet.
    Pending,
    /// The clean run passed everything; its text.
    Published(String),
    /// The clean run ended without publishing (it failed), or was not run.
    Never,
}

impl Reference {
    /// Pending when the clean run is among the cases to run, else never known.
    pub fn new(clean_run_chosen: bool) -> Self {
        let known = if clean_run_chosen {
            Known::Pending
        } else {
            Known::Never
        };
        Self {
            known: Mutex::new(known),
            settled: Condvar::new(),
        }
    }

    fn known(&self) -> std::sync::MutexGuard<'_, Known> {
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Publishes the clean run's text.
    pub fn set(&self, text: String) {
        *self.known() = Known::Published(text);
        self.settled.notify_all();
    }

    /// The clean run has ended: if it published nothing, nothing will come
    /// (every waiting case then runs its own).
    pub fn settle(&self) {
        let mut known = self.known();
        if matches!(*known, Known::Pending) {
            *known = Known::Never;
        }
        drop(known);
        self.settled.notify_all();
    }

    /// Where `text` first differs from the clean run's (a few dozen
    /// characters of each around it), or why there is nothing to compare
    /// with; None when they are equal. Waits while the clean run is going.
    pub fn difference(&self, text: &str) -> Option<String> {
        let known = self
            .settled
            .wait_while(self.known(), |k| matches!(k, Known::Pending))
            .unwrap_or_else(|e| e.into_inner());
        let Known::Published(clean) = &*known else {
            return Some("the clean run published no estate".into());
        };
        if clean == text {
            return None;
        }
        let at = clean
            .char_indices()
            .zip(text.chars())
            .find(|((_, a), b)| a != b)
            .map_or(clean.len().min(text.len()), |((i, _), _)| i);
        let around = |s: &str| {
            let (mut from, mut to) = (at.saturating_sub(60).min(s.len()), (at + 60).min(s.len()));
            while !s.is_char_boundary(from) {
                from -= 1;
            }
            while !s.is_char_boundary(to) {
                to += 1;
            }
            s[from..to].to_string()
        };
        Some(format!(
            "its estate differs from the clean run's at character {at}: …{}… where the clean run has …{}…",
            around(text),
            around(clean)
        ))
    }
}

/// The case's estate and profile, renamed as the module says.
pub fn text(case: &Case) -> String {
    let mut objects = resources(case, &case.groups);
    objects.sort_by_key(|r| (lower(&r["type"]), lower(&r["name"])));
    let generated: Vec<String> = objects
        .iter()
        .filter_map(|r| match lower(&r["type"]).as_str() {
            "microsoft.servicebus/namespaces" => r["name"].as_str().map(str::to_string),
            // `<dnsPrefix>-<random>.hcp.<region>.azmk8s.io`: the first label.
            "microsoft.containerservice/managedclusters" => r["properties"]["fqdn"]
                .as_str()
                .and_then(|f| f.split('.').next())
                .map(str::to_string),
            _ => None,
        })
        .filter(|n| !n.is_empty())
        .collect();
    let both = Value::Array(vec![Value::Array(objects), profile(case)]);
    let mut s = both.to_string();
    for (n, name) in generated.iter().enumerate() {
        s = s.replace(name.as_str(), &format!("<name{n}>"));
    }
    rename_timestamps(&rename_guids(&s.replace(&case.tag, "fmNN")))
}

/// The profile with its ownership records in ID order and without their
/// creation times. A killed and resumed run writes its records in another
/// order; `up` and `cleanup` look them up by ID (`Ownership::is_ours`) in
/// their steps' order, and never read the creation time (only a migration
/// does).
fn profile(case: &Case) -> Value {
    let mut p = case.profile();
    if let Some(owned) = p["owned"].as_array_mut() {
        for o in owned.iter_mut() {
            if let Some(at) = o.get_mut("createdAt") {
                *at = Value::from(0);
            }
        }
        owned.sort_by_key(|o| (lower(&o["id"]), lower(&o["kind"])));
    }
    p
}

/// Each GUID replaced by `<gN>`, N its rank of first appearance (case ignored):
/// the same GUID in two places stays one name, so wiring is kept.
fn rename_guids(s: &str) -> String {
    let mut seen: Vec<String> = Vec::new();
    rewrite(s, |rest| {
        let g = rest.get(..36).filter(|g| is_guid(g.as_bytes()))?;
        let g = g.to_ascii_lowercase();
        let n = seen.iter().position(|x| *x == g).unwrap_or_else(|| {
            seen.push(g);
            seen.len() - 1
        });
        Some((36, format!("<g{n}>")))
    })
}

fn is_guid(b: &[u8]) -> bool {
    b.iter().enumerate().all(|(i, c)| match i {
        8 | 13 | 18 | 23 => *c == b'-',
        _ => c.is_ascii_hexdigit(),
    })
}

/// Each RFC 3339 timestamp (`2026-01-02T03:04:05…`, up to its closing quote)
/// replaced by `<time>`.
fn rename_timestamps(s: &str) -> String {
    rewrite(s, |rest| {
        rest.get(..19)
            .filter(|t| is_timestamp_start(t.as_bytes()))?;
        Some((rest.find('"').unwrap_or(rest.len()), "<time>".to_string()))
    })
}

/// `s` with each match of `at` replaced: at every character, `at` sees the
/// rest of the text and answers how many bytes it matches and their
/// replacement, or nothing to keep the character.
fn rewrite(s: &str, mut at: impl FnMut(&str) -> Option<(usize, String)>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(c) = s[i..].chars().next() {
        if let Some((len, with)) = at(&s[i..]) {
            out.push_str(&with);
            i += len;
        } else {
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn is_timestamp_start(b: &[u8]) -> bool {
    b.iter().enumerate().all(|(i, c)| match i {
        4 | 7 => *c == b'-',
        10 => *c == b'T',
        13 | 16 => *c == b':',
        _ => c.is_ascii_digit(),
    })
}

#[test]
fn a_case_waits_for_the_clean_run_to_end() {
    use std::time::Duration;
    let reference = Reference::new(true);
    std::thread::scope(|s| {
        let early = s.spawn(|| reference.difference("estate").is_none());
        std::thread::sleep(Duration::from_millis(50));
        reference.set("estate".into());
        assert!(
            early.join().expect("waiting case"),
            "an early case did not wait for the published text"
        );
    });
    assert!(reference.difference("another estate").is_some());

    let failed = Reference::new(true);
    std::thread::scope(|s| {
        let early = s.spawn(|| failed.difference("estate").is_none());
        std::thread::sleep(Duration::from_millis(50));
        failed.settle();
        assert!(
            !early.join().expect("waiting case"),
            "a clean run that published nothing matched"
        );
    });
    assert!(
        Reference::new(false).difference("estate").is_some(),
        "no clean run, yet a match"
    );
}
