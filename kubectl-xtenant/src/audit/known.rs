//! What the profile knows that `audit` compares the cluster with: the client
//! IDs of its identities (the demo's and the graph's), Tenant B, and the
//! credentials the graph records for this cluster's issuer.

use anyhow::Result;
use xtenant_shared::graph_state::{Binding, GraphState};

use crate::exit::Usage;
use crate::output::Check;
use crate::settings::Settings;

/// An identity the profile knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The graph's name, or the demo identity's Azure name.
    pub name: String,
    pub client_id: String,
}

/// Which of the graph's clusters this is, or why that is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThisCluster {
    /// The profile records no trust graph.
    NoGraph,
    /// The graph has clusters, but none can be told to be this one.
    Unknown(String),
    /// The graph's name of this cluster and the credentials it records for it.
    Named {
        name: String,
        issuer: Option<String>,
        bindings: Vec<Binding>,
    },
}

/// The profile as `audit` reads it.
#[derive(Debug, Clone)]
pub struct Known {
    pub settings: Settings,
    pub identities: Vec<Identity>,
    pub cluster: ThisCluster,
    /// The kubeconfig context, which picks a workload's cluster in the graph.
    pub context: Option<String>,
}

impl Known {
    /// The cluster is `--cluster` (which must be in the graph), else the
    /// graph's cluster named like the kubeconfig context, else its only one.
    pub fn new(
        settings: Settings,
        cluster_flag: Option<&str>,
        context: Option<&str>,
    ) -> Result<Self> {
        let mut identities = Vec::new();
        let empty = GraphState::default();
        let graph = settings.profile.as_ref().map_or(&empty, |p| &p.graph);
        let cluster = this_cluster(graph, cluster_flag, context)?;
        if let Some(p) = &settings.profile {
            if let Some(client_id) = p.demo_client_id() {
                let name = p.resources.identity_name.clone();
                identities.push(Identity {
                    name: name.unwrap_or_else(|| "the profile's identity".into()),
                    client_id: client_id.to_string(),
                });
            }
            for (name, state) in p.graph.declared_identities() {
                if let Some(client_id) = &state.client_id {
                    identities.push(Identity {
                        name: name.clone(),
                        client_id: client_id.clone(),
                    });
                }
            }
        }
        Ok(Self {
            settings,
            identities,
            cluster,
            context: context.map(str::to_string),
        })
    }

    /// The identity whose client ID this is.
    pub fn identity(&self, client_id: &str) -> Option<&Identity> {
        self.identities
            .iter()
            .find(|i| i.client_id.eq_ignore_ascii_case(client_id))
    }

    pub fn cluster_name(&self) -> Option<&str> {
        match &self.cluster {
            ThisCluster::Named { name, .. } => Some(name),
            _ => None,
        }
    }

    /// The binding recorded for (namespace, ServiceAccount) on this cluster.
    pub fn binding(&self, ns: &str, sa: &str) -> Option<&Binding> {
        match &self.cluster {
            ThisCluster::Named { bindings, .. } => bindings
                .iter()
                .find(|b| b.namespace == ns && b.service_account == sa),
            _ => None,
        }
    }

    /// The client ID of a graph identity.
    pub fn client_id_of(&self, identity: &str) -> Option<&str> {
        let p = self.settings.profile.as_ref()?;
        p.graph.identities.get(identity)?.client_id.as_deref()
    }

    /// Whether the graph identity `identity` came from Tenant B's grant (a
    /// request this profile made names it) rather than this profile's own
    /// `apply`: its credentials change through a new request, not `apply`.
    pub fn handed_off(&self, identity: &str) -> bool {
        self.settings.profile.as_ref().is_some_and(|p| {
            p.graph
                .requests
                .iter()
                .any(|r| r.identities.iter().any(|i| i.name == identity))
        })
    }

    /// Whether this profile made trust requests (`az-xtenant request`): its
    /// identities are Tenant B's to change.
    pub fn made_requests(&self) -> bool {
        self.settings
            .profile
            .as_ref()
            .is_some_and(|p| !p.graph.requests.is_empty())
    }

    /// Tenant B for the workload of (namespace, ServiceAccount).
    pub fn tenant_b(&self, ns: &str, sa: &str) -> Option<String> {
        let settings = self.settings.clone();
        let settings = settings.for_workload(ns, sa, self.context.as_deref());
        settings.tenant_b(None).ok()
    }

    /// Whether the demo's own credential trusts (namespace, ServiceAccount)
    /// with this client ID.
    pub fn is_demo_workload(&self, ns: &str, sa: &str, client_id: &str) -> bool {
        let Some(p) = &self.settings.profile else {
            return false;
        };
        let same_id = p
            .demo_client_id()
            .is_some_and(|c| c.eq_ignore_ascii_case(client_id));
        same_id && p.workload.namespace == ns && p.workload.service_account == sa
    }

    /// What was known: the profile and its identities, the graph's cluster.
    pub fn profile_check(&self) -> Check {
        const ID: &str = "profile";
        let name = &self.settings.profile_name;
        if self.settings.profile.is_none() {
            return Check::skip(
                ID,
                format!(
                    "no profile {name:?}: client IDs cannot be told known or unknown, and there are no recorded credentials to compare with (az-xtenant init, or --profile NAME)"
                ),
            );
        }
        let ids = match self.identities.len() {
            1 => "1 known identity".to_string(),
            n => format!("{n} known identities"),
        };
        match &self.cluster {
            ThisCluster::NoGraph => Check::skip(
                ID,
                format!(
                    "profile {name:?}: {ids}; it records no trust graph (az-xtenant apply -f xtenant.yaml, or az-xtenant accept GRANT for Tenant B's grant), so the subjects this cluster presents are not compared with recorded credentials"
                ),
            ),
            ThisCluster::Unknown(why) => Check::warn(
                ID,
                format!(
                    "profile {name:?}: {ids}; {why}, so the subjects this cluster presents are not compared with recorded credentials"
                ),
                "pass --cluster NAME, the graph's name of this cluster",
            ),
            ThisCluster::Named {
                name: cluster,
                issuer,
                bindings,
            } => Check::pass(
                ID,
                format!(
                    "profile {name:?}: {ids}; this is cluster {cluster} of the graph (issuer {}), {} recorded credential(s) for it",
                    issuer.as_deref().unwrap_or("not recorded"),
                    bindings.len()
                ),
            ),
        }
    }
}

fn this_cluster(
    graph: &GraphState,
    flag: Option<&str>,
    context: Option<&str>,
) -> Result<ThisCluster> {
    if graph.declared_clusters().next().is_none() && graph.declared_bindings().next().is_none() {
        if let Some(flag) = flag {
            return Err(Usage(format!(
                "--cluster {flag}: the profile records no trust graph; run `az-xtenant apply -f xtenant.yaml` (or `az-xtenant accept GRANT` for Tenant B's grant) first, or leave --cluster out"
            ))
            .into());
        }
        return Ok(ThisCluster::NoGraph);
    }
    let names: Vec<&str> = graph.declared_clusters().map(|(n, _)| n.as_str()).collect();
    let name = match (flag, names.as_slice()) {
        (Some(flag), _) if names.contains(&flag) => flag,
        (Some(flag), _) => {
            return Err(Usage(format!(
                "--cluster {flag}: not a cluster of the profile's graph (it has: {})",
                names.join(", ")
            ))
            .into());
        }
        (None, [only]) => only,
        (None, many) => match context.filter(|c| many.contains(c)) {
            Some(c) => c,
            None => {
                return Ok(ThisCluster::Unknown(format!(
                    "the graph has clusters {} and none is named like the kubeconfig context",
                    many.join(", ")
                )));
            }
        },
    };
    let bindings = graph
        .declared_bindings()
        .filter(|b| b.cluster == name)
        .cloned()
        .collect();
    let issuer = graph.clusters.get(name).and_then(|c| c.issuer_url.clone());
    Ok(ThisCluster::Named {
        name: name.to_string(),
        issuer,
        bindings,
    })
}
