//! Harness helpers for trust-graph tests: subscriptions by index, clusters with chosen
//! issuers, Key Vaults and storage accounts seeded without going through az.
//!
//! Seeded resources read back exactly as if az had created them (same builders), but
//! leave no trace in the request log, so a test's write counts start clean.

use serde_json::Value;

use crate::arm::seed;
use crate::harness::Harness;

impl Harness {
    /// Tenant A's subscription number `i` (0 = the first); panics when there is none
    /// (start with `Config::two_tenants().with_second_subscriptions()` for a second).
    pub fn sub_a(&self, i: usize) -> String {
        self.nth_subscription(0, i)
    }

    /// Tenant B's subscription number `i` (0 = the first); panics like [`Harness::sub_a`].
    pub fn sub_b(&self, i: usize) -> String {
        self.nth_subscription(1, i)
    }

    fn nth_subscription(&self, tenant: usize, i: usize) -> String {
        let t = &self.tenants()[tenant];
        match t.subscriptions.get(i) {
            Some(s) => s.id.clone(),
            None => panic!(
                "{} has {} subscription(s), no number {i}; start the harness with Config::two_tenants().with_second_subscriptions()",
                t.name,
                t.subscriptions.len()
            ),
        }
    }

    /// The issuer the cluster `name` gets when az creates it with the OIDC issuer on
    /// (unless it already exists: an AKS issuer never changes).
    pub fn set_cluster_issuer(&self, name: &str, issuer: &str) {
        self.server
            .sim
            .lock()
            .cluster_issuers
            .insert(name.to_ascii_lowercase(), issuer.to_string());
    }

    /// A stand-in issuer served by the simulator under `name`, with the
    /// trailing slash like AKS issuers; its discovery document answers until
    /// [`Harness::retire_issuer`].
    pub fn named_issuer(&self, name: &str) -> String {
        format!("{}/_azsim/issuers/{name}/", self.server.base_url)
    }

    /// Makes the stand-in issuer `name` answer 404, as a deleted cluster's does.
    pub fn retire_issuer(&self, name: &str) {
        self.server
            .sim
            .lock()
            .retired_issuers
            .insert(name.to_string());
    }

    /// Removes a stored resource by ID, leaving no trace in the request log
    /// (a cluster deleted behind the tools' back).
    pub fn unseed(&self, id: &str) {
        self.server
            .sim
            .lock()
            .resources
            .remove(&id.to_ascii_lowercase());
    }

    /// Stores a resource group (in `eastus`) unless it exists; returns it.
    pub fn seed_group(&self, sub: &str, rg: &str) -> Value {
        seed::group(&self.server.sim, sub, rg, "eastus").unwrap_or_else(|e| panic!("{e}"))
    }

    /// Stores an AKS cluster with the OIDC issuer and workload identity on, issuing
    /// `issuer` (e.g. a local control plane's), and its group when missing; returns the
    /// cluster as ARM answers it. Seeding again replaces the cluster and its issuer.
    pub fn seed_cluster(&self, sub: &str, rg: &str, name: &str, issuer: &str) -> Value {
        seed::cluster(&self.server.sim, (sub, rg, name), issuer).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Stores a Key Vault (RBAC authorization) and its group when missing; returns it.
    pub fn seed_vault(&self, sub: &str, rg: &str, name: &str) -> Value {
        seed::vault(&self.server.sim, (sub, rg, name)).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Stores a role assignment of Tenant `tenant` at a management group or
    /// the root (`/`), which every subscription of the tenant inherits;
    /// returns it.
    pub fn seed_inherited_assignment(
        &self,
        tenant: &str,
        scope: &str,
        principal: &str,
        role_definition_id: &str,
    ) -> Value {
        seed::inherited_assignment(
            &self.server.sim,
            tenant,
            scope,
            principal,
            role_definition_id,
        )
    }

    /// Stores a StorageV2 account and its group when missing; returns it.
    pub fn seed_storage_account(&self, sub: &str, rg: &str, name: &str) -> Value {
        seed::storage_account(&self.server.sim, (sub, rg, name)).unwrap_or_else(|e| panic!("{e}"))
    }
}
