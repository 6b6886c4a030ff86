//! `accept GRANT`: Tenant A records Tenant B's answer to its request — each
//! identity's client ID, Tenant B, the subjects trusted — in the profile's
//! graph state, so that `kubectl xtenant bind KIND/NAME` needs no ID typed.
//! A grant that does not answer a request this profile made, exactly, is
//! refused and nothing is recorded. No az call.

use std::path::PathBuf;

use anyhow::Result;
use xtenant_shared::handoff::TrustGrant;

use az_xtenant::context::Ctx;
use az_xtenant::error::UsageError;
use az_xtenant::graph::model::credential_name;

/// Record Tenant B's grant for the request this profile made (no az call)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The grant file Tenant B's admin sent
    #[arg(value_name = "GRANT")]
    pub grant: PathBuf,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<()> {
    let name = args.grant.display().to_string();
    let text = std::fs::read_to_string(&args.grant).map_err(|e| {
        UsageError(format!(
            "{name}: cannot read the grant: {e}; pass the file Tenant B's admin sent"
        ))
    })?;
    let usage = |e: xtenant_shared::handoff::HandoffError| UsageError(e.to_string());
    let grant = TrustGrant::from_yaml(&name, &text).map_err(usage)?;
    grant.verify_digest(&name).map_err(usage)?;
    // Checked against a copy first: a refused grant records nothing.
    let mut graph = ctx.snapshot().graph;
    let accepted = graph.accept(&grant, credential_name).map_err(usage)?;
    if !ctx.dry_run() {
        // `accept` holds the profile's run lock: the profile is the one the
        // check above read, so the same accept succeeds on it.
        ctx.record(|p| p.graph = graph.clone())?;
    }
    ctx.progress.done(&format!(
        "accepted the grant of tenant {}: {} identities, {} workloads bound; `kubectl xtenant bind KIND/NAME` finds their client IDs",
        grant.tenant_b, accepted.identities, accepted.bindings
    ));
    Ok(())
}
