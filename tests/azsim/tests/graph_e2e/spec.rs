//! An `xtenant.yaml` as data: written out as YAML for `plan`/`apply`, and
//! read back as the (cluster, namespace, ServiceAccount, identity) bindings
//! and role grants the test expects in Azure.
// The test and the benchmark each use part of this module.
#![allow(dead_code)]

use std::fmt::Write;

/// A whole graph file.
#[derive(Clone, Debug)]
pub struct Spec {
    pub tenant_a: String,
    pub sub_a: String,
    pub tenant_b: String,
    pub sub_b: String,
    /// Tenant B's default group of identities.
    pub identity_group: String,
    pub clusters: Vec<ClusterSpec>,
    pub identities: Vec<IdentitySpec>,
    pub workloads: Vec<WorkloadSpec>,
}

#[derive(Clone, Debug)]
pub struct ClusterSpec {
    pub name: String,
    pub resource_group: String,
    /// `None`: Tenant A's default subscription.
    pub subscription: Option<String>,
}

#[derive(Clone, Debug)]
pub struct IdentitySpec {
    pub name: String,
    /// (role name or GUID, scope).
    pub roles: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub struct WorkloadSpec {
    pub namespace: String,
    pub service_account: String,
    pub identity: String,
    /// `None`: every cluster.
    pub clusters: Option<Vec<String>>,
}

/// One federated credential the file leads to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Binding {
    pub cluster: String,
    pub namespace: String,
    pub service_account: String,
    pub identity: String,
}

impl Binding {
    /// The credential's name (`xt-<cluster>-<namespace>-<serviceaccount>`).
    pub fn credential(&self) -> String {
        format!(
            "xt-{}-{}-{}",
            self.cluster, self.namespace, self.service_account
        )
    }

    /// The token subject Kubernetes gives the ServiceAccount.
    pub fn subject(&self) -> String {
        format!(
            "system:serviceaccount:{}:{}",
            self.namespace, self.service_account
        )
    }
}

impl WorkloadSpec {
    pub fn new(
        namespace: &str,
        service_account: &str,
        identity: &str,
        on: Option<&[&str]>,
    ) -> Self {
        WorkloadSpec {
            namespace: namespace.into(),
            service_account: service_account.into(),
            identity: identity.into(),
            clusters: on.map(|c| c.iter().map(|s| (*s).to_string()).collect()),
        }
    }
}

impl Spec {
    /// The file as a user would write it.
    pub fn yaml(&self) -> String {
        let mut y = format!(
            "tenantA:\n  tenantId: {}\n  subscriptionId: {}\ntenantB:\n  tenantId: {}\n  subscriptionId: {}\n  resourceGroup: {}\n  location: eastus\nclusters:\n",
            self.tenant_a, self.sub_a, self.tenant_b, self.sub_b, self.identity_group
        );
        for c in &self.clusters {
            let _ = writeln!(
                y,
                "  - name: {}\n    resourceGroup: {}",
                c.name, c.resource_group
            );
            if let Some(s) = &c.subscription {
                let _ = writeln!(y, "    subscriptionId: {s}");
            }
        }
        y.push_str("identities:\n");
        for i in &self.identities {
            let _ = writeln!(y, "  - name: {}", i.name);
            if !i.roles.is_empty() {
                y.push_str("    roles:\n");
            }
            for (role, scope) in &i.roles {
                let _ = writeln!(y, "      - role: {role}\n        scope: {scope}");
            }
        }
        y.push_str("workloads:\n");
        for w in &self.workloads {
            let _ = writeln!(
                y,
                "  - namespace: {}\n    serviceAccount: {}\n    identity: {}",
                w.namespace, w.service_account, w.identity
            );
            if let Some(on) = &w.clusters {
                let _ = writeln!(y, "    clusters: [{}]", on.join(", "));
            }
        }
        y
    }

    /// Every credential the file declares, sorted.
    pub fn bindings(&self) -> Vec<Binding> {
        let mut out = Vec::new();
        for w in &self.workloads {
            let every: Vec<String> = self.clusters.iter().map(|c| c.name.clone()).collect();
            for cluster in w.clusters.as_ref().unwrap_or(&every) {
                out.push(Binding {
                    cluster: cluster.clone(),
                    namespace: w.namespace.clone(),
                    service_account: w.service_account.clone(),
                    identity: w.identity.clone(),
                });
            }
        }
        out.sort();
        out
    }

    /// Every (identity, role, scope) the file grants, sorted.
    pub fn grants(&self) -> Vec<(String, String, String)> {
        let mut out: Vec<(String, String, String)> = self
            .identities
            .iter()
            .flat_map(|i| {
                i.roles
                    .iter()
                    .map(|(r, s)| (i.name.clone(), r.clone(), s.clone()))
            })
            .collect();
        out.sort();
        out
    }
}
