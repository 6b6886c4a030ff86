//! The profile: every setting and ID of one cross-tenant setup, carried
//! between `az-xtenant` (which fills it) and `kubectl-xtenant` (which reads it).
//!
//! It holds IDs and names only, never a token or a secret. Fields this version
//! does not know are kept (`extra`) so that an older tool does not erase what a
//! newer one wrote.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::names;

/// Version of the profile's JSON layout. Bumped on incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

/// One cross-tenant setup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub schema_version: u32,
    /// Tenant A: the AKS cluster and its OIDC issuer.
    #[serde(default)]
    pub cluster: ClusterSide,
    /// Tenant B: Service Bus, managed identity, role assignment, credential.
    #[serde(default)]
    pub resources: ResourceSide,
    /// What runs in the cluster.
    #[serde(default)]
    pub workload: Workload,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Tenant A's settings and what `az-xtenant cluster` found or made there.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSide {
    pub tenant_id: Option<String>,
    pub subscription_id: Option<String>,
    pub resource_group: Option<String>,
    pub location: Option<String>,
    pub cluster_name: Option<String>,
    /// True only when xtenant created the resource group (and tagged it);
    /// cleanup deletes nothing else.
    #[serde(default)]
    pub resource_group_created: bool,
    /// True when xtenant created the cluster (as opposed to adopting it).
    #[serde(default)]
    pub cluster_created: bool,
    /// ARM ID of the cluster.
    pub cluster_id: Option<String>,
    /// `oidcIssuerProfile.issuerUrl`, byte for byte as AKS reported it.
    pub issuer_url: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Tenant B's settings and the resources made there.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceSide {
    pub tenant_id: Option<String>,
    pub subscription_id: Option<String>,
    pub resource_group: Option<String>,
    pub location: Option<String>,
    #[serde(default)]
    pub resource_group_created: bool,
    /// Service Bus namespace name; generated once (procedure's `$RANDOM`) and kept.
    pub servicebus_namespace: Option<String>,
    pub servicebus_id: Option<String>,
    /// `<ns>.servicebus.windows.net`, from the namespace's `serviceBusEndpoint`.
    pub servicebus_hostname: Option<String>,
    pub queue_name: Option<String>,
    pub identity_name: Option<String>,
    pub identity_id: Option<String>,
    /// The identity's client (application) ID: what the ServiceAccount names.
    pub client_id: Option<String>,
    /// The identity's service principal object ID: what the role is assigned to.
    pub principal_id: Option<String>,
    pub role_assignment_id: Option<String>,
    pub federated_credential_name: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The Kubernetes side: where the workload runs and what it sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workload {
    pub namespace: String,
    pub service_account: String,
    pub job_name: String,
    pub message_count: u32,
    pub image: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Default for Workload {
    fn default() -> Self {
        Self {
            namespace: names::DEFAULT_NAMESPACE.into(),
            service_account: names::DEFAULT_SERVICE_ACCOUNT.into(),
            job_name: names::DEFAULT_JOB_NAME.into(),
            message_count: names::DEFAULT_MESSAGE_COUNT,
            image: names::DEFAULT_IMAGE.into(),
            extra: Map::new(),
        }
    }
}

impl Default for Profile {
    fn default() -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            cluster: ClusterSide::default(),
            resources: ResourceSide::default(),
            workload: Workload::default(),
            extra: Map::new(),
        }
    }
}

impl Profile {
    /// The subject the federated credential must name:
    /// `system:serviceaccount:<namespace>:<service account>`.
    pub fn subject(&self) -> String {
        names::subject(&self.workload.namespace, &self.workload.service_account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_survive_a_round_trip() {
        let text = r#"{"schemaVersion":1,"future":{"a":1},
            "cluster":{"tenantId":"t","newThing":true},
            "workload":{"namespace":"ns","serviceAccount":"sa","jobName":"j",
                        "messageCount":5,"image":"i","sidecar":"x"}}"#;
        let profile: Profile = serde_json::from_str(text).expect("parses");
        assert_eq!(profile.cluster.tenant_id.as_deref(), Some("t"));
        let again = serde_json::to_value(&profile).expect("serializes");
        assert_eq!(again["future"]["a"], 1);
        assert_eq!(again["cluster"]["newThing"], true);
        assert_eq!(again["workload"]["sidecar"], "x");
    }

    #[test]
    fn defaults_follow_the_procedure() {
        let p = Profile::default();
        assert_eq!(p.schema_version, SCHEMA_VERSION);
        assert_eq!(
            p.subject(),
            "system:serviceaccount:default:myserviceaccount"
        );
        assert_eq!(p.workload.message_count, 100);
    }
}
