//! The ServiceAccounts: whether each annotated one names a client ID the
//! profile knows, and the subjects they present against the credentials the
//! graph records for this cluster (both ways: a subject without a credential,
//! a credential whose ServiceAccount is gone or not annotated).

use k8s_openapi::api::core::v1::ServiceAccount;
use xtenant_shared::graph_state::Binding;
use xtenant_shared::names::{self, ANNOTATION_CLIENT_ID, ANNOTATION_TENANT_ID};

use super::about;
use super::inventory::{Inventory, Scope};
use super::known::{Known, ThisCluster};
use crate::output::Check;
use crate::workload::binding;

const APPLY: &str = "az-xtenant apply -f xtenant.yaml";

/// How a changed xtenant.yaml reaches Azure: `apply` when this profile
/// writes Tenant B's side itself, else (the identity came from Tenant B's
/// grant) a new request that Tenant B's admin grants and this profile
/// accepts. `prune` asks for credentials no longer declared to go.
fn then_run(handed_off: bool, prune: bool) -> String {
    let prune = if prune { " --prune" } else { "" };
    if handed_off {
        format!(
            "run `az-xtenant request -f xtenant.yaml`, send the request to Tenant B's admin (`az-xtenant grant REQUEST{prune}`), then `az-xtenant accept GRANT`"
        )
    } else {
        format!("run `{APPLY}{prune}`")
    }
}

/// A ServiceAccount's workload identity annotations.
pub fn annotation<'a>(sa: &'a ServiceAccount, key: &str) -> Option<&'a str> {
    let annotations = sa.metadata.annotations.as_ref()?;
    annotations.get(key).map(String::as_str)
}

/// Whether the ServiceAccount carries either workload identity annotation.
pub fn is_annotated(sa: &ServiceAccount) -> bool {
    [ANNOTATION_CLIENT_ID, ANNOTATION_TENANT_ID]
        .iter()
        .any(|k| annotation(sa, k).is_some())
}

/// Every check on the ServiceAccounts of the scope and the recorded credentials.
pub fn checks(inventory: &Inventory, known: &Known, scope: &Scope) -> Vec<Check> {
    let mut checks = Vec::new();
    for sa in inventory
        .service_accounts
        .iter()
        .filter(|sa| is_annotated(sa))
    {
        let ns = sa.metadata.namespace.as_deref().unwrap_or_default();
        let name = sa.metadata.name.as_deref().unwrap_or_default();
        let client_id = annotation(sa, ANNOTATION_CLIENT_ID).unwrap_or_default();
        let id_check = client_id_check(ns, name, client_id, known);
        let unknown = id_check.failed();
        checks.push(about(ns, "serviceaccount", name, id_check));
        if let Some(c) = credential_check(ns, name, client_id, unknown, known) {
            checks.push(about(ns, "serviceaccount", name, c));
        }
    }
    if let ThisCluster::Named { bindings, name, .. } = &known.cluster {
        for b in bindings.iter().filter(|b| scope.includes(&b.namespace)) {
            if let Some(c) = recorded_check(b, name, inventory, known) {
                checks.push(about(&b.namespace, "serviceaccount", &b.service_account, c));
            }
        }
    }
    checks
}

fn annotate(ns: &str, name: &str, pairs: &str) -> String {
    format!("kubectl annotate serviceaccount {name} -n {ns} {pairs}")
}

/// The annotated client ID is the one the graph binds the ServiceAccount
/// to, else one the profile knows.
fn client_id_check(ns: &str, name: &str, client_id: &str, known: &Known) -> Check {
    const ID: &str = "client-id";
    let bound = known.binding(ns, name);
    let expected = bound.and_then(|b| Some((b, known.client_id_of(&b.identity)?)));
    if let Some((b, expected)) = expected {
        if expected.eq_ignore_ascii_case(client_id) {
            return Check::pass(
                ID,
                format!("{client_id}: identity {} of the graph", b.identity),
            );
        }
        return Check::fail(
            ID,
            format!(
                "{ANNOTATION_CLIENT_ID} is {client_id:?}, but the graph binds serviceaccount/{name} to identity {} (client ID {expected})",
                b.identity
            ),
            annotate(
                ns,
                name,
                &format!("{ANNOTATION_CLIENT_ID}={expected} --overwrite"),
            ),
        );
    }
    if let Some(identity) = known.identity(client_id) {
        return Check::pass(ID, format!("{client_id}: identity {}", identity.name));
    }
    if known.identities.is_empty() {
        return Check::skip(
            ID,
            format!("{client_id:?}: the profile knows no identity to compare it with"),
        );
    }
    let what = if client_id.is_empty() {
        format!("has {ANNOTATION_TENANT_ID} but no {ANNOTATION_CLIENT_ID}")
    } else {
        format!(
            "names client ID {client_id}, which is no identity the profile knows: one that no longer exists, or not managed by xtenant"
        )
    };
    Check::fail(
        ID,
        format!("serviceaccount/{name} {what}"),
        format!(
            "{}\nor, if the identity is still wanted: declare the workload in xtenant.yaml and {}",
            annotate(
                ns,
                name,
                &format!("{ANNOTATION_CLIENT_ID}- {ANNOTATION_TENANT_ID}-")
            ),
            then_run(known.made_requests(), false)
        ),
    )
}

/// The subject an annotated ServiceAccount presents has a recorded
/// credential on this cluster. None when there is no graph to compare with.
fn credential_check(
    ns: &str,
    name: &str,
    client_id: &str,
    unknown: bool,
    known: &Known,
) -> Option<Check> {
    const ID: &str = "credential";
    let ThisCluster::Named { name: cluster, .. } = &known.cluster else {
        return None;
    };
    let subject = names::subject(ns, name);
    if let Some(b) = known.binding(ns, name) {
        return Some(Check::pass(
            ID,
            format!(
                "{subject}: credential {} of identity {}",
                b.credential, b.identity
            ),
        ));
    }
    if unknown {
        return Some(Check::skip(
            ID,
            format!("{subject}: its client ID is not one the profile knows (see client-id)"),
        ));
    }
    if known.is_demo_workload(ns, name, client_id) {
        return Some(Check::pass(
            ID,
            format!("{subject}: the profile's own credential"),
        ));
    }
    let identity = known
        .identity(client_id)
        .map_or("IDENTITY", |i| i.name.as_str());
    let next = then_run(known.handed_off(identity), false);
    Some(Check::fail(
        ID,
        format!(
            "presents {subject}, but the graph records no credential for it on cluster {cluster}: its token exchange fails (AADSTS70021)"
        ),
        format!(
            "add {{namespace: {ns}, serviceAccount: {name}, identity: {identity}, clusters: [{cluster}]}} to the workloads of xtenant.yaml, then {next}"
        ),
    ))
}

/// A credential recorded for this cluster trusts a ServiceAccount that
/// exists and is annotated. None when that ServiceAccount was checked above.
fn recorded_check(
    b: &Binding,
    cluster: &str,
    inventory: &Inventory,
    known: &Known,
) -> Option<Check> {
    const ID: &str = "credential";
    let (ns, name) = (b.namespace.as_str(), b.service_account.as_str());
    let sa = inventory.service_account(ns, name);
    if sa.is_some_and(is_annotated) {
        return None;
    }
    let subject = names::subject(ns, name);
    let prune = format!(
        "remove the workload {ns}/{name} of cluster {cluster} from xtenant.yaml and {}",
        then_run(known.handed_off(&b.identity), true)
    );
    if sa.is_none() {
        return Some(Check::fail(
            ID,
            format!(
                "credential {} of identity {} trusts {subject}, but serviceaccount/{name} does not exist: a standing trust nothing uses",
                b.credential, b.identity
            ),
            format!(
                "{prune}\nor, if the workload is coming: kubectl create serviceaccount {name} -n {ns}, then bind its workload"
            ),
        ));
    }
    let user = inventory.workloads.iter().find(|w| {
        w.namespace() == ns
            && binding::pod_template(w.kind, &w.object)
                .is_ok_and(|t| binding::service_account_name(&t) == name)
    });
    let fix = match (
        user,
        known.client_id_of(&b.identity),
        known.tenant_b(ns, name),
    ) {
        (Some(w), _, _) => format!("kubectl xtenant bind {} -n {ns}", w.target()),
        (None, Some(client), Some(tenant)) => annotate(
            ns,
            name,
            &format!("{ANNOTATION_CLIENT_ID}={client} {ANNOTATION_TENANT_ID}={tenant}"),
        ),
        _ => prune,
    };
    Some(Check::fail(
        ID,
        format!(
            "credential {} of identity {} trusts {subject}, but serviceaccount/{name} has no workload identity annotations",
            b.credential, b.identity
        ),
        fix,
    ))
}
