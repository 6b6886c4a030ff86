//! Progress on stderr: a spinner with the elapsed time while an az call runs
//! (AKS takes minutes), and one line per finished step. Spinners appear only
//! when stderr is a terminal; colour only then and when `NO_COLOR` is unset.
//! stdout is left to data.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Shared by the threads of `up`; cheap to clone.
#[derive(Debug, Clone)]
pub struct Progress {
    multi: MultiProgress,
    live: bool,
    color: bool,
    /// Marks step lines of a dry run, which describe a plan, not a change.
    planned: bool,
}

impl Progress {
    /// Decides from the process: spinners on a terminal, colour unless `NO_COLOR`.
    pub fn from_env() -> Self {
        let live = std::io::stderr().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self::new(live, live && !no_color)
    }

    pub fn new(live: bool, color: bool) -> Self {
        let target = if live {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        Self {
            multi: MultiProgress::with_draw_target(target),
            live,
            color,
            planned: false,
        }
    }

    /// Step lines describe what a dry run would do.
    pub fn planning(mut self, planned: bool) -> Self {
        self.planned = planned;
        self
    }

    /// Runs `f` while a spinner shows `what` and the time spent on it.
    pub fn wait<T>(&self, what: &str, f: impl FnOnce() -> T) -> T {
        if !self.live {
            return f();
        }
        let template = if self.color {
            "{spinner:.cyan} {msg} {elapsed:.dim}"
        } else {
            "{spinner} {msg} {elapsed}"
        };
        let style = ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bar = self.multi.add(ProgressBar::new_spinner().with_style(style));
        bar.set_message(what.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        let out = f();
        bar.finish_and_clear();
        self.multi.remove(&bar);
        out
    }

    /// A finished step: `✓ what`.
    pub fn done(&self, what: &str) {
        let mark = match (self.planned, self.color) {
            (true, _) => "[dry run]",
            (false, true) => "\x1b[32m✓\x1b[0m",
            (false, false) => "✓",
        };
        self.line(&format!("{mark} {what}"));
    }

    /// Something the user should know that is not a failure.
    pub fn warn(&self, what: &str) {
        let label = if self.color {
            "\x1b[33mwarning:\x1b[0m"
        } else {
            "warning:"
        };
        self.line(&format!("{label} {what}"));
    }

    /// A plain note (retries, waits).
    pub fn note(&self, what: &str) {
        self.line(&format!("  {what}"));
    }

    fn line(&self, text: &str) {
        // Above the spinners when they are drawn; plain stderr otherwise.
        if !self.live || self.multi.println(text).is_err() {
            eprintln!("{text}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_returns_the_value_without_a_terminal() {
        let p = Progress::new(false, false);
        assert_eq!(p.wait("x", || 42), 42);
        p.done("step");
    }
}
