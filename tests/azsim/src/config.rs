//! What the simulator serves: tenants, their subscriptions and service principals, and the AKS settings.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::faults::Faults;

/// A service principal that can log in with a client secret.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ServicePrincipal {
    /// Application (client) ID, the `-u` of `az login --service-principal`.
    pub client_id: String,
    /// Client secret, the `-p` of `az login --service-principal`.
    pub secret: String,
    /// Object ID of the service principal in its tenant.
    pub object_id: String,
}

/// A subscription and its display name.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Subscription {
    /// Subscription ID (a GUID).
    pub id: String,
    /// Display name.
    pub name: String,
}

/// One Entra tenant with its subscriptions.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Tenant {
    /// Tenant ID (a GUID).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Subscriptions that belong to this tenant.
    pub subscriptions: Vec<Subscription>,
    /// Service principals registered in this tenant.
    pub principals: Vec<ServicePrincipal>,
}

/// Start-up configuration of the simulator.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Config {
    /// The tenants; the first is "Tenant A", the second "Tenant B".
    pub tenants: Vec<Tenant>,
    /// Extra CA certificates (PEM files) trusted when fetching an external issuer's
    /// discovery document and JWKS (e.g. a local kube-apiserver's CA).
    pub trusted_ca_files: Vec<PathBuf>,
    /// Issuer URL handed out to new clusters with the OIDC issuer enabled; by default
    /// `https://<region>.oic.prod-aks.azure.com/<tenant>/<uuid>/`.
    pub aks_issuer_url: Option<String>,
    /// Issuer URL per cluster name (case-insensitive), ahead of `aks_issuer_url`: lets
    /// each cluster of a graph have its own issuer (one of them a real control plane's).
    #[serde(default)]
    pub aks_issuers: BTreeMap<String, String>,
    /// Kubeconfig (YAML text) returned by `az aks get-credentials`; by default a
    /// kubeconfig pointing at the cluster's fictitious FQDN.
    pub aks_kubeconfig: Option<String>,
    /// Faults and latencies active from the start.
    pub faults: Faults,
}

impl Tenant {
    /// A tenant with fresh random IDs, one subscription and one service principal.
    pub fn random(name: &str) -> Self {
        Tenant {
            id: Uuid::new_v4().to_string(),
            name: name.to_string(),
            subscriptions: vec![Subscription {
                id: Uuid::new_v4().to_string(),
                name: format!("{name} subscription"),
            }],
            principals: vec![ServicePrincipal {
                client_id: Uuid::new_v4().to_string(),
                secret: format!("secret-{}", Uuid::new_v4().simple()),
                object_id: Uuid::new_v4().to_string(),
            }],
        }
    }
}

impl Tenant {
    /// Adds a subscription with a random ID named `<tenant> subscription <n>`; returns its ID.
    pub fn add_subscription(&mut self) -> String {
        let id = Uuid::new_v4().to_string();
        let n = self.subscriptions.len() + 1;
        self.subscriptions.push(Subscription {
            id: id.clone(),
            name: format!("{} subscription {n}", self.name),
        });
        id
    }
}

impl Config {
    /// Gives every tenant a second subscription (for graphs spanning subscriptions).
    #[must_use]
    pub fn with_second_subscriptions(mut self) -> Self {
        for t in &mut self.tenants {
            if t.subscriptions.len() < 2 {
                t.add_subscription();
            }
        }
        self
    }

    /// Hands `issuer` to the cluster named `cluster` when it is created with the OIDC issuer.
    #[must_use]
    pub fn with_cluster_issuer(mut self, cluster: &str, issuer: &str) -> Self {
        self.aks_issuers
            .insert(cluster.to_ascii_lowercase(), issuer.to_string());
        self
    }

    /// Two tenants ("Tenant A", "Tenant B") with random IDs and no faults.
    pub fn two_tenants() -> Self {
        Config {
            tenants: vec![Tenant::random("Tenant A"), Tenant::random("Tenant B")],
            ..Config::default()
        }
    }

    /// The tenant with this ID (case-insensitive).
    pub fn tenant(&self, id: &str) -> Option<&Tenant> {
        self.tenants.iter().find(|t| t.id.eq_ignore_ascii_case(id))
    }

    /// The tenant a subscription belongs to.
    pub fn tenant_of_subscription(&self, sub: &str) -> Option<&Tenant> {
        self.tenants.iter().find(|t| {
            t.subscriptions
                .iter()
                .any(|s| s.id.eq_ignore_ascii_case(sub))
        })
    }
}
