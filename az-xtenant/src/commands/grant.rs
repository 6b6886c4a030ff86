//! `grant REQUEST -g GROUP`: Tenant B makes what a reviewed trust request
//! asks for — the identities in a group Tenant B chooses, one federated
//! credential per workload and cluster — through the same engine as `apply`
//! (ownership, intents, budget, `--prune`), with the roles Tenant B decides
//! (none unless `--grant-roles`). Nothing of Tenant A is read: the request's
//! issuers are taken as they are written (`review` checked them). Prints the
//! grant for Tenant A's admin: Tenant B, each client ID, the subjects trusted.
//! `--retire` ends the trust: nothing is asked for any more, so the prune
//! takes what the profile's grants made, then the group they made if it is
//! left empty (`graph::retire`); no location, no grant printed. A profile
//! grants one Tenant A (it records the requests it granted).

use std::path::PathBuf;
use std::time::SystemTime;

use anyhow::Result;
use xtenant_shared::handoff::review::{self, ReviewContext, Severity};
use xtenant_shared::handoff::{GrantedIdentity, RoleGrant, TrustGrant, TrustedSubject};
use xtenant_shared::output;
use xtenant_shared::validate::{Kind, parser};

use crate::commands::WaitArgs;
use az_xtenant::context::Ctx;
use az_xtenant::error::UsageError;
use az_xtenant::graph;
use az_xtenant::handoff::{self, GrantPlace, GrantedRoles};
use az_xtenant::settings::{Place, Side};

/// Make what a trust request asks for in Tenant B and print the grant (signed in to Tenant B only)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The request file (`az-xtenant request` wrote it; `review` it first)
    #[arg(value_name = "REQUEST")]
    pub request: PathBuf,
    /// Tenant B's resource group for the identities (made when missing)
    #[arg(short = 'g', long = "resource-group", value_name = "GROUP", value_parser = parser(Kind::ResourceGroup))]
    pub group: String,
    /// Tenant B's tenant ID
    #[arg(long, value_name = "ID", value_parser = parser(Kind::Guid))]
    pub tenant_b: String,
    /// Tenant B's subscription ID
    #[arg(long, value_name = "ID", value_parser = parser(Kind::Guid))]
    pub subscription_b: String,
    /// Location of the group and the identities, when they are made
    /// (--retire makes nothing and needs none)
    #[arg(long, value_name = "LOCATION", value_parser = parser(Kind::Location), required_unless_present = "retire")]
    pub location: Option<String>,
    /// Also assign the roles the request asks for (each must name an ARM
    /// scope in Tenant B's subscription); by default none is assigned
    #[arg(long, conflicts_with = "roles_from")]
    pub grant_roles: bool,
    /// Assign the roles of this file instead (YAML: `roles:`, a list of
    /// `identity`, `role` and `scope`, each scope in Tenant B's subscription)
    #[arg(long, value_name = "FILE")]
    pub roles_from: Option<PathBuf>,
    /// Grant without asking (required when not on a terminal)
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Also remove what an earlier grant made that this request no longer
    /// asks for (guarded like `apply --prune`)
    #[arg(long)]
    pub prune: bool,
    /// With --prune: remove a moving workload's old credential though this
    /// profile holds no proof of the new one (Tenant A's `kubectl xtenant
    /// doctor --exchange` records it on Tenant A's side); pass it once
    /// Tenant A's admin confirms the exchange passed
    #[arg(long, requires = "prune")]
    pub force: bool,
    /// End the trust: remove everything this profile's grants made (the
    /// identities, their credentials and roles), as a grant of a request
    /// asking for nothing would with --prune, then the resource group when
    /// these grants made it and nothing else is left in it; prints no grant
    #[arg(long, conflicts_with_all = ["grant_roles", "roles_from", "prune"])]
    pub retire: bool,
    #[command(flatten)]
    pub wait: WaitArgs,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<()> {
    let name = args.request.display().to_string();
    let request = handoff::read_request(&args.request)?;
    // What `review` refuses, `grant` refuses, before anything is read.
    let errors: Vec<String> = review::review(&request, &ReviewContext::default())
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{}: {}", f.at, f.what))
        .collect();
    if !errors.is_empty() {
        return Err(UsageError(format!(
            "{name}: {}; `az-xtenant review {name}` says more; nothing was changed",
            errors.join("; ")
        ))
        .into());
    }
    refuse_another_tenant_a(ctx, &request.tenant_a)?;
    // A retire makes nothing, so it needs no location.
    let location = args.location.clone().unwrap_or_default();
    let at = GrantPlace {
        tenant_b: &args.tenant_b,
        subscription_b: &args.subscription_b,
        resource_group: &args.group,
        location: &location,
    };
    let granted = match (&args.roles_from, args.grant_roles) {
        (Some(f), _) => {
            let source = f.display().to_string();
            let text = std::fs::read_to_string(f)
                .map_err(|e| UsageError(format!("--roles-from {source}: cannot read it: {e}")))?;
            handoff::read_roles(&source, &text)?
        }
        (None, true) => GrantedRoles::Asked,
        (None, false) => GrantedRoles::None,
    };
    let mut model = handoff::grant_model(&request, &at, &granted)?;
    if args.retire {
        // Nothing asked for any more: the prune takes what the grants made.
        model.identities.clear();
        model.bindings.clear();
    }
    let az = ctx.caching_az_for(&[Place {
        side: Side::B,
        tenant: args.tenant_b.clone(),
        subscription: args.subscription_b.clone(),
        resource_group: args.group.clone(),
        location: location.clone(),
    }])?;
    let groups = graph::retire::groups_of(&ctx.snapshot(), &args.subscription_b, &args.group);
    let options = graph::apply::Options {
        verb: "grant",
        yes: args.yes,
        prune: args.prune || args.retire,
        force: args.force,
        waits: args.wait.waits(),
    };
    graph::apply::apply(ctx, &az, &model, &options)?;
    if !ctx.dry_run() {
        // What this profile granted, and to whom: the next grant here must
        // be for the same Tenant A. A retired trust leaves none.
        // The last request granted supersedes the earlier ones.
        ctx.record(|p| {
            p.graph
                .requests
                .retain(|r| !r.tenant_a.eq_ignore_ascii_case(&request.tenant_a));
            if !args.retire {
                p.graph.requests.push(request.clone());
            }
        })?;
    }
    if args.retire {
        graph::retire::settle(ctx, &az, &groups)?;
        if !ctx.dry_run() {
            ctx.progress.note(&format!(
                "retired: tenant {}'s workloads can no longer get tokens of these identities; tell Tenant A's admin to run `kubectl xtenant unbind` for them",
                request.tenant_a
            ));
        }
        return Ok(());
    }
    if ctx.dry_run() {
        ctx.progress.note(
            "dry run: no grant printed (the identities' client IDs exist once they are made)",
        );
        return Ok(());
    }
    let state = ctx.snapshot().graph;
    let identities = model
        .identities
        .iter()
        .map(|i| {
            let client_id = state
                .identities
                .get(&i.name)
                .and_then(|s| s.client_id.clone())
                .unwrap_or_default();
            GrantedIdentity {
                name: i.name.clone(),
                client_id,
                roles: i
                    .roles
                    .iter()
                    .map(|r| RoleGrant {
                        role: r.role.clone(),
                        scope: r.scope.clone(),
                    })
                    .collect(),
            }
        })
        .collect();
    let grant = TrustGrant::new(
        &args.tenant_b,
        &request,
        SystemTime::now(),
        identities,
        TrustedSubject::all_of(&request),
    )?;
    output::print(grant.to_yaml())?;
    Ok(())
}

/// One Tenant B profile grants one Tenant A: its prune and `--retire` take
/// everything its grants made, so a request of another Tenant A here would
/// remove that tenant's identities. Refused before any az call.
fn refuse_another_tenant_a(ctx: &Ctx, tenant_a: &str) -> Result<()> {
    let snapshot = ctx.snapshot();
    let Some(granted) = snapshot
        .graph
        .requests
        .iter()
        .find(|r| !r.tenant_a.eq_ignore_ascii_case(tenant_a))
    else {
        return Ok(());
    };
    Err(UsageError(format!(
        "profile {:?} holds what grants for tenant {} made; grant tenant {tenant_a}'s request in a profile of its own (--profile NAME): its --prune or --retire would remove the other tenant's identities here; nothing was changed",
        ctx.profile_name(),
        granted.tenant_a
    ))
    .into())
}
