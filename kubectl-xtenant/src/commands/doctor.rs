//! `doctor`: resolves what to check from flags and profile, runs the
//! checklist (`checks::doctor`), prints it, and records in the profile that
//! Entra accepted the token.

use anyhow::{Context, Result};
use xtenant_shared::names;
use xtenant_shared::{Kind, validate::parser};

use crate::checks::doctor::{Plan, doctor};
use crate::cli::IdentityArgs;
use crate::context;
use crate::entra;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// ServiceAccount the Job runs as [profile: workload.serviceAccount]
    #[arg(long, value_parser = parser(Kind::ServiceAccount))]
    pub service_account: Option<String>,
    #[command(flatten)]
    pub identity: IdentityArgs,
    /// The cluster's OIDC issuer URL, byte for byte [profile: the graph state's cluster entry]
    #[arg(long, value_parser = parser(Kind::IssuerUrl))]
    pub issuer: Option<String>,
    /// Also exchange the token for an access token at Entra (Tenant B)
    #[arg(long)]
    pub exchange: bool,
    /// Entra authority host for --exchange
    #[arg(long, env = "AZURE_AUTHORITY_HOST", default_value = names::DEFAULT_AUTHORITY_HOST, value_parser = parser(Kind::IssuerUrl))]
    pub authority_host: String,
}

pub async fn run(ctx: &context::Context, args: &Args) -> Result<u8> {
    let settings = ctx.settings()?.clone();
    let namespace = ctx.offline_namespace();
    let service_account = settings.service_account(args.service_account.as_deref())?;
    let settings =
        settings.for_workload(&namespace, &service_account, ctx.kube_context().as_deref());
    let tenant_flag = args.identity.tenant_id.as_deref();
    let tenant_b = if args.exchange {
        Some(settings.tenant_b(tenant_flag)?)
    } else {
        settings.tenant_b(tenant_flag).ok()
    };
    let mut plan = Plan {
        namespace,
        service_account,
        client_id: settings.client_id(args.identity.client_id.as_deref())?,
        tenant_b,
        issuer: settings.issuer(args.issuer.as_deref())?,
        recorded_subject: settings.recorded_subject(),
        exchange: args.exchange,
        authority_host: args.authority_host.clone(),
    };
    let http = entra::http_client()?;
    let cluster = match ctx.cluster().await {
        Ok(target) => {
            plan.namespace.clone_from(&target.namespace);
            Ok((target.client.clone(), target.server.clone()))
        }
        Err(e) => Err(format!("{e:#}")),
    };
    let mut report = doctor(cluster, &http, &plan).await;
    let exchanged = report
        .checks
        .iter()
        .any(|c| c.id == "exchange" && c.verdict == crate::output::Verdict::Pass);
    if report.ok && exchanged && settings.profile.is_some() {
        record_proof(ctx, &plan)?;
        report.set("proofRecorded", true);
    }
    report.print(ctx.format)?;
    Ok(report.exit_code())
}

/// Keeps in the profile that Entra accepted this cluster's token for the
/// workload: `az-xtenant apply --prune` asks for it before removing the
/// credentials of a cluster the workload is leaving.
fn record_proof(ctx: &context::Context, plan: &Plan) -> Result<()> {
    let at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let proof = xtenant_shared::graph_state::Proof {
        issuer: plan.issuer.clone(),
        subject: plan.subject(),
        client_id: plan.client_id.clone(),
        at,
    };
    ctx.profile_store()?
        .modify(|p| {
            p.graph.prove(proof);
            Ok::<_, xtenant_shared::ProfileError>(())
        })
        .context("recording the accepted exchange in the profile")?;
    crate::output::progress(
        ctx.format,
        &format!(
            "recorded in the profile: Entra accepted {} from {}",
            plan.subject(),
            plan.issuer
        ),
    );
    Ok(())
}
