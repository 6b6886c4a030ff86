//! `status`: each thing the profile records, checked live in its tenant.
//! A table for people, or JSON with `-o json`. Runs only reads.

use anyhow::Result;
use serde::Serialize;
use xtenant_shared::Profile;

use crate::az::Az;
use crate::cli::Format;
use crate::commands::{Ctx, login};
use crate::settings;

/// Show what the profile records and whether it is so in Azure.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// One row of the report.
#[derive(Debug, Serialize)]
pub struct Item {
    pub component: &'static str,
    pub tenant: &'static str,
    pub name: String,
    /// Whether the live state matches what the profile records.
    pub ok: bool,
    pub live: String,
}

pub fn run(ctx: &Ctx, _args: &Args) -> Result<()> {
    ctx.require_profile()?;
    let p = ctx.snapshot();
    let cs = settings::cluster(&p)?;
    let rs = settings::resources(&p)?;
    let az = ctx.az()?;
    login::check(&az, &[cs.place.clone(), rs.place.clone()])?;
    let items = check(&az, &p, &cs, &rs)?;
    match ctx.format {
        Format::Json => {
            let out = serde_json::json!({
                "profile": ctx.store.path(),
                "ok": items.iter().all(|i| i.ok),
                "items": items,
            });
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        Format::Human => print!("{}", table(&items)),
    }
    Ok(())
}

fn item(
    component: &'static str,
    tenant: &'static str,
    name: &str,
    ok: bool,
    live: impl Into<String>,
) -> Item {
    Item {
        component,
        tenant,
        name: name.to_string(),
        ok,
        live: live.into(),
    }
}

fn check(
    az: &Az,
    p: &Profile,
    cs: &settings::ClusterSettings,
    rs: &settings::ResourceSettings,
) -> Result<Vec<Item>> {
    let mut items = Vec::new();
    let (a, b) = ("A", "B");
    for (place, t) in [(&cs.place, a), (&rs.place, b)] {
        let created = place.side.group_created(p);
        let live = match az.group_show(&place.subscription, &place.resource_group)? {
            None => item("resource group", t, &place.resource_group, false, "absent"),
            Some(g) => {
                let how = match (created, g.tagged_by_xtenant()) {
                    (true, true) => "present, created by xtenant",
                    (true, false) => "present, but lacks the created-by tag (cleanup keeps it)",
                    (false, _) => "present, adopted (cleanup keeps it)",
                };
                item("resource group", t, &place.resource_group, true, how)
            }
        };
        items.push(live);
    }
    let (sa, ra, na) = (&cs.place.subscription, &cs.place.resource_group, &cs.name);
    items.push(match az.aks_show(sa, ra, na)? {
        None => item("AKS cluster", a, na, false, "absent"),
        Some(c) => {
            let issuer_ok =
                c.issuer_url().is_some() && c.issuer_url() == p.cluster.issuer_url.as_deref();
            let ok = c.oidc_enabled() && c.workload_identity_enabled() && issuer_ok;
            let live = format!(
                "{}; OIDC issuer {}; workload identity {}{}",
                c.provisioning_state.as_deref().unwrap_or("unknown state"),
                if c.oidc_enabled() { "on" } else { "off" },
                if c.workload_identity_enabled() {
                    "on"
                } else {
                    "off"
                },
                if issuer_ok {
                    ""
                } else {
                    "; issuer differs from the profile"
                }
            );
            item("AKS cluster", a, na, ok, live)
        }
    });
    let (sb, rb) = (&rs.place.subscription, &rs.place.resource_group);
    let Some(ns) = rs.namespace.as_deref() else {
        items.push(item("Service Bus namespace", b, "-", false, "not recorded"));
        return Ok(items);
    };
    let namespace = az.namespace_show(sb, rb, ns)?;
    items.push(match &namespace {
        None => item("Service Bus namespace", b, ns, false, "absent"),
        Some(n) if n.disable_local_auth == Some(true) => item(
            "Service Bus namespace",
            b,
            ns,
            true,
            "present, local auth disabled",
        ),
        Some(_) => item(
            "Service Bus namespace",
            b,
            ns,
            false,
            "present, but local auth is ENABLED",
        ),
    });
    let queue = az.queue_show(sb, rb, ns, &rs.queue)?.is_some();
    items.push(item(
        "queue",
        b,
        &rs.queue,
        queue,
        if queue { "present" } else { "absent" },
    ));
    let id_name = rs
        .identity
        .clone()
        .unwrap_or_else(|| xtenant_shared::names::identity_name(ns));
    let identity = az.identity_show(sb, rb, &id_name)?;
    items.push(match &identity {
        None => item("managed identity", b, &id_name, false, "absent"),
        Some(i) if Some(&i.client_id) == p.resources.client_id.as_ref() => item(
            "managed identity",
            b,
            &id_name,
            true,
            format!("present, client ID {}", i.client_id),
        ),
        Some(i) => item(
            "managed identity",
            b,
            &id_name,
            false,
            format!("client ID {} differs from the profile", i.client_id),
        ),
    });
    if let (Some(n), Some(i)) = (&namespace, &identity) {
        let granted = az
            .role_assignment_list(sb, &n.id)?
            .iter()
            .any(|ra| ra.grants(&i.principal_id, &n.id));
        let live = if granted { "present" } else { "absent" };
        items.push(item(
            "role assignment",
            b,
            xtenant_shared::names::SERVICEBUS_ROLE,
            granted,
            live,
        ));
    }
    if identity.is_some() {
        let subject = p.subject();
        let issuer = p.cluster.issuer_url.clone().unwrap_or_default();
        let fics = az.credential_list(sb, rb, &id_name)?;
        let m = fics
            .iter()
            .find(|c| c.issuer == issuer && c.subject == subject);
        let name = m.map_or_else(
            || {
                p.resources
                    .federated_credential_name
                    .clone()
                    .unwrap_or_default()
            },
            |c| c.name.clone(),
        );
        let live = if m.is_some() {
            format!("trusts {subject} from the recorded issuer")
        } else {
            format!("no credential for {subject} from the recorded issuer")
        };
        items.push(item("federated credential", b, &name, m.is_some(), live));
    }
    Ok(items)
}

/// A plain aligned table.
pub fn table(items: &[Item]) -> String {
    let rows: Vec<[String; 5]> = items
        .iter()
        .map(|i| {
            [
                i.component.to_string(),
                i.tenant.to_string(),
                i.name.clone(),
                if i.ok { "ok" } else { "FIX" }.to_string(),
                i.live.clone(),
            ]
        })
        .collect();
    let header = ["COMPONENT", "TENANT", "NAME", "STATE", "LIVE"].map(String::from);
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns() {
        let t = table(&[
            item("queue", "B", "myqueue", true, "present"),
            item("AKS cluster", "A", "aks", false, "absent"),
        ]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "COMPONENT    TENANT  NAME     STATE  LIVE");
        assert_eq!(lines[2], "AKS cluster  A       aks      FIX    absent");
    }
}
