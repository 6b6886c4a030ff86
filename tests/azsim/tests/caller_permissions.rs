//! `az-xtenant` with the real az signed in as least-privileged callers: the
//! actions README.md's "Roles each command needs" table names are enough for
//! `plan` and `apply`; one action less is refused, naming it; a caller that may
//! write federated credentials but not deploy templates gets them written one
//! at a time. A managed identity signed in with its federated credential has
//! its role assignments and nothing more; a principal asked for badly is
//! refused naming the field.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

#[path = "graph_e2e/estate.rs"]
mod estate;
#[path = "caller_permissions/principals.rs"]
mod principals;

use azsim::{Config, ServicePrincipal, workspace_bin};
use estate::{Estate, Outcome};
use serde_json::{Value, json};

/// Tenant A's row of the table.
const A_ACTIONS: &[&str] = &["Microsoft.ContainerService/managedClusters/read"];

/// Tenant B's rows of the table, without the `delete`s only `--prune` needs.
const B_ACTIONS: &[&str] = &[
    "Microsoft.Resources/subscriptions/resourceGroups/read",
    "Microsoft.Resources/subscriptions/resourceGroups/write",
    "Microsoft.ManagedIdentity/userAssignedIdentities/read",
    "Microsoft.ManagedIdentity/userAssignedIdentities/write",
    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read",
    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
    "Microsoft.Resources/deployments/validate/action",
    "Microsoft.Resources/deployments/write",
    "Microsoft.Resources/deployments/read",
    "Microsoft.Resources/deployments/operationstatuses/read",
    "Microsoft.Authorization/roleAssignments/read",
    "Microsoft.Authorization/roleAssignments/write",
    // az resolves role names by listing definitions, for a list as for a create.
    "Microsoft.Authorization/roleDefinitions/read",
];

/// The `delete`s of Tenant B's rows, for `--prune`.
const B_PRUNE: &[&str] = &[
    "Microsoft.ManagedIdentity/userAssignedIdentities/delete",
    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/delete",
    "Microsoft.Authorization/roleAssignments/delete",
];

/// What `audit` reads in Tenant B: the table's reads, plus a read of each
/// grant's scope (here a vault), which it looks up to tell a grant whose
/// scope is gone.
const AUDIT_B: &[&str] = &[
    "Microsoft.Resources/subscriptions/resourceGroups/read",
    "Microsoft.ManagedIdentity/userAssignedIdentities/read",
    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read",
    "Microsoft.Authorization/roleAssignments/read",
    "Microsoft.Authorization/roleDefinitions/read",
    "Microsoft.KeyVault/vaults/read",
];

const DEPLOYMENT_ACTIONS: &[&str] = &[
    "Microsoft.Resources/deployments/validate/action",
    "Microsoft.Resources/deployments/write",
    "Microsoft.Resources/deployments/read",
    "Microsoft.Resources/deployments/operationstatuses/read",
];

/// A custom role of `actions` over `scope`.
fn custom(name: &str, actions: &[&str], scope: &str) -> Value {
    json!([{"role": {"roleName": name, "actions": actions}, "scope": scope}])
}

/// The estate with a cluster in Tenant A, a vault in Tenant B, and az signed
/// in to both tenants as principals holding only `a` and `b` over their
/// subscriptions.
fn estate(a: &[&str], b: &[&str]) -> (Estate, Callers) {
    let e = Estate::start(Config::two_tenants(), workspace_bin("az-xtenant"));
    e.h.update_faults(|f| f.deployment_retry_after_secs = Some(1));
    let (ta, tb) = (e.h.tenant_a().id.clone(), e.h.tenant_b().id.clone());
    let (sa, sb) = (e.h.sub_a(0), e.h.sub_b(0));
    let issuer = format!("https://oic.aks-perm.example/{ta}/x/");
    e.h.seed_cluster(&sa, "rg-aks", "aks-perm", &issuer);
    e.h.seed_vault(&sb, "rg-data", "kv-perm");
    let pa = e.h.create_principal(
        &ta,
        &custom("reads clusters", a, &format!("/subscriptions/{sa}")),
    );
    let pb =
        e.h.create_principal(&tb, &custom("xtenant", b, &format!("/subscriptions/{sb}")));
    e.h.sign_in_as(&ta, &pa);
    e.h.sign_in_as(&tb, &pb);
    (e, Callers(pa, pb))
}

/// The principals az is signed in to Tenant A and Tenant B as.
struct Callers(ServicePrincipal, ServicePrincipal);

impl Callers {
    /// From the next request on, the callers hold only `a` and `b` over their
    /// subscriptions (their roles replaced in the simulator: az stays signed in).
    fn hold(&self, e: &Estate, a: &[&str], b: &[&str], label: &str) {
        let (ta, tb) = (e.h.tenant_a().id.clone(), e.h.tenant_b().id.clone());
        let (sa, sb) = (e.h.sub_a(0), e.h.sub_b(0));
        e.h.set_principal_roles(
            &ta,
            &self.0,
            &custom(&format!("{label} A"), a, &format!("/subscriptions/{sa}")),
        );
        e.h.set_principal_roles(
            &tb,
            &self.1,
            &custom(&format!("{label} B"), b, &format!("/subscriptions/{sb}")),
        );
    }
}

/// A graph of one identity in `rg-<name>` with three workloads (three
/// credentials pending on it) and a grant on the vault.
fn graph(e: &Estate, name: &str) -> String {
    let h = &e.h;
    let (sa, sb) = (h.sub_a(0), h.sub_b(0));
    e.write(
        &format!("{name}.yaml"),
        &format!(
            "tenantA:
  tenantId: {ta}
  subscriptionId: {sa}
tenantB:
  tenantId: {tb}
  subscriptionId: {sb}
  resourceGroup: rg-{name}
  location: eastus
clusters:
  - name: aks-perm
    resourceGroup: rg-aks
identities:
  - name: id-{name}
    roles:
      - role: Key Vault Secrets User
        scope: /subscriptions/{sb}/resourceGroups/rg-data/providers/Microsoft.KeyVault/vaults/kv-perm
workloads:
  - {{namespace: orders, serviceAccount: writer, identity: id-{name}}}
  - {{namespace: orders, serviceAccount: reader, identity: id-{name}}}
  - {{namespace: orders, serviceAccount: auditor, identity: id-{name}}}
",
            ta = h.tenant_a().id,
            tb = h.tenant_b().id,
        ),
    )
}

fn identity_id(e: &Estate, name: &str) -> String {
    format!(
        "/subscriptions/{}/resourceGroups/rg-{name}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-{name}",
        e.h.sub_b(0)
    )
}

fn apply(e: &Estate, name: &str) -> Outcome {
    let file = graph(e, name);
    e.run(name, &["apply", "-f", &file, "--yes"])
}

fn without(all: &[&'static str], dropped: &[&str]) -> Vec<&'static str> {
    all.iter()
        .copied()
        .filter(|a| !dropped.contains(a))
        .collect()
}

#[test]
fn the_tables_actions_are_enough_to_plan_apply_and_prune() {
    let (e, _) = estate(A_ACTIONS, &[B_ACTIONS, B_PRUNE].concat());
    let apply = apply(&e, "least");
    assert_eq!(apply.code, 0, "{apply}");
    assert!(
        apply
            .az
            .iter()
            .any(|a| a.starts_with("deployment group create")),
        "the credentials went through a deployment: {apply}"
    );
    assert_eq!(e.credentials(&identity_id(&e, "least")).len(), 3, "{apply}");
    let principal = e.principal(&identity_id(&e, "least"));
    assert_eq!(e.grants_of(&principal).len(), 1, "{apply}");
    let file = graph(&e, "least");
    let again = e.run("least", &["plan", "-f", &file, "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{again}");
    assert!(e.intended("least").is_empty(), "{}", e.profile("least"));
    // One workload and the grant dropped from the file: --prune removes their
    // credential and role assignment.
    let text = std::fs::read_to_string(&file).unwrap();
    let fewer: String = text
        .lines()
        .filter(|l| {
            !l.contains("auditor")
                && !l.contains("roles:")
                && !l.contains("  - role:")
                && !l.contains("scope: /")
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let fewer_file = e.write("least-fewer.yaml", &fewer);
    let pruned = e.run("least", &["apply", "-f", &fewer_file, "--prune", "--yes"]);
    assert_eq!(pruned.code, 0, "{pruned}");
    assert_eq!(
        e.credentials(&identity_id(&e, "least")).len(),
        2,
        "{pruned}"
    );
    assert!(e.grants_of(&principal).is_empty(), "{pruned}");
}

#[test]
fn one_action_less_is_refused_naming_it() {
    // Tenant A without its one action: nothing can be planned.
    let (e, callers) = estate(&[], B_ACTIONS);
    let refused = apply(&e, "noclusters");
    assert_eq!(refused.code, 3, "{refused}");
    assert!(
        refused.err.contains("AuthorizationFailed")
            && refused
                .err
                .contains("'Microsoft.ContainerService/managedClusters/read'"),
        "{refused}"
    );
    assert!(refused.writes.is_empty(), "{refused}");
    // Tenant B: each of these missing stops the apply, and az-xtenant says which.
    // Each apply is of a graph of its own (its own group, identity and profile),
    // so what a refused one left does not meet the next.
    for (n, dropped) in [
        "Microsoft.ManagedIdentity/userAssignedIdentities/write",
        "Microsoft.Authorization/roleAssignments/write",
        "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
    ]
    .into_iter()
    .enumerate()
    {
        let name = format!("less{n}");
        callers.hold(&e, A_ACTIONS, &without(B_ACTIONS, &[dropped]), &name);
        let refused = apply(&e, &name);
        assert_eq!(refused.code, 3, "without {dropped}: {refused}");
        assert!(
            refused.err.contains(&format!("'{dropped}'")),
            "without {dropped}, the refusal names it: {refused}"
        );
    }
}

#[test]
fn credentials_without_deployments_are_written_one_at_a_time() {
    let (e, _) = estate(A_ACTIONS, &without(B_ACTIONS, DEPLOYMENT_ACTIONS));
    let apply = apply(&e, "nodeploy");
    assert_eq!(apply.code, 0, "{apply}");
    let said: Vec<&str> = apply
        .err
        .lines()
        .filter(|l| l.contains("one at a time instead"))
        .collect();
    assert!(
        said.len() == 1 && said[0].contains("Microsoft.Resources/deployments/validate/action"),
        "{apply}"
    );
    assert_eq!(
        e.credentials(&identity_id(&e, "nodeploy")).len(),
        3,
        "{apply}"
    );
    assert!(
        e.intended("nodeploy").is_empty(),
        "{}",
        e.profile("nodeploy")
    );
}

#[test]
fn audit_needs_only_reads_and_a_read_of_each_grants_scope() {
    let (e, callers) = estate(A_ACTIONS, B_ACTIONS);
    assert_eq!(apply(&e, "aud").code, 0);
    let file = graph(&e, "aud");
    callers.hold(&e, A_ACTIONS, AUDIT_B, "audits");
    let audit = e.run("aud", &["audit", "-f", &file, "-o", "json"]);
    assert_eq!(audit.code, 0, "the graph as applied, read only: {audit}");
    assert!(audit.writes.is_empty(), "{audit}");
    // Without the read of the grant's scope, the audit cannot tell whether
    // the scope still exists: it stops on ARM's refusal, naming the action.
    callers.hold(
        &e,
        A_ACTIONS,
        &without(AUDIT_B, &["Microsoft.KeyVault/vaults/read"]),
        "audits less",
    );
    let refused = e.run("aud", &["audit", "-f", &file, "-o", "json"]);
    assert_eq!(refused.code, 3, "{refused}");
    assert!(
        refused.err.contains("'Microsoft.KeyVault/vaults/read'"),
        "{refused}"
    );
}
