//! The RBAC objects as plain types: rules, roles, ClusterRoles with their
//! aggregation resolved, and the bindings with their subjects (`convert`
//! reads them from the API's). The computation works on these only, so it
//! is tested without a cluster.

use std::collections::BTreeMap;

use serde::Serialize;

/// One rule of a role, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub verbs: Vec<String>,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
}

impl Rule {
    /// `*` verbs on `*` resources of `*` groups, for every name.
    pub fn is_wildcard(&self) -> bool {
        let star = |v: &[String]| v.iter().any(|s| s == "*");
        star(&self.verbs)
            && star(&self.api_groups)
            && star(&self.resources)
            && self.resource_names.is_empty()
    }
}

/// Who a binding names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum SubjectKind {
    User,
    Group,
    ServiceAccount,
}

/// A subject of a binding. A ServiceAccount's namespace is always set.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Subject {
    pub kind: SubjectKind,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl Subject {
    pub fn user(name: &str) -> Self {
        Self {
            kind: SubjectKind::User,
            name: name.into(),
            namespace: None,
        }
    }

    pub fn group(name: &str) -> Self {
        Self {
            kind: SubjectKind::Group,
            name: name.into(),
            namespace: None,
        }
    }

    pub fn service_account(ns: &str, name: &str) -> Self {
        Self {
            kind: SubjectKind::ServiceAccount,
            name: name.into(),
            namespace: Some(ns.into()),
        }
    }

    /// The user the API server authenticates this subject as, if any.
    pub fn username(&self) -> Option<String> {
        match self.kind {
            SubjectKind::User => Some(self.name.clone()),
            SubjectKind::Group => None,
            SubjectKind::ServiceAccount => Some(format!(
                "system:serviceaccount:{}:{}",
                self.namespace.as_deref().unwrap_or_default(),
                self.name
            )),
        }
    }

    /// The user and groups a request of this subject carries: a
    /// ServiceAccount is in its system groups, a user is authenticated.
    pub fn user_info(&self) -> UserInfo {
        let groups = match self.kind {
            SubjectKind::User => vec!["system:authenticated".to_string()],
            SubjectKind::Group => vec![self.name.clone()],
            SubjectKind::ServiceAccount => vec![
                "system:serviceaccounts".to_string(),
                format!(
                    "system:serviceaccounts:{}",
                    self.namespace.as_deref().unwrap_or_default()
                ),
                "system:authenticated".to_string(),
            ],
        };
        UserInfo {
            user: self.username(),
            groups,
        }
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.kind, &self.namespace) {
            (SubjectKind::ServiceAccount, Some(ns)) => {
                write!(f, "ServiceAccount:{ns}/{}", self.name)
            }
            (kind, _) => write!(f, "{kind:?}:{}", self.name),
        }
    }
}

/// Who a request is made as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    pub user: Option<String>,
    pub groups: Vec<String>,
}

/// The role a binding grants.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct RoleRef {
    /// `Role` or `ClusterRole`.
    pub kind: String,
    pub name: String,
}

/// A RoleBinding (`namespace` set) or a ClusterRoleBinding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Binding {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
    pub role: RoleRef,
    pub subjects: Vec<Subject>,
    /// Made by the API server itself (the bootstrap label).
    pub platform: bool,
}

impl Binding {
    /// `rolebinding NS/NAME` or `clusterrolebinding NAME`.
    pub fn describe(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("rolebinding {ns}/{}", self.name),
            None => format!("clusterrolebinding {}", self.name),
        }
    }

    /// Whether a request in `namespace` (None: cluster-scoped) is under it.
    pub fn applies_in(&self, namespace: Option<&str>) -> bool {
        match &self.namespace {
            None => true,
            Some(ns) => namespace == Some(ns.as_str()),
        }
    }

    /// Whether `who` is one of its subjects.
    pub fn names(&self, who: &UserInfo) -> bool {
        self.subjects.iter().any(|s| match s.kind {
            SubjectKind::Group => who.groups.contains(&s.name),
            _ => s.username().is_some() && who.user == s.username(),
        })
    }
}

/// A label selector of an aggregation rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    pub match_labels: BTreeMap<String, String>,
    /// (key, operator, values)
    pub match_expressions: Vec<(String, String, Vec<String>)>,
}

impl Selector {
    /// Label selector semantics: every label and every expression holds.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let labels_hold = self
            .match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v));
        let expressions_hold = self.match_expressions.iter().all(|(k, op, values)| {
            let value = labels.get(k);
            match op.as_str() {
                "In" => value.is_some_and(|v| values.contains(v)),
                "NotIn" => value.is_none_or(|v| !values.contains(v)),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                // An operator the API server would refuse selects nothing.
                _ => false,
            }
        });
        labels_hold && expressions_hold
    }
}

/// A Role or ClusterRole (`namespace` None).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleDef {
    pub namespace: Option<String>,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub rules: Vec<Rule>,
    /// The ClusterRole's aggregationRule, if it has one.
    pub aggregation: Option<Vec<Selector>>,
}

/// Everything the computation reads.
#[derive(Debug, Clone, Default)]
pub struct Model {
    pub roles: Vec<RoleDef>,
    pub cluster_roles: Vec<RoleDef>,
    pub bindings: Vec<Binding>,
    /// The names of the workloads that exist, by (namespace, resource): a
    /// rule limited to names lets its subject change those only.
    pub workloads: BTreeMap<(String, String), Vec<String>>,
}

impl Model {
    /// The model with each aggregated ClusterRole's rules made the union of
    /// the ClusterRoles its selectors pick, as the controller-manager's
    /// aggregation controller does (repeated, since an aggregated role may
    /// pick another aggregated one). The rules already on it are kept: on a
    /// live cluster they are the controller's last result.
    pub fn new(
        roles: Vec<RoleDef>,
        mut cluster_roles: Vec<RoleDef>,
        bindings: Vec<Binding>,
    ) -> Self {
        for _ in 0..cluster_roles.len().max(1) {
            let mut changed = false;
            for i in 0..cluster_roles.len() {
                let Some(selectors) = cluster_roles[i].aggregation.clone() else {
                    continue;
                };
                let mut picked: Vec<Rule> = Vec::new();
                for (j, other) in cluster_roles.iter().enumerate() {
                    if j != i && selectors.iter().any(|s| s.matches(&other.labels)) {
                        picked.extend(other.rules.iter().cloned());
                    }
                }
                for rule in picked {
                    if !cluster_roles[i].rules.contains(&rule) {
                        cluster_roles[i].rules.push(rule);
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        Self {
            roles,
            cluster_roles,
            bindings,
            workloads: BTreeMap::new(),
        }
    }

    /// The names of the existing objects a request's resource could be.
    pub fn existing(&self, namespace: &str, resource: &str) -> &[String] {
        self.workloads
            .get(&(namespace.to_string(), resource.to_string()))
            .map_or(&[], Vec::as_slice)
    }

    /// The rules a binding grants; none when its role does not exist (the
    /// API server then grants nothing either).
    pub fn rules_of(&self, binding: &Binding) -> &[Rule] {
        let found = if binding.role.kind == "ClusterRole" {
            self.cluster_roles
                .iter()
                .find(|r| r.name == binding.role.name)
        } else {
            self.roles.iter().find(|r| {
                r.name == binding.role.name
                    && r.namespace.as_deref() == binding.namespace.as_deref()
            })
        };
        found.map_or(&[], |r| r.rules.as_slice())
    }
}
