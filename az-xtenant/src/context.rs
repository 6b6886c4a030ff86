//! The one context a run works in, from the verb down to each step: the
//! profile store (and its run lock), the in-memory profile, the output
//! format, az's mode and progress, how long to wait for Azure, and az for the
//! places a command touches (logged in to their tenants). Opened once per
//! run; a walk over a graph works in a copy that carries the walk's az.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use anyhow::Result;
use xtenant_shared::output::Format;
use xtenant_shared::{Profile, ProfileError, ProfileStore, RunLock};

use crate::az::arm_id::ArmId;
use crate::az::{Az, Mode};
use crate::error::UsageError;
use crate::progress::Progress;
use crate::session;
use crate::settings::Place;

/// What a run is asked to do, as plain values (the command line maps its
/// options onto these).
#[derive(Debug, Clone)]
pub struct Options {
    pub store: ProfileStore,
    pub format: Format,
    pub mode: Mode,
    /// The command's name, as the run lock records it.
    pub command: String,
    /// Whether the command changes Azure or the profile (holds the run lock).
    pub writes: bool,
    /// How long to wait for another writer's run lock.
    pub wait_lock: Duration,
}

/// What every command and every step works with. Copies share the profile
/// and the run lock.
#[derive(Clone)]
pub struct Ctx {
    pub store: ProfileStore,
    /// The profile as this run sees it; changes reach the file only when
    /// `persist` is set (not in a dry run, not in a read-only command).
    profile: Arc<Mutex<Profile>>,
    persist: bool,
    pub format: Format,
    pub mode: Mode,
    pub progress: Progress,
    /// Held for the whole run by commands that write.
    _lock: Option<Arc<RunLock>>,
    /// The az a walk talks through (see [`Ctx::walk`]); none before one.
    az: Option<Az>,
    /// How long steps wait for Azure.
    pub waits: Waits,
    /// Whether this walk changes Azure (not a dry run, not `status`): only
    /// then do steps wait for Azure to settle.
    pub changes: bool,
    /// What this run set out to create and created, as the write protocol
    /// records it; shared by every walk of the run.
    this_run: Arc<Mutex<ThisRun>>,
}

/// The ARM IDs this run recorded as intended and as created.
#[derive(Debug, Default)]
struct ThisRun {
    intended: Vec<String>,
    made: Vec<String>,
}

impl Ctx {
    /// Opens the run: takes the run lock when the command writes for real,
    /// then reads the profile.
    pub fn open(options: Options) -> Result<Self> {
        let Options {
            store,
            format,
            mode,
            command,
            writes,
            wait_lock,
        } = options;
        let persist = writes && mode == Mode::Live;
        // Taken before the profile is read, so what this run reads is what
        // the previous writer left.
        let lock = if persist {
            Some(store.lock_run(&format!("az-xtenant {command}"), wait_lock)?)
        } else {
            None
        };
        let profile = store.load()?.unwrap_or_default();
        Ok(Self {
            store,
            profile: Arc::new(Mutex::new(profile)),
            persist,
            format,
            mode,
            progress: Progress::from_env().planning(mode != Mode::Live),
            _lock: lock.map(Arc::new),
            az: None,
            waits: Waits::standard(),
            changes: false,
            this_run: Arc::default(),
        })
    }

    /// The context a walk over a graph works in: this run, talking through
    /// `az`, waiting as `waits` says; `changes` when the walk writes for real.
    pub fn walk(&self, az: &Az, waits: &Waits, changes: bool) -> Self {
        Self {
            az: Some(az.clone()),
            waits: waits.clone(),
            changes,
            ..self.clone()
        }
    }

    /// The same walk, talking through another az (one that asks Azure anew).
    pub fn with_az(&self, az: &Az) -> Self {
        Self {
            az: Some(az.clone()),
            ..self.clone()
        }
    }

    /// Whether the walk applies the graph (for real or as a dry run), as
    /// opposed to `status`, which only reads: steps report progress then.
    pub fn applying(&self) -> bool {
        self.changes || self.dry_run()
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

    /// Notes that this run is about to create `id` (see [`Ctx::inside_made`]).
    pub fn intending(&self, id: &str) {
        self.run_writes().intended.push(id.to_ascii_lowercase());
    }

    /// Notes that this run created `id`.
    pub fn made(&self, id: &str) {
        self.run_writes().made.push(id.to_ascii_lowercase());
    }

    /// Whether `id` lies inside an object this run created (a group, a
    /// namespace, an identity), and this run has not written `id` itself:
    /// it cannot exist, so there is nothing to read. An ARM ID names what
    /// contains it: a queue's begins with its namespace's, which begins
    /// with its group's.
    pub fn inside_made(&self, id: &str) -> bool {
        let id = id.to_ascii_lowercase();
        let run = self.run_writes();
        !run.intended.contains(&id) && run.made.iter().any(|m| ArmId::parse(&id).is_inside(m))
    }

    fn run_writes(&self) -> MutexGuard<'_, ThisRun> {
        self.this_run.lock().unwrap_or_else(|e| e.into_inner())
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

    /// The walk's az; outside a walk, the az runner for this run's mode
    /// (found on PATH: call after validating input).
    pub fn az(&self) -> Result<Az> {
        match &self.az {
            Some(az) => Ok(az.clone()),
            None => Ok(Az::new(self.mode, self.progress.clone())?),
        }
    }

    /// az for these places: the runner, once it is checked that az holds a
    /// session for each place's subscription in the right tenant.
    pub fn az_for(&self, places: &[Place]) -> Result<Az> {
        let az = self.az()?;
        session::check(&az, places)?;
        Ok(az)
    }

    /// As [`Ctx::az_for`], answering each distinct read once (the session
    /// check's listing included).
    pub fn caching_az_for(&self, places: &[Place]) -> Result<Az> {
        let az = self.az()?.caching();
        session::check(&az, places)?;
        Ok(az)
    }

    /// Where the template of deployment `name` is written before it starts:
    /// beside the profile, under `templates/<profile>/`, so that the command
    /// a dry run prints names a file that is there, as the live run's does.
    pub fn template_file(&self, name: &str) -> PathBuf {
        let dir = self.store.path().parent().unwrap_or_else(|| Path::new("."));
        dir.join("templates")
            .join(self.profile_name())
            .join(format!("{name}.json"))
    }

    /// Whether writes are only printed (`--dry-run`, with or without `--assume`).
    pub fn dry_run(&self) -> bool {
        self.mode != Mode::Live
    }

    /// Whether reads are answered without asking Azure (`--assume`).
    pub fn assumed(&self) -> bool {
        matches!(self.mode, Mode::Assume(_))
    }
}

/// How long steps wait for Azure.
#[derive(Debug, Clone)]
pub struct Waits {
    /// For a cluster AKS is busy with.
    pub cluster: Duration,
    /// For a new identity's principal to replicate (PrincipalNotFound).
    pub principal: Duration,
    /// For a resource group that is being deleted.
    pub group_deletion: Duration,
    /// Between two looks at something Azure is busy with.
    pub poll: Duration,
    /// Cleanup: start group deletions without waiting for them.
    pub no_wait: bool,
}

impl Waits {
    /// Seconds to wait for a cluster AKS is busy with, unless told otherwise.
    pub const CLUSTER_SECS: u64 = 1800;
    /// Seconds to wait for a new identity's principal, unless told otherwise.
    pub const PRINCIPAL_SECS: u64 = 120;
    /// Seconds to wait for a group being deleted, unless told otherwise.
    pub const GROUP_SECS: u64 = 900;

    /// Waits of these many seconds, polling as `XTENANT_POLL_SECS` says.
    pub fn from_secs(cluster: u64, principal: u64, group: u64) -> Self {
        Self {
            cluster: Duration::from_secs(cluster),
            principal: Duration::from_secs(principal),
            group_deletion: Duration::from_secs(group),
            // Checked before the command starts (see `poll_interval`).
            poll: poll_interval().unwrap_or(DEFAULT_POLL),
            no_wait: false,
        }
    }

    /// The defaults, for commands that take no wait flags.
    pub fn standard() -> Self {
        Self::from_secs(Self::CLUSTER_SECS, Self::PRINCIPAL_SECS, Self::GROUP_SECS)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_lies_inside_an_object_made_in_this_run_is_known_absent() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let ctx = Ctx::open(Options {
            store: ProfileStore::at(dir.path().join("p.json")),
            format: Format::Human,
            mode: Mode::DryRun,
            command: "up".into(),
            writes: false,
            wait_lock: Duration::ZERO,
        })
        .expect("a context");
        let rg = "/subscriptions/s/resourceGroups/rg-a";
        let ns = format!("{rg}/providers/Microsoft.ServiceBus/namespaces/n");
        assert!(!ctx.inside_made(&ns), "nothing made yet");
        ctx.made(rg);
        assert!(ctx.inside_made(&ns.to_uppercase()), "ARM IDs ignore case");
        assert!(!ctx.inside_made(rg), "the object made is there");
        assert!(
            !ctx.inside_made("/subscriptions/s/resourceGroups/rg-ab/providers/x/y/z"),
            "a group whose name begins with the made one's is another group"
        );
        let queue = format!("{ns}/queues/q");
        ctx.intending(&queue);
        assert!(
            !ctx.inside_made(&queue),
            "what this run wrote inside is read again (a retry after a refused write)"
        );
    }
}
