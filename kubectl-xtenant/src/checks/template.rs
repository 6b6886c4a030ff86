//! Checks of a pod template before `bind` labels it: which tenant each
//! container would ask for a token, and which containers the webhook skips.
//!
//! The webhook adds `AZURE_TENANT_ID` to a container only when its `env` does
//! not name it: a value in `env` wins over the ServiceAccount's tenant-id
//! annotation, and a value from `envFrom` is invisible to the webhook, so the
//! entry the webhook adds (the annotation's tenant, else the cluster's) wins.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, PodTemplateSpec};

use crate::checks::pod::{EnvValue, env_value};
use crate::output::Check;
use crate::workload::binding::{ANNOTATION_SKIP_CONTAINERS, template_annotation};

const TENANT_VAR: &str = "AZURE_TENANT_ID";

/// A ConfigMap or Secret a container takes variables from with `envFrom`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SourceRef {
    /// `configmap` or `secret`.
    pub kind: &'static str,
    pub name: String,
}

impl std::fmt::Display for SourceRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.kind, self.name)
    }
}

/// What an `envFrom` source holds, as far as it could be read.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Keys(BTreeMap<String, String>),
    Missing,
    Unreadable(String),
}

/// The template's containers, init containers first.
pub fn containers(template: &PodTemplateSpec) -> Vec<&Container> {
    let Some(spec) = template.spec.as_ref() else {
        return Vec::new();
    };
    spec.init_containers
        .iter()
        .flatten()
        .chain(spec.containers.iter())
        .collect()
}

/// The containers listed in the skip-containers annotation.
pub fn skipped(template: &PodTemplateSpec) -> Vec<String> {
    let value = template_annotation(template, ANNOTATION_SKIP_CONTAINERS).unwrap_or_default();
    value
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Every `envFrom` source of the containers the webhook mutates.
pub fn env_sources(template: &PodTemplateSpec) -> Vec<SourceRef> {
    let skip = skipped(template);
    let mut refs: Vec<SourceRef> = containers(template)
        .into_iter()
        .filter(|c| !skip.contains(&c.name))
        .flat_map(|c| c.env_from.iter().flatten())
        .filter_map(|f| {
            if let Some(cm) = &f.config_map_ref {
                Some(SourceRef {
                    kind: "configmap",
                    name: cm.name.clone(),
                })
            } else {
                f.secret_ref.as_ref().map(|s| SourceRef {
                    kind: "secret",
                    name: s.name.clone(),
                })
            }
        })
        .collect();
    refs.sort();
    refs.dedup();
    refs
}

/// The checks of every container; a failure means binding cannot work.
pub fn check(
    template: &PodTemplateSpec,
    tenant_b: &str,
    sources: &BTreeMap<SourceRef, Source>,
) -> Vec<Check> {
    let skip = skipped(template);
    let mut checks = Vec::new();
    if !skip.is_empty() {
        checks.push(Check::warn(
            "skip-containers",
            format!(
                "the webhook injects nothing into {} (pod annotation {ANNOTATION_SKIP_CONTAINERS})",
                skip.join(", ")
            ),
            "remove a container from that annotation if it needs the identity",
        ));
    }
    for c in containers(template) {
        if !skip.contains(&c.name) {
            checks.push(container_check(c, tenant_b, sources));
        }
    }
    checks
}

fn container_check(c: &Container, tenant_b: &str, sources: &BTreeMap<SourceRef, Source>) -> Check {
    let id = format!("container.{}", c.name);
    let name = &c.name;
    match env_value(c, TENANT_VAR) {
        EnvValue::Literal(v) if v == tenant_b => Check::pass(
            &id,
            format!("{name}: {TENANT_VAR} in env is Tenant B ({v})"),
        ),
        EnvValue::Literal(v) => Check::fail(
            &id,
            format!(
                "{name}: {TENANT_VAR}={v} in env; the webhook leaves it, so tokens are asked of tenant {v}, not Tenant B (AADSTS700016)"
            ),
            format!(
                "set {TENANT_VAR} to {tenant_b} in container {name}'s env, or remove it (the ServiceAccount's tenant-id annotation then gives Tenant B); nothing was changed"
            ),
        ),
        EnvValue::ValueFrom => Check::warn(
            &id,
            format!(
                "{name}: {TENANT_VAR} in env comes from valueFrom, which the webhook leaves as it is"
            ),
            format!("make sure it holds Tenant B ({tenant_b})"),
        ),
        EnvValue::OnlyEnvFrom => env_from_check(c, &id, tenant_b, sources),
        EnvValue::Missing => Check::pass(
            &id,
            format!(
                "{name}: the webhook adds {TENANT_VAR}={tenant_b} from the tenant-id annotation"
            ),
        ),
    }
}

/// A container with `envFrom` and no `AZURE_TENANT_ID` in `env`: the
/// webhook's entry (the annotation's tenant) wins over anything there.
fn env_from_check(
    c: &Container,
    id: &str,
    tenant_b: &str,
    sources: &BTreeMap<SourceRef, Source>,
) -> Check {
    let name = &c.name;
    let mut found: Option<(SourceRef, String)> = None;
    let mut unreadable = Vec::new();
    // With a key in several sources the last one wins.
    for f in c.env_from.iter().flatten() {
        let source = match (&f.config_map_ref, &f.secret_ref) {
            (Some(cm), _) => SourceRef {
                kind: "configmap",
                name: cm.name.clone(),
            },
            (None, Some(s)) => SourceRef {
                kind: "secret",
                name: s.name.clone(),
            },
            (None, None) => continue,
        };
        let key = format!("{}{TENANT_VAR}", f.prefix.as_deref().unwrap_or_default());
        match sources.get(&source) {
            Some(Source::Keys(keys)) => {
                if let Some(v) = keys.get(&key) {
                    found = Some((source, v.clone()));
                }
            }
            Some(Source::Unreadable(why)) => unreadable.push(format!("{source} ({why})")),
            Some(Source::Missing) | None => {}
        }
    }
    let wins = format!(
        "the webhook adds {TENANT_VAR}={tenant_b} (the tenant-id annotation) in env, which wins over envFrom"
    );
    match found {
        Some((source, v)) if v == tenant_b => Check::pass(
            id,
            format!("{name}: {source} gives {TENANT_VAR}={v}; {wins}, with the same value"),
        ),
        Some((source, v)) => Check::warn(
            id,
            format!("{name}: {source} gives {TENANT_VAR}={v}, which has no effect: {wins}"),
            format!(
                "remove {TENANT_VAR} from {source}; if container {name} must use tenant {v}, set it in env (the webhook then leaves it)"
            ),
        ),
        None if !unreadable.is_empty() => Check::warn(
            id,
            format!(
                "{name}: could not read {}; whatever {TENANT_VAR} it holds, {wins}",
                unreadable.join(", ")
            ),
            format!("set {TENANT_VAR} in env if container {name} must use another tenant"),
        ),
        None => Check::pass(
            id,
            format!(
                "{name}: the webhook adds {TENANT_VAR}={tenant_b} from the tenant-id annotation"
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Verdict;
    use serde_json::json;

    const B: &str = "bbbbbbbb-0000-4000-8000-00000000000b";
    const A: &str = "aaaaaaaa-0000-4000-8000-00000000000a";

    fn template(v: serde_json::Value) -> PodTemplateSpec {
        serde_json::from_value(v).expect("template")
    }

    fn verdicts(checks: &[Check]) -> Vec<(String, Verdict)> {
        checks.iter().map(|c| (c.id.clone(), c.verdict)).collect()
    }

    #[test]
    fn every_container_is_checked_init_containers_included() {
        let t = template(json!({"spec": {
            "initContainers": [{"name": "init", "env": [{"name": "AZURE_TENANT_ID", "value": A}]}],
            "containers": [{"name": "app"}, {"name": "side", "env": [{"name": "AZURE_TENANT_ID", "value": B}]}],
        }}));
        let checks = check(&t, B, &BTreeMap::new());
        assert_eq!(
            verdicts(&checks),
            [
                ("container.init".into(), Verdict::Fail),
                ("container.app".into(), Verdict::Pass),
                ("container.side".into(), Verdict::Pass),
            ]
        );
        assert!(checks[0].detail.contains(A), "{}", checks[0].detail);
    }

    #[test]
    fn skipped_containers_are_reported_not_checked() {
        let t = template(json!({
            "metadata": {"annotations": {ANNOTATION_SKIP_CONTAINERS: "init; side"}},
            "spec": {
                "initContainers": [{"name": "init", "env": [{"name": "AZURE_TENANT_ID", "value": A}]}],
                "containers": [{"name": "app"}, {"name": "side", "envFrom": [{"configMapRef": {"name": "x"}}]}],
        }}));
        let checks = check(&t, B, &BTreeMap::new());
        assert_eq!(
            verdicts(&checks),
            [
                ("skip-containers".into(), Verdict::Warn),
                ("container.app".into(), Verdict::Pass),
            ]
        );
        assert!(checks[0].detail.contains("init, side"));
        assert!(env_sources(&t).is_empty());
    }

    #[test]
    fn env_from_values_are_overridden_by_the_webhook() {
        let t = template(json!({"spec": {"containers": [
            {"name": "app", "envFrom": [{"configMapRef": {"name": "cfg"}}, {"prefix": "X_", "secretRef": {"name": "s"}}]},
        ]}}));
        assert_eq!(env_sources(&t).len(), 2);
        let cm = SourceRef {
            kind: "configmap",
            name: "cfg".into(),
        };
        let secret = SourceRef {
            kind: "secret",
            name: "s".into(),
        };
        let with = |v: &str| {
            BTreeMap::from([
                (
                    cm.clone(),
                    Source::Keys(BTreeMap::from([(TENANT_VAR.to_string(), v.to_string())])),
                ),
                (
                    secret.clone(),
                    Source::Keys(BTreeMap::from([(TENANT_VAR.to_string(), A.to_string())])),
                ),
            ])
        };
        // The secret's key is X_AZURE_TENANT_ID after the prefix: not the tenant.
        assert_eq!(check(&t, B, &with(B))[0].verdict, Verdict::Pass);
        let c = &check(&t, B, &with(A))[0];
        assert_eq!(c.verdict, Verdict::Warn);
        assert!(c.detail.contains("configmap/cfg"), "{}", c.detail);
        let unreadable = BTreeMap::from([(secret, Source::Unreadable("forbidden".into()))]);
        assert_eq!(check(&t, B, &unreadable)[0].verdict, Verdict::Warn);
    }
}
