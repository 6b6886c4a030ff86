//! The API's RBAC objects (`rbac.authorization.k8s.io/v1`) read into the
//! plain types of `model`.

use k8s_openapi::api::rbac::v1 as rbac;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use super::model::{Binding, RoleDef, RoleRef, Rule, Selector, Subject};

/// The label the API server puts on the roles and bindings it creates
/// itself (cluster-admin for system:masters, the controllers' own).
pub const BOOTSTRAP_LABEL: &str = "kubernetes.io/bootstrapping";

fn rule(r: &rbac::PolicyRule) -> Rule {
    Rule {
        verbs: r.verbs.clone(),
        api_groups: r.api_groups.clone().unwrap_or_default(),
        resources: r.resources.clone().unwrap_or_default(),
        resource_names: r.resource_names.clone().unwrap_or_default(),
    }
}

fn selector(s: &LabelSelector) -> Selector {
    Selector {
        match_labels: s.match_labels.clone().unwrap_or_default(),
        match_expressions: s
            .match_expressions
            .iter()
            .flatten()
            .map(|e| {
                (
                    e.key.clone(),
                    e.operator.clone(),
                    e.values.clone().unwrap_or_default(),
                )
            })
            .collect(),
    }
}

pub fn from_role(r: &rbac::Role) -> RoleDef {
    RoleDef {
        namespace: r.metadata.namespace.clone(),
        name: r.metadata.name.clone().unwrap_or_default(),
        labels: r.metadata.labels.clone().unwrap_or_default(),
        rules: r.rules.iter().flatten().map(rule).collect(),
        aggregation: None,
    }
}

pub fn from_cluster_role(r: &rbac::ClusterRole) -> RoleDef {
    RoleDef {
        namespace: None,
        name: r.metadata.name.clone().unwrap_or_default(),
        labels: r.metadata.labels.clone().unwrap_or_default(),
        rules: r.rules.iter().flatten().map(rule).collect(),
        aggregation: r.aggregation_rule.as_ref().map(|a| {
            a.cluster_role_selectors
                .iter()
                .flatten()
                .map(selector)
                .collect()
        }),
    }
}

/// A binding's subject; a ServiceAccount without a namespace is in the
/// binding's (None for a ClusterRoleBinding, which the API server refuses).
fn subject(s: &rbac::Subject, binding_ns: Option<&str>) -> Option<Subject> {
    match s.kind.as_str() {
        "User" => Some(Subject::user(&s.name)),
        "Group" => Some(Subject::group(&s.name)),
        "ServiceAccount" => {
            let ns = s
                .namespace
                .as_deref()
                .filter(|n| !n.is_empty())
                .or(binding_ns)?;
            Some(Subject::service_account(ns, &s.name))
        }
        _ => None,
    }
}

fn binding(
    meta: &ObjectMeta,
    role: &rbac::RoleRef,
    subjects: Option<&Vec<rbac::Subject>>,
) -> Binding {
    let ns = meta.namespace.clone();
    let platform = meta
        .labels
        .as_ref()
        .is_some_and(|l| l.get(BOOTSTRAP_LABEL).is_some_and(|v| v == "rbac-defaults"));
    Binding {
        subjects: subjects
            .into_iter()
            .flatten()
            .filter_map(|s| subject(s, ns.as_deref()))
            .collect(),
        namespace: ns,
        name: meta.name.clone().unwrap_or_default(),
        role: RoleRef {
            kind: role.kind.clone(),
            name: role.name.clone(),
        },
        platform,
    }
}

pub fn from_role_binding(b: &rbac::RoleBinding) -> Binding {
    binding(&b.metadata, &b.role_ref, b.subjects.as_ref())
}

pub fn from_cluster_role_binding(b: &rbac::ClusterRoleBinding) -> Binding {
    let mut made = binding(&b.metadata, &b.role_ref, b.subjects.as_ref());
    made.namespace = None;
    made
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::rbac::model::SubjectKind;

    #[test]
    fn bindings_read_their_subjects_and_the_bootstrap_label() {
        let b: rbac::RoleBinding = serde_json::from_value(json!({
            "metadata": {"name": "b", "namespace": "team"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
            "subjects": [
                {"kind": "ServiceAccount", "name": "bot"},
                {"kind": "ServiceAccount", "name": "ci", "namespace": "ops"},
                {"kind": "Group", "name": "devs", "apiGroup": "rbac.authorization.k8s.io"},
                {"kind": "Robot", "name": "r2"}]}))
        .unwrap_or_default();
        let b = from_role_binding(&b);
        assert_eq!(b.namespace.as_deref(), Some("team"));
        assert_eq!(b.role.kind, "ClusterRole");
        assert!(!b.platform);
        // A ServiceAccount without a namespace is the binding's; an unknown
        // kind is no subject.
        assert_eq!(
            b.subjects,
            vec![
                Subject::service_account("team", "bot"),
                Subject::service_account("ops", "ci"),
                Subject::group("devs"),
            ]
        );
        let crb: rbac::ClusterRoleBinding = serde_json::from_value(json!({
            "metadata": {"name": "cluster-admin", "labels": {BOOTSTRAP_LABEL: "rbac-defaults"}},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
            "subjects": [{"kind": "Group", "name": "system:masters"}]}))
        .unwrap_or_default();
        let crb = from_cluster_role_binding(&crb);
        assert!(crb.platform && crb.namespace.is_none());
        assert_eq!(crb.subjects[0].kind, SubjectKind::Group);
    }

    #[test]
    fn cluster_roles_read_their_rules_and_aggregation() {
        let r: rbac::ClusterRole = serde_json::from_value(json!({
            "metadata": {"name": "runner", "labels": {"a": "b"}},
            "aggregationRule": {"clusterRoleSelectors": [
                {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["x"]}]}]},
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["create"], "resourceNames": ["p"]}]}))
        .unwrap_or_default();
        let r = from_cluster_role(&r);
        assert_eq!(r.rules[0].resource_names, ["p"]);
        let selectors = r.aggregation.unwrap_or_default();
        assert_eq!(
            selectors[0].match_expressions,
            [(
                "tier".to_string(),
                "NotIn".to_string(),
                vec!["x".to_string()]
            )]
        );
        // NotIn holds where the label is absent.
        assert!(selectors[0].matches(&r.labels));
    }
}
