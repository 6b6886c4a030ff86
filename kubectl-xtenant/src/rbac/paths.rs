//! Who can obtain a ServiceAccount's token, and how, from the RBAC model:
//! create a pod in its namespace (a pod may name any ServiceAccount there)
//! or create/update/patch a workload that makes pods; `create` on its
//! `serviceaccounts/token`; exec or attach into a running pod of it, or add
//! an ephemeral container to one (the token is a file there); impersonate it; `escalate` or `bind` on roles
//! (grant oneself any of these); `*` on `*`. Then the chains: whoever can
//! impersonate, or obtain the token of, a subject that can.

use std::collections::{BTreeSet, VecDeque};

use serde::Serialize;

use super::model::{Binding, Model, Subject, SubjectKind};
use super::request::Request;

/// How deep the chains go: A acts as B acts as C acts as the ServiceAccount.
const MAX_CHAIN: usize = 3;

/// The workload kinds that make pods: (API group, resource).
pub const POD_MAKERS: [(&str, &str); 7] = [
    ("apps", "deployments"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("apps", "replicasets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
    ("", "replicationcontrollers"),
];

/// What a granted request lets its subject do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Means {
    /// Create a pod that runs as the ServiceAccount.
    Pods,
    /// Create or change a workload whose pods run as it.
    Workloads,
    /// Ask the API server for its token.
    Token,
    /// Reach into a running pod of it (exec, attach, an ephemeral
    /// container), where its token is a file.
    Exec,
    /// Act as it (or as a subject that can) with impersonation headers.
    Impersonate,
    /// Grant oneself any right in its namespace.
    Escalate,
    /// `*` on `*`: everything.
    Wildcard,
}

/// The ServiceAccount whose token is asked about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Target {
    pub namespace: String,
    pub name: String,
}

impl Target {
    pub fn subject(&self) -> Subject {
        Subject::service_account(&self.namespace, &self.name)
    }
}

/// One way for one subject, granted by one binding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Path {
    pub subject: Subject,
    pub binding: Binding,
    pub means: Vec<Means>,
    /// The requests the binding allows that make the path (for a wildcard,
    /// the one the authorizer is asked about).
    pub requests: Vec<Request>,
    /// The subject acted as, when the path is a chain: the binding lets
    /// `subject` become `through`, which has a path of its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub through: Option<Subject>,
}

/// The requests that let their subject act as `who`, each with its means:
/// for a ServiceAccount every way to its token, for a user or a group
/// impersonation.
pub fn requests_to_become(who: &Subject) -> Vec<(Means, Request)> {
    match who.kind {
        SubjectKind::User => vec![(
            Means::Impersonate,
            Request::new(None, "impersonate", "", "users").named(&who.name),
        )],
        SubjectKind::Group => vec![(
            Means::Impersonate,
            Request::new(None, "impersonate", "", "groups").named(&who.name),
        )],
        SubjectKind::ServiceAccount => {
            let ns = who.namespace.as_deref();
            let mut out = vec![(Means::Pods, Request::new(ns, "create", "", "pods"))];
            for verb in ["create", "update", "patch"] {
                for (group, resource) in POD_MAKERS {
                    out.push((Means::Workloads, Request::new(ns, verb, group, resource)));
                }
            }
            out.push((
                Means::Token,
                Request::new(ns, "create", "", "serviceaccounts")
                    .subresource("token")
                    .named(&who.name),
            ));
            // `get` too: a WebSocket exec or attach is a GET, which the API
            // server authorizes as `get` unless its
            // AuthorizePodWebsocketUpgradeCreatePermission gate is on.
            for (verbs, sub) in [
                (["create", "get"], "exec"),
                (["create", "get"], "attach"),
                (["patch", "update"], "ephemeralcontainers"),
            ] {
                for verb in verbs {
                    out.push((
                        Means::Exec,
                        Request::new(ns, verb, "", "pods").subresource(sub),
                    ));
                }
            }
            out.push((
                Means::Impersonate,
                Request::new(ns, "impersonate", "", "serviceaccounts").named(&who.name),
            ));
            for verb in ["escalate", "bind"] {
                for resource in ["roles", "clusterroles"] {
                    out.push((
                        Means::Escalate,
                        Request::new(ns, verb, "rbac.authorization.k8s.io", resource),
                    ));
                }
            }
            out
        }
    }
}

/// What a binding grants of `wanted`: a wildcard rule as one means (asked
/// with the first request), else each request it allows.
fn grants(
    model: &Model,
    binding: &Binding,
    wanted: &[(Means, Request)],
) -> Option<(Vec<Means>, Vec<Request>)> {
    let (_, first) = wanted.first()?;
    if binding.applies_in(first.namespace.as_deref())
        && model.rules_of(binding).iter().any(|r| r.is_wildcard())
    {
        return Some((vec![Means::Wildcard], vec![first.clone()]));
    }
    let mut means = BTreeSet::new();
    let mut requests = Vec::new();
    for (m, request) in wanted {
        if model.binding_allows(binding, request) {
            means.insert(*m);
            requests.push(request.clone());
        } else if *m == Means::Workloads && request.verb != "create" {
            // A rule limited to names (never a create's) still lets its
            // subject point each existing workload it names at the
            // ServiceAccount.
            let ns = request.namespace.as_deref().unwrap_or_default();
            for name in model.existing(ns, &request.resource) {
                let named = request.clone().named(name);
                if model.binding_allows(binding, &named) {
                    means.insert(*m);
                    requests.push(named);
                }
            }
        }
    }
    (!requests.is_empty()).then(|| (means.into_iter().collect(), requests))
}

/// Every path to the target's token, direct ones first, each once. Chains
/// start only from paths of bindings that are not the control plane's own,
/// and reach only subjects with no shorter path.
pub fn paths(model: &Model, target: &Target) -> Vec<Path> {
    let me = target.subject();
    let mut out = Vec::new();
    let mut seen: BTreeSet<Subject> = BTreeSet::from([me.clone()]);
    let mut queue: VecDeque<(Subject, usize)> = VecDeque::new();
    let mut step = |become_: &Subject,
                    through: Option<&Subject>,
                    depth: usize,
                    out: &mut Vec<Path>,
                    queue: &mut VecDeque<(Subject, usize)>| {
        let wanted = requests_to_become(become_);
        for binding in &model.bindings {
            if through.is_some() && binding.platform {
                continue;
            }
            let Some((means, requests)) = grants(model, binding, &wanted) else {
                continue;
            };
            for subject in &binding.subjects {
                // A subject with a path already needs no longer one.
                if *subject == me || (through.is_some() && seen.contains(subject)) {
                    continue;
                }
                out.push(Path {
                    subject: subject.clone(),
                    binding: binding.clone(),
                    means: means.clone(),
                    requests: requests.clone(),
                    through: through.cloned(),
                });
                if !binding.platform && seen.insert(subject.clone()) {
                    queue.push_back((subject.clone(), depth + 1));
                }
            }
        }
    };
    step(&me, None, 0, &mut out, &mut queue);
    while let Some((next, depth)) = queue.pop_front() {
        if depth < MAX_CHAIN {
            step(&next, Some(&next), depth, &mut out, &mut queue);
        }
    }
    out
}

#[cfg(test)]
mod tests;
