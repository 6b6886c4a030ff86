//! Where each value comes from: the flag, else the profile `az-xtenant`
//! records, else the procedure's default. A value that is needed but found
//! nowhere is a usage error naming the flag and the `az-xtenant` step.

use anyhow::{Context, Result};
use xtenant_shared::{Kind, Profile, ProfileError, ProfileStore, names, validate};

use crate::cli::Global;
use crate::exit::Usage;

/// The profile (when there is one) and its name.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub profile: Option<Profile>,
    pub profile_name: String,
}

impl Settings {
    /// Loads the named profile. A missing default profile is fine (every value
    /// can be a flag); a missing profile named with `--profile` is an error.
    pub fn load(global: &Global) -> Result<Self> {
        let name = global.profile.as_deref().unwrap_or(names::DEFAULT_PROFILE);
        let store = ProfileStore::open(name).map_err(|e| Usage(e.to_string()))?;
        let profile = match store.load() {
            Ok(p) => p,
            Err(e @ ProfileError::NewerSchema { .. }) => return Err(Usage(e.to_string()).into()),
            Err(e) => return Err(e).context("reading the xtenant profile"),
        };
        if profile.is_none() && global.profile.is_some() {
            let missing = ProfileError::Missing {
                path: store.path().to_path_buf(),
            };
            return Err(Usage(missing.to_string()).into());
        }
        Ok(Self {
            profile,
            profile_name: name.to_string(),
        })
    }

    /// Settings without a profile.
    #[cfg(test)]
    pub fn flags_only() -> Self {
        Self::default()
    }

    /// The managed identity's client ID.
    pub fn client_id(&self, flag: Option<&str>) -> Result<String> {
        let from_profile = self
            .profile
            .as_ref()
            .and_then(|p| p.resources.client_id.clone());
        self.required(flag, from_profile, Need::CLIENT_ID)
    }

    /// Tenant B's ID.
    pub fn tenant_b(&self, flag: Option<&str>) -> Result<String> {
        let from_profile = self
            .profile
            .as_ref()
            .and_then(|p| p.resources.tenant_id.clone());
        self.required(flag, from_profile, Need::TENANT_B)
    }

    /// The cluster's OIDC issuer URL, byte for byte.
    pub fn issuer(&self, flag: Option<&str>) -> Result<String> {
        let from_profile = self
            .profile
            .as_ref()
            .and_then(|p| p.cluster.issuer_url.clone());
        self.required(flag, from_profile, Need::ISSUER)
    }

    /// `<namespace>.servicebus.windows.net`.
    pub fn servicebus_hostname(&self, flag: Option<&str>) -> Result<String> {
        let from_profile = self
            .profile
            .as_ref()
            .and_then(|p| p.resources.servicebus_hostname.clone());
        self.required(flag, from_profile, Need::HOSTNAME)
    }

    /// The queue name (default `myqueue`).
    pub fn queue(&self, flag: Option<&str>) -> String {
        let from_profile = self
            .profile
            .as_ref()
            .and_then(|p| p.resources.queue_name.clone());
        pick(flag, from_profile, names::DEFAULT_QUEUE)
    }

    pub fn service_account(&self, flag: Option<&str>) -> String {
        let p = self
            .profile
            .as_ref()
            .map(|p| p.workload.service_account.clone());
        pick(flag, p, names::DEFAULT_SERVICE_ACCOUNT)
    }

    pub fn job_name(&self, flag: Option<&str>) -> String {
        let p = self.profile.as_ref().map(|p| p.workload.job_name.clone());
        pick(flag, p, names::DEFAULT_JOB_NAME)
    }

    pub fn image(&self, flag: Option<&str>) -> String {
        let p = self.profile.as_ref().map(|p| p.workload.image.clone());
        pick(flag, p, names::DEFAULT_IMAGE)
    }

    pub fn messages(&self, flag: Option<u32>) -> u32 {
        let p = self.profile.as_ref().map(|p| p.workload.message_count);
        flag.or(p).unwrap_or(names::DEFAULT_MESSAGE_COUNT)
    }

    /// The federated credential's subject as the profile records it, if any.
    pub fn recorded_subject(&self) -> Option<String> {
        self.profile.as_ref().map(Profile::subject)
    }

    fn required(&self, flag: Option<&str>, profile: Option<String>, need: Need) -> Result<String> {
        if let Some(v) = flag {
            return Ok(v.to_string());
        }
        let Some(v) = profile.filter(|v| !v.is_empty()) else {
            return Err(Usage(format!(
                "missing {}: pass {}, or run `{}` to record it in profile {:?}",
                need.what,
                need.flag,
                need.step,
                self.profile_name_or_default()
            ))
            .into());
        };
        let field = format!("profile field {}", need.field);
        validate::check(&field, need.kind, &v).map_err(|e| Usage(e.to_string()))?;
        Ok(v)
    }

    fn profile_name_or_default(&self) -> &str {
        if self.profile_name.is_empty() {
            names::DEFAULT_PROFILE
        } else {
            &self.profile_name
        }
    }
}

/// A value that has no default: its flag, profile field and recording step.
#[derive(Clone, Copy)]
struct Need {
    what: &'static str,
    flag: &'static str,
    field: &'static str,
    step: &'static str,
    kind: Kind,
}

impl Need {
    const CLIENT_ID: Need = Need {
        what: "the managed identity's client ID",
        flag: "--client-id",
        field: "resources.clientId",
        step: "az-xtenant resources",
        kind: Kind::Guid,
    };
    const TENANT_B: Need = Need {
        what: "Tenant B's ID",
        flag: "--tenant-id",
        field: "resources.tenantId",
        step: "az-xtenant init",
        kind: Kind::Guid,
    };
    const ISSUER: Need = Need {
        what: "the cluster's OIDC issuer URL",
        flag: "--issuer",
        field: "cluster.issuerUrl",
        step: "az-xtenant cluster",
        kind: Kind::IssuerUrl,
    };
    const HOSTNAME: Need = Need {
        what: "the Service Bus host name",
        flag: "--servicebus-hostname",
        field: "resources.servicebusHostname",
        step: "az-xtenant resources",
        kind: Kind::Queue,
    };
}

fn pick(flag: Option<&str>, profile: Option<String>, default: &str) -> String {
    flag.map(str::to_string)
        .or(profile.filter(|v| !v.is_empty()))
        .unwrap_or_else(|| default.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    #[test]
    fn missing_value_names_flag_and_step() {
        let err = Settings::flags_only().client_id(None).expect_err("missing");
        let text = err.to_string();
        assert!(text.contains("--client-id"), "{text}");
        assert!(text.contains("az-xtenant resources"), "{text}");
        let err = Settings::flags_only().issuer(None).expect_err("missing");
        assert!(err.to_string().contains("az-xtenant cluster"), "{err}");
    }

    #[test]
    fn flag_beats_profile_beats_default() {
        let mut profile = Profile::default();
        profile.resources.client_id = Some(GUID.into());
        profile.workload.job_name = "fromprofile".into();
        let s = Settings {
            profile: Some(profile),
            profile_name: "p".into(),
        };
        assert_eq!(s.client_id(None).expect("profile"), GUID);
        assert_eq!(s.client_id(Some("flag")).expect("flag"), "flag");
        assert_eq!(s.job_name(None), "fromprofile");
        assert_eq!(s.queue(None), "myqueue");
    }

    #[test]
    fn bad_profile_value_is_a_usage_error() {
        let mut profile = Profile::default();
        profile.resources.tenant_id = Some("not-a-guid".into());
        let s = Settings {
            profile: Some(profile),
            profile_name: "p".into(),
        };
        let err = s.tenant_b(None).expect_err("invalid");
        assert!(err.to_string().contains("resources.tenantId"), "{err}");
        assert!(err.is::<Usage>());
    }
}
