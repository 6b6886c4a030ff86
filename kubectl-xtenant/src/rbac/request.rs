//! A request as the RBAC authorizer sees it, and whether a rule allows it,
//! matched the way Kubernetes matches (`rbac/v1` evaluation helpers): `*`
//! matches any verb, API group or resource; `*/sub` any resource's
//! subresource `sub`; a rule with resourceNames only a request that names
//! one of them, so never a `create`, whose object has no name yet.

use serde::Serialize;

use super::model::{Binding, Model, Rule, UserInfo};

/// The resource attributes of one request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Request {
    /// None for a cluster-scoped resource (users, groups).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub verb: String,
    pub group: String,
    pub resource: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subresource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Request {
    pub fn new(namespace: Option<&str>, verb: &str, group: &str, resource: &str) -> Self {
        Self {
            namespace: namespace.map(str::to_string),
            verb: verb.into(),
            group: group.into(),
            resource: resource.into(),
            subresource: None,
            name: None,
        }
    }

    pub fn named(mut self, name: &str) -> Self {
        self.name = Some(name.into());
        self
    }

    pub fn subresource(mut self, sub: &str) -> Self {
        self.subresource = Some(sub.into());
        self
    }

    /// `verb resource[/sub][ name]`, e.g. `create serviceaccounts/token app`.
    pub fn describe(&self) -> String {
        let mut out = format!("{} {}", self.verb, self.resource);
        if let Some(sub) = &self.subresource {
            out.push_str(&format!("/{sub}"));
        }
        if let Some(name) = &self.name {
            out.push_str(&format!(" {name}"));
        }
        out
    }
}

fn has_or_star(list: &[String], value: &str) -> bool {
    list.iter().any(|v| v == "*" || v == value)
}

fn resource_matches(rule: &Rule, request: &Request) -> bool {
    let combined = match &request.subresource {
        Some(sub) => format!("{}/{sub}", request.resource),
        None => request.resource.clone(),
    };
    rule.resources.iter().any(|r| {
        r == "*"
            || *r == combined
            || request
                .subresource
                .as_ref()
                .is_some_and(|sub| r.strip_prefix("*/") == Some(sub.as_str()))
    })
}

fn name_matches(rule: &Rule, request: &Request) -> bool {
    if rule.resource_names.is_empty() {
        return true;
    }
    request
        .name
        .as_ref()
        .is_some_and(|n| !n.is_empty() && rule.resource_names.contains(n))
}

/// Whether the rule allows the request.
pub fn rule_allows(rule: &Rule, request: &Request) -> bool {
    has_or_star(&rule.verbs, &request.verb)
        && has_or_star(&rule.api_groups, &request.group)
        && resource_matches(rule, request)
        && name_matches(rule, request)
}

impl Model {
    /// Whether the binding's role allows the request where the binding holds.
    pub fn binding_allows(&self, binding: &Binding, request: &Request) -> bool {
        binding.applies_in(request.namespace.as_deref())
            && self
                .rules_of(binding)
                .iter()
                .any(|r| rule_allows(r, request))
    }

    /// The bindings that allow `who` the request (none: RBAC denies it).
    pub fn allowing(&self, who: &UserInfo, request: &Request) -> Vec<&Binding> {
        self.bindings
            .iter()
            .filter(|b| b.names(who) && self.binding_allows(b, request))
            .collect()
    }
}
