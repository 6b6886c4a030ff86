//! `status`: the demo graph walked read-only — each step reads its object
//! and says whether it is as `up` would leave it. A table for people, or
//! JSON with `-o json`. Exit 1 when something needs fixing.

use anyhow::Result;
use serde::Serialize;
use xtenant_shared::exit::CheckFailed;
use xtenant_shared::output::{self, Format};

use az_xtenant::context::Ctx;
use az_xtenant::context::Waits;
use az_xtenant::engine::Decision;
use az_xtenant::settings;
use az_xtenant::steps::{self, Part};

/// Show what the profile records and whether it is so in Azure (exit 1 when not).
#[derive(Debug, clap::Args)]
pub struct Args {}

/// One row of the report.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    pub component: String,
    pub tenant: &'static str,
    pub name: String,
    /// Whether the live object is as `up` would leave it.
    pub ok: bool,
    pub live: String,
    /// Whether this profile created it (cleanup deletes only these).
    pub created_by_xtenant: bool,
}

pub fn run(ctx: &Ctx, _args: &Args) -> Result<()> {
    ctx.require_profile()?;
    let p = ctx.snapshot();
    let graph = steps::demo(&p, Part::All)?;
    let places = [settings::cluster(&p)?.place, settings::resources(&p)?.place];
    let az = ctx.az_for(&places)?;
    let waits = Waits::standard();
    let cx = ctx.walk(&az, &waits, false);
    let items = graph.each(|n| {
        let f = n.check(&cx)?;
        let component = n.target(&cx)?.0.label();
        let name = f.what.strip_prefix(component).unwrap_or(&f.what).trim();
        let (ok, live) = match f.decision {
            Decision::Keep(how) => (true, how),
            Decision::Create => (false, "absent".to_string()),
            Decision::Update(why) => (false, why),
        };
        Ok(Item {
            component: component.to_string(),
            tenant: f.side.letter(),
            name: name.to_string(),
            ok,
            live,
            created_by_xtenant: f.ours,
        })
    })?;
    let bad = items.iter().filter(|i| !i.ok).count();
    match ctx.format {
        Format::Json => output::json(&serde_json::json!({
            "profile": ctx.store.path(),
            "ok": bad == 0,
            "items": items,
        }))?,
        Format::Human => output::print(table(&items))?,
    }
    if bad > 0 {
        return Err(CheckFailed(format!(
            "{bad} of {} items need fixing: `az-xtenant up` makes them so",
            items.len()
        ))
        .into());
    }
    Ok(())
}

/// A plain aligned table.
pub fn table(items: &[Item]) -> String {
    let rows: Vec<[String; 5]> = items
        .iter()
        .map(|i| {
            [
                i.component.clone(),
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

    fn item(component: &str, tenant: &'static str, name: &str, ok: bool, live: &str) -> Item {
        Item {
            component: component.into(),
            tenant,
            name: name.into(),
            ok,
            live: live.into(),
            created_by_xtenant: false,
        }
    }

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
