//! Where each setting comes from, the same way in both tools: the flag, else
//! the profile, else a default. A profile value is checked against its rule
//! (naming the profile field); a needed value found nowhere is a usage error
//! that says how to give it.

use crate::exit::Usage;
use crate::validate::{InvalidInput, Kind, check};

/// One setting: what it is, where it can be given, and its rule.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// In words, for messages: "Tenant B's ID".
    pub what: &'static str,
    /// The flag that gives it on this command, if there is one.
    pub flag: Option<&'static str>,
    /// The profile field that records it: "resources.tenantId".
    pub field: &'static str,
    pub kind: Kind,
    /// The command that records it in the profile.
    pub recorded_by: &'static str,
}

impl Setting {
    /// The flag's value, else the profile's (checked), else `None`.
    pub fn optional(
        &self,
        flag: Option<&str>,
        profile: Option<&str>,
    ) -> Result<Option<String>, InvalidInput> {
        if let Some(v) = flag {
            check(self.flag.unwrap_or(self.field), self.kind, v)?;
            return Ok(Some(v.to_string()));
        }
        match profile.filter(|v| !v.is_empty()) {
            Some(v) => {
                check(&format!("{} (profile)", self.field), self.kind, v)?;
                Ok(Some(v.to_string()))
            }
            None => Ok(None),
        }
    }

    /// Like [`Setting::optional`], falling back to `default`.
    pub fn or_default(
        &self,
        flag: Option<&str>,
        profile: Option<&str>,
        default: &str,
    ) -> Result<String, InvalidInput> {
        Ok(self
            .optional(flag, profile)?
            .unwrap_or_else(|| default.to_string()))
    }

    /// Like [`Setting::optional`], but a missing value is a [`Usage`] error
    /// saying how to give it.
    pub fn required(
        &self,
        flag: Option<&str>,
        profile: Option<&str>,
        profile_name: &str,
    ) -> Result<String, Usage> {
        match self.optional(flag, profile) {
            Ok(Some(v)) => Ok(v),
            Ok(None) => Err(Usage(self.missing(profile_name))),
            Err(e) => Err(Usage(e.to_string())),
        }
    }

    fn missing(&self, profile_name: &str) -> String {
        let how = format!(
            "run `{}` to record it in profile {profile_name:?}",
            self.recorded_by
        );
        match self.flag {
            Some(flag) => format!("missing {}: pass {flag}, or {how}", self.what),
            None => format!("missing {} ({}): {how}", self.what, self.field),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const G: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    const TENANT_B: Setting = Setting {
        what: "Tenant B's ID",
        flag: Some("--tenant-id"),
        field: "resources.tenantId",
        kind: Kind::Guid,
        recorded_by: "az-xtenant init --tenant-b <id>",
    };

    #[test]
    fn flag_then_profile_then_default() {
        let other = "00000000-0000-4000-8000-000000000000";
        assert_eq!(
            TENANT_B
                .optional(Some(G), Some(other))
                .expect("ok")
                .as_deref(),
            Some(G)
        );
        assert_eq!(
            TENANT_B.optional(None, Some(other)).expect("ok").as_deref(),
            Some(other)
        );
        assert_eq!(TENANT_B.optional(None, Some("")).expect("ok"), None);
        assert_eq!(TENANT_B.or_default(None, None, G).expect("ok"), G);
    }

    #[test]
    fn a_bad_profile_value_names_the_field() {
        let err = TENANT_B.optional(None, Some("nope")).expect_err("bad");
        assert!(
            err.to_string().contains("resources.tenantId (profile)"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_value_says_how_to_give_it() {
        let err = TENANT_B.required(None, None, "dev").expect_err("missing");
        let text = err.to_string();
        assert!(
            text.contains("--tenant-id")
                && text.contains("az-xtenant init")
                && text.contains("\"dev\""),
            "{text}"
        );
        let no_flag = Setting {
            flag: None,
            ..TENANT_B
        };
        let text = no_flag
            .required(None, None, "dev")
            .expect_err("missing")
            .to_string();
        assert!(
            text.contains("resources.tenantId") && !text.contains("pass"),
            "{text}"
        );
    }
}
