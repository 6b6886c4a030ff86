//! The profile: every setting and ID of one cross-tenant setup, carried
//! between `az-xtenant` (which fills it) and `kubectl-xtenant` (which reads it).
//!
//! It holds IDs and names only, never a token or a secret. Fields this version
//! does not know are kept (`extra`) so that an older tool does not erase what a
//! newer one wrote.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::graph_state::GraphState;
use crate::names;
use crate::ownership::{ObjectKind, Ownership};

/// Version of the profile's JSON layout. Bumped on incompatible changes.
/// 2: the profile's own `id` and the `owned` records replace the
/// `resourceGroupCreated`/`clusterCreated` flags of version 1.
/// 3: what the demo learned of the objects it made (its cluster's ID and
/// issuer, its identity's IDs, role assignment and credential) is kept as
/// the demo's entries of the graph state (`graph_state::DEMO`), no longer in
/// `cluster`/`resources`, which keep the settings and names.
pub const SCHEMA_VERSION: u32 = 3;

/// One cross-tenant setup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub schema_version: u32,
    /// This profile's unique ID: the mark on everything it creates (the
    /// `xtenant-profile` tag of its groups, role-assignment descriptions).
    /// Generated on first save.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Tenant A: the AKS cluster and its OIDC issuer.
    #[serde(default)]
    pub cluster: ClusterSide,
    /// Tenant B: Service Bus, managed identity, role assignment, credential.
    #[serde(default)]
    pub resources: ResourceSide,
    /// What runs in the cluster.
    #[serde(default)]
    pub workload: Workload,
    /// What xtenant created, or recorded the intent to create.
    #[serde(default, skip_serializing_if = "Ownership::is_empty")]
    pub owned: Ownership,
    /// What was learned of the objects made or adopted: the declared trust
    /// graph's (`az-xtenant apply -f`) and the demo's (`az-xtenant up`).
    #[serde(default, skip_serializing_if = "GraphState::is_empty")]
    pub graph: GraphState,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Tenant A's settings for the demo. What `az-xtenant cluster` learns of the
/// cluster it makes is the demo's cluster entry of the graph state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSide {
    pub tenant_id: Option<String>,
    pub subscription_id: Option<String>,
    pub resource_group: Option<String>,
    pub location: Option<String>,
    pub cluster_name: Option<String>,
    /// Version 1 only: read, migrated into `owned`, never written.
    #[serde(default, skip_serializing)]
    pub resource_group_created: bool,
    /// Version 1 only: read, migrated into `owned`, never written.
    #[serde(default, skip_serializing)]
    pub cluster_created: bool,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Tenant B's settings for the demo, and its Service Bus namespace. What the
/// demo learns of its identity, role assignment and credential is the
/// demo's identity and binding entries of the graph state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceSide {
    pub tenant_id: Option<String>,
    pub subscription_id: Option<String>,
    pub resource_group: Option<String>,
    pub location: Option<String>,
    /// Version 1 only: read, migrated into `owned`, never written.
    #[serde(default, skip_serializing)]
    pub resource_group_created: bool,
    /// Service Bus namespace name; generated once (procedure's `$RANDOM`) and kept.
    pub servicebus_namespace: Option<String>,
    pub servicebus_id: Option<String>,
    /// `<ns>.servicebus.windows.net`, from the namespace's `serviceBusEndpoint`.
    pub servicebus_hostname: Option<String>,
    pub queue_name: Option<String>,
    pub identity_name: Option<String>,
    /// The name to give the demo's credential (`init
    /// --federated-credential-name`) until it is made; the one made is the
    /// demo's binding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
            id: None,
            owned: Ownership::default(),
            graph: GraphState::default(),
            extra: Map::new(),
        }
    }
}

/// Takes a version 2 field out of a section's unknown fields: its string,
/// or nothing (a null is dropped, anything else is left in place).
fn take(extra: &mut Map<String, Value>, key: &str) -> Option<String> {
    match extra.get(key)? {
        Value::String(_) => extra
            .remove(key)
            .and_then(|v| v.as_str().map(str::to_string)),
        Value::Null => {
            extra.remove(key);
            None
        }
        _ => None,
    }
}

/// The ARM ID of a resource group.
pub fn group_id(subscription: &str, group: &str) -> String {
    format!("/subscriptions/{subscription}/resourceGroups/{group}")
}

impl Profile {
    /// Brings a profile of an older layout up to this one, losing nothing:
    /// version 1's "created" flags become ownership records.
    pub fn migrate(&mut self) {
        let c = &mut self.cluster;
        if let (Some(sub), Some(rg)) = (&c.subscription_id, &c.resource_group) {
            let group = group_id(sub, rg);
            if c.resource_group_created {
                self.owned.created(ObjectKind::ResourceGroup, &group);
            }
            if let (true, Some(name)) = (c.cluster_created, &c.cluster_name) {
                let id =
                    format!("{group}/providers/Microsoft.ContainerService/managedClusters/{name}");
                self.owned.created(ObjectKind::ManagedCluster, &id);
            }
        }
        let r = &self.resources;
        if let (true, Some(sub), Some(rg)) = (
            r.resource_group_created,
            &r.subscription_id,
            &r.resource_group,
        ) {
            self.owned
                .created(ObjectKind::ResourceGroup, &group_id(sub, rg));
        }
        self.cluster.resource_group_created = false;
        self.cluster.cluster_created = false;
        self.resources.resource_group_created = false;
        self.move_demo_ids_into_the_graph();
        self.schema_version = SCHEMA_VERSION;
    }

    /// Version 2 kept the IDs of the demo's objects beside its settings; they
    /// become the demo's entries of the graph state. Read from whatever file
    /// holds them (a hand-edited newer one too); a value that is not a
    /// string stays where it was, so nothing is lost.
    fn move_demo_ids_into_the_graph(&mut self) {
        let c = &mut self.cluster.extra;
        let (cluster_id, issuer) = (take(c, "clusterId"), take(c, "issuerUrl"));
        if cluster_id.is_some() || issuer.is_some() {
            let e = self.graph.demo_cluster_mut();
            e.id = cluster_id.or(e.id.take());
            e.issuer_url = issuer.or(e.issuer_url.take());
        }
        let r = &mut self.resources.extra;
        let identity = [
            take(r, "identityId"),
            take(r, "clientId"),
            take(r, "principalId"),
            take(r, "roleAssignmentId"),
        ];
        // Version 2 recorded the credential made under the name to give it.
        let credential = if self.schema_version < 3 && identity[0].is_some() {
            self.resources.federated_credential_name.take()
        } else {
            None
        };
        if identity.iter().any(Option::is_some) {
            let [id, client_id, principal_id, role] = identity;
            let e = self.graph.demo_identity_mut();
            e.id = id.or(e.id.take());
            e.client_id = client_id.or(e.client_id.take());
            e.principal_id = principal_id.or(e.principal_id.take());
            if let Some(role) = role.filter(|r| !e.role_assignments.contains(r)) {
                e.role_assignments.push(role);
            }
        }
        if let Some(name) = credential {
            let w = &self.workload;
            self.graph
                .set_demo_binding(&w.namespace, &w.service_account, &name);
        }
    }

    /// The demo cluster's OIDC issuer, as recorded when it was made.
    pub fn demo_issuer(&self) -> Option<&str> {
        self.graph.demo_cluster()?.issuer_url.as_deref()
    }

    /// The demo identity's client ID, as recorded when it was made.
    pub fn demo_client_id(&self) -> Option<&str> {
        self.graph.demo_identity()?.client_id.as_deref()
    }

    /// The name of the demo's credential: the one chosen since the last was
    /// made, else the one made.
    pub fn demo_credential(&self) -> Option<&str> {
        match &self.resources.federated_credential_name {
            Some(chosen) => Some(chosen.as_str()),
            None => Some(self.graph.demo_binding()?.credential.as_str()),
        }
    }

    /// This profile's unique ID, generated the first time it is asked for.
    pub fn ensure_id(&mut self) -> String {
        self.id
            .get_or_insert_with(|| uuid::Uuid::new_v4().to_string())
            .clone()
    }

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
    fn version_1_created_flags_become_ownership_records() {
        let text = r#"{"schemaVersion":1,
            "cluster":{"subscriptionId":"sa","resourceGroup":"rg","clusterName":"aks",
                       "resourceGroupCreated":true,"clusterCreated":true,"issuerUrl":"https://i/"},
            "resources":{"subscriptionId":"sb","resourceGroup":"rgb","resourceGroupCreated":true,
                         "clientId":"c"}}"#;
        let mut p: Profile = serde_json::from_str(text).expect("parses");
        p.migrate();
        assert_eq!(p.schema_version, SCHEMA_VERSION);
        assert!(p.owned.is_ours("/subscriptions/sa/resourceGroups/rg"));
        assert!(p.owned.is_ours(
            "/subscriptions/sa/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks"
        ));
        assert!(p.owned.is_ours("/subscriptions/sb/resourceGroups/rgb"));
        let written = serde_json::to_value(&p).expect("serializes");
        assert!(written["cluster"].get("resourceGroupCreated").is_none());
        assert_eq!(
            written["graph"]["clusters"]["@demo"]["issuerUrl"],
            "https://i/"
        );
        assert_eq!(written["graph"]["identities"]["@demo"]["clientId"], "c");
    }

    #[test]
    fn the_id_is_made_once() {
        let mut p = Profile::default();
        let id = p.ensure_id();
        assert_eq!(p.ensure_id(), id);
        assert_eq!(id.len(), 36);
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

#[cfg(test)]
mod v2_tests;
