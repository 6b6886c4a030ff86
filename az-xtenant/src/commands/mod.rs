//! One module per subcommand (`Args` + `run`), the dispatch, and the context
//! they share: the profile store (and its run lock), the in-memory profile,
//! the output format, az's mode and progress.

pub mod apply;
pub mod audit;
pub mod cleanup;
pub mod cluster;
pub mod completions;
pub mod env;
pub mod export;
pub mod init;
pub mod login;
pub mod man;
pub mod plan;
pub mod resources;
pub mod status;
pub mod trust;
pub mod up;

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use anyhow::Result;
use xtenant_shared::output::Format;
use xtenant_shared::{Profile, ProfileError, ProfileStore, RunLock};

use crate::az::{Az, Mode};
use crate::cli::{Cli, Command, Global};
use crate::engine::{Cx, Graph, Waits};
use crate::error::UsageError;
use crate::progress::Progress;

/// What every subcommand works with.
pub struct Ctx {
    pub store: ProfileStore,
    /// The profile as this run sees it; changes reach the file only when
    /// `persist` is set (not in a dry run, not in a read-only command).
    profile: Mutex<Profile>,
    persist: bool,
    pub format: Format,
    pub mode: Mode,
    pub progress: Progress,
    /// Held for the whole run by commands that write.
    _lock: Option<RunLock>,
}

impl Ctx {
    fn new(global: &Global, command: &str, writes: bool) -> Result<Self> {
        let store = global.common.store()?;
        let mode = match (global.dry_run, global.assume) {
            (_, Some(a)) => Mode::Assume(a),
            (true, None) => Mode::DryRun,
            (false, None) => Mode::Live,
        };
        let persist = writes && mode == Mode::Live;
        // Taken before the profile is read, so what this run reads is what
        // the previous writer left.
        let lock = if persist {
            let wait = Duration::from_secs(global.wait_lock.unwrap_or(0));
            Some(store.lock_run(&format!("az-xtenant {command}"), wait)?)
        } else {
            None
        };
        let profile = store.load()?.unwrap_or_default();
        Ok(Self {
            store,
            profile: Mutex::new(profile),
            persist,
            format: global.common.output,
            mode,
            progress: Progress::from_env().planning(mode != Mode::Live),
            _lock: lock,
        })
    }

    /// Fails (exit 2) when the profile file does not exist.
    pub fn require_profile(&self) -> Result<()> {
        if self.store.load()?.is_none() {
            return Err(ProfileError::Missing {
                path: self.store.path().to_path_buf(),
            }
            .into());
        }
        Ok(())
    }

    /// A copy of the profile as it stands.
    pub fn snapshot(&self) -> Profile {
        self.lock().clone()
    }

    fn lock(&self) -> MutexGuard<'_, Profile> {
        self.profile.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Applies `change` to this run's profile and, when this run persists,
    /// to the file (re-read under its lock, so concurrent steps merge).
    pub fn record(&self, change: impl Fn(&mut Profile)) -> Result<()> {
        change(&mut self.lock());
        if self.persist {
            self.store
                .modify(|p| {
                    change(p);
                    Ok::<_, ProfileError>(())
                })
                .map_err(|e| anyhow::Error::new(e).context("saving the profile"))?;
        }
        Ok(())
    }

    /// The profile's name (`--profile`), as its file is named.
    pub fn profile_name(&self) -> String {
        self.store
            .path()
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// The profile's unique ID, made and saved the first time it is needed.
    pub fn profile_id(&self) -> Result<String> {
        if let Some(id) = self.lock().id.clone() {
            return Ok(id);
        }
        let id = self.lock().ensure_id();
        self.record(|p| p.id = Some(id.clone()))?;
        Ok(id)
    }

    /// The az runner (finds `az` on PATH). Call after validating input.
    pub fn az(&self) -> Result<Az> {
        Ok(Az::new(self.mode, self.progress.clone())?)
    }

    pub fn dry_run(&self) -> bool {
        self.mode != Mode::Live
    }

    /// Applies a graph: in dependency order, independent steps at once; a
    /// dry run one step at a time, so the printed plan reads in order.
    pub fn apply(&self, az: &Az, graph: &Graph, waits: &Waits) -> Result<()> {
        let cx = Cx {
            ctx: self,
            az,
            waits,
            changes: !az.dry_run(),
        };
        if az.dry_run() {
            graph.each(|n| n.apply(&cx)).map(drop)
        } else {
            graph.run(8, |n| {
                n.apply(&cx)
                    .map_err(|e| e.context(format!("{}: {}", n.side().label(), n.what())))
            })
        }
    }
}

/// How long steps wait for Azure.
#[derive(Debug, Clone, clap::Args)]
pub struct WaitArgs {
    /// Seconds to wait for a cluster that AKS is busy with (creating, updating, …)
    #[arg(long, value_name = "SECS", default_value_t = WaitArgs::DEFAULT.cluster_wait)]
    pub cluster_wait: u64,
    /// Seconds to keep retrying the role assignment while Entra replicates a
    /// new identity (PrincipalNotFound)
    #[arg(long, value_name = "SECS", default_value_t = WaitArgs::DEFAULT.principal_wait)]
    pub principal_wait: u64,
    /// Seconds to wait for a resource group that Azure is still deleting
    #[arg(long, value_name = "SECS", default_value_t = WaitArgs::DEFAULT.group_wait)]
    pub group_wait: u64,
}

impl WaitArgs {
    /// The defaults, also for commands that take no wait flags.
    pub const DEFAULT: Self = Self {
        cluster_wait: 1800,
        principal_wait: 120,
        group_wait: 900,
    };

    pub fn waits(&self) -> Waits {
        Waits {
            cluster: Duration::from_secs(self.cluster_wait),
            principal: Duration::from_secs(self.principal_wait),
            group_deletion: Duration::from_secs(self.group_wait),
            // Checked before the command starts (see `dispatch`).
            poll: poll_interval().unwrap_or(DEFAULT_POLL),
            no_wait: false,
        }
    }
}

/// Between two looks at something Azure is busy with, unless
/// `XTENANT_POLL_SECS` says otherwise.
const DEFAULT_POLL: Duration = Duration::from_secs(10);

/// The shortest poll interval: each look is an `az … show` against Azure,
/// so less would ask it in a tight loop.
const MIN_POLL_SECS: f64 = 1.0;

/// Seconds between two looks at something Azure is busy with:
/// `XTENANT_POLL_SECS` (e.g. against a local Azure simulator), else 10.
/// A value that is not a number of seconds, at least 1, is bad input.
pub fn poll_interval() -> Result<Duration, UsageError> {
    let Some(raw) = std::env::var_os("XTENANT_POLL_SECS") else {
        return Ok(DEFAULT_POLL);
    };
    let raw = raw.to_string_lossy();
    match raw.trim().parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs >= MIN_POLL_SECS => Ok(Duration::from_secs_f64(secs)),
        _ => Err(UsageError(format!(
            "XTENANT_POLL_SECS={raw:?} is not a number of seconds of at least 1 (each poll is an az call against Azure): set it to 1 or more, or unset it for the default of 10; nothing was run"
        ))),
    }
}

/// Asks `question` on the terminal; off a terminal refuses (exit 2), saying
/// what would happen and that `--yes` confirms it.
pub fn confirm(question: &str, what: &str, cancelled: &str) -> Result<()> {
    use std::io::{BufRead, IsTerminal, Write};
    if !std::io::stdin().is_terminal() {
        return Err(UsageError(format!(
            "{what}; pass --yes to confirm when not on a terminal"
        ))
        .into());
    }
    eprint!("{question} [y/N] ");
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| anyhow::Error::new(e).context("reading the answer"))?;
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        Ok(())
    } else {
        Err(UsageError(cancelled.to_string()).into())
    }
}

/// Runs the chosen subcommand; answers the exit code.
pub fn dispatch(cli: Cli) -> Result<u8> {
    let name = cli.command.name();
    let writes = cli.command.writes();
    match &cli.command {
        Command::Completions(args) => return completions::run(args).map(|()| 0),
        Command::Man(args) => return man::run(args).map(|()| 0),
        _ => {}
    }
    // Before the profile is read or az runs: a bad value changes nothing.
    poll_interval()?;
    let ctx = Ctx::new(&cli.global, name, writes)?;
    match cli.command {
        Command::Init(args) => init::run(&ctx, &args),
        Command::Login(args) => login::run(&ctx, &args),
        Command::Cluster(args) => cluster::run(&ctx, &args),
        Command::Resources(args) => resources::run(&ctx, &args),
        Command::Trust(args) => trust::run(&ctx, &args),
        Command::Up(args) => up::run(&ctx, &args),
        Command::Status(args) => status::run(&ctx, &args),
        Command::Plan(args) => return plan::run(&ctx, &args),
        Command::Audit(args) => return audit::run(&ctx, &args),
        Command::Apply(args) => apply::run(&ctx, &args),
        Command::Env(args) => env::run(&ctx, &args),
        Command::Export(args) => export::run(&ctx, &args),
        Command::Cleanup(args) => cleanup::run(&ctx, &args),
        Command::Completions(_) | Command::Man(_) => Ok(()),
    }
    .map(|()| 0)
}
