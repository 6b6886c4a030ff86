//! The graph test's estate: three clusters seeded with their own issuers, a
//! Service Bus queue, a vault and a storage account in Tenant B, the graph
//! declared over them, and the check that Azure holds exactly what a graph
//! declares (identities, credentials, grants), besides what was made by hand.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::collections::BTreeMap;

use azsim::{Config, workspace_bin};
use serde_json::Value;

use crate::estate::{Estate, ID_TYPE};
use crate::spec::{ClusterSpec, IdentitySpec, Spec, WorkloadSpec};

pub const IDS: &str = "rg-graph-ids";
pub const DATA: &str = "rg-graph-data";
pub const NAMESPACE: &str = "sbgraphe2e";
pub const VAULT: &str = "kv-graph-e2e";
pub const ACCOUNT: &str = "stgraphe2e";
pub const SENDER: &str = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39";
pub const RECEIVER: &str = "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0";
pub const SB_OWNER: &str = "090c5cfd-751d-490a-894a-3ce6f1109419";
pub const SECRETS_USER: &str = "4633458b-17de-408a-b874-0445c86b69e6";
pub const KV_READER: &str = "21090545-7ca7-4776-b22c-e363652d74d2";
pub const BLOB_READER: &str = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
pub const BLOB_CONTRIBUTOR: &str = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";

/// The seeded estate's names: clusters and their issuers, the data scopes.
pub struct World {
    pub e: Estate,
    pub issuers: BTreeMap<String, String>,
    pub queue: String,
    pub namespace: String,
    pub vault: String,
    pub account: String,
}

impl World {
    /// Clusters seeded with their own issuers (one in Tenant A's second
    /// subscription); a Service Bus queue made with az; a vault and an account seeded.
    pub fn seed() -> World {
        let e = Estate::start(
            Config::two_tenants().with_second_subscriptions(),
            workspace_bin("az-xtenant"),
        );
        let h = &e.h;
        let ta = h.tenant_a().id.clone();
        let mut issuers = BTreeMap::new();
        for (name, sub, rg) in [
            ("aks-blue", h.sub_a(0), "rg-aks"),
            ("aks-green", h.sub_a(0), "rg-aks"),
            ("aks-gray", h.sub_a(1), "rg-aks-2"),
        ] {
            let issuer = format!("https://oic.{name}.example/{ta}/{name}-issuer/");
            h.seed_cluster(&sub, rg, name, &issuer);
            issuers.insert(name.to_string(), issuer);
        }
        let sb = h.sub_b(0);
        let vault = h.seed_vault(&sb, DATA, VAULT)["id"]
            .as_str()
            .unwrap()
            .to_string();
        let account = h.seed_storage_account(&sb, DATA, ACCOUNT)["id"]
            .as_str()
            .unwrap()
            .to_string();
        let make = |args: &[&str]| -> Value {
            let mut a = args.to_vec();
            a.extend(["-g", DATA, "--subscription", &sb]);
            h.az_json(&a)
        };
        let namespace = make(&[
            "servicebus",
            "namespace",
            "create",
            "-n",
            NAMESPACE,
            "-l",
            "eastus",
        ]);
        let queue = make(&[
            "servicebus",
            "queue",
            "create",
            "--namespace-name",
            NAMESPACE,
            "-n",
            "orders",
        ]);
        let id = |v: &Value| v["id"].as_str().unwrap().to_string();
        World {
            issuers,
            queue: id(&queue),
            namespace: id(&namespace),
            vault,
            account,
            e,
        }
    }

    /// The graph: orders (Sender on the queue; writer on blue and green,
    /// reader on blue), billing (Receiver by GUID on the namespace, Blob Reader
    /// on the account; api everywhere), reports (Blob Contributor on the
    /// account, Secrets User on the vault; job on gray, audit/scanner on green).
    pub fn spec(&self) -> Spec {
        let h = &self.e.h;
        let cluster = |name: &str, rg: &str, sub: Option<String>| ClusterSpec {
            name: name.into(),
            resource_group: rg.into(),
            subscription: sub,
        };
        let identity = |name: &str, roles: &[(&str, &str)]| IdentitySpec {
            name: name.into(),
            roles: roles
                .iter()
                .map(|(r, s)| ((*r).to_string(), (*s).to_string()))
                .collect(),
        };
        Spec {
            tenant_a: h.tenant_a().id.clone(),
            sub_a: h.sub_a(0),
            tenant_b: h.tenant_b().id.clone(),
            sub_b: h.sub_b(0),
            identity_group: IDS.into(),
            clusters: vec![
                cluster("aks-blue", "rg-aks", None),
                cluster("aks-green", "rg-aks", None),
                cluster("aks-gray", "rg-aks-2", Some(h.sub_a(1))),
            ],
            identities: vec![
                identity(
                    "id-orders",
                    &[("Azure Service Bus Data Sender", &self.queue)],
                ),
                identity(
                    "id-billing",
                    &[
                        (RECEIVER, &self.namespace),
                        ("Storage Blob Data Reader", &self.account),
                    ],
                ),
                identity(
                    "id-reports",
                    &[
                        ("Storage Blob Data Contributor", &self.account),
                        ("Key Vault Secrets User", &self.vault),
                    ],
                ),
            ],
            workloads: vec![
                WorkloadSpec::new(
                    "orders",
                    "writer",
                    "id-orders",
                    Some(&["aks-blue", "aks-green"]),
                ),
                WorkloadSpec::new("orders", "reader", "id-orders", Some(&["aks-blue"])),
                WorkloadSpec::new("billing", "api", "id-billing", None),
                WorkloadSpec::new("reports", "job", "id-reports", Some(&["aks-gray"])),
                WorkloadSpec::new("audit", "scanner", "id-reports", Some(&["aks-green"])),
            ],
        }
    }

    pub fn identity_id(&self, group: &str, name: &str) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{group}/providers/{ID_TYPE}/{name}",
            self.e.h.sub_b(0)
        )
    }

    /// Azure holds exactly what `spec` declares for its identities in `group`:
    /// those identities, on each its credentials (one per (issuer, subject),
    /// named by the graph) plus `extra_credentials`, and its grants plus `extra_grants`.
    pub fn assert_made(
        &self,
        spec: &Spec,
        group: &str,
        extra_credentials: &[(&str, (String, String, String))],
        extra_grants: &[(&str, (String, String))],
    ) {
        let guid = |role: &str| {
            [
                ("Azure Service Bus Data Sender", SENDER),
                ("Azure Service Bus Data Owner", SB_OWNER),
                ("Storage Blob Data Reader", BLOB_READER),
                ("Storage Blob Data Contributor", BLOB_CONTRIBUTOR),
                ("Key Vault Secrets User", SECRETS_USER),
            ]
            .iter()
            .find(|(n, _)| *n == role)
            .map_or(role.to_string(), |(_, g)| (*g).to_string())
        };
        let prefix = format!(
            "/subscriptions/{}/resourceGroups/{group}/",
            self.e.h.sub_b(0)
        );
        let mut want_ids: Vec<String> = spec
            .identities
            .iter()
            .map(|i| self.identity_id(group, &i.name))
            .collect();
        want_ids.sort();
        assert_eq!(
            self.e.ids(ID_TYPE, &prefix),
            want_ids,
            "identities in {group}"
        );
        for i in &spec.identities {
            let id = self.identity_id(group, &i.name);
            let mut want: Vec<(String, String, String)> = spec
                .bindings()
                .iter()
                .filter(|b| b.identity == i.name)
                .map(|b| {
                    (
                        b.credential(),
                        self.issuers[&b.cluster].clone(),
                        b.subject(),
                    )
                })
                .collect();
            want.extend(
                extra_credentials
                    .iter()
                    .filter(|(n, _)| *n == i.name)
                    .map(|(_, c)| c.clone()),
            );
            want.sort();
            assert_eq!(self.e.credentials(&id), want, "credentials of {}", i.name);
            let mut grants: Vec<(String, String)> =
                i.roles.iter().map(|(r, s)| (guid(r), s.clone())).collect();
            grants.extend(
                extra_grants
                    .iter()
                    .filter(|(n, _)| *n == i.name)
                    .map(|(_, g)| g.clone()),
            );
            grants.sort();
            assert_eq!(
                self.e.grants_of(&self.e.principal(&id)),
                grants,
                "role assignments of {}",
                i.name
            );
        }
    }
}
