//! What `audit --who-can` reads: the ServiceAccounts of the scope that stand
//! for an identity, the names of the scope's workloads (for rules limited
//! to names), and every Role, ClusterRole and binding of the cluster (a
//! chain may cross namespaces, so all of them whatever the scope).

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Namespace, ReplicationController, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use kube::Client;
use kube::api::{Api, ListParams};
use xtenant_shared::names::ANNOTATION_CLIENT_ID;

use super::claims::Account;
use super::convert;
use super::model::{self, Model};
use crate::audit::{Known, Scope};
use crate::exit::Usage;

pub struct Read {
    pub model: Model,
    pub accounts: Vec<Account>,
    /// Every ServiceAccount of the scope, as `(namespace, name)`.
    pub service_accounts: Vec<(String, String)>,
}

async fn list<K>(api: Api<K>, what: &str) -> Result<Vec<K>>
where
    K: kube::Resource + Clone + std::fmt::Debug + serde::de::DeserializeOwned,
{
    let items = api.list(&ListParams::default()).await.with_context(|| {
        format!("listing {what} (audit --who-can reads every role and binding of the cluster: it needs list on them)")
    })?;
    Ok(items.items)
}

/// The names of one kind's objects in the scope, into `into`.
async fn names_of<K>(
    client: &Client,
    scope: &Scope,
    resource: &str,
    into: &mut BTreeMap<(String, String), Vec<String>>,
) -> Result<()>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + std::fmt::Debug
        + serde::de::DeserializeOwned,
    <K as kube::Resource>::DynamicType: Default,
{
    let api: Api<K> = match scope {
        Scope::All => Api::all(client.clone()),
        Scope::Namespace(ns) => Api::namespaced(client.clone(), ns),
    };
    let list = api
        .list_metadata(&ListParams::default())
        .await
        .with_context(|| format!("listing {resource} in namespace(s) {scope}"))?;
    for o in list.items {
        let ns = o.metadata.namespace.unwrap_or_default();
        let name = o.metadata.name.unwrap_or_default();
        into.entry((ns, resource.to_string()))
            .or_default()
            .push(name);
    }
    Ok(())
}

/// The workloads that make pods, by namespace and resource.
async fn workload_names(
    client: &Client,
    scope: &Scope,
) -> Result<BTreeMap<(String, String), Vec<String>>> {
    let mut names = BTreeMap::new();
    names_of::<Deployment>(client, scope, "deployments", &mut names).await?;
    names_of::<StatefulSet>(client, scope, "statefulsets", &mut names).await?;
    names_of::<DaemonSet>(client, scope, "daemonsets", &mut names).await?;
    names_of::<ReplicaSet>(client, scope, "replicasets", &mut names).await?;
    names_of::<Job>(client, scope, "jobs", &mut names).await?;
    names_of::<CronJob>(client, scope, "cronjobs", &mut names).await?;
    names_of::<ReplicationController>(client, scope, "replicationcontrollers", &mut names).await?;
    Ok(names)
}

pub async fn read(client: &Client, scope: &Scope, known: &Known) -> Result<Read> {
    let sas: Api<ServiceAccount> = match scope {
        Scope::All => Api::all(client.clone()),
        Scope::Namespace(ns) => {
            let namespaces: Api<Namespace> = Api::all(client.clone());
            if let Ok(None) = namespaces.get_opt(ns).await {
                return Err(Usage(format!(
                    "namespace {ns:?} not found: check -n (kubectl get namespaces), or pass -A for all namespaces"
                ))
                .into());
            }
            Api::namespaced(client.clone(), ns)
        }
    };
    let sas = list(sas, &format!("serviceaccounts in namespace(s) {scope}")).await?;
    let roles = list(Api::<Role>::all(client.clone()), "roles").await?;
    let cluster_roles = list(Api::<ClusterRole>::all(client.clone()), "clusterroles").await?;
    let role_bindings = list(Api::<RoleBinding>::all(client.clone()), "rolebindings").await?;
    let cluster_role_bindings = list(
        Api::<ClusterRoleBinding>::all(client.clone()),
        "clusterrolebindings",
    )
    .await?;
    let mut bindings: Vec<model::Binding> = role_bindings
        .iter()
        .map(convert::from_role_binding)
        .collect();
    bindings.extend(
        cluster_role_bindings
            .iter()
            .map(convert::from_cluster_role_binding),
    );
    let mut model = Model::new(
        roles.iter().map(convert::from_role).collect(),
        cluster_roles
            .iter()
            .map(convert::from_cluster_role)
            .collect(),
        bindings,
    );
    model.workloads = workload_names(client, scope).await?;

    let service_accounts: Vec<(String, String)> = sas
        .iter()
        .map(|sa| {
            (
                sa.metadata.namespace.clone().unwrap_or_default(),
                sa.metadata.name.clone().unwrap_or_default(),
            )
        })
        .collect();
    let mut accounts = Vec::new();
    for sa in &sas {
        let client_id = sa
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(ANNOTATION_CLIENT_ID))
            .filter(|v| !v.is_empty());
        if let Some(id) = client_id {
            accounts.push(Account::new(
                sa.metadata.namespace.as_deref().unwrap_or_default(),
                sa.metadata.name.as_deref().unwrap_or_default(),
                Some(id.clone()),
            ));
        }
    }
    // The graph's credentials for this cluster trust their ServiceAccounts
    // whether or not they are annotated.
    if let (Some(cluster), Some(profile)) = (known.cluster_name(), &known.settings.profile) {
        for b in profile.graph.declared_bindings() {
            let listed = accounts
                .iter()
                .any(|a| a.target.namespace == b.namespace && a.target.name == b.service_account);
            if b.cluster == cluster && scope.includes(&b.namespace) && !listed {
                accounts.push(Account::new(&b.namespace, &b.service_account, None));
            }
        }
    }
    accounts.sort();
    Ok(Read {
        model,
        accounts,
        service_accounts,
    })
}
