//! What `audit --who-can` reads: the ServiceAccounts of the scope that stand
//! for an identity, and every Role, ClusterRole and binding of the cluster
//! (a chain may cross namespaces, so all of them whatever the scope).

use anyhow::{Context, Result};
use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use kube::Client;
use kube::api::{Api, ListParams};
use xtenant_shared::names::ANNOTATION_CLIENT_ID;

use super::model::{self, Model};
use super::report::Account;
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
    let mut bindings: Vec<model::Binding> =
        role_bindings.iter().map(model::from_role_binding).collect();
    bindings.extend(
        cluster_role_bindings
            .iter()
            .map(model::from_cluster_role_binding),
    );
    let model = Model::new(
        roles.iter().map(model::from_role).collect(),
        cluster_roles.iter().map(model::from_cluster_role).collect(),
        bindings,
    );

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
        for b in &profile.graph.bindings {
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
