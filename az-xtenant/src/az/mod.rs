//! Talking to Azure through the Azure CLI. The calls are typed (`calls`),
//! their argv built by pure functions (`argv`), their JSON parsed into small
//! structs (`types`). Who answers them is a [`Runner`]: `process` runs the
//! real `az` (the only code that does), `printing` prints every command and
//! lets only reads through (`--dry-run`), `assumed` answers reads as if Azure
//! looked a given way without running anything (`--dry-run --assume`).

pub mod argv;
pub mod arm_id;
pub mod assumed;
mod cached;
mod calls;
pub mod printing;
pub mod process;
pub mod template;
pub mod types;

pub use calls::Discovery;

use serde_json::Value;
use thiserror::Error;
use xtenant_shared::exit;

use crate::progress::Progress;

/// How `--dry-run --assume` pretends Azure looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assume {
    /// Nothing exists: every create step is shown.
    Absent,
    /// Everything exists but needs fixing: updates, role and credential are shown.
    Outdated,
}

/// Azure's limit of federated identity credentials on one user-assigned
/// identity.
pub const MAX_CREDENTIALS: usize = 20;

/// What deleting a federated credential does and does not do, said after
/// every run that deleted one: it stops new token exchanges only; Entra
/// access tokens already issued stay valid until they expire, and
/// Conditional Access and continuous access evaluation do not cover managed
/// identities, so only removing the identity's role grants cuts access at
/// once (Entra's documentation on managed identity tokens and revocation).
pub const REVOCATION_NOTE: &str = "note: deleting a federated credential stops new token exchanges only; \
access tokens already issued for the identity stay valid until they expire (up to 24 hours). \
To cut access at once, also remove the identity's role assignments \
(az role assignment list --assignee <its principal ID> --all, then az role assignment delete --ids ...).";

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

/// Carries out az calls: a read (show, list) answers `Ok(None)` when the
/// object does not exist; a write answers az's JSON, or `None` when it was
/// only printed.
pub trait Runner: Send + Sync {
    fn read(&self, purpose: &str, argv: &[String]) -> Result<Option<Value>, AzError>;
    fn write(&self, purpose: &str, argv: &[String]) -> Result<Option<Value>, AzError>;
    /// Runs a command with the terminal (`az login`).
    fn interactive(&self, argv: &[String]) -> Result<(), AzError>;
    /// Whether writes are only printed.
    fn dry_run(&self) -> bool;
    /// Whether reads are answered without asking Azure.
    fn assumed(&self) -> bool {
        false
    }
    /// Told after a write how it changed the answer to `read`: a runner that
    /// remembers answers updates its own (others have nothing to do).
    fn amend(&self, _read: &[String], _change: &dyn Fn(&mut Value)) {}
    /// The runner underneath one that remembers answers, for a read that
    /// must see Azure move (a wait).
    fn fresh(&self) -> Option<std::sync::Arc<dyn Runner>> {
        None
    }
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
    /// The run was interrupted while `command` ran; az was stopped.
    #[error("`{command}` was stopped: interrupted")]
    Interrupted { command: String },
    /// `az` succeeded but printed something that is not the expected JSON.
    #[error("`{command}` printed output that is not the expected JSON ({source}): {excerpt}")]
    BadJson {
        command: String,
        source: serde_json::Error,
        excerpt: String,
    },
}

impl AzError {
    /// The exit code az-xtenant ends with (the shared table): az missing is
    /// 127, an interrupted call 130; every other failure is 3, with az's own
    /// exit code in the message.
    pub fn exit_code(&self) -> u8 {
        match self {
            AzError::Missing => exit::NOT_INSTALLED,
            AzError::Interrupted { .. } => exit::INTERRUPTED,
            AzError::Failed { .. } | AzError::Spawn { .. } | AzError::BadJson { .. } => exit::ERROR,
        }
    }

    /// Whether az said the resource (or its group or parent) does not exist.
    pub fn is_not_found(&self) -> bool {
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
        self.says("PrincipalNotFound")
    }

    /// Whether az crashed inside itself: two of its threads imported the
    /// same Python modules at once and Python refused the import
    /// (`_DeadlockError: deadlock detected by _ModuleLock(...)`, az's
    /// "unexpected error" with a traceback). It is az's own intermittent
    /// defect (Azure/azure-cli#33996), not an answer about the request: the
    /// same command run again succeeds.
    pub fn is_az_import_deadlock(&self) -> bool {
        self.says("deadlock detected by _ModuleLock")
    }

    /// Whether az's message carries an ARM error code or phrase.
    pub fn says(&self, code: &str) -> bool {
        matches!(self, AzError::Failed { message, .. } if message.contains(code))
    }
}

/// Typed az calls (see `calls`) over a [`Runner`].
#[derive(Clone)]
pub struct Az {
    runner: std::sync::Arc<dyn Runner>,
}

impl Az {
    /// The runner for a mode: the real az (found on PATH, not needed under
    /// `--assume`), behind printing for a dry run.
    pub fn new(mode: Mode, progress: Progress) -> Result<Self, AzError> {
        let runner: std::sync::Arc<dyn Runner> = match mode {
            Mode::Live => std::sync::Arc::new(process::AzCli::find(progress)?),
            Mode::DryRun => {
                std::sync::Arc::new(printing::Printing::new(process::AzCli::find(progress)?))
            }
            Mode::Assume(a) => std::sync::Arc::new(printing::Printing::new(assumed::Assumed(a))),
        };
        Ok(Self { runner })
    }

    /// The same az, answering each distinct read once (for read-only walks).
    pub fn caching(&self) -> Self {
        Self {
            runner: std::sync::Arc::new(cached::Cached::new(self.runner.clone())),
        }
    }

    /// The same az asking Azure every time, also when this one remembers
    /// answers: for reads that wait for something to change.
    pub fn fresh(&self) -> Self {
        self.runner
            .fresh()
            .map_or_else(|| self.clone(), |runner| Self { runner })
    }

    /// Whether this az remembers answers ([`Az::caching`]): reading ahead
    /// through it saves the walk its reads.
    pub fn remembers(&self) -> bool {
        self.runner.fresh().is_some()
    }

    /// After a write that added `item` to what the list `read` answers.
    fn amend_list(&self, read: &[String], item: &Value) {
        self.runner.amend(read, &|list| match list {
            Value::Array(items) => items.push(item.clone()),
            other => *other = Value::Array(vec![item.clone()]),
        });
    }

    /// Whether writes are only printed.
    pub fn dry_run(&self) -> bool {
        self.runner.dry_run()
    }

    /// Whether reads are answered without asking Azure (`--assume`).
    pub fn assumed(&self) -> bool {
        self.runner.assumed()
    }

    fn read(&self, purpose: &str, argv: &[String]) -> Result<Option<Value>, AzError> {
        self.runner.read(purpose, argv)
    }

    fn write(&self, purpose: &str, argv: &[String]) -> Result<Option<Value>, AzError> {
        self.runner.write(purpose, argv)
    }

    fn interactive(&self, argv: &[String]) -> Result<(), AzError> {
        self.runner.interactive(argv)
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
        let argv = argv::role_assignment_create("s", &argv::Grant::demo("p", "/a b"));
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
        assert_eq!(failed(1, "").exit_code(), 3);
        assert_eq!(AzError::Missing.exit_code(), 127);
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
