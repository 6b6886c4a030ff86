//! Which paths are more than the workload's own deployer, and the fix for
//! each. The deployer is a user, or a ServiceAccount of the same namespace,
//! bound in that namespace to rights short of `*` on `*`, escalation and
//! impersonation. The control plane's own bindings are noted, not findings.

use serde::Serialize;

use super::model::{Subject, SubjectKind};
use super::paths::{Means, Path, Target};
use super::request::Request;

/// Why a path is more than the deployer; empty when it is not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub finding: bool,
    pub platform: bool,
    pub reasons: Vec<String>,
}

fn group_reason(name: &str) -> String {
    match name {
        "system:authenticated" => {
            "group system:authenticated: every authenticated user and ServiceAccount".into()
        }
        "system:unauthenticated" => "group system:unauthenticated: anonymous requests".into(),
        "system:serviceaccounts" => {
            "group system:serviceaccounts: every ServiceAccount of the cluster".into()
        }
        other => match other.strip_prefix("system:serviceaccounts:") {
            Some(ns) => format!("group {other}: every ServiceAccount of namespace {ns}"),
            None => format!("group {other}: every member of it"),
        },
    }
}

/// The verdict on one path to `target`.
pub fn judge(path: &Path, target: &Target) -> Verdict {
    if path.binding.platform {
        return Verdict {
            finding: false,
            platform: true,
            reasons: vec![
                "the control plane's own binding (kubernetes.io/bootstrapping=rbac-defaults)"
                    .into(),
            ],
        };
    }
    let mut reasons = Vec::new();
    if let Some(through) = &path.through {
        reasons.push(format!("by becoming {through}, which can"));
    }
    match path.subject.kind {
        SubjectKind::Group => reasons.push(group_reason(&path.subject.name)),
        SubjectKind::ServiceAccount
            if path.subject.namespace.as_deref() != Some(target.namespace.as_str()) =>
        {
            reasons.push("a ServiceAccount of another namespace".into());
        }
        _ => {}
    }
    // Impersonating a user or a group is cluster-scoped whatever the binding.
    let namespaced = path.requests.iter().any(|r| r.namespace.is_some());
    if path.binding.namespace.is_none() && namespaced {
        reasons.push("granted in every namespace (a ClusterRoleBinding)".into());
    }
    if path.means.contains(&Means::Wildcard) {
        reasons.push(format!(
            "a wildcard role: {} {} has `*` on `*`",
            path.binding.role.kind, path.binding.role.name
        ));
    }
    if path.means.contains(&Means::Escalate) {
        reasons.push("may grant itself any right (escalate/bind on roles)".into());
    }
    // Impersonating the ServiceAccount itself is what creating its pods
    // already gives (the built-in `edit` role has both); only a chain
    // through another subject says more, and says so above.
    if path.means.contains(&Means::Impersonate) && path.through.is_some() {
        reasons.push("by impersonation".into());
    }
    Verdict {
        finding: !reasons.is_empty(),
        platform: false,
        reasons,
    }
}

/// The fix of a finding: narrow the binding, the role, or move the workload.
pub fn fix(path: &Path, target: &Target) -> String {
    let b = &path.binding;
    let edit = match &b.namespace {
        Some(ns) => format!("kubectl edit rolebinding {} -n {ns}", b.name),
        None => format!("kubectl edit clusterrolebinding {}", b.name),
    };
    let mut lines = Vec::new();
    if path.means.contains(&Means::Wildcard) {
        lines.push(format!(
            "narrow {} {}: replace its `*` rules with the verbs and resources its subjects need, or bind {} to a narrower role",
            b.role.kind, b.role.name, path.subject
        ));
    } else if path
        .means
        .iter()
        .any(|m| matches!(m, Means::Escalate | Means::Impersonate))
    {
        let verbs = if path.means.contains(&Means::Escalate) {
            "escalate and bind"
        } else {
            "impersonate"
        };
        lines.push(format!(
            "remove {verbs} from {} {}, or remove {} from {} ({edit})",
            b.role.kind,
            b.role.name,
            path.subject,
            b.describe()
        ));
    } else {
        let scope = match &b.namespace {
            Some(_) => String::new(),
            None => format!(
                " or bind it with a rolebinding in the namespaces {} needs",
                path.subject
            ),
        };
        lines.push(format!(
            "narrow {}: name only the workload's deployer instead of {}{scope} ({edit})",
            b.describe(),
            path.subject
        ));
    }
    lines.push(format!(
        "or move serviceaccount/{} and its workload to a namespace of its own, where only its deployer may create pods",
        target.name
    ));
    lines.join("\n")
}

/// What the path's requests allow, grouped by verbs:
/// `create pods; create/update/patch deployments, jobs`.
pub fn describe_requests(path: &Path) -> String {
    if path.means.contains(&Means::Wildcard) {
        return "* on * (everything)".into();
    }
    let mut groups: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    let mut resources: Vec<(String, Vec<String>)> = Vec::new();
    for r in &path.requests {
        let what = object(r);
        match resources.iter_mut().find(|(w, _)| *w == what) {
            Some((_, verbs)) => verbs.push(r.verb.clone()),
            None => resources.push((what, vec![r.verb.clone()])),
        }
    }
    for (what, verbs) in resources {
        match groups.iter_mut().find(|(v, _)| *v == verbs) {
            Some((_, whats)) => whats.push(what),
            None => groups.push((verbs, vec![what])),
        }
    }
    groups
        .iter()
        .map(|(verbs, whats)| format!("{} {}", verbs.join("/"), whats.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

fn object(r: &Request) -> String {
    let mut out = r.resource.clone();
    if let Some(sub) = &r.subresource {
        out.push_str(&format!("/{sub}"));
    }
    if let Some(name) = &r.name {
        out.push_str(&format!(" {name}"));
    }
    out
}

/// `Subject` as a check id segment and as words.
pub fn subject_id(s: &Subject) -> String {
    s.to_string()
}
