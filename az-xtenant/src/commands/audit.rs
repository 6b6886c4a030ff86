//! `audit`: who Tenant B's identities trust, checked against Tenant A's live
//! clusters; a table (or `-o json`) with each finding's fix. Exit 0 clean, 1
//! findings. `--fix` deletes only stale credentials xtenant created and the
//! credentials named with `--credential`, after confirmation.

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::Result;
use xtenant_shared::exit;
use xtenant_shared::output::{self, Format};
use xtenant_shared::resolve::Setting;
use xtenant_shared::validate::{Kind, parser};
use xtenant_shared::{Profile, names};

use crate::commands::plan::places;
use az_xtenant::audit::{self, Report, Scope, collect, findings, render};
use az_xtenant::az::REVOCATION_NOTE;
use az_xtenant::az::arm_id::{self, ArmId};
use az_xtenant::context::{Ctx, Waits, confirm};
use az_xtenant::engine::delete::{Doomed, delete_all};
use az_xtenant::error::UsageError;
use az_xtenant::graph;
use az_xtenant::settings::{Place, Side};
use xtenant_shared::ownership::ObjectKind;

/// Audit Tenant B's federated credentials and role assignments against Tenant A's clusters.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The graph file whose identities, clusters and workloads to audit
    /// [default: the profile's]
    #[arg(short = 'f', long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Audit only this identity (repeatable)
    #[arg(long = "identity", value_name = "NAME", value_parser = parser(Kind::Identity))]
    pub identities: Vec<String>,
    /// Also audit every identity in this Tenant B resource group (repeatable)
    #[arg(short = 'g', long = "resource-group", value_name = "RG", value_parser = parser(Kind::ResourceGroup))]
    pub groups: Vec<String>,
    /// Tenant A's ID [default: the profile's]
    #[arg(long, value_name = "ID", conflicts_with = "file", value_parser = parser(Kind::Guid))]
    pub tenant_a: Option<String>,
    /// Tenant A's subscription whose clusters are listed [default: the profile's]
    #[arg(long, value_name = "ID", conflicts_with = "file", value_parser = parser(Kind::Guid))]
    pub subscription_a: Option<String>,
    /// Tenant B's ID [default: the profile's]
    #[arg(long, value_name = "ID", conflicts_with = "file", value_parser = parser(Kind::Guid))]
    pub tenant_b: Option<String>,
    /// Tenant B's subscription holding the identities [default: the profile's]
    #[arg(long, value_name = "ID", conflicts_with = "file", value_parser = parser(Kind::Guid))]
    pub subscription_b: Option<String>,
    /// Delete the stale federated credentials xtenant created, and those
    /// named with --credential; never anything else
    #[arg(long)]
    pub fix: bool,
    /// With --fix: also delete this credential, which has a finding (repeatable)
    #[arg(long = "credential", value_name = "NAME", requires = "fix", value_parser = parser(Kind::FederatedCredential))]
    pub credentials: Vec<String>,
    /// With --fix: delete without asking (required when not on a terminal)
    #[arg(short = 'y', long, requires = "fix")]
    pub yes: bool,
}

/// The flag's value, else the profile's (checked), as both tools resolve
/// settings (`xtenant_shared::resolve`); neither is bad input.
fn need(
    flag: &'static str,
    field: &'static str,
    given: &Option<String>,
    profile: &Option<String>,
) -> Result<String> {
    let setting = Setting {
        what: flag,
        flag: Some(flag),
        field,
        kind: Kind::Guid,
        recorded_by: "az-xtenant init",
    };
    let found = setting
        .optional(given.as_deref(), profile.as_deref())
        .map_err(|e| UsageError(e.to_string()))?;
    found.ok_or_else(|| {
        UsageError(format!(
            "no {flag}: pass {flag} <id>, or record it with `az-xtenant init {flag} <id>`; nothing was run"
        ))
        .into()
    })
}

fn lower(a: &str, b: &str) -> (String, String) {
    (a.to_ascii_lowercase(), b.to_ascii_lowercase())
}

/// What to read and where to be logged in, from the graph file.
fn from_file(file: &std::path::Path) -> Result<(Scope, Vec<Place>)> {
    let m = graph::model::load(file)?;
    let mut subs: Vec<String> = Vec::new();
    for c in &m.clusters {
        if !subs.iter().any(|s| s.eq_ignore_ascii_case(&c.subscription)) {
            subs.push(c.subscription.clone());
        }
    }
    let scope = Scope {
        subscription_b: m.subscription_b.clone(),
        subscriptions_a: subs,
        identities: m
            .identities
            .iter()
            .map(|i| (i.resource_group.clone(), i.name.clone()))
            .collect(),
        declared: m
            .bindings
            .iter()
            .map(|b| lower(&b.identity, &b.credential))
            .collect(),
        ..Scope::default()
    };
    Ok((scope, places(&m)))
}

/// What to read and where to be logged in, from the flags and the profile.
fn from_profile(p: &Profile, a: &Args) -> Result<(Scope, Vec<Place>)> {
    let tenant_a = need(
        "--tenant-a",
        "cluster.tenantId",
        &a.tenant_a,
        &p.cluster.tenant_id,
    )?;
    let sub_a = need(
        "--subscription-a",
        "cluster.subscriptionId",
        &a.subscription_a,
        &p.cluster.subscription_id,
    )?;
    let tenant_b = need(
        "--tenant-b",
        "resources.tenantId",
        &a.tenant_b,
        &p.resources.tenant_id,
    )?;
    let sub_b = need(
        "--subscription-b",
        "resources.subscriptionId",
        &a.subscription_b,
        &p.resources.subscription_id,
    )?;
    let mut identities: Vec<(String, String)> = Vec::new();
    let mut declared: BTreeSet<(String, String)> = BTreeSet::new();
    // The graph state's identities and bindings: a declared graph's by
    // their names; the demo's (keyed `@demo`) by its settings, from before
    // it made anything, its credential by the name it gave or will give.
    for (name, i) in p.graph.declared_identities() {
        if let Some(id) = &i.id {
            let group = ArmId::parse(id).resource_group().to_string();
            identities.push((group, name.clone()));
        }
    }
    for b in p.graph.declared_bindings() {
        declared.insert(lower(&b.identity, &b.credential));
    }
    if let (Some(rg), Some(name)) = (&p.resources.resource_group, &p.resources.identity_name) {
        identities.push((rg.clone(), name.clone()));
        let credential = p
            .demo_credential()
            .map_or_else(|| names::federated_credential_name(name), str::to_string);
        declared.insert(lower(name, &credential));
    }
    if identities.is_empty() && a.groups.is_empty() {
        return Err(UsageError(
            "nothing to audit: the profile records no identity; pass -f xtenant.yaml, or --resource-group <group> with the tenants and subscriptions; nothing was run".into(),
        )
        .into());
    }
    let mut subs = vec![sub_a.clone()];
    for (_, c) in p.graph.declared_clusters() {
        if let Some(s) =
            c.id.as_deref()
                .map(|id| ArmId::parse(id).subscription())
                .filter(|s| !s.is_empty())
            && !subs.iter().any(|x| x.eq_ignore_ascii_case(s))
        {
            subs.push(s.to_string());
        }
    }
    let place = |side, tenant: &str, subscription: &str| Place {
        side,
        tenant: tenant.to_string(),
        subscription: subscription.to_string(),
        resource_group: String::new(),
        location: String::new(),
    };
    let places = vec![
        place(Side::A, &tenant_a, &sub_a),
        place(Side::B, &tenant_b, &sub_b),
    ];
    let scope = Scope {
        subscription_b: sub_b,
        subscriptions_a: subs,
        identities,
        declared,
        ..Scope::default()
    };
    Ok((scope, places))
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let p = ctx.snapshot();
    let (mut scope, places) = match &args.file {
        Some(f) => from_file(f)?,
        None => from_profile(&p, args)?,
    };
    scope.groups.clone_from(&args.groups);
    scope.only.clone_from(&args.identities);
    let az = ctx.caching_az_for(&places)?;
    let estate = collect::collect(&az, &scope, &p.owned)?;
    let mut report = Report {
        findings: findings::find(&estate),
        advice: audit::breadth::advice(&estate),
        identities: estate.identities,
        clusters: estate.clusters,
    };
    match ctx.format {
        Format::Json => output::json(&report)?,
        Format::Human => output::print(render::human(&report))?,
    }
    if args.fix {
        fix(ctx, &az, args, &p, &mut report)?;
    }
    Ok(if report.findings.is_empty() {
        exit::OK
    } else {
        exit::CHECK_FAILED
    })
}

/// Deletes the stale credentials xtenant made and the ones named; forgets
/// them in the profile; drops their findings from the report.
fn fix(
    ctx: &Ctx,
    az: &az_xtenant::az::Az,
    args: &Args,
    p: &Profile,
    report: &mut Report,
) -> Result<()> {
    let named = |f: &audit::Finding| {
        f.credential
            .as_ref()
            .is_some_and(|c| args.credentials.iter().any(|n| n.eq_ignore_ascii_case(c)))
    };
    let chosen: Vec<audit::Finding> = report
        .findings
        .iter()
        .filter(|f| {
            f.deletes && ((f.kind == audit::Kind::Stale && p.owned.is_ours(&f.id)) || named(f))
        })
        .cloned()
        .collect();
    if let Some(n) = args.credentials.iter().find(|n| {
        !chosen.iter().any(|f| {
            f.credential
                .as_ref()
                .is_some_and(|c| c.eq_ignore_ascii_case(n))
        })
    }) {
        return Err(UsageError(format!(
            "--credential {n}: the audit proposes no deletion of a credential of that name; --fix deletes only credentials with a finding whose fix is a delete; nothing was deleted"
        ))
        .into());
    }
    if chosen.is_empty() {
        ctx.progress
            .done("fix: nothing xtenant may delete (it deletes only stale credentials it created, and those named with --credential)");
        return Ok(());
    }
    if !args.yes && !ctx.dry_run() {
        confirm(
            &format!("Delete {} federated credentials?", chosen.len()),
            &format!("--fix would delete {} federated credentials", chosen.len()),
            "fix cancelled; nothing was deleted",
        )?;
    }
    let doomed: Vec<Doomed> = chosen
        .iter()
        .map(|f| {
            let id = ArmId::parse(&f.id);
            Doomed {
                what: format!(
                    "federated credential {}/{}",
                    id.child(arm_id::IDENTITY),
                    id.child(arm_id::CREDENTIALS)
                ),
                ..Doomed::by_id(Side::B, ObjectKind::FederatedCredential, &f.id)
            }
        })
        .collect();
    delete_all(
        &ctx.walk(az, &Waits::standard(), false),
        &doomed,
        |p, _, id| p.owned.forget(id),
        |d| format!("Tenant B: removed {}", d.what),
    )?;
    report
        .findings
        .retain(|x| !chosen.iter().any(|f| f.id == x.id));
    if !ctx.dry_run() {
        ctx.progress.note(REVOCATION_NOTE);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_wins_and_a_bad_profile_value_names_its_field() {
        let good = "72f988bf-86f1-41af-91ab-2d7cd011db47".to_string();
        let bad = Some("nope".to_string());
        let flag = need("--tenant-a", "cluster.tenantId", &Some(good.clone()), &bad);
        assert_eq!(flag.expect("the flag's value"), good);
        let err = need("--tenant-a", "cluster.tenantId", &None, &bad).expect_err("bad");
        assert!(
            err.to_string().contains("cluster.tenantId (profile)"),
            "{err}"
        );
        assert!(err.is::<UsageError>(), "{err}");
        let none = need("--tenant-a", "cluster.tenantId", &None, &None).expect_err("missing");
        assert!(none.to_string().contains("pass --tenant-a <id>"), "{none}");
    }

    #[test]
    fn a_migrated_version_2_profile_audits_the_demo_and_the_graph_as_before() {
        use clap::Parser;
        use xtenant_testsupport::profiles::*;
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            audit: Args,
        }
        let mut p: Profile =
            serde_json::from_value(version_2_with_demo_and_graph()).expect("a profile");
        p.migrate();
        let args = Cli::parse_from(["audit"]).audit;
        let (scope, places) = from_profile(&p, &args).expect("a scope");
        // What version 2 read: the graph's identities and the demo's, the
        // credentials each declares, Tenant A's subscriptions.
        assert_eq!(
            scope.identities,
            [
                (GRAPH_GROUP.to_string(), GRAPH_OLD_IDENTITY.to_string()),
                (GRAPH_GROUP.to_string(), GRAPH_IDENTITY.to_string()),
                (DEMO_GROUP.to_string(), DEMO_IDENTITY.to_string()),
            ]
        );
        assert_eq!(
            scope.declared,
            [
                lower(GRAPH_IDENTITY, GRAPH_CREDENTIAL),
                lower(DEMO_IDENTITY, DEMO_CREDENTIAL),
            ]
            .into_iter()
            .collect()
        );
        assert_eq!(scope.subscriptions_a, [SUB_A]);
        assert_eq!(scope.subscription_b, SUB_B);
        let tenants: Vec<&str> = places.iter().map(|p| p.tenant.as_str()).collect();
        assert_eq!(tenants, [TENANT_A, TENANT_B]);
    }
}
