//! The only module that runs the Azure CLI. `az` is found on PATH with
//! `which` and run with `duct` (never through a shell); its stdout is parsed
//! as JSON, its stderr kept for errors. Under `--dry-run` every command is
//! printed shell-quoted on stdout and only reads run; under `--assume` nothing
//! runs at all.

pub mod argv;
mod calls;
pub mod types;

pub use calls::namespace_id;

use std::path::PathBuf;

use serde_json::Value;
use thiserror::Error;

use crate::cli::Assume;
use crate::progress::Progress;

/// How az calls are carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Run everything.
    Live,
    /// Print everything; run only reads.
    DryRun,
    /// Print everything; run nothing; pretend Azure looks like this.
    Assume(Assume),
}

/// A failed az call.
#[derive(Debug, Error)]
pub enum AzError {
    /// `az` is not on PATH.
    #[error(
        "the Azure CLI (az) was not found on PATH. Install it with pip (`pip install azure-cli`), \
         with apt on Debian/Ubuntu (package azure-cli from Microsoft's repository, see \"Install \
         the Azure CLI on Linux\" in the Azure CLI documentation), or with Homebrew on macOS \
         (`brew install azure-cli`); then make sure `az` is on PATH"
    )]
    Missing,
    /// `az` could not be started.
    #[error("could not run `{command}`: {source}")]
    Spawn {
        command: String,
        source: std::io::Error,
    },
    /// `az` exited with an error; `message` is az's own stderr.
    #[error("`{command}` failed (exit code {code}):\n{message}{hint}")]
    Failed {
        command: String,
        code: i32,
        message: String,
        hint: String,
    },
    /// `az` succeeded but printed something that is not the expected JSON.
    #[error("`{command}` printed output that is not the expected JSON ({source}): {excerpt}")]
    BadJson {
        command: String,
        source: serde_json::Error,
        excerpt: String,
    },
}

impl AzError {
    /// The exit code az-xtenant should end with: az's own for a failed call.
    pub fn exit_code(&self) -> u8 {
        match self {
            AzError::Failed { code, .. } => {
                u8::try_from(*code).ok().filter(|c| *c != 0).unwrap_or(1)
            }
            AzError::Missing => 127,
            AzError::Spawn { .. } | AzError::BadJson { .. } => 1,
        }
    }

    /// Whether az said the resource (or its group or parent) does not exist.
    fn is_not_found(&self) -> bool {
        match self {
            AzError::Failed { code, message, .. } => {
                *code == 3
                    || [
                        "ResourceNotFound",
                        "ResourceGroupNotFound",
                        "ParentResourceNotFound",
                    ]
                    .iter()
                    .any(|m| message.contains(m))
            }
            _ => false,
        }
    }

    /// Whether az says the principal is not (yet) known to the directory.
    pub fn is_principal_not_found(&self) -> bool {
        matches!(self, AzError::Failed { message, .. } if message.contains("PrincipalNotFound"))
    }
}

/// Runs az calls in one [`Mode`], showing progress while they run.
#[derive(Debug, Clone)]
pub struct Az {
    program: Option<PathBuf>,
    mode: Mode,
    progress: Progress,
}

impl Az {
    /// Finds `az` on PATH (not needed under `--assume`).
    pub fn new(mode: Mode, progress: Progress) -> Result<Self, AzError> {
        let program = match (which::which("az"), mode) {
            (Ok(p), _) => Some(p),
            (Err(_), Mode::Assume(_)) => None,
            (Err(_), _) => return Err(AzError::Missing),
        };
        Ok(Self {
            program,
            mode,
            progress,
        })
    }

    /// What `--assume` pretends, if set.
    pub fn assumed(&self) -> Option<Assume> {
        match self.mode {
            Mode::Assume(a) => Some(a),
            _ => None,
        }
    }

    /// Whether writes are only printed.
    pub fn dry_run(&self) -> bool {
        self.mode != Mode::Live
    }

    /// A read (show, list): `Ok(None)` when az says it does not exist.
    /// Under `--assume` it is printed and `Ok(None)` returned.
    fn read(&self, purpose: &str, argv: &[String]) -> Result<Option<Value>, AzError> {
        if self.dry_run() {
            self.print(argv);
        }
        if self.assumed().is_some() {
            return Ok(None);
        }
        match self.run(purpose, argv) {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// A change (create, update, delete): printed and skipped in a dry run.
    fn write(&self, purpose: &str, argv: &[String]) -> Result<Option<Value>, AzError> {
        if self.dry_run() {
            self.print(argv);
            return Ok(None);
        }
        self.run(purpose, argv).map(Some)
    }

    fn print(&self, argv: &[String]) {
        println!("{}", shell_line(argv));
    }

    fn program(&self) -> Result<&PathBuf, AzError> {
        self.program.as_ref().ok_or(AzError::Missing)
    }

    fn run(&self, purpose: &str, argv: &[String]) -> Result<Value, AzError> {
        let program = self.program()?;
        let command = shell_line(argv);
        let out = self.progress.wait(purpose, || {
            duct::cmd(program, argv)
                .stdin_null()
                .stdout_capture()
                .stderr_capture()
                .unchecked()
                .run()
        });
        let out = out.map_err(|source| AzError::Spawn {
            command: command.clone(),
            source,
        })?;
        if !out.status.success() {
            let message = String::from_utf8_lossy(&out.stderr).trim().to_string();
            let hint = if message.contains("az login") {
                "\nlog in to both tenants with `az-xtenant login` (or `az login --tenant <tenant>`)"
            } else {
                ""
            };
            return Err(AzError::Failed {
                command,
                code: out.status.code().unwrap_or(1),
                message,
                hint: hint.to_string(),
            });
        }
        parse_json(&command, &out.stdout)
    }

    /// Runs an interactive command with the terminal (stdin and stderr);
    /// az's stdout goes to stderr so that ours carries only data.
    fn interactive(&self, argv: &[String]) -> Result<(), AzError> {
        if self.dry_run() {
            self.print(argv);
            return Ok(());
        }
        let program = self.program()?;
        let command = shell_line(argv);
        let status = duct::cmd(program, argv)
            .stdout_to_stderr()
            .unchecked()
            .run()
            .map_err(|source| AzError::Spawn {
                command: command.clone(),
                source,
            })?
            .status;
        if status.success() {
            Ok(())
        } else {
            Err(AzError::Failed {
                command,
                code: status.code().unwrap_or(1),
                message: "(see az's messages above)".into(),
                hint: String::new(),
            })
        }
    }
}

/// Parses az's stdout; empty output (a delete) is `null`.
fn parse_json(command: &str, stdout: &[u8]) -> Result<Value, AzError> {
    let text = String::from_utf8_lossy(stdout);
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(&text).map_err(|source| AzError::BadJson {
        command: command.to_string(),
        source,
        excerpt: text.chars().take(200).collect(),
    })
}

/// `az` and its arguments, quoted for a POSIX shell.
pub fn shell_line(argv: &[String]) -> String {
    let mut line = String::from("az");
    for a in argv {
        line.push(' ');
        match shlex::try_quote(a) {
            Ok(q) => line.push_str(&q),
            Err(_) => line.push_str(&format!("{a:?}")),
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_shell_quoted() {
        let argv = argv::role_assignment_create("s", "p", "/a b");
        let line = shell_line(&argv);
        assert!(
            line.starts_with("az role assignment create --role 'Azure Service Bus Data Owner'"),
            "{line}"
        );
        assert!(line.contains("--scope '/a b'"), "{line}");
        let back = shlex::split(&line).expect("splits");
        assert_eq!(back[1..], argv[..]);
    }

    #[test]
    fn not_found_is_exit_3_or_a_not_found_code() {
        let failed = |code, message: &str| AzError::Failed {
            command: "az x".into(),
            code,
            message: message.into(),
            hint: String::new(),
        };
        assert!(failed(3, "ERROR: whatever").is_not_found());
        assert!(
            failed(
                1,
                "(ResourceGroupNotFound) Resource group 'x' could not be found."
            )
            .is_not_found()
        );
        assert!(!failed(1, "ERROR: (AuthorizationFailed)").is_not_found());
        assert_eq!(failed(3, "").exit_code(), 3);
        assert_eq!(failed(-1, "").exit_code(), 1);
        assert!(
            failed(1, "(PrincipalNotFound) Principal 1 does not exist").is_principal_not_found()
        );
    }

    #[test]
    fn json_errors_keep_an_excerpt() {
        let err = parse_json("az x", b"{not json").expect_err("bad");
        assert!(err.to_string().contains("{not json"), "{err}");
        assert_eq!(parse_json("az x", b"  \n").expect("empty"), Value::Null);
    }
}
