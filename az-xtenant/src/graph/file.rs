//! `xtenant.yaml`, as users write it: the clusters of Tenant A, the
//! identities of Tenant B with their role grants, and the workloads that use
//! them. Unknown keys are refused; values keep where they were written, so
//! every error can point at its line.

use serde::Deserialize;
use serde_saphyr::Spanned;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GraphFile {
    pub tenant_a: TenantA,
    pub tenant_b: TenantB,
    pub clusters: Vec<ClusterEntry>,
    pub identities: Vec<IdentityEntry>,
    #[serde(default)]
    pub workloads: Vec<WorkloadEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TenantA {
    pub tenant_id: Spanned<String>,
    /// Default subscription of the clusters.
    pub subscription_id: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TenantB {
    pub tenant_id: Spanned<String>,
    pub subscription_id: Spanned<String>,
    /// Default resource group of the identities.
    pub resource_group: Spanned<String>,
    pub location: Spanned<String>,
}

/// An existing AKS cluster of Tenant A (adopted; never created or deleted).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterEntry {
    pub name: Spanned<String>,
    pub resource_group: Spanned<String>,
    #[serde(default)]
    pub subscription_id: Option<Spanned<String>>,
}

/// A user-assigned identity of Tenant B (created if absent).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IdentityEntry {
    pub name: Spanned<String>,
    #[serde(default)]
    pub resource_group: Option<Spanned<String>>,
    #[serde(default)]
    pub roles: Vec<RoleEntry>,
}

/// A role granted to an identity at a scope.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RoleEntry {
    /// A role name or a role definition GUID.
    pub role: Spanned<String>,
    pub scope: Spanned<String>,
}

/// A workload: its ServiceAccount, the identity it acts as, and where it runs.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WorkloadEntry {
    pub namespace: Spanned<String>,
    pub service_account: Spanned<String>,
    pub identity: Spanned<String>,
    /// Default: every cluster.
    #[serde(default)]
    pub clusters: Option<Vec<Spanned<String>>>,
}
