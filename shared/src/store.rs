//! The profile on disk: one JSON file per profile name, read and modified under
//! an exclusive lock (flock, through `File::lock`), written atomically (temporary file, fsync, rename) with
//! mode 0600, so a crash or a concurrent writer never loses or tears an update.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::paths;
use crate::profile::{Profile, SCHEMA_VERSION};
use crate::validate::{self, InvalidInput, Kind};

/// Failures reading or writing a profile. Each names the file involved.
#[derive(Debug, Error)]
pub enum ProfileError {
    /// Neither `XTENANT_CONFIG_DIR`, `XDG_CONFIG_HOME` nor `HOME` is set.
    #[error(
        "cannot tell where to keep profiles: set XTENANT_CONFIG_DIR (or HOME) to a writable directory"
    )]
    NoConfigDir,
    /// The profile name is not usable as a file name.
    #[error(transparent)]
    InvalidName(#[from] InvalidInput),
    /// Reading, locking or writing a file failed.
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    /// The file is not a profile this version can read.
    #[error(
        "profile {path} is not valid JSON for xtenant: {source}; fix or remove the file (az-xtenant init recreates it)"
    )]
    Corrupt {
        path: PathBuf,
        source: serde_json::Error,
    },
    /// The file was written by a newer xtenant.
    #[error(
        "profile {path} has schema version {found}, newer than this xtenant understands ({supported}); upgrade xtenant"
    )]
    NewerSchema {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    /// The profile does not exist yet.
    #[error("no profile at {path}: run `az-xtenant init` first, or pass the values as flags")]
    Missing { path: PathBuf },
    /// Another command is changing this profile.
    #[error(
        "profile {path} is in use by {holder}; wait for it to finish (or pass --wait-lock to wait), then run this again"
    )]
    Busy { path: PathBuf, holder: String },
}

/// A profile file and its lock.
#[derive(Debug, Clone)]
pub struct ProfileStore {
    path: PathBuf,
}

impl ProfileStore {
    /// The store for a named profile in the configuration directory, resolved
    /// now from the environment.
    pub fn open(name: &str) -> Result<Self, ProfileError> {
        validate::check("--profile", Kind::ProfileName, name)?;
        let dir = paths::config_dir().ok_or(ProfileError::NoConfigDir)?;
        Ok(Self::at(dir.join(format!("{name}.json"))))
    }

    /// The store for an explicit file.
    pub fn at(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// Where the profile lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the profile; `Ok(None)` when it does not exist.
    pub fn load(&self) -> Result<Option<Profile>, ProfileError> {
        match fs::read(&self.path) {
            Ok(bytes) => self.parse(&bytes).map(Some),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(self.io("reading", source)),
        }
    }

    /// Reads the profile, failing with [`ProfileError::Missing`] when absent.
    pub fn load_existing(&self) -> Result<Profile, ProfileError> {
        self.load()?.ok_or_else(|| ProfileError::Missing {
            path: self.path.clone(),
        })
    }

    /// Reads the profile (or a default one), lets `change` edit it, and writes
    /// it back atomically, all under an exclusive lock. Nothing is written when
    /// `change` returns an error, or when it left the profile as it was.
    pub fn modify<T, E>(&self, change: impl FnOnce(&mut Profile) -> Result<T, E>) -> Result<T, E>
    where
        E: From<ProfileError>,
    {
        let _lock = self.lock()?;
        let before = self.load()?;
        let mut profile = before.clone().unwrap_or_default();
        let out = change(&mut profile)?;
        if before.as_ref() != Some(&profile) {
            self.write(&profile)?;
        }
        Ok(out)
    }

    fn parse(&self, bytes: &[u8]) -> Result<Profile, ProfileError> {
        // Check the version first, so a newer layout is reported as such
        // rather than as a parse error.
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|source| self.corrupt(source))?;
        if let Some(found) = value.get("schemaVersion").and_then(|v| v.as_u64()) {
            let found = u32::try_from(found).unwrap_or(u32::MAX);
            if found > SCHEMA_VERSION {
                return Err(ProfileError::NewerSchema {
                    path: self.path.clone(),
                    found,
                    supported: SCHEMA_VERSION,
                });
            }
        }
        let mut profile: Profile =
            serde_json::from_value(value).map_err(|source| self.corrupt(source))?;
        profile.migrate();
        Ok(profile)
    }

    /// Creates the profile directory (mode 0700) when it is missing.
    pub(crate) fn ensure_dir(&self) -> Result<(), ProfileError> {
        let dir = self.dir();
        create_private_dir(dir).map_err(|source| self.io_at("creating", dir, source))
    }

    fn lock(&self) -> Result<File, ProfileError> {
        self.ensure_dir()?;
        let lock_path = self.path.with_extension("json.lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|source| self.io_at("opening lock", &lock_path, source))?;
        file.lock()
            .map_err(|source| self.io_at("locking", &lock_path, source))?;
        Ok(file)
    }

    fn write(&self, profile: &Profile) -> Result<(), ProfileError> {
        let mut text = serde_json::to_vec_pretty(profile).map_err(|source| self.corrupt(source))?;
        text.push(b'\n');
        let dir = self.dir();
        let mut tmp = tempfile::Builder::new()
            .prefix(".profile-")
            .suffix(".tmp")
            .permissions(private_file())
            .tempfile_in(dir)
            .map_err(|source| self.io_at("creating a temporary file in", dir, source))?;
        tmp.write_all(&text)
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(|source| self.io_at("writing", tmp.path(), source))?;
        tmp.persist(&self.path)
            .map_err(|e| self.io("replacing", e.error))?;
        // Make the rename itself durable.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    fn dir(&self) -> &Path {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        }
    }

    fn io(&self, action: &'static str, source: io::Error) -> ProfileError {
        self.io_at(action, &self.path, source)
    }

    fn io_at(&self, action: &'static str, path: &Path, source: io::Error) -> ProfileError {
        ProfileError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    fn corrupt(&self, source: serde_json::Error) -> ProfileError {
        ProfileError::Corrupt {
            path: self.path.clone(),
            source,
        }
    }
}

#[cfg(unix)]
fn private_file() -> fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    fs::Permissions::from_mode(0o600)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Barrier};

    fn store(dir: &tempfile::TempDir) -> ProfileStore {
        ProfileStore::at(dir.path().join("nested").join("p.json"))
    }

    #[test]
    fn missing_profile_loads_as_none() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(store(&dir).load().expect("loads").is_none());
        let err = store(&dir).load_existing().expect_err("missing");
        assert!(err.to_string().contains("az-xtenant init"), "{err}");
    }

    #[test]
    fn modify_writes_private_file_atomically() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let s = store(&dir);
        s.modify(|p| {
            p.cluster.tenant_id = Some("a".into());
            Ok::<_, ProfileError>(())
        })
        .expect("modify");
        let mode = fs::metadata(s.path()).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let loaded = s.load_existing().expect("load");
        assert_eq!(loaded.cluster.tenant_id.as_deref(), Some("a"));
        // No temporary files are left behind.
        let leftovers: Vec<_> = fs::read_dir(s.dir())
            .expect("readdir")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn failed_change_writes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = store(&dir);
        let r: Result<(), ProfileError> = s.modify(|p| {
            p.cluster.tenant_id = Some("a".into());
            Err(ProfileError::NoConfigDir)
        });
        assert!(r.is_err());
        assert!(s.load().expect("load").is_none());
    }

    #[test]
    fn corrupt_file_error_names_the_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("broken.json");
        fs::write(&path, b"{ not json").expect("write");
        let err = ProfileStore::at(&path).load().expect_err("corrupt");
        assert!(matches!(err, ProfileError::Corrupt { .. }));
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
    }

    #[test]
    fn newer_schema_is_refused_with_its_version() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("new.json");
        fs::write(&path, br#"{"schemaVersion": 99, "cluster": 5}"#).expect("write");
        let err = ProfileStore::at(&path).load().expect_err("newer");
        assert!(err.to_string().contains("schema version 99"), "{err}");
    }

    #[test]
    fn a_version_2_file_is_read_and_rewritten_as_version_3() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("v2.json");
        fs::write(
            &path,
            br#"{"schemaVersion": 2, "cluster": {"issuerUrl": "https://i/"},
                "resources": {"identityId": "/i", "clientId": "c", "federatedCredentialName": "f"}}"#,
        )
        .expect("write");
        let s = ProfileStore::at(&path);
        s.modify(|p| {
            p.workload.job_name = "j".into();
            Ok::<_, ProfileError>(())
        })
        .expect("modify");
        let text: serde_json::Value =
            serde_json::from_slice(&fs::read(&path).expect("read")).expect("json");
        assert_eq!(text["schemaVersion"], 3);
        assert_eq!(
            text["graph"]["clusters"]["@demo"]["issuerUrl"],
            "https://i/"
        );
        assert_eq!(text["graph"]["identities"]["@demo"]["clientId"], "c");
        assert_eq!(text["graph"]["bindings"][0]["credential"], "f");
        assert!(text["resources"].get("clientId").is_none());
    }

    #[test]
    fn a_version_4_file_is_refused_naming_both_versions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("v4.json");
        let v4 = br#"{"schemaVersion": 4, "graph": {"clusters": []}}"#;
        fs::write(&path, v4).expect("write");
        let s = ProfileStore::at(&path);
        let err = s.load().expect_err("newer");
        let text = err.to_string();
        assert!(text.contains("schema version 4"), "{text}");
        assert!(text.contains("understands (3)"), "{text}");
        assert!(text.contains("upgrade xtenant"), "{text}");
        let r = s.modify(|_| Ok::<_, ProfileError>(()));
        assert!(r.is_err(), "nothing is written over it");
        assert_eq!(fs::read(&path).expect("read"), v4);
    }

    #[test]
    fn concurrent_writers_lose_no_update() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = store(&dir);
        let writers = 8;
        let rounds = 25;
        let barrier = Arc::new(Barrier::new(writers));
        let handles: Vec<_> = (0..writers)
            .map(|w| {
                let s = s.clone();
                let barrier = Arc::clone(&barrier);
                std::thread::spawn(move || {
                    barrier.wait();
                    for r in 0..rounds {
                        s.modify(|p| {
                            let n = p.workload.message_count;
                            p.workload.message_count = n + 1;
                            p.extra
                                .insert(format!("w{w}r{r}"), serde_json::Value::Bool(true));
                            Ok::<_, ProfileError>(())
                        })
                        .expect("modify");
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().expect("writer thread");
        }
        let p = s.load_existing().expect("load");
        let total = u32::try_from(writers * rounds).expect("fits");
        assert_eq!(p.workload.message_count, 100 + total);
        assert_eq!(p.extra.len(), writers * rounds);
    }

    #[test]
    fn open_rejects_path_like_profile_names() {
        let err = ProfileStore::open("../etc").expect_err("bad name");
        assert!(err.to_string().contains("--profile"), "{err}");
    }
}
