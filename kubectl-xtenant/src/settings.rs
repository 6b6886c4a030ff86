//! Where each value comes from: the flag, else the profile `az-xtenant`
//! records, else the procedure's default (`xtenant_shared::resolve`). A value
//! that is needed but found nowhere is a usage error naming the flag and the
//! `az-xtenant` step; a bad profile value names the profile field.
//!
//! A workload's identity and cluster are entries of the profile's graph
//! state: the declared graph's binding of its (namespace, ServiceAccount)
//! when there is one, else the demo's entries.

use anyhow::{Context, Result};
use xtenant_shared::graph_state::{ClusterState, DEMO, IdentityState};
use xtenant_shared::resolve::Setting;
use xtenant_shared::store::ProfileStore;
use xtenant_shared::{Kind, Profile, ProfileError, names};

const CLIENT_ID: Setting = Setting {
    what: "the managed identity's client ID",
    flag: Some("--client-id"),
    field: "graph.identities.@demo.clientId",
    kind: Kind::Guid,
    recorded_by: "az-xtenant resources",
};
const TENANT_B: Setting = Setting {
    what: "Tenant B's ID",
    flag: Some("--tenant-id"),
    field: "resources.tenantId",
    kind: Kind::Guid,
    recorded_by: "az-xtenant init",
};
/// In a profile that made a trust request, the client ID and Tenant B come
/// from Tenant B's grant, which `accept` records.
const CLIENT_ID_FROM_GRANT: Setting = Setting {
    recorded_by: "az-xtenant accept GRANT",
    ..CLIENT_ID
};
const TENANT_B_FROM_GRANT: Setting = Setting {
    recorded_by: "az-xtenant accept GRANT",
    ..TENANT_B
};
const ISSUER: Setting = Setting {
    what: "the cluster's OIDC issuer URL",
    flag: Some("--issuer"),
    field: "graph.clusters.@demo.issuerUrl",
    kind: Kind::IssuerUrl,
    recorded_by: "az-xtenant cluster",
};
const HOSTNAME: Setting = Setting {
    what: "the Service Bus host name",
    flag: Some("--servicebus-hostname"),
    field: "resources.servicebusHostname",
    kind: Kind::HostName,
    recorded_by: "az-xtenant resources",
};
const QUEUE: Setting = Setting {
    what: "the queue name",
    flag: Some("--queue"),
    field: "resources.queueName",
    kind: Kind::Queue,
    recorded_by: "az-xtenant resources",
};
const SERVICE_ACCOUNT: Setting = Setting {
    what: "the ServiceAccount",
    flag: Some("--service-account"),
    field: "workload.serviceAccount",
    kind: Kind::ServiceAccount,
    recorded_by: "az-xtenant init",
};
const JOB_NAME: Setting = Setting {
    what: "the Job's name",
    flag: Some("--job-name"),
    field: "workload.jobName",
    kind: Kind::JobName,
    recorded_by: "az-xtenant init",
};

/// `--client-id` and `--tenant-id`, as plain values.
#[derive(Debug, Clone, Default)]
pub struct IdentityFlags {
    pub client_id: Option<String>,
    pub tenant_id: Option<String>,
}

/// The profile (when there is one) and its name.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub profile: Option<Profile>,
    pub profile_name: String,
    /// The declared graph's entries a workload is bound to; the demo's
    /// entries when none.
    pub bound: Option<Bound>,
}

/// A workload bound by the declared graph: its (namespace, ServiceAccount),
/// its identity, and its cluster when one can be told.
#[derive(Debug, Clone, Default)]
pub struct Bound {
    pub namespace: String,
    pub service_account: String,
    pub identity: String,
    pub cluster: Option<String>,
}

impl Settings {
    /// Loads the named profile. A missing default profile is fine (every value
    /// can be a flag); a missing profile named with `--profile` is an error.
    /// Profile errors keep their type, so the shared table chooses the code
    /// (unreadable, corrupt or newer: 2; an I/O failure: 3).
    pub fn load(named: Option<&str>) -> Result<Self> {
        let name = named.unwrap_or(names::DEFAULT_PROFILE);
        let store = ProfileStore::open(name)?;
        let profile = store.load().context("reading the xtenant profile")?;
        if profile.is_none() && named.is_some() {
            return Err(ProfileError::Missing {
                path: store.path().to_path_buf(),
            }
            .into());
        }
        Ok(Self {
            profile,
            profile_name: name.to_string(),
            bound: None,
        })
    }

    /// Settings without a profile.
    #[cfg(test)]
    pub fn flags_only() -> Self {
        Self::default()
    }

    /// These settings as seen by one workload: when the declared graph binds
    /// its (namespace, ServiceAccount) to an identity, that identity, Tenant
    /// B of the graph and the bound cluster (the one named like the
    /// kubeconfig context, or the only one) stand in for the demo's entries.
    pub fn for_workload(
        mut self,
        namespace: &str,
        service_account: &str,
        context: Option<&str>,
    ) -> Self {
        let Some(p) = self.profile.as_ref() else {
            return self;
        };
        let g = &p.graph;
        let Some((identity, _)) = g.identity_for(namespace, service_account) else {
            return self;
        };
        let bound: Vec<&str> = g
            .declared_bindings()
            .filter(|b| b.namespace == namespace && b.service_account == service_account)
            .map(|b| b.cluster.as_str())
            .collect();
        // With several bound clusters and none named like the context, the
        // issuer must come from --issuer.
        let cluster = match bound.as_slice() {
            [only] => Some(*only),
            many => context.and_then(|c| many.iter().copied().find(|b| *b == c)),
        };
        self.bound = Some(Bound {
            namespace: namespace.to_string(),
            service_account: service_account.to_string(),
            identity: identity.to_string(),
            cluster: cluster.map(str::to_string),
        });
        self
    }

    /// The identity entry this workload's values come from.
    fn identity_entry(&self) -> Option<&IdentityState> {
        let key = self.bound.as_ref().map_or(DEMO, |b| b.identity.as_str());
        self.profile.as_ref()?.graph.identities.get(key)
    }

    /// The cluster entry this workload's issuer comes from.
    fn cluster_entry(&self) -> Option<&ClusterState> {
        let key = match &self.bound {
            Some(b) => b.cluster.as_deref()?,
            None => DEMO,
        };
        self.profile.as_ref()?.graph.clusters.get(key)
    }

    /// The managed identity's client ID.
    pub fn client_id(&self, flag: Option<&str>) -> Result<String> {
        let p = self.identity_entry().and_then(|i| i.client_id.as_deref());
        let setting = if self.hands_off() {
            CLIENT_ID_FROM_GRANT
        } else {
            CLIENT_ID
        };
        Ok(setting.required(flag, p, self.name())?)
    }

    /// Tenant B's ID.
    pub fn tenant_b(&self, flag: Option<&str>) -> Result<String> {
        let p = match &self.bound {
            Some(_) => self
                .profile
                .as_ref()
                .and_then(|p| p.graph.tenant_b.as_deref()),
            None => self.resources(|r| r.tenant_id.as_deref()),
        };
        let setting = if self.hands_off() {
            TENANT_B_FROM_GRANT
        } else {
            TENANT_B
        };
        Ok(setting.required(flag, p, self.name())?)
    }

    /// Whether the profile made a trust request (`az-xtenant request`).
    fn hands_off(&self) -> bool {
        self.profile
            .as_ref()
            .is_some_and(|p| !p.graph.requests.is_empty())
    }

    /// The cluster's OIDC issuer URL, byte for byte.
    pub fn issuer(&self, flag: Option<&str>) -> Result<String> {
        let p = self.cluster_entry().and_then(|c| c.issuer_url.as_deref());
        Ok(ISSUER.required(flag, p, self.name())?)
    }

    /// `<namespace>.servicebus.windows.net`.
    pub fn servicebus_hostname(&self, flag: Option<&str>) -> Result<String> {
        let p = self.resources(|r| r.servicebus_hostname.as_deref());
        Ok(HOSTNAME.required(flag, p, self.name())?)
    }

    /// The queue name (default `myqueue`).
    pub fn queue(&self, flag: Option<&str>) -> Result<String> {
        let p = self.resources(|r| r.queue_name.as_deref());
        Ok(QUEUE.or_default(flag, p, names::DEFAULT_QUEUE)?)
    }

    pub fn service_account(&self, flag: Option<&str>) -> Result<String> {
        let p = match &self.bound {
            Some(b) => Some(b.service_account.as_str()),
            None => self.workload(|w| &w.service_account),
        };
        Ok(SERVICE_ACCOUNT.or_default(flag, p, names::DEFAULT_SERVICE_ACCOUNT)?)
    }

    pub fn job_name(&self, flag: Option<&str>) -> Result<String> {
        let p = self.workload(|w| &w.job_name);
        Ok(JOB_NAME.or_default(flag, p, names::DEFAULT_JOB_NAME)?)
    }

    /// The producer's image. No rule to check: any reference the registry
    /// accepts is fine, and the API server refuses a malformed one.
    pub fn image(&self, flag: Option<&str>) -> String {
        let p = self.workload(|w| &w.image).filter(|v| !v.is_empty());
        flag.or(p).unwrap_or(names::DEFAULT_IMAGE).to_string()
    }

    pub fn messages(&self, flag: Option<u32>) -> u32 {
        let p = self.profile.as_ref().map(|p| p.workload.message_count);
        flag.or(p).unwrap_or(names::DEFAULT_MESSAGE_COUNT)
    }

    /// The federated credential's subject as the profile records it, if any.
    pub fn recorded_subject(&self) -> Option<String> {
        let p = self.profile.as_ref()?;
        Some(match &self.bound {
            Some(b) => names::subject(&b.namespace, &b.service_account),
            None => p.subject(),
        })
    }

    fn resources<'a>(
        &'a self,
        field: impl Fn(&'a xtenant_shared::profile::ResourceSide) -> Option<&'a str>,
    ) -> Option<&'a str> {
        self.profile.as_ref().and_then(|p| field(&p.resources))
    }

    fn workload<'a>(
        &'a self,
        field: impl Fn(&'a xtenant_shared::profile::Workload) -> &'a String,
    ) -> Option<&'a str> {
        self.profile.as_ref().map(|p| field(&p.workload).as_str())
    }

    fn name(&self) -> &str {
        if self.profile_name.is_empty() {
            names::DEFAULT_PROFILE
        } else {
            &self.profile_name
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::Usage;

    const GUID: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    const OTHER: &str = "00000000-0000-4000-8000-000000000000";

    fn with(profile: Profile) -> Settings {
        Settings {
            profile: Some(profile),
            profile_name: "p".into(),
            bound: None,
        }
    }

    fn graph_profile() -> Profile {
        use xtenant_shared::graph_state::{Binding, ClusterState, IdentityState};
        let mut p = Profile::default();
        p.graph.demo_identity_mut().client_id = Some(OTHER.into());
        p.graph.tenant_b = Some(GUID.into());
        p.graph.identities.insert(
            "orders-writer".into(),
            IdentityState {
                client_id: Some(GUID.into()),
                ..IdentityState::default()
            },
        );
        for (c, issuer) in [
            ("aks-blue", "https://blue/"),
            ("aks-green", "https://green/"),
        ] {
            p.graph.clusters.insert(
                c.into(),
                ClusterState {
                    id: None,
                    issuer_url: Some(issuer.into()),
                    ..ClusterState::default()
                },
            );
            p.graph.bindings.push(Binding {
                cluster: c.into(),
                namespace: "orders".into(),
                service_account: "writer".into(),
                identity: "orders-writer".into(),
                credential: format!("xt-{c}-orders-writer"),
            });
        }
        p
    }

    #[test]
    fn a_bound_workload_takes_its_identity_from_the_graph() {
        let s = with(graph_profile()).for_workload("orders", "writer", Some("aks-green"));
        assert_eq!(s.client_id(None).expect("client"), GUID);
        assert_eq!(s.tenant_b(None).expect("tenant"), GUID);
        assert_eq!(s.issuer(None).expect("issuer"), "https://green/");
        assert_eq!(
            s.recorded_subject().as_deref(),
            Some("system:serviceaccount:orders:writer")
        );
        // Two bound clusters and a context named like neither: --issuer is asked for.
        let s = with(graph_profile()).for_workload("orders", "writer", Some("elsewhere"));
        assert!(s.issuer(None).is_err());
        // Not bound: the demo's values stay.
        let s = with(graph_profile()).for_workload("orders", "reader", None);
        assert_eq!(s.client_id(None).expect("client"), OTHER);
    }

    #[test]
    fn missing_value_names_flag_and_step() {
        let err = Settings::flags_only().client_id(None).expect_err("missing");
        let text = err.to_string();
        assert!(text.contains("--client-id"), "{text}");
        assert!(text.contains("az-xtenant resources"), "{text}");
        assert!(err.is::<Usage>(), "{err:#}");
        let err = Settings::flags_only().issuer(None).expect_err("missing");
        assert!(err.to_string().contains("az-xtenant cluster"), "{err}");
    }

    #[test]
    fn a_hand_off_profile_asks_for_the_grant_to_be_accepted() {
        // Tenant A made a request; no grant bound this workload yet.
        let mut profile = Profile::default();
        use xtenant_shared::handoff::{
            RequestedCluster, RequestedIdentity, RequestedWorkload, TrustRequest,
        };
        let request = TrustRequest::new(
            GUID,
            std::time::SystemTime::UNIX_EPOCH,
            vec![RequestedCluster {
                name: "aks-blue".into(),
                resource_id: format!(
                    "/subscriptions/{OTHER}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-blue"
                ),
                issuer: "https://blue.example/".into(),
            }],
            vec![RequestedIdentity {
                name: "orders-writer".into(),
                roles: Vec::new(),
            }],
            vec![RequestedWorkload::new(
                "orders",
                "writer",
                "orders-writer",
                &["aks-blue"],
            )],
        )
        .expect("a well-formed request");
        profile.graph.record_request(&request);
        let s = with(profile).for_workload("orders", "writer", None);
        for err in [
            s.client_id(None).expect_err("missing"),
            s.tenant_b(None).expect_err("missing"),
        ] {
            assert!(err.to_string().contains("az-xtenant accept GRANT"), "{err}");
        }
    }

    #[test]
    fn flag_beats_profile_beats_default() {
        let mut profile = Profile::default();
        profile.graph.demo_identity_mut().client_id = Some(GUID.into());
        profile.workload.job_name = "fromprofile".into();
        let s = with(profile);
        assert_eq!(s.client_id(None).expect("profile"), GUID);
        assert_eq!(s.client_id(Some(OTHER)).expect("flag"), OTHER);
        assert_eq!(s.job_name(None).expect("profile"), "fromprofile");
        assert_eq!(s.job_name(Some("flag")).expect("flag"), "flag");
        assert_eq!(s.queue(None).expect("default"), "myqueue");
    }

    #[test]
    fn bad_profile_value_is_a_usage_error_naming_the_field() {
        let mut profile = Profile::default();
        profile.resources.tenant_id = Some("not-a-guid".into());
        let err = with(profile).tenant_b(None).expect_err("invalid");
        assert!(err.to_string().contains("resources.tenantId"), "{err}");
        assert!(err.is::<Usage>());
    }

    #[test]
    fn defaulted_profile_values_are_checked_too() {
        let mut profile = Profile::default();
        profile.workload.job_name = "Not_A_Label".into();
        let err = with(profile).job_name(None).expect_err("invalid");
        assert!(err.to_string().contains("workload.jobName"), "{err}");
        let code = xtenant_shared::exit::code_for(&err, |_| None);
        assert_eq!(code, xtenant_shared::exit::USAGE);
    }

    #[test]
    fn the_host_name_follows_the_host_name_rule() {
        let mut profile = Profile::default();
        profile.resources.servicebus_hostname = Some("sb-x.servicebus.windows.net".into());
        let s = with(profile);
        assert_eq!(
            s.servicebus_hostname(None).expect("a host name"),
            "sb-x.servicebus.windows.net"
        );
        let mut profile = Profile::default();
        // A valid queue name but not a host name: the old rule accepted it.
        profile.resources.servicebus_hostname = Some("sb_x.servicebus.windows.net".into());
        let err = with(profile)
            .servicebus_hostname(None)
            .expect_err("refused");
        assert!(err.to_string().contains("DNS host name"), "{err}");
    }

    #[test]
    fn a_migrated_version_2_profile_gives_the_demos_and_the_graphs_workloads_their_own() {
        use xtenant_testsupport::profiles::*;
        let mut p: Profile =
            serde_json::from_value(version_2_with_demo_and_graph()).expect("a profile");
        p.migrate();
        // The graph's workload: its identity, the graph's Tenant B, its cluster.
        let s = with(p.clone()).for_workload("orders", "writer", None);
        assert_eq!(s.client_id(None).expect("client"), GRAPH_CLIENT);
        assert_eq!(s.tenant_b(None).expect("tenant"), TENANT_B);
        assert_eq!(s.issuer(None).expect("issuer"), GRAPH_ISSUER);
        assert_eq!(s.service_account(None).expect("sa"), "writer");
        assert_eq!(
            s.recorded_subject().as_deref(),
            Some("system:serviceaccount:orders:writer")
        );
        // The demo's workload, and any the graph does not bind: the demo's.
        for (ns, sa) in [("default", "myserviceaccount"), ("shop", "web")] {
            let s = with(p.clone()).for_workload(ns, sa, None);
            assert_eq!(s.client_id(None).expect("client"), DEMO_CLIENT);
            assert_eq!(s.tenant_b(None).expect("tenant"), TENANT_B);
            assert_eq!(s.issuer(None).expect("issuer"), DEMO_ISSUER);
            assert_eq!(s.service_account(None).expect("sa"), "myserviceaccount");
            assert_eq!(
                s.recorded_subject().as_deref(),
                Some("system:serviceaccount:default:myserviceaccount")
            );
        }
    }
}
