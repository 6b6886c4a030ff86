//! One typed function per az call: builds the argv (see `argv`), runs it as a
//! read or a write, and parses the JSON into the small structs of `types`.
//! Under `--assume outdated`, reads answer with resources that exist but need
//! fixing, so that a dry run shows every update.

use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::argv::{self, Credential};
use super::types::*;
use super::{Az, AzError, shell_line};
use crate::cli::Assume;

fn typed<T: DeserializeOwned>(argv: &[String], value: Value) -> Result<T, AzError> {
    serde_json::from_value(value).map_err(|source| AzError::BadJson {
        command: shell_line(argv),
        source,
        excerpt: "(the JSON lacks a field xtenant needs or has another type)".into(),
    })
}

fn opt<T: DeserializeOwned>(argv: &[String], v: Option<Value>) -> Result<Option<T>, AzError> {
    v.map(|v| typed(argv, v)).transpose()
}

impl Az {
    fn outdated(&self) -> bool {
        self.assumed() == Some(Assume::Outdated)
    }

    pub fn account_list(&self) -> Result<Vec<Account>, AzError> {
        let a = argv::account_list();
        let v = self.read("listing the subscriptions az is logged in to", &a)?;
        Ok(opt(&a, v)?.unwrap_or_default())
    }

    pub fn login(&self, tenant: &str) -> Result<(), AzError> {
        self.interactive(&argv::login(tenant))
    }

    pub fn group_show(&self, sub: &str, rg: &str) -> Result<Option<Group>, AzError> {
        let a = argv::group_show(sub, rg);
        let v = self.read(&format!("checking resource group {rg}"), &a)?;
        if self.outdated() {
            let id = format!("/subscriptions/{sub}/resourceGroups/{rg}");
            return Ok(Some(typed(
                &a,
                json!({"id": id, "tags": {"created-by": "xtenant"}}),
            )?));
        }
        opt(&a, v)
    }

    pub fn group_create(&self, sub: &str, rg: &str, location: &str) -> Result<(), AzError> {
        let a = argv::group_create(sub, rg, location);
        self.write(&format!("creating resource group {rg}"), &a)
            .map(drop)
    }

    pub fn group_delete(&self, sub: &str, rg: &str, no_wait: bool) -> Result<(), AzError> {
        let a = argv::group_delete(sub, rg, no_wait);
        self.write(&format!("deleting resource group {rg}"), &a)
            .map(drop)
    }

    pub fn aks_show(&self, sub: &str, rg: &str, name: &str) -> Result<Option<Cluster>, AzError> {
        let a = argv::aks_show(sub, rg, name);
        let v = self.read(&format!("checking AKS cluster {name}"), &a)?;
        if self.outdated() {
            let id = format!(
                "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{name}"
            );
            return Ok(Some(Cluster::assumed(id)));
        }
        opt(&a, v)
    }

    pub fn aks_create(&self, sub: &str, rg: &str, name: &str) -> Result<Option<Cluster>, AzError> {
        let a = argv::aks_create(sub, rg, name);
        let what = format!("creating AKS cluster {name} (this takes several minutes)");
        opt(&a, self.write(&what, &a)?)
    }

    pub fn aks_enable_workload_identity(
        &self,
        sub: &str,
        rg: &str,
        name: &str,
    ) -> Result<Option<Cluster>, AzError> {
        let a = argv::aks_enable_workload_identity(sub, rg, name);
        let what = format!("enabling OIDC issuer and workload identity on AKS cluster {name}");
        opt(&a, self.write(&what, &a)?)
    }

    pub fn aks_get_credentials(
        &self,
        sub: &str,
        rg: &str,
        name: &str,
        file: Option<&str>,
    ) -> Result<(), AzError> {
        let a = argv::aks_get_credentials(sub, rg, name, file);
        self.write(
            &format!("merging credentials of {name} into kubeconfig"),
            &a,
        )
        .map(drop)
    }

    pub fn namespace_show(
        &self,
        sub: &str,
        rg: &str,
        ns: &str,
    ) -> Result<Option<Namespace>, AzError> {
        let a = argv::servicebus_namespace_show(sub, rg, ns);
        let v = self.read(&format!("checking Service Bus namespace {ns}"), &a)?;
        if self.outdated() {
            return Ok(Some(Namespace {
                id: namespace_id(sub, rg, ns),
                service_bus_endpoint: Some(format!("https://{ns}.servicebus.windows.net:443/")),
                disable_local_auth: Some(false),
            }));
        }
        opt(&a, v)
    }

    pub fn namespace_create(
        &self,
        sub: &str,
        rg: &str,
        ns: &str,
        location: &str,
    ) -> Result<Option<Namespace>, AzError> {
        let a = argv::servicebus_namespace_create(sub, rg, ns, location);
        let v = self.write(&format!("creating Service Bus namespace {ns}"), &a)?;
        opt(&a, v)
    }

    pub fn namespace_disable_local_auth(
        &self,
        sub: &str,
        rg: &str,
        ns: &str,
    ) -> Result<Option<Namespace>, AzError> {
        let a = argv::servicebus_namespace_disable_local_auth(sub, rg, ns);
        let v = self.write(&format!("disabling local auth on {ns}"), &a)?;
        opt(&a, v)
    }

    pub fn queue_show(
        &self,
        sub: &str,
        rg: &str,
        ns: &str,
        q: &str,
    ) -> Result<Option<Queue>, AzError> {
        let a = argv::servicebus_queue_show(sub, rg, ns, q);
        let v = self.read(&format!("checking queue {q}"), &a)?;
        if self.outdated() {
            return Ok(Some(Queue {}));
        }
        opt(&a, v)
    }

    pub fn queue_create(&self, sub: &str, rg: &str, ns: &str, q: &str) -> Result<(), AzError> {
        let a = argv::servicebus_queue_create(sub, rg, ns, q);
        self.write(&format!("creating queue {q}"), &a).map(drop)
    }

    pub fn identity_show(
        &self,
        sub: &str,
        rg: &str,
        name: &str,
    ) -> Result<Option<Identity>, AzError> {
        let a = argv::identity_show(sub, rg, name);
        let v = self.read(&format!("checking managed identity {name}"), &a)?;
        if self.outdated() {
            return Ok(Some(Identity::planned(sub, rg, name)));
        }
        opt(&a, v)
    }

    pub fn identity_create(
        &self,
        sub: &str,
        rg: &str,
        name: &str,
        location: &str,
    ) -> Result<Option<Identity>, AzError> {
        let a = argv::identity_create(sub, rg, name, location);
        let v = self.write(&format!("creating managed identity {name}"), &a)?;
        opt(&a, v)
    }

    pub fn role_assignment_list(
        &self,
        sub: &str,
        scope: &str,
    ) -> Result<Vec<RoleAssignment>, AzError> {
        let a = argv::role_assignment_list(sub, scope);
        let v = self.read("checking role assignments on the namespace", &a)?;
        Ok(opt(&a, v)?.unwrap_or_default())
    }

    pub fn role_assignment_create(
        &self,
        sub: &str,
        principal: &str,
        scope: &str,
    ) -> Result<Option<RoleAssignment>, AzError> {
        let a = argv::role_assignment_create(sub, principal, scope);
        let v = self.write("assigning Azure Service Bus Data Owner to the identity", &a)?;
        opt(&a, v)
    }

    pub fn credential_list(
        &self,
        sub: &str,
        rg: &str,
        identity: &str,
    ) -> Result<Vec<FederatedCredential>, AzError> {
        let a = argv::federated_credential_list(sub, rg, identity);
        let v = self.read(&format!("listing federated credentials of {identity}"), &a)?;
        Ok(opt(&a, v)?.unwrap_or_default())
    }

    pub fn credential_create(
        &self,
        sub: &str,
        rg: &str,
        c: &Credential<'_>,
    ) -> Result<(), AzError> {
        let a = argv::federated_credential_create(sub, rg, c);
        self.write(&format!("creating federated credential {}", c.name), &a)
            .map(drop)
    }
}

/// The ARM ID of a Service Bus namespace.
pub fn namespace_id(sub: &str, rg: &str, ns: &str) -> String {
    format!(
        "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ServiceBus/namespaces/{ns}"
    )
}

impl Identity {
    /// What a dry run assumes a new identity looks like.
    pub fn planned(sub: &str, rg: &str, name: &str) -> Self {
        Self {
            id: format!(
                "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}"
            ),
            client_id: PLACEHOLDER_GUID.into(),
            principal_id: PLACEHOLDER_GUID.into(),
        }
    }
}
