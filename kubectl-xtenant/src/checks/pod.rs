//! Checks on an admitted pod: what the workload identity webhook injected,
//! read from the pod itself (the token path differs between webhook versions,
//! and a value given through `envFrom` is invisible to the webhook).

use std::path::Path;

use k8s_openapi::api::core::v1::{Container, Pod, Volume};
use xtenant_shared::names::{LABEL_USE, TOKEN_AUDIENCE};

use crate::output::Check;

/// What the pod should carry.
#[derive(Debug, Clone)]
pub struct Expect {
    pub client_id: String,
    pub tenant_b: String,
    /// The container to inspect (the Job's name); else the first one.
    pub container: String,
}

/// Where a container's variable gets its effective value.
#[derive(Debug, Clone, PartialEq)]
pub enum EnvValue {
    /// A literal in `env` (the last entry of that name wins).
    Literal(String),
    /// `valueFrom` in `env`: not readable from the pod.
    ValueFrom,
    /// Not in `env`, but the container has `envFrom`, which may carry it.
    OnlyEnvFrom,
    Missing,
}

/// The effective value of `name` in a container.
pub fn env_value(container: &Container, name: &str) -> EnvValue {
    let last = container
        .env
        .iter()
        .flatten()
        .rev()
        .find(|e| e.name == name);
    match last {
        Some(e) if e.value_from.is_some() => EnvValue::ValueFrom,
        Some(e) => EnvValue::Literal(e.value.clone().unwrap_or_default()),
        None if container.env_from.as_ref().is_some_and(|f| !f.is_empty()) => EnvValue::OnlyEnvFrom,
        None => EnvValue::Missing,
    }
}

/// The container to inspect: the one `logs` reads.
pub use crate::workload::logs::container;

/// All checks on the pod, in a fixed order.
pub fn check_pod(pod: &Pod, expect: &Expect) -> Vec<Check> {
    let mut checks = vec![label_check(pod)];
    let Some(c) = container(pod, &expect.container) else {
        checks.push(Check::fail(
            "pod.container",
            "the pod has no containers",
            "re-run `kubectl xtenant deploy`",
        ));
        return checks;
    };
    checks.extend(container_checks(pod, c, expect));
    checks
}

/// What the webhook should have injected into one container of the pod.
pub fn container_checks(pod: &Pod, c: &Container, expect: &Expect) -> Vec<Check> {
    let mut checks = vec![
        tenant_check(c, &expect.tenant_b),
        client_check(c, &expect.client_id),
    ];
    checks.extend(token_checks(pod, c));
    checks.push(authority_check(c));
    checks
}

const NOT_INJECTED: &str = "the webhook did not mutate this pod: check that it is installed (`kubectl xtenant doctor`), that the pod template has the label azure.workload.identity/use: \"true\", and that the ServiceAccount existed before the pod";

/// The pod carries the label the webhook looks for.
pub fn label_check(pod: &Pod) -> Check {
    let value = pod.metadata.labels.as_ref().and_then(|l| l.get(LABEL_USE));
    match value.map(String::as_str) {
        Some("true") => Check::pass("pod.label", format!("{LABEL_USE}=true")),
        other => Check::fail(
            "pod.label",
            format!("{LABEL_USE} is {other:?}, not \"true\""),
            "label the pod template (spec.template.metadata.labels), not the Job: `kubectl xtenant deploy` does",
        ),
    }
}

/// The container's effective `AZURE_TENANT_ID` is Tenant B.
pub fn tenant_check(c: &Container, tenant_b: &str) -> Check {
    const ID: &str = "env.AZURE_TENANT_ID";
    let fix_env = "set AZURE_TENANT_ID to Tenant B in the container's env (not envFrom), or annotate the ServiceAccount with azure.workload.identity/tenant-id: `kubectl xtenant deploy` does both";
    match env_value(c, "AZURE_TENANT_ID") {
        EnvValue::Literal(v) if v == tenant_b => Check::pass(ID, format!("{v} (Tenant B)")),
        EnvValue::Literal(v) if c.env_from.as_ref().is_some_and(|f| !f.is_empty()) => Check::fail(
            ID,
            format!(
                "{v} is not Tenant B ({tenant_b}); the container also has envFrom: a value given there is not seen by the webhook, which added its own tenant (Tenant A) in env, and env wins"
            ),
            fix_env,
        ),
        EnvValue::Literal(v) => Check::fail(
            ID,
            format!(
                "{v} is not Tenant B ({tenant_b}); the token request goes to the wrong tenant (AADSTS700016)"
            ),
            fix_env,
        ),
        EnvValue::OnlyEnvFrom => Check::fail(
            ID,
            "only envFrom could set it; the webhook did not add it, so it is unverifiable here and the webhook's tenant would win once injected",
            fix_env,
        ),
        EnvValue::ValueFrom => Check::fail(
            ID,
            "set through valueFrom, which cannot be verified from the pod",
            fix_env,
        ),
        EnvValue::Missing => Check::fail(ID, "not set", NOT_INJECTED),
    }
}

fn client_check(c: &Container, client_id: &str) -> Check {
    const ID: &str = "env.AZURE_CLIENT_ID";
    match env_value(c, "AZURE_CLIENT_ID") {
        EnvValue::Literal(v) if v.eq_ignore_ascii_case(client_id) => Check::pass(ID, v),
        EnvValue::Literal(v) => Check::fail(
            ID,
            format!("{v} is not the identity's client ID {client_id}"),
            "annotate the ServiceAccount with azure.workload.identity/client-id (`kubectl xtenant deploy`) and do not set AZURE_CLIENT_ID in the container",
        ),
        EnvValue::Missing | EnvValue::OnlyEnvFrom => Check::fail(ID, "not set", NOT_INJECTED),
        EnvValue::ValueFrom => Check::fail(
            ID,
            "set through valueFrom, which cannot be verified",
            "let the webhook set it from the ServiceAccount annotation",
        ),
    }
}

fn authority_check(c: &Container) -> Check {
    const ID: &str = "env.AZURE_AUTHORITY_HOST";
    match env_value(c, "AZURE_AUTHORITY_HOST") {
        EnvValue::Literal(v) if v.starts_with("https://") => Check::pass(ID, v),
        EnvValue::Literal(v) => Check::fail(
            ID,
            format!("{v:?} is not an https URL"),
            "let the webhook set it",
        ),
        _ => Check::fail(ID, "not set", NOT_INJECTED),
    }
}

/// `AZURE_FEDERATED_TOKEN_FILE` and the projected volume behind it.
fn token_checks(pod: &Pod, c: &Container) -> Vec<Check> {
    const ID: &str = "env.AZURE_FEDERATED_TOKEN_FILE";
    let file = match env_value(c, "AZURE_FEDERATED_TOKEN_FILE") {
        EnvValue::Literal(v) if !v.is_empty() => v,
        _ => {
            return vec![
                Check::fail(ID, "not set", NOT_INJECTED),
                Check::skip("token.volume", "no token file to look for"),
            ];
        }
    };
    vec![Check::pass(ID, file.clone()), volume_check(pod, c, &file)]
}

fn volume_check(pod: &Pod, c: &Container, file: &str) -> Check {
    const ID: &str = "token.volume";
    let fix = "let the webhook add the projected token volume: remove any hand-written AZURE_FEDERATED_TOKEN_FILE and recreate the pod";
    let path = Path::new(file);
    // The mount whose path is the longest ancestor of the token file.
    let mount = c
        .volume_mounts
        .iter()
        .flatten()
        .filter(|m| path.starts_with(&m.mount_path) && path != Path::new(&m.mount_path))
        .max_by_key(|m| m.mount_path.len());
    let Some(mount) = mount else {
        return Check::fail(ID, format!("no volumeMount holds {file}"), fix);
    };
    let relative = path
        .strip_prefix(&mount.mount_path)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let volume = pod
        .spec
        .as_ref()
        .and_then(|s| s.volumes.as_ref())
        .and_then(|v| v.iter().find(|v| v.name == mount.name));
    match volume.map(|v| token_source(v, &relative)) {
        Some(Ok(expiry)) => Check::pass(
            ID,
            format!(
                "projected volume {:?} at {}: audience {TOKEN_AUDIENCE}, expiry {expiry}",
                mount.name, mount.mount_path
            ),
        ),
        Some(Err(why)) => Check::fail(ID, format!("volume {:?} {why}", mount.name), fix),
        None => Check::fail(
            ID,
            format!("volume {:?} is not in the pod", mount.name),
            fix,
        ),
    }
}

/// Whether the volume projects a service-account token with our audience at
/// `relative`; returns the token's expiry in words.
fn token_source(volume: &Volume, relative: &str) -> Result<String, String> {
    let projected = volume
        .projected
        .as_ref()
        .ok_or("is not a projected volume")?;
    let sources = projected.sources.iter().flatten();
    let tokens: Vec<_> = sources
        .filter_map(|s| s.service_account_token.as_ref())
        .collect();
    let at_path = tokens.iter().find(|t| t.path == relative);
    let Some(token) = at_path else {
        return Err(format!("projects no service-account token at {relative:?}"));
    };
    match token.audience.as_deref() {
        Some(TOKEN_AUDIENCE) => Ok(token
            .expiration_seconds
            .map_or("default".to_string(), |s| format!("{s} s"))),
        other => Err(format!(
            "projects a token with audience {other:?}, not {TOKEN_AUDIENCE}"
        )),
    }
}

#[cfg(test)]
pub(crate) mod tests;
