//! The trust request, Tenant A to Tenant B: which clusters (by issuer),
//! which workloads (by subject), which identity each asks for and which roles
//! it would like, when, and a digest over it all.
//!
//! ```yaml
//! apiVersion: xtenant/v1alpha1
//! kind: TrustRequest
//! tenantA: <guid>
//! madeAt: 2026-12-04T22:03:09Z
//! clusters:
//!   - name: aks-blue
//!     resourceId: /subscriptions/<a>/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-blue
//!     issuer: https://eastus.oic.prod-aks.azure.com/<tenant A>/<guid>/
//! identities:
//!   - name: orders-writer
//!     roles:
//!       - role: Azure Service Bus Data Sender
//!         scope: the orders queue of namespace sb-orders
//! workloads:
//!   - namespace: orders
//!     serviceAccount: writer
//!     subject: system:serviceaccount:orders:writer
//!     identity: orders-writer
//!     clusters: [aks-blue]
//! digest: sha256:<64 hex digits>
//! ```

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::review::{self, Check, ReviewContext, Severity};
use super::{API_VERSION, HandoffError, digest, document, when};
use crate::names;

/// The `kind` of a request.
pub const KIND: &str = "TrustRequest";

/// What Tenant A does about a value [`TrustRequest::new`] refuses.
const FIX_AT_SOURCE: &str =
    "correct it in the graph file, or where it was read from, and make the request again";

/// What Tenant A asks Tenant B to trust.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TrustRequest {
    pub api_version: String,
    pub kind: String,
    /// Tenant A's ID: the tenant of every cluster.
    pub tenant_a: String,
    /// When it was made ([`when::rfc3339`]).
    pub made_at: String,
    pub clusters: Vec<RequestedCluster>,
    pub identities: Vec<RequestedIdentity>,
    pub workloads: Vec<RequestedWorkload>,
    /// [`digest::of`] the rest.
    pub digest: String,
}

/// A cluster of Tenant A, named by its issuer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RequestedCluster {
    pub name: String,
    /// ARM ID of the managed cluster.
    pub resource_id: String,
    /// `oidcIssuerProfile.issuerUrl`, byte for byte as AKS reports it.
    pub issuer: String,
}

/// An identity Tenant A asks Tenant B to make, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RequestedIdentity {
    pub name: String,
    /// Roles asked for; Tenant B decides what it grants.
    #[serde(default)]
    pub roles: Vec<RoleRequest>,
}

/// A role asked for: its name (or role definition GUID) and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RoleRequest {
    pub role: String,
    /// An ARM scope in Tenant B, or words saying what the workload needs to
    /// reach: Tenant A may not know Tenant B's resource IDs.
    pub scope: String,
}

/// A workload's ServiceAccount, the identity it asks to act as, and the
/// clusters it runs in: one federated credential per cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RequestedWorkload {
    pub namespace: String,
    pub service_account: String,
    /// `system:serviceaccount:<namespace>:<serviceAccount>`: what the
    /// credential will trust, written out so Tenant B reads it as trusted.
    pub subject: String,
    pub identity: String,
    pub clusters: Vec<String>,
}

impl RequestedWorkload {
    /// A workload, its subject derived from its namespace and ServiceAccount.
    pub fn new(namespace: &str, service_account: &str, identity: &str, clusters: &[&str]) -> Self {
        Self {
            namespace: namespace.to_string(),
            service_account: service_account.to_string(),
            subject: names::subject(namespace, service_account),
            identity: identity.to_string(),
            clusters: clusters.iter().map(|c| c.to_string()).collect(),
        }
    }
}

impl TrustRequest {
    /// A request made at `made_at`, its digest computed. Refused with every
    /// broken rule named (the errors [`review::review`] would find, counting
    /// no credential already in Tenant B), so that what Tenant A sends passes
    /// Tenant B's review but for its warnings.
    pub fn new(
        tenant_a: &str,
        made_at: SystemTime,
        clusters: Vec<RequestedCluster>,
        identities: Vec<RequestedIdentity>,
        workloads: Vec<RequestedWorkload>,
    ) -> Result<Self, HandoffError> {
        let mut request = Self {
            api_version: API_VERSION.to_string(),
            kind: KIND.to_string(),
            tenant_a: tenant_a.to_string(),
            made_at: when::rfc3339(made_at),
            clusters,
            identities,
            workloads,
            digest: String::new(),
        };
        request.seal();
        let errors: Vec<_> = review::review(&request, &ReviewContext::default())
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|mut f| {
                // The review speaks to Tenant B; here Tenant A is writing.
                if f.check != Check::Budget {
                    f.fix = FIX_AT_SOURCE.to_string();
                }
                f
            })
            .collect();
        if errors.is_empty() {
            Ok(request)
        } else {
            Err(HandoffError::Invalid(errors))
        }
    }

    /// Reads a request; `source_name` names it in errors. The digest is not
    /// checked here: [`Self::verify_digest`] and [`review`] do.
    pub fn from_yaml(source_name: &str, text: &str) -> Result<Self, HandoffError> {
        document::read(source_name, text, KIND)
    }

    pub fn to_yaml(&self) -> String {
        document::write(self)
    }

    /// The digest of the content as it is now.
    pub fn computed_digest(&self) -> String {
        digest::of(self)
    }

    /// Sets the digest to the content's.
    pub fn seal(&mut self) {
        self.digest = self.computed_digest();
    }

    /// Refuses a request whose content is not what its digest covers.
    pub fn verify_digest(&self, source_name: &str) -> Result<(), HandoffError> {
        digest::verify(self, &self.digest, source_name)
    }

    /// Every (issuer, subject, identity) the request asks Tenant B to trust,
    /// in the order written; clusters it does not declare are left out (the
    /// review names them).
    pub fn credentials(&self) -> Vec<(&str, &str, &str)> {
        let mut out = Vec::new();
        for w in &self.workloads {
            for name in &w.clusters {
                if let Some(c) = self.clusters.iter().find(|c| &c.name == name) {
                    let entry = (c.issuer.as_str(), w.subject.as_str(), w.identity.as_str());
                    if !out.contains(&entry) {
                        out.push(entry);
                    }
                }
            }
        }
        out
    }
}
