//! One typed function per az call: builds the argv (see `argv`), runs it as a
//! read or a write through the runner, and parses the JSON into the small
//! structs of `types`. Deletes and creates whose output is not needed answer `()`.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::argv::{self, Credential, Grant};
use super::arm_id::{self, ArmId};
use super::types::*;
use super::{Az, AzError, shell_line};

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
    fn show<T: DeserializeOwned>(&self, what: &str, a: &[String]) -> Result<Option<T>, AzError> {
        let v = self.read(&format!("checking {what}"), a)?;
        opt(a, v)
    }

    fn list<T: DeserializeOwned>(&self, what: &str, a: &[String]) -> Result<Vec<T>, AzError> {
        let v = self.read(what, a)?;
        Ok(opt(a, v)?.unwrap_or_default())
    }

    fn change<T: DeserializeOwned>(&self, what: &str, a: &[String]) -> Result<Option<T>, AzError> {
        let v = self.write(what, a)?;
        opt(a, v)
    }

    fn act(&self, what: &str, a: &[String]) -> Result<(), AzError> {
        self.write(what, a).map(drop)
    }

    pub fn account_list(&self) -> Result<Vec<Account>, AzError> {
        self.list(
            "listing the subscriptions az is logged in to",
            &argv::account_list(),
        )
    }

    pub fn login(&self, tenant: &str) -> Result<(), AzError> {
        self.interactive(&argv::login(tenant))
    }

    pub fn group_show(&self, sub: &str, rg: &str) -> Result<Option<Group>, AzError> {
        self.show(&format!("resource group {rg}"), &argv::group_show(sub, rg))
    }

    pub fn group_create(
        &self,
        sub: &str,
        rg: &str,
        location: &str,
        profile: &str,
    ) -> Result<(), AzError> {
        let a = argv::group_create(sub, rg, location, profile);
        self.act(&format!("creating resource group {rg}"), &a)
    }

    pub fn group_delete(&self, sub: &str, rg: &str, no_wait: bool) -> Result<(), AzError> {
        let a = argv::group_delete(sub, rg, no_wait);
        self.act(&format!("deleting resource group {rg}"), &a)
    }

    pub fn aks_show(&self, sub: &str, rg: &str, name: &str) -> Result<Option<Cluster>, AzError> {
        self.show(
            &format!("AKS cluster {name}"),
            &argv::aks_show(sub, rg, name),
        )
    }

    /// The cluster `name` among its group's (one list answers for every
    /// cluster of a graph in that group).
    pub fn aks_in_group(
        &self,
        sub: &str,
        rg: &str,
        name: &str,
    ) -> Result<Option<Cluster>, AzError> {
        let all: Vec<Cluster> = self.list(
            &format!("listing AKS clusters in {rg}"),
            &argv::aks_list(sub, rg),
        )?;
        Ok(all.into_iter().find(|c| named(&c.id, name)))
    }

    pub fn aks_create(&self, sub: &str, rg: &str, name: &str) -> Result<Option<Cluster>, AzError> {
        let what = format!("creating AKS cluster {name} (this takes several minutes)");
        self.change(&what, &argv::aks_create(sub, rg, name))
    }

    pub fn aks_enable_workload_identity(
        &self,
        sub: &str,
        rg: &str,
        name: &str,
    ) -> Result<Option<Cluster>, AzError> {
        let what = format!("enabling OIDC issuer and workload identity on AKS cluster {name}");
        self.change(&what, &argv::aks_enable_workload_identity(sub, rg, name))
    }

    pub fn aks_delete(&self, sub: &str, rg: &str, name: &str) -> Result<(), AzError> {
        self.act(
            &format!("deleting AKS cluster {name}"),
            &argv::aks_delete(sub, rg, name),
        )
    }

    pub fn aks_get_credentials(
        &self,
        sub: &str,
        rg: &str,
        name: &str,
        file: Option<&str>,
    ) -> Result<(), AzError> {
        let a = argv::aks_get_credentials(sub, rg, name, file);
        self.act(
            &format!("merging credentials of {name} into kubeconfig"),
            &a,
        )
    }

    pub fn namespace_show(
        &self,
        sub: &str,
        rg: &str,
        ns: &str,
    ) -> Result<Option<Namespace>, AzError> {
        let a = argv::servicebus_namespace_show(sub, rg, ns);
        self.show(&format!("Service Bus namespace {ns}"), &a)
    }

    pub fn namespace_create(
        &self,
        sub: &str,
        rg: &str,
        ns: &str,
        location: &str,
    ) -> Result<Option<Namespace>, AzError> {
        let a = argv::servicebus_namespace_create(sub, rg, ns, location);
        self.change(&format!("creating Service Bus namespace {ns}"), &a)
    }

    pub fn namespace_disable_local_auth(
        &self,
        sub: &str,
        rg: &str,
        ns: &str,
    ) -> Result<Option<Namespace>, AzError> {
        let a = argv::servicebus_namespace_disable_local_auth(sub, rg, ns);
        self.change(&format!("disabling local auth on {ns}"), &a)
    }

    pub fn namespace_delete(&self, sub: &str, rg: &str, ns: &str) -> Result<(), AzError> {
        let a = argv::servicebus_namespace_delete(sub, rg, ns);
        self.act(&format!("deleting Service Bus namespace {ns}"), &a)
    }

    pub fn queue_show(
        &self,
        sub: &str,
        rg: &str,
        ns: &str,
        q: &str,
    ) -> Result<Option<Queue>, AzError> {
        self.show(
            &format!("queue {q}"),
            &argv::servicebus_queue_show(sub, rg, ns, q),
        )
    }

    pub fn queue_create(&self, sub: &str, rg: &str, ns: &str, q: &str) -> Result<(), AzError> {
        self.act(
            &format!("creating queue {q}"),
            &argv::servicebus_queue_create(sub, rg, ns, q),
        )
    }

    pub fn queue_delete(&self, sub: &str, rg: &str, ns: &str, q: &str) -> Result<(), AzError> {
        self.act(
            &format!("deleting queue {q}"),
            &argv::servicebus_queue_delete(sub, rg, ns, q),
        )
    }

    pub fn identity_show(
        &self,
        sub: &str,
        rg: &str,
        name: &str,
    ) -> Result<Option<Identity>, AzError> {
        self.show(
            &format!("managed identity {name}"),
            &argv::identity_show(sub, rg, name),
        )
    }

    /// The identity `name` among its group's (one list answers for every
    /// identity of a graph in that group).
    pub fn identity_in_group(
        &self,
        sub: &str,
        rg: &str,
        name: &str,
    ) -> Result<Option<Identity>, AzError> {
        let all = self.identity_list(sub, rg)?;
        Ok(all.into_iter().find(|i| named(&i.id, name)))
    }

    pub fn identity_create(
        &self,
        sub: &str,
        rg: &str,
        name: &str,
        location: &str,
    ) -> Result<Option<Identity>, AzError> {
        let a = argv::identity_create(sub, rg, name, location);
        self.change(&format!("creating managed identity {name}"), &a)
    }

    pub fn identity_delete(&self, sub: &str, rg: &str, name: &str) -> Result<(), AzError> {
        self.act(
            &format!("deleting managed identity {name}"),
            &argv::identity_delete(sub, rg, name),
        )
    }

    pub fn role_assignment_list(
        &self,
        sub: &str,
        scope: &str,
    ) -> Result<Vec<RoleAssignment>, AzError> {
        self.list(
            "checking role assignments",
            &argv::role_assignment_list(sub, scope),
        )
    }

    /// Every role assignment in the scope's subscription, at any scope.
    pub fn role_assignments_everywhere(&self, scope: &str) -> Result<Vec<RoleAssignment>, AzError> {
        self.list(
            "checking role assignments",
            &argv::role_assignment_list_all(subscription_of(scope)),
        )
    }

    pub fn role_assignment_create(
        &self,
        sub: &str,
        g: &Grant<'_>,
    ) -> Result<Option<RoleAssignment>, AzError> {
        let a = argv::role_assignment_create(sub, g);
        let v = self.write(&format!("assigning {} to the identity", g.role), &a)?;
        if let Some(made) = &v {
            self.amend_list(&argv::role_assignment_list(sub, g.scope), made);
            let everywhere = argv::role_assignment_list_all(subscription_of(g.scope));
            self.amend_list(&everywhere, made);
        }
        opt(&a, v)
    }

    pub fn role_assignment_delete(&self, sub: &str, id: &str) -> Result<(), AzError> {
        self.act(
            "deleting a role assignment",
            &argv::role_assignment_delete(sub, id),
        )
    }

    pub fn credential_list(
        &self,
        sub: &str,
        rg: &str,
        identity: &str,
    ) -> Result<Vec<FederatedCredential>, AzError> {
        let a = argv::federated_credential_list(sub, rg, identity);
        self.list(&format!("listing federated credentials of {identity}"), &a)
    }

    pub fn credential_create(
        &self,
        sub: &str,
        rg: &str,
        c: &Credential<'_>,
    ) -> Result<(), AzError> {
        let a = argv::federated_credential_create(sub, rg, c);
        self.act(&format!("creating federated credential {}", c.name), &a)?;
        let made = FederatedCredential {
            name: c.name.to_string(),
            issuer: c.issuer.to_string(),
            subject: c.subject.to_string(),
            audiences: vec![c.audience.to_string()],
        };
        self.credentials_made(sub, rg, c.identity, std::slice::from_ref(&made));
        Ok(())
    }

    /// Starts the template deployment (`name`, in the identity's group) that
    /// writes federated credentials of one identity one after the other;
    /// the caller watches it ([`Az::deployment_show`]) and then records the
    /// credentials as made ([`Az::credentials_made`]). The template is
    /// written to `template` first, in a dry run too, so that the printed
    /// command is the one a live run runs and can be run as printed.
    pub fn credentials_deploy(
        &self,
        (sub, rg, name): (&str, &str, &str),
        identity: &Identity,
        credentials: &[FederatedCredential],
        template: &std::path::Path,
    ) -> Result<(), AzError> {
        let chain = super::template::credential_chain(&identity.id, credentials);
        template
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(template, chain.to_string()))
            .map_err(|source| AzError::Spawn {
                command: format!("writing the deployment template {}", template.display()),
                source,
            })?;
        let a = argv::deployment_create(sub, rg, name, &template.to_string_lossy());
        let identity_name = ArmId::parse(&identity.id).name();
        self.act(
            &format!(
                "starting the deployment of {} federated credentials of {identity_name}",
                credentials.len()
            ),
            &a,
        )
    }

    pub fn deployment_show(
        &self,
        sub: &str,
        rg: &str,
        name: &str,
    ) -> Result<Option<Deployment>, AzError> {
        self.show(
            &format!("deployment {name}"),
            &argv::deployment_show(sub, rg, name),
        )
    }

    /// Credentials just written join what their identity's list answers.
    pub fn credentials_made(
        &self,
        sub: &str,
        rg: &str,
        identity: &str,
        made: &[FederatedCredential],
    ) {
        let list = argv::federated_credential_list(sub, rg, identity);
        for c in made {
            if let Ok(v) = serde_json::to_value(c) {
                self.amend_list(&list, &v);
            }
        }
    }

    pub fn credential_delete(
        &self,
        sub: &str,
        rg: &str,
        identity: &str,
        name: &str,
    ) -> Result<(), AzError> {
        let a = argv::federated_credential_delete(sub, rg, identity, name);
        self.act(&format!("deleting federated credential {name}"), &a)
    }
}

impl Az {
    /// Every managed identity in a group.
    pub fn identity_list(&self, sub: &str, rg: &str) -> Result<Vec<Identity>, AzError> {
        self.list(
            &format!("listing managed identities in {rg}"),
            &argv::identity_list(sub, rg),
        )
    }

    /// Every top-level resource in a group.
    pub fn resource_list(&self, sub: &str, rg: &str) -> Result<Vec<Resource>, AzError> {
        self.list(
            &format!("listing the resources in {rg}"),
            &argv::resource_list(sub, rg),
        )
    }

    /// Every AKS cluster in a subscription.
    pub fn aks_list_all(&self, sub: &str) -> Result<Vec<Cluster>, AzError> {
        self.list(
            &format!("listing AKS clusters in subscription {sub}"),
            &argv::aks_list_all(sub),
        )
    }

    /// Whether the resource `id` in subscription `sub` exists (a
    /// subscription always counts as existing; a group is asked for as a
    /// group). Only for IDs under `/subscriptions/<sub>`: a management
    /// group's ID would be read as a group's.
    pub fn resource_exists(&self, sub: &str, id: &str) -> Result<bool, AzError> {
        let parsed = ArmId::parse(id);
        match parsed.depth() {
            0..=2 => Ok(true),
            3 | 4 => Ok(self.group_show(sub, parsed.resource_group())?.is_some()),
            _ => Ok(self
                .read(&format!("checking {id}"), &argv::resource_show(sub, id))?
                .is_some()),
        }
    }

    /// Whether an issuer still publishes its discovery document. Only the
    /// host's 404 or 410 says it does not: anything else that is not a
    /// document (a captive portal's or a proxy's page, an empty answer, a
    /// server error) tells nothing, and a working credential must not be
    /// called stale for it.
    pub fn discovery(&self, issuer: &str) -> Result<Discovery, AzError> {
        let a = argv::discovery(issuer);
        let unknown = |what: &str| {
            Discovery::Unreachable(format!(
                "answered 200 with {what}, not a discovery document"
            ))
        };
        match self.read(&format!("asking {issuer} for its discovery document"), &a) {
            Ok(Some(v)) if v.is_object() => Ok(Discovery::Answers(
                v.get("issuer").and_then(|i| i.as_str()).map(String::from),
            )),
            // az exits 3 on any HTTP 404, whatever its body.
            Ok(None) => Ok(Discovery::Gone("Not Found".into())),
            Ok(Some(serde_json::Value::Null)) => Ok(unknown("nothing")),
            Ok(Some(_)) => Ok(unknown("other JSON")),
            // az rest prints a body that is not JSON as it came.
            Err(AzError::BadJson { excerpt, .. }) => Ok(unknown(&format!("{excerpt:?}"))),
            // az rest says the HTTP status's reason, then the body: the
            // issuer's host answered, and the document is not there.
            Err(AzError::Failed { message, .. })
                if ["Not Found", "Gone"]
                    .iter()
                    .any(|r| message.contains(&format!("{r}(")) || message.ends_with(r)) =>
            {
                Ok(Discovery::Gone(message))
            }
            Err(AzError::Failed { message, .. }) => Ok(Discovery::Unreachable(message)),
            Err(e) => Err(e),
        }
    }
}

/// What an issuer's discovery URL answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Discovery {
    /// A discovery document, with the issuer it names (if it names one).
    Answers(Option<String>),
    /// The host answered that there is none (404, 410): the issuer is dead.
    Gone(String),
    /// It could not be asked (no route, TLS, a server error), or its answer
    /// was no document (a portal's page, an empty 200): unknown.
    Unreachable(String),
}

/// Whether the ARM ID `id` ends in the name `name` (ARM names compare
/// without case).
fn named(id: &str, name: &str) -> bool {
    ArmId::parse(id).is_named(name)
}

/// The subscription an ARM ID is in (empty when it names none).
fn subscription_of(id: &str) -> &str {
    ArmId::parse(id).subscription()
}

impl Identity {
    /// What a dry run assumes a new identity looks like.
    pub fn planned(sub: &str, rg: &str, name: &str) -> Self {
        Self {
            id: arm_id::identity(sub, rg, name),
            client_id: PLACEHOLDER_GUID.into(),
            principal_id: PLACEHOLDER_GUID.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_name_their_subscription_and_end_in_their_name() {
        let id = "/subscriptions/S1/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/sb/queues/Orders";
        assert_eq!(subscription_of(id), "S1");
        assert_eq!(subscription_of("/providers/x"), "");
        assert!(named(id, "orders"));
        assert!(!named(id, "order"));
    }
}
