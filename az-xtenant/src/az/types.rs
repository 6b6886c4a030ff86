//! The JSON shapes az prints (`-o json`), reduced to the fields xtenant uses.
//! Field names are az's camelCase; unknown fields are ignored.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use xtenant_shared::names;

/// Placeholder for IDs a dry run cannot know.
pub const PLACEHOLDER_GUID: &str = "00000000-0000-0000-0000-000000000000";

/// `az account list`: one subscription az holds a session for.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// Subscription ID.
    pub id: String,
    pub tenant_id: String,
}

/// `az group show|create`.
#[derive(Debug, Clone, Deserialize)]
pub struct Group {
    #[serde(default)]
    pub tags: Option<Map<String, Value>>,
    #[serde(default)]
    pub properties: Option<Map<String, Value>>,
}

impl Group {
    /// The value of tag `name`, if the group has it.
    pub fn tag(&self, name: &str) -> Option<&str> {
        self.tags.as_ref()?.get(name)?.as_str()
    }

    /// Whether the group carries `created-by=xtenant`.
    pub fn tagged_by_xtenant(&self) -> bool {
        self.tag(names::TAG_CREATED_BY) == Some(names::TAG_CREATED_BY_VALUE)
    }

    /// The ID of the profile that created the group, from its tag.
    pub fn profile(&self) -> Option<&str> {
        self.tag(names::TAG_PROFILE)
    }

    /// Whether ARM is deleting the group (writes inside it are refused).
    pub fn deleting(&self) -> bool {
        self.properties
            .as_ref()
            .and_then(|p| p.get("provisioningState"))
            .and_then(Value::as_str)
            == Some("Deleting")
    }
}

/// `az aks show|create|update`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cluster {
    pub id: String,
    #[serde(default)]
    pub provisioning_state: Option<String>,
    #[serde(default)]
    pub oidc_issuer_profile: Option<OidcIssuerProfile>,
    #[serde(default)]
    pub security_profile: Option<SecurityProfile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OidcIssuerProfile {
    #[serde(default)]
    pub enabled: Option<bool>,
    // az prints `issuerUrl`; ARM's own name is `issuerURL`.
    #[serde(default, alias = "issuerURL")]
    pub issuer_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityProfile {
    #[serde(default)]
    pub workload_identity: Option<Toggle>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Toggle {
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// A cluster as a trust request describes it: its ARM ID and OIDC issuer.
#[derive(Debug, Clone)]
pub struct KnownCluster {
    pub id: String,
    pub issuer: String,
}

impl Cluster {
    /// A cluster as a trust request describes it (Tenant A read it): OIDC
    /// issuer and workload identity on.
    pub fn requested(id: &str, issuer: &str) -> Self {
        Self {
            id: id.to_string(),
            provisioning_state: Some("Succeeded".into()),
            oidc_issuer_profile: Some(OidcIssuerProfile {
                enabled: Some(true),
                issuer_url: Some(issuer.to_string()),
            }),
            security_profile: Some(SecurityProfile {
                workload_identity: Some(Toggle {
                    enabled: Some(true),
                }),
            }),
        }
    }

    pub fn oidc_enabled(&self) -> bool {
        self.oidc_issuer_profile
            .as_ref()
            .and_then(|p| p.enabled)
            .unwrap_or(false)
    }
    /// `securityProfile.workloadIdentity` is null when off.
    pub fn workload_identity_enabled(&self) -> bool {
        self.security_profile
            .as_ref()
            .and_then(|p| p.workload_identity.as_ref())
            .and_then(|w| w.enabled)
            .unwrap_or(false)
    }
    pub fn issuer_url(&self) -> Option<&str> {
        self.oidc_issuer_profile
            .as_ref()
            .and_then(|p| p.issuer_url.as_deref())
            .filter(|u| !u.is_empty())
    }
    /// Whether AKS is still working on the cluster (an operation in flight;
    /// a write now would be refused with OperationNotAllowed).
    pub fn in_progress(&self) -> bool {
        matches!(
            self.provisioning_state.as_deref(),
            Some(
                "Creating"
                    | "Updating"
                    | "Upgrading"
                    | "Starting"
                    | "Stopping"
                    | "Scaling"
                    | "Migrating"
                    | "Canceling"
                    | "Deleting"
            )
        )
    }
    /// Whether the last operation on the cluster ended badly.
    pub fn failed(&self) -> bool {
        matches!(
            self.provisioning_state.as_deref(),
            Some("Failed" | "Canceled")
        )
    }
}

/// `az servicebus namespace show|create|update`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Namespace {
    pub id: String,
    /// `https://<ns>.servicebus.windows.net:443/`
    #[serde(default)]
    pub service_bus_endpoint: Option<String>,
    #[serde(default)]
    pub disable_local_auth: Option<bool>,
}

/// `az servicebus queue show|create` (only its existence matters).
#[derive(Debug, Clone, Deserialize)]
pub struct Queue {}

/// `az identity show|create`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    pub id: String,
    pub client_id: String,
    pub principal_id: String,
}

/// One entry of `az resource list`.
#[derive(Debug, Clone, Deserialize)]
pub struct Resource {
    pub name: String,
    #[serde(rename = "type", default)]
    pub kind: String,
}

/// `az deployment group show`.
#[derive(Debug, Clone, Deserialize)]
pub struct Deployment {
    pub properties: DeploymentProperties,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentProperties {
    #[serde(default)]
    pub provisioning_state: String,
    /// What ARM says went wrong, when it failed.
    #[serde(default)]
    pub error: Option<serde_json::Value>,
}

impl Deployment {
    /// Whether ARM is still carrying it out.
    pub fn running(&self) -> bool {
        !["Succeeded", "Failed", "Canceled"]
            .iter()
            .any(|s| s.eq_ignore_ascii_case(&self.properties.provisioning_state))
    }

    /// Whether ARM ended it without success.
    pub fn failed(&self) -> bool {
        ["Failed", "Canceled"]
            .iter()
            .any(|s| s.eq_ignore_ascii_case(&self.properties.provisioning_state))
    }
}

/// `az role assignment list|create`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignment {
    pub id: String,
    pub principal_id: String,
    #[serde(default)]
    pub role_definition_id: Option<String>,
    #[serde(default)]
    pub role_definition_name: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
}

/// Role definition ID of "Azure Service Bus Data Owner" (the same in every tenant).
pub const SERVICEBUS_DATA_OWNER_ID: &str = "090c5cfd-751d-490a-894a-3ce6f1109419";

/// Built-in roles xtenant knows by name: (name, role definition GUID).
const BUILT_IN_ROLES: &[(&str, &str)] = &[(names::SERVICEBUS_ROLE, SERVICEBUS_DATA_OWNER_ID)];

impl RoleAssignment {
    /// Whether this grants `role` (a name or a role definition GUID) to
    /// `principal` at `scope`.
    pub fn grants(&self, role: &str, principal: &str, scope: &str) -> bool {
        let guid = BUILT_IN_ROLES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(role))
            .map_or(role, |(_, guid)| *guid)
            .to_ascii_lowercase();
        let role = self
            .role_definition_name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(role))
            || self
                .role_definition_id
                .as_deref()
                .is_some_and(|id| id.to_ascii_lowercase().ends_with(&guid));
        let at_scope = self
            .scope
            .as_deref()
            .is_none_or(|s| s.eq_ignore_ascii_case(scope));
        role && at_scope && self.principal_id.eq_ignore_ascii_case(principal)
    }
}

/// `az identity federated-credential list|create`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct FederatedCredential {
    pub name: String,
    pub issuer: String,
    pub subject: String,
    #[serde(default)]
    pub audiences: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_flags_follow_az_output() {
        let on: Cluster = serde_json::from_str(
            r#"{"id":"/c","provisioningState":"Succeeded",
                "oidcIssuerProfile":{"enabled":true,"issuerUrl":"https://e/t/u/"},
                "securityProfile":{"workloadIdentity":{"enabled":true}}}"#,
        )
        .expect("parses");
        assert!(on.oidc_enabled() && on.workload_identity_enabled());
        assert_eq!(on.issuer_url(), Some("https://e/t/u/"));
        let off: Cluster = serde_json::from_str(
            r#"{"id":"/c","oidcIssuerProfile":{"enabled":false,"issuerUrl":null},
                "securityProfile":{"workloadIdentity":null}}"#,
        )
        .expect("parses");
        assert!(!off.oidc_enabled() && !off.workload_identity_enabled());
        assert_eq!(off.issuer_url(), None);
    }

    #[test]
    fn tag_is_checked_exactly() {
        let g: Group = serde_json::from_str(r#"{"tags":{"created-by":"xtenant"}}"#).expect("g");
        assert!(g.tagged_by_xtenant());
        let g: Group = serde_json::from_str(r#"{"tags":null}"#).expect("g");
        assert!(!g.tagged_by_xtenant());
    }

    #[test]
    fn role_assignment_match() {
        let ra: RoleAssignment = serde_json::from_str(&format!(
            r#"{{"id":"/ra","principalId":"P","scope":"/NS",
                "roleDefinitionId":"/x/roleDefinitions/{SERVICEBUS_DATA_OWNER_ID}"}}"#
        ))
        .expect("ra");
        let owner = names::SERVICEBUS_ROLE;
        assert!(ra.grants(owner, "p", "/ns"));
        assert!(ra.grants(SERVICEBUS_DATA_OWNER_ID, "p", "/ns"));
        assert!(!ra.grants("Reader", "p", "/ns"));
        assert!(!ra.grants(owner, "q", "/ns"));
        assert!(!ra.grants(owner, "p", "/other"));
    }
}
