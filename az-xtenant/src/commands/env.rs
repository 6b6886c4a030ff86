//! `env`: the profile as `export NAME=value` lines with the procedure's own
//! variable names (values shell-quoted), so its shell snippets keep working:
//! `eval "$(az-xtenant env)"`. Reads only the profile; runs no az.

use anyhow::Result;
use serde_json::{Map, Value};
use xtenant_shared::Profile;

use az_xtenant::context::Ctx;
use xtenant_shared::output::{self, Format};

/// Print `export` lines (or JSON with -o json) for the procedure's variables.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Ctx, _args: &Args) -> Result<()> {
    ctx.require_profile()?;
    let vars = variables(&ctx.snapshot());
    match ctx.format {
        Format::Json => {
            let map: Map<String, Value> = vars
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.map_or(Value::Null, Value::String)))
                .collect();
            output::json(&map)?;
        }
        Format::Human => output::print(exports(&vars))?,
    }
    Ok(())
}

/// The procedure's variables, in its order; `None` when not recorded yet.
pub fn variables(p: &Profile) -> Vec<(&'static str, Option<String>)> {
    let (c, r) = (&p.cluster, &p.resources);
    let demo = p.graph.demo_identity();
    let mut v = vec![
        ("TENANT_A_ID", c.tenant_id.clone()),
        ("TENANT_A_SUBSCRIPTION_ID", c.subscription_id.clone()),
        ("RESOURCE_GROUP", c.resource_group.clone()),
        ("LOCATION", c.location.clone()),
        ("CLUSTER_NAME", c.cluster_name.clone()),
        ("OIDC_ISSUER_URL", p.demo_issuer().map(str::to_string)),
        ("TENANT_B_ID", r.tenant_id.clone()),
        ("TENANT_B_SUBSCRIPTION_ID", r.subscription_id.clone()),
    ];
    // The procedure reuses RESOURCE_GROUP in Tenant B; name B's apart only when it differs.
    if r.resource_group != c.resource_group {
        v.push(("RESOURCE_GROUP_B", r.resource_group.clone()));
    }
    if r.location != c.location {
        v.push(("LOCATION_B", r.location.clone()));
    }
    v.extend([
        ("SERVICEBUS_NAME", r.servicebus_namespace.clone()),
        ("SERVICEBUS_HOSTNAME", r.servicebus_hostname.clone()),
        ("SERVICEBUS_ID", r.servicebus_id.clone()),
        ("IDENTITY_NAME", r.identity_name.clone()),
        ("PRINCIPAL_ID", demo.and_then(|i| i.principal_id.clone())),
        ("CLIENT_ID", demo.and_then(|i| i.client_id.clone())),
    ]);
    v
}

/// `export NAME=value` lines; unrecorded values become comments.
pub fn exports(vars: &[(&str, Option<String>)]) -> String {
    let mut out = String::new();
    for (name, value) in vars {
        match value {
            Some(v) => {
                let q = shlex::try_quote(v).map_or_else(|_| "''".into(), |q| q.into_owned());
                out.push_str(&format!("export {name}={q}\n"));
            }
            None => out.push_str(&format!(
                "# {name} is not recorded yet (run az-xtenant up)\n"
            )),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_quoted_and_missing_ones_commented() {
        let text = exports(&[
            ("OIDC_ISSUER_URL", Some("https://e/t/u/".into())),
            ("X", Some("a b'c".into())),
            ("CLIENT_ID", None),
        ]);
        assert!(
            text.contains("export OIDC_ISSUER_URL=https://e/t/u/\n"),
            "{text}"
        );
        assert!(
            text.contains("export X='a b'\"'\"'c'\n") || text.contains("export X=\"a b'c\"\n"),
            "{text}"
        );
        assert!(text.contains("# CLIENT_ID is not recorded yet"), "{text}");
    }

    #[test]
    fn same_group_is_not_repeated() {
        let mut p = Profile::default();
        p.cluster.resource_group = Some("rg".into());
        p.resources.resource_group = Some("rg".into());
        let names: Vec<_> = variables(&p).into_iter().map(|(n, _)| n).collect();
        assert!(!names.contains(&"RESOURCE_GROUP_B"));
        for n in [
            "SERVICEBUS_HOSTNAME",
            "IDENTITY_NAME",
            "PRINCIPAL_ID",
            "CLIENT_ID",
            "SERVICEBUS_ID",
            "OIDC_ISSUER_URL",
        ] {
            assert!(names.contains(&n), "{n}");
        }
    }
}
