//! az's intermittent crash in its own imports: two of its threads import the
//! same Python modules at once and Python refuses one (`_DeadlockError:
//! deadlock detected by _ModuleLock(...)`, az's "unexpected error"). It says
//! nothing of the simulator's answer, so the harness runs such an az once more,
//! as az-xtenant does.

use std::process::Output;

/// What az prints when two of its threads imported the same modules at once.
const AZ_IMPORT_CRASH: &str = "deadlock detected by _ModuleLock";

/// Runs az through `run`, and once more when it crashed in its own imports.
pub(crate) fn once_more(run: impl Fn() -> anyhow::Result<Output>) -> anyhow::Result<Output> {
    let out = run()?;
    if !out.status.success() && String::from_utf8_lossy(&out.stderr).contains(AZ_IMPORT_CRASH) {
        return run();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::os::unix::process::ExitStatusExt;
    use std::process::ExitStatus;

    use super::*;

    fn output(code: i32, stderr: &str) -> Output {
        Output {
            status: ExitStatus::from_raw(code << 8),
            stdout: Vec::new(),
            stderr: stderr.as_bytes().to_vec(),
        }
    }

    /// How many times az ran when its answers are `answers` (the last repeats).
    fn runs(answers: &[(i32, &str)]) -> (usize, i32) {
        let n = Cell::new(0);
        let out = once_more(|| {
            let i = n.get().min(answers.len() - 1);
            n.set(n.get() + 1);
            Ok(output(answers[i].0, answers[i].1))
        })
        .unwrap();
        (n.get(), out.status.code().unwrap())
    }

    #[test]
    fn an_import_crash_is_run_once_more_and_only_once() {
        let crash =
            "_frozen_importlib._DeadlockError: deadlock detected by _ModuleLock('requests')";
        assert_eq!(runs(&[(1, crash), (0, "")]), (2, 0));
        assert_eq!(runs(&[(1, crash)]), (2, 1));
    }

    #[test]
    fn success_and_other_failures_run_once() {
        assert_eq!(runs(&[(0, "")]), (1, 0));
        assert_eq!(
            runs(&[(3, "ERROR: (ResourceNotFound) gone"), (0, "")]),
            (1, 3)
        );
    }
}
