//! Results as people read them (one line per check, a fix under each
//! failure) or as JSON for scripts, with stable field names. Written through
//! `xtenant_shared::output`, so a closed stdout is neither a panic nor an error.

use serde::Serialize;
use xtenant_shared::output::{self as stdout, Format};

/// The verdict of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    /// Worth knowing, but not a failure.
    Warn,
    Fail,
    /// Not run because something it needs failed.
    Skip,
}

/// One line of a checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Stable identifier, e.g. `webhook` or `token.iss`.
    pub id: String,
    pub verdict: Verdict,
    /// What was found.
    pub detail: String,
    /// How to fix it, for failures and warnings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Check {
    pub fn pass(id: &str, detail: impl Into<String>) -> Self {
        Self::new(id, Verdict::Pass, detail, None)
    }

    pub fn fail(id: &str, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::new(id, Verdict::Fail, detail, Some(fix.into()))
    }

    pub fn warn(id: &str, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::new(id, Verdict::Warn, detail, Some(fix.into()))
    }

    pub fn skip(id: &str, detail: impl Into<String>) -> Self {
        Self::new(id, Verdict::Skip, detail, None)
    }

    fn new(id: &str, verdict: Verdict, detail: impl Into<String>, fix: Option<String>) -> Self {
        Self {
            id: id.to_string(),
            verdict,
            detail: detail.into(),
            fix,
        }
    }

    pub fn failed(&self) -> bool {
        self.verdict == Verdict::Fail
    }
}

/// The result of a command: its checks and any extra data.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub command: &'static str,
    /// True when no check failed; the exit code is 0 exactly then.
    pub ok: bool,
    pub checks: Vec<Check>,
    /// True when a wait ran out of time (exit code 4).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub timed_out: bool,
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    pub data: serde_json::Map<String, serde_json::Value>,
}

impl Report {
    pub fn new(command: &'static str) -> Self {
        Self {
            command,
            ok: true,
            checks: Vec::new(),
            timed_out: false,
            data: serde_json::Map::new(),
        }
    }

    pub fn push(&mut self, check: Check) {
        self.ok &= !check.failed();
        self.checks.push(check);
    }

    pub fn set(&mut self, key: &str, value: impl Into<serde_json::Value>) {
        self.data.insert(key.to_string(), value.into());
    }

    /// 0 when every check passed, 4 after a timeout, else 1.
    pub fn exit_code(&self) -> u8 {
        match (self.ok, self.timed_out) {
            (true, _) => crate::exit::OK,
            (false, true) => crate::exit::TIMEOUT,
            (false, false) => crate::exit::CHECK_FAILED,
        }
    }

    /// The report as text, one line per check.
    pub fn human(&self) -> String {
        let mut out = String::new();
        for c in &self.checks {
            let mark = match c.verdict {
                Verdict::Pass => "ok  ",
                Verdict::Warn => "warn",
                Verdict::Fail => "FAIL",
                Verdict::Skip => "skip",
            };
            out.push_str(&format!("[{mark}] {:<30} {}\n", c.id, c.detail));
            if let Some(fix) = &c.fix {
                for line in fix.lines() {
                    out.push_str(&format!("       {:<30} fix: {line}\n", ""));
                }
            }
        }
        let verdict = if self.ok {
            "all checks passed"
        } else {
            "some checks FAILED"
        };
        out.push_str(&format!("{}: {verdict}\n", self.command));
        out
    }

    /// Prints the report in the chosen format to stdout.
    pub fn print(&self, format: Format) -> std::io::Result<()> {
        match format {
            Format::Human => stdout::print(self.human()),
            Format::Json => stdout::json(self),
        }
    }
}

/// Progress for people, on stderr, and only in human mode.
pub fn progress(format: Format, message: &str) {
    if format == Format::Human {
        eprintln!("{message}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_makes_the_report_fail() {
        let mut r = Report::new("doctor");
        r.push(Check::pass("cluster", "reachable"));
        r.push(Check::warn("sa.tenant", "no annotation", "add it"));
        assert!(r.ok);
        r.push(Check::fail("webhook", "missing", "install it"));
        assert!(!r.ok);
        let text = r.human();
        assert!(text.contains("[FAIL] webhook"), "{text}");
        assert!(text.contains("fix: install it"), "{text}");
        let json = serde_json::to_value(&r).expect("json");
        assert_eq!(json["ok"], false);
        assert_eq!(json["checks"][2]["verdict"], "fail");
        assert!(json["checks"][0].get("fix").is_none());
    }
}
