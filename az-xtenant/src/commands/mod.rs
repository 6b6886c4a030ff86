//! One module per subcommand (`Args` + `run`), the dispatch, and the context
//! they share: the profile store, the in-memory profile, az and progress.

pub mod cleanup;
pub mod cluster;
pub mod completions;
pub mod env;
pub mod group;
pub mod init;
pub mod login;
pub mod man;
pub mod resources;
pub mod status;
pub mod trust;
pub mod up;

use std::sync::{Mutex, MutexGuard};

use anyhow::Result;
use xtenant_shared::{Profile, ProfileError, ProfileStore};

use crate::az::{Az, Mode};
use crate::cli::{Cli, Command, Format, Global};
use crate::progress::Progress;

/// What every subcommand works with.
pub struct Ctx {
    pub store: ProfileStore,
    /// The profile as this run sees it; under `--dry-run` changes stay here.
    profile: Mutex<Profile>,
    pub format: Format,
    pub mode: Mode,
    pub progress: Progress,
}

impl Ctx {
    fn new(global: &Global) -> Result<Self> {
        let store = ProfileStore::open(&global.profile)?;
        let profile = store.load()?.unwrap_or_default();
        let mode = match (global.dry_run, global.assume) {
            (_, Some(a)) => Mode::Assume(a),
            (true, None) => Mode::DryRun,
            (false, None) => Mode::Live,
        };
        Ok(Self {
            store,
            profile: Mutex::new(profile),
            format: global.output,
            mode,
            progress: Progress::from_env().planning(mode != Mode::Live),
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

    /// Applies `change` to this run's profile and, unless this is a dry run,
    /// to the file (re-read under its lock, so concurrent steps merge).
    pub fn record(&self, change: impl Fn(&mut Profile)) -> Result<()> {
        change(&mut self.lock());
        if self.mode == Mode::Live {
            self.store
                .modify(|p| {
                    change(p);
                    Ok::<_, ProfileError>(())
                })
                .map_err(|e| anyhow::Error::new(e).context("saving the profile"))?;
        }
        Ok(())
    }

    /// The az runner (finds `az` on PATH). Call after validating input.
    pub fn az(&self) -> Result<Az> {
        Ok(Az::new(self.mode, self.progress.clone())?)
    }

    pub fn dry_run(&self) -> bool {
        self.mode != Mode::Live
    }
}

/// Runs the chosen subcommand.
pub fn dispatch(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Completions(args) => return completions::run(&args),
        Command::Man(args) => return man::run(&args),
        _ => {}
    }
    let ctx = Ctx::new(&cli.global)?;
    match cli.command {
        Command::Init(args) => init::run(&ctx, &args),
        Command::Login(args) => login::run(&ctx, &args),
        Command::Cluster(args) => cluster::run(&ctx, &args),
        Command::Resources(args) => resources::run(&ctx, &args),
        Command::Trust(args) => trust::run(&ctx, &args),
        Command::Up(args) => up::run(&ctx, &args),
        Command::Status(args) => status::run(&ctx, &args),
        Command::Env(args) => env::run(&ctx, &args),
        Command::Cleanup(args) => cleanup::run(&ctx, &args),
        Command::Completions(_) | Command::Man(_) => Ok(()),
    }
}
