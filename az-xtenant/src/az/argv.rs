//! Argument vectors of every `az` call, built by pure functions so that they
//! can be unit-tested and checked against the real az parser. Every
//! subscription-scoped call names `--subscription` and asks for
//! `-o json --only-show-errors`.

use xtenant_shared::names;

/// Builds one argv: command words, then options, then the common tail.
struct Argv(Vec<String>);

impl Argv {
    fn new(words: &[&str]) -> Self {
        Self(words.iter().map(|w| (*w).to_string()).collect())
    }
    fn opt(mut self, flag: &str, value: &str) -> Self {
        self.0.push(flag.to_string());
        self.0.push(value.to_string());
        self
    }
    fn flag(mut self, flag: &str) -> Self {
        self.0.push(flag.to_string());
        self
    }
    /// Scoped to a subscription, JSON out, warnings off.
    fn sub(self, subscription: &str) -> Vec<String> {
        self.opt("--subscription", subscription).json()
    }
    fn json(self) -> Vec<String> {
        self.opt("-o", "json").flag("--only-show-errors").0
    }
}

pub fn account_list() -> Vec<String> {
    Argv::new(&["account", "list"]).json()
}

/// Interactive: az's own prompts and warnings (device code) must stay visible.
pub fn login(tenant: &str) -> Vec<String> {
    Argv::new(&["login"])
        .opt("--tenant", tenant)
        .opt("-o", "none")
        .0
}

pub fn group_show(sub: &str, rg: &str) -> Vec<String> {
    Argv::new(&["group", "show"]).opt("--name", rg).sub(sub)
}

/// Tagged `created-by=xtenant` and with the profile's own ID, the mark that
/// makes the group this profile's to delete.
pub fn group_create(sub: &str, rg: &str, location: &str, profile_id: &str) -> Vec<String> {
    let created_by = format!("{}={}", names::TAG_CREATED_BY, names::TAG_CREATED_BY_VALUE);
    let profile = format!("{}={profile_id}", names::TAG_PROFILE);
    let mut a = Argv::new(&["group", "create"])
        .opt("--name", rg)
        .opt("--location", location)
        .flag("--tags");
    a.0.push(created_by);
    a.0.push(profile);
    a.sub(sub)
}

pub fn group_delete(sub: &str, rg: &str, no_wait: bool) -> Vec<String> {
    let a = Argv::new(&["group", "delete"])
        .opt("--name", rg)
        .flag("--yes");
    let a = if no_wait { a.flag("--no-wait") } else { a };
    a.sub(sub)
}

pub fn aks_show(sub: &str, rg: &str, name: &str) -> Vec<String> {
    Argv::new(&["aks", "show"])
        .opt("--resource-group", rg)
        .opt("--name", name)
        .sub(sub)
}

/// Every cluster in a group: a graph's clusters share a few groups.
pub fn aks_list(sub: &str, rg: &str) -> Vec<String> {
    Argv::new(&["aks", "list"])
        .opt("--resource-group", rg)
        .sub(sub)
}

pub fn aks_create(sub: &str, rg: &str, name: &str) -> Vec<String> {
    Argv::new(&["aks", "create"])
        .opt("--resource-group", rg)
        .opt("--name", name)
        .flag("--enable-oidc-issuer")
        .flag("--enable-workload-identity")
        .flag("--generate-ssh-keys")
        .sub(sub)
}

pub fn aks_delete(sub: &str, rg: &str, name: &str) -> Vec<String> {
    Argv::new(&["aks", "delete"])
        .opt("--resource-group", rg)
        .opt("--name", name)
        .flag("--yes")
        .sub(sub)
}

pub fn aks_enable_workload_identity(sub: &str, rg: &str, name: &str) -> Vec<String> {
    Argv::new(&["aks", "update"])
        .opt("--resource-group", rg)
        .opt("--name", name)
        .flag("--enable-oidc-issuer")
        .flag("--enable-workload-identity")
        .sub(sub)
}

pub fn aks_get_credentials(sub: &str, rg: &str, name: &str, file: Option<&str>) -> Vec<String> {
    let a = Argv::new(&["aks", "get-credentials"])
        .opt("--resource-group", rg)
        .opt("--name", name)
        .flag("--overwrite-existing");
    let a = match file {
        Some(f) => a.opt("--file", f),
        None => a,
    };
    a.sub(sub)
}

pub fn servicebus_namespace_show(sub: &str, rg: &str, ns: &str) -> Vec<String> {
    Argv::new(&["servicebus", "namespace", "show"])
        .opt("--resource-group", rg)
        .opt("--name", ns)
        .sub(sub)
}

pub fn servicebus_namespace_create(sub: &str, rg: &str, ns: &str, location: &str) -> Vec<String> {
    Argv::new(&["servicebus", "namespace", "create"])
        .opt("--resource-group", rg)
        .opt("--name", ns)
        .opt("--location", location)
        .flag("--disable-local-auth")
        .sub(sub)
}

pub fn servicebus_namespace_disable_local_auth(sub: &str, rg: &str, ns: &str) -> Vec<String> {
    Argv::new(&["servicebus", "namespace", "update"])
        .opt("--resource-group", rg)
        .opt("--name", ns)
        .opt("--disable-local-auth", "true")
        .sub(sub)
}

pub fn servicebus_namespace_delete(sub: &str, rg: &str, ns: &str) -> Vec<String> {
    Argv::new(&["servicebus", "namespace", "delete"])
        .opt("--resource-group", rg)
        .opt("--name", ns)
        .sub(sub)
}

pub fn servicebus_queue_show(sub: &str, rg: &str, ns: &str, queue: &str) -> Vec<String> {
    Argv::new(&["servicebus", "queue", "show"])
        .opt("--resource-group", rg)
        .opt("--namespace-name", ns)
        .opt("--name", queue)
        .sub(sub)
}

pub fn servicebus_queue_create(sub: &str, rg: &str, ns: &str, queue: &str) -> Vec<String> {
    Argv::new(&["servicebus", "queue", "create"])
        .opt("--resource-group", rg)
        .opt("--namespace-name", ns)
        .opt("--name", queue)
        .sub(sub)
}

pub fn servicebus_queue_delete(sub: &str, rg: &str, ns: &str, queue: &str) -> Vec<String> {
    Argv::new(&["servicebus", "queue", "delete"])
        .opt("--resource-group", rg)
        .opt("--namespace-name", ns)
        .opt("--name", queue)
        .sub(sub)
}

pub fn identity_show(sub: &str, rg: &str, name: &str) -> Vec<String> {
    Argv::new(&["identity", "show"])
        .opt("--resource-group", rg)
        .opt("--name", name)
        .sub(sub)
}

/// Every top-level resource in a group: whether a group is empty.
pub fn resource_list(sub: &str, rg: &str) -> Vec<String> {
    Argv::new(&["resource", "list"])
        .opt("--resource-group", rg)
        .sub(sub)
}

/// Every identity in a group: a graph's identities share a few groups, one
/// list answers for all of them.
pub fn identity_list(sub: &str, rg: &str) -> Vec<String> {
    Argv::new(&["identity", "list"])
        .opt("--resource-group", rg)
        .sub(sub)
}

pub fn identity_create(sub: &str, rg: &str, name: &str, location: &str) -> Vec<String> {
    Argv::new(&["identity", "create"])
        .opt("--resource-group", rg)
        .opt("--name", name)
        .opt("--location", location)
        .sub(sub)
}

pub fn identity_delete(sub: &str, rg: &str, name: &str) -> Vec<String> {
    Argv::new(&["identity", "delete"])
        .opt("--resource-group", rg)
        .opt("--name", name)
        .sub(sub)
}

/// Assignments at exactly `scope`; filtered by principal and role by the caller.
/// `--fill-principal-name false` spares a Microsoft Graph lookup.
pub fn role_assignment_list(sub: &str, scope: &str) -> Vec<String> {
    Argv::new(&["role", "assignment", "list"])
        .opt("--scope", scope)
        .opt("--fill-principal-name", "false")
        .sub(sub)
}

/// Every role assignment in a subscription, at any scope: one list answers
/// for all of a graph's grants there.
pub fn role_assignment_list_all(sub: &str) -> Vec<String> {
    Argv::new(&["role", "assignment", "list"])
        .flag("--all")
        .opt("--fill-principal-name", "false")
        .sub(sub)
}

/// A role granted to a principal at a scope.
#[derive(Debug, Clone, Copy)]
pub struct Grant<'a> {
    pub principal: &'a str,
    /// Role name or role definition GUID.
    pub role: &'a str,
    pub scope: &'a str,
    /// The assignment's name (a GUID), fixed up front so that its ARM ID is
    /// known before the create.
    pub name: Option<&'a str>,
    /// Says who made it: xtenant and the profile.
    pub description: Option<&'a str>,
}

#[cfg(test)]
impl<'a> Grant<'a> {
    /// The procedure's grant: Service Bus Data Owner.
    pub fn demo(principal: &'a str, scope: &'a str) -> Self {
        Self {
            principal,
            role: names::SERVICEBUS_ROLE,
            scope,
            name: None,
            description: None,
        }
    }
}

/// With the object ID and principal type, az skips the Graph lookup that a
/// just-created identity would fail.
pub fn role_assignment_create(sub: &str, g: &Grant<'_>) -> Vec<String> {
    let mut a = Argv::new(&["role", "assignment", "create"])
        .opt("--role", g.role)
        .opt("--assignee-object-id", g.principal)
        .opt("--assignee-principal-type", "ServicePrincipal")
        .opt("--scope", g.scope);
    if let Some(name) = g.name {
        a = a.opt("--name", name);
    }
    if let Some(d) = g.description {
        a = a.opt("--description", d);
    }
    a.sub(sub)
}

pub fn role_assignment_delete(sub: &str, id: &str) -> Vec<String> {
    Argv::new(&["role", "assignment", "delete"])
        .opt("--ids", id)
        .sub(sub)
}

pub fn federated_credential_list(sub: &str, rg: &str, identity: &str) -> Vec<String> {
    Argv::new(&["identity", "federated-credential", "list"])
        .opt("--resource-group", rg)
        .opt("--identity-name", identity)
        .sub(sub)
}

/// The fields of a federated identity credential.
pub struct Credential<'a> {
    pub identity: &'a str,
    pub name: &'a str,
    pub issuer: &'a str,
    pub subject: &'a str,
    pub audience: &'a str,
}

pub fn federated_credential_create(sub: &str, rg: &str, c: &Credential<'_>) -> Vec<String> {
    Argv::new(&["identity", "federated-credential", "create"])
        .opt("--resource-group", rg)
        .opt("--identity-name", c.identity)
        .opt("--name", c.name)
        .opt("--issuer", c.issuer)
        .opt("--subject", c.subject)
        .opt("--audiences", c.audience)
        .sub(sub)
}

/// A template deployment in a group (`--template-file` names a file az reads),
/// started only: az validates and submits it, then returns (`--no-wait`),
/// since ARM sends no `Retry-After` for deployments and az would look again
/// only after 30 s. The caller watches it with [`deployment_show`].
pub fn deployment_create(sub: &str, rg: &str, name: &str, template_file: &str) -> Vec<String> {
    Argv::new(&["deployment", "group", "create"])
        .opt("--resource-group", rg)
        .opt("--name", name)
        .opt("--template-file", template_file)
        .flag("--no-wait")
        .sub(sub)
}

pub fn deployment_show(sub: &str, rg: &str, name: &str) -> Vec<String> {
    Argv::new(&["deployment", "group", "show"])
        .opt("--resource-group", rg)
        .opt("--name", name)
        .sub(sub)
}

pub fn federated_credential_delete(sub: &str, rg: &str, identity: &str, name: &str) -> Vec<String> {
    Argv::new(&["identity", "federated-credential", "delete"])
        .opt("--resource-group", rg)
        .opt("--identity-name", identity)
        .opt("--name", name)
        .flag("--yes")
        .sub(sub)
}

/// Every cluster in a subscription (the audit resolves issuers against all of them).
pub fn aks_list_all(sub: &str) -> Vec<String> {
    Argv::new(&["aks", "list"]).sub(sub)
}

/// Any resource by its ARM ID (the audit asks whether a role's scope still exists).
pub fn resource_show(sub: &str, id: &str) -> Vec<String> {
    Argv::new(&["resource", "show"]).opt("--ids", id).sub(sub)
}

/// An issuer's OIDC discovery document, fetched by az itself (no token sent:
/// the document is public), so that az stays the only thing that talks to
/// the outside.
pub fn discovery(issuer: &str) -> Vec<String> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    Argv::new(&["rest"])
        .opt("--method", "get")
        .opt("--url", &url)
        .flag("--skip-authorization-header")
        .json()
}

pub fn federated_credential_update(
    sub: &str,
    rg: &str,
    identity: &str,
    c: &super::types::FederatedCredential,
    audience: &str,
) -> Vec<String> {
    Argv::new(&["identity", "federated-credential", "update"])
        .opt("--resource-group", rg)
        .opt("--identity-name", identity)
        .opt("--name", &c.name)
        .opt("--issuer", &c.issuer)
        .opt("--subject", &c.subject)
        .opt("--audiences", audience)
        .sub(sub)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUB: &str = "11111111-1111-1111-1111-111111111111";

    fn line(argv: &[String]) -> String {
        argv.join(" ")
    }

    #[test]
    fn scoped_calls_name_subscription_and_json() {
        let all = [
            group_show(SUB, "rg"),
            group_create(SUB, "rg", "eastus", "p"),
            aks_delete(SUB, "rg", "aks"),
            role_assignment_delete(SUB, "/ra"),
            federated_credential_delete(SUB, "rg", "id", "fic"),
            group_delete(SUB, "rg", false),
            aks_show(SUB, "rg", "aks"),
            aks_create(SUB, "rg", "aks"),
            servicebus_namespace_create(SUB, "rg", "sb-demo-1", "eastus"),
            role_assignment_list(SUB, "/x"),
            federated_credential_list(SUB, "rg", "id"),
        ];
        for argv in &all {
            let l = line(argv);
            assert!(l.contains(&format!("--subscription {SUB}")), "{l}");
            assert!(l.ends_with("-o json --only-show-errors"), "{l}");
        }
    }

    #[test]
    fn cluster_is_created_with_oidc_and_workload_identity() {
        assert_eq!(
            line(&aks_create(SUB, "rg", "aks")),
            format!(
                "aks create --resource-group rg --name aks --enable-oidc-issuer \
                 --enable-workload-identity --generate-ssh-keys --subscription {SUB} -o json --only-show-errors"
            )
        );
        let update = line(&aks_enable_workload_identity(SUB, "rg", "aks"));
        assert!(update.starts_with("aks update --resource-group rg --name aks --enable-oidc-issuer --enable-workload-identity"));
    }

    #[test]
    fn groups_are_tagged_and_deleted_without_prompt() {
        assert!(
            line(&group_create(SUB, "rg", "eastus", "p1"))
                .contains("--tags created-by=xtenant xtenant-profile=p1")
        );
        assert!(line(&group_delete(SUB, "rg", true)).contains("--yes --no-wait"));
        assert!(!line(&group_delete(SUB, "rg", false)).contains("--no-wait"));
    }

    #[test]
    fn namespace_never_enables_local_auth() {
        assert!(
            line(&servicebus_namespace_create(SUB, "rg", "sb-x-1", "eastus"))
                .contains("--disable-local-auth --subscription")
        );
        assert!(
            line(&servicebus_namespace_disable_local_auth(
                SUB, "rg", "sb-x-1"
            ))
            .contains("--disable-local-auth true")
        );
    }

    #[test]
    fn role_assignment_skips_graph() {
        let argv = role_assignment_create(SUB, &Grant::demo("p", "/scope"));
        assert_eq!(
            argv[..11],
            [
                "role",
                "assignment",
                "create",
                "--role",
                "Azure Service Bus Data Owner",
                "--assignee-object-id",
                "p",
                "--assignee-principal-type",
                "ServicePrincipal",
                "--scope",
                "/scope"
            ]
        );
    }

    #[test]
    fn credential_names_issuer_subject_and_audience() {
        let c = Credential {
            identity: "id",
            name: "fic",
            issuer: "https://i/",
            subject: "system:serviceaccount:default:sa",
            audience: names::TOKEN_AUDIENCE,
        };
        let l = line(&federated_credential_create(SUB, "rg", &c));
        assert!(l.contains("--issuer https://i/ --subject system:serviceaccount:default:sa --audiences api://AzureADTokenExchange"), "{l}");
    }

    #[test]
    fn login_is_not_scoped_and_keeps_warnings() {
        assert_eq!(line(&login("t")), "login --tenant t -o none");
        assert_eq!(
            line(&account_list()),
            "account list -o json --only-show-errors"
        );
    }

    #[test]
    fn credentials_go_to_the_named_file() {
        let l = line(&aks_get_credentials(SUB, "rg", "aks", Some("/tmp/k")));
        assert!(l.contains("--overwrite-existing --file /tmp/k"), "{l}");
    }
}
