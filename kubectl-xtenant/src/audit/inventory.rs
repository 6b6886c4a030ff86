//! What `audit` reads from the cluster, in one namespace or in all: the
//! ServiceAccounts, the workloads of every kind `bind` knows, the
//! ReplicaSets (to find a pod's Deployment) and the pods.

use anyhow::{Context, Result};
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::{Namespace, Pod, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, DynamicObject, ListParams};
use kube::{Client, Resource};

use crate::exit::Usage;
use crate::workload::binding::{Target, WorkloadKind};

/// Which namespaces `audit` reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Namespace(String),
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::All => f.write_str("all"),
            Self::Namespace(ns) => f.write_str(ns),
        }
    }
}

impl Scope {
    /// Whether objects of namespace `ns` are read.
    pub fn includes(&self, ns: &str) -> bool {
        match self {
            Self::All => true,
            Self::Namespace(only) => only == ns,
        }
    }

    fn api<K>(&self, client: &Client) -> Api<K>
    where
        K: Resource<Scope = k8s_openapi::NamespaceResourceScope>,
        <K as Resource>::DynamicType: Default,
    {
        match self {
            Self::All => Api::all(client.clone()),
            Self::Namespace(ns) => Api::namespaced(client.clone(), ns),
        }
    }

    fn dynamic_api(&self, client: &Client, kind: WorkloadKind) -> Api<DynamicObject> {
        let ar = kind.api_resource();
        match self {
            Self::All => Api::all_with(client.clone(), &ar),
            Self::Namespace(ns) => Api::namespaced_with(client.clone(), ns, &ar),
        }
    }
}

/// One workload as read.
pub struct Workload {
    pub kind: WorkloadKind,
    pub object: DynamicObject,
}

impl Workload {
    pub fn target(&self) -> Target {
        Target {
            kind: self.kind,
            name: self.object.metadata.name.clone().unwrap_or_default(),
        }
    }

    pub fn namespace(&self) -> &str {
        self.object
            .metadata
            .namespace
            .as_deref()
            .unwrap_or_default()
    }
}

/// Everything read, each list sorted by namespace and name.
#[derive(Default)]
pub struct Inventory {
    pub service_accounts: Vec<ServiceAccount>,
    pub workloads: Vec<Workload>,
    pub replica_sets: Vec<ReplicaSet>,
    pub pods: Vec<Pod>,
}

const KINDS: [WorkloadKind; 5] = [
    WorkloadKind::Deployment,
    WorkloadKind::StatefulSet,
    WorkloadKind::DaemonSet,
    WorkloadKind::CronJob,
    WorkloadKind::Job,
];

impl Inventory {
    /// Reads the scope; a namespace that does not exist is bad input.
    pub async fn read(client: &Client, scope: &Scope) -> Result<Self> {
        if let Scope::Namespace(ns) = scope {
            let namespaces: Api<Namespace> = Api::all(client.clone());
            // Without the right to read namespaces, the lists below still say
            // what there is to audit.
            if let Ok(None) = namespaces.get_opt(ns).await {
                return Err(Usage(format!(
                    "namespace {ns:?} not found: check -n (kubectl get namespaces), or pass -A for all namespaces"
                ))
                .into());
            }
        }
        let lp = ListParams::default();
        let where_ = format!("in namespace(s) {scope}");
        let mut inventory = Self {
            service_accounts: list(scope.api(client), &lp, "serviceaccounts", &where_).await?,
            replica_sets: list(scope.api(client), &lp, "replicasets", &where_).await?,
            pods: list(scope.api(client), &lp, "pods", &where_).await?,
            workloads: Vec::new(),
        };
        for kind in KINDS {
            let api = scope.dynamic_api(client, kind);
            let what = format!("{}s", kind.word());
            let objects = list(api, &lp, &what, &where_).await?;
            inventory
                .workloads
                .extend(objects.into_iter().map(|object| Workload { kind, object }));
        }
        Ok(inventory)
    }

    /// The annotated or not ServiceAccount `ns/name`, if it exists.
    pub fn service_account(&self, ns: &str, name: &str) -> Option<&ServiceAccount> {
        self.service_accounts.iter().find(|sa| {
            sa.metadata.namespace.as_deref() == Some(ns)
                && sa.metadata.name.as_deref() == Some(name)
        })
    }

    /// The workload that controls an object (through a ReplicaSet for a
    /// Deployment, through a Job for a CronJob's).
    pub fn controller(&self, meta: &ObjectMeta) -> Option<&Workload> {
        let owner = controller_uid(meta)?;
        if let Some(rs) = self
            .replica_sets
            .iter()
            .find(|rs| rs.metadata.uid.as_deref() == Some(owner))
        {
            return self.controller(&rs.metadata);
        }
        let found = self
            .workloads
            .iter()
            .find(|w| w.object.metadata.uid.as_deref() == Some(owner))?;
        if found.kind == WorkloadKind::Job {
            return self.controller(&found.object.metadata).or(Some(found));
        }
        Some(found)
    }
}

fn controller_uid(meta: &ObjectMeta) -> Option<&str> {
    let refs = meta.owner_references.iter().flatten();
    refs.into_iter()
        .find(|r| r.controller == Some(true))
        .map(|r| r.uid.as_str())
}

async fn list<K>(api: Api<K>, lp: &ListParams, what: &str, where_: &str) -> Result<Vec<K>>
where
    K: Resource + Clone + std::fmt::Debug + serde::de::DeserializeOwned,
{
    let mut items = api
        .list(lp)
        .await
        .with_context(|| format!("listing {what} {where_}"))?
        .items;
    items.sort_by(|a, b| {
        let key = |o: &K| (o.meta().namespace.clone(), o.meta().name.clone());
        key(a).cmp(&key(b))
    });
    Ok(items)
}
