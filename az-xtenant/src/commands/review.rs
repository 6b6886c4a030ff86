//! `review REQUEST`: Tenant B's look at a trust request before granting it.
//! The checks that need no call (digest, shape, issuer against Tenant A,
//! subjects, the credential budget, roles that reach too far), then each
//! issuer's discovery document, fetched without a token, and with `-g` the
//! credentials Tenant B's identities already hold, for the budget. Exit 0 clean, 1
//! with findings, 2 for a malformed or edited request.

use std::path::PathBuf;

use anyhow::Result;
use xtenant_shared::handoff::TrustRequest;
use xtenant_shared::handoff::review::{self, Finding, ReviewContext, Severity};
use xtenant_shared::output::{self, Format};
use xtenant_shared::validate::{Kind, parser};

use az_xtenant::context::Ctx;
use az_xtenant::handoff;

/// Check a trust request from Tenant A before granting it; changes nothing
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The request file (`az-xtenant request` wrote it)
    #[arg(value_name = "REQUEST")]
    pub request: PathBuf,
    /// Tenant B's resource group of the identities: the budget then counts
    /// the credentials each identity there already holds
    #[arg(short = 'g', long = "resource-group", value_name = "GROUP", requires = "subscription", value_parser = parser(Kind::ResourceGroup))]
    pub group: Option<String>,
    /// Tenant B's subscription of that group
    #[arg(long, value_name = "ID", requires = "group", value_parser = parser(Kind::Guid))]
    pub subscription: Option<String>,
}

pub fn run(ctx: &Ctx, args: &Args) -> Result<u8> {
    let request = handoff::read_request(&args.request)?;
    // A malformed or edited request is refused before anything is fetched.
    let offline = review::review(&request, &ReviewContext::default());
    let findings = if offline.iter().any(|f| f.severity == Severity::Error) {
        offline
    } else {
        let az = ctx.az()?;
        let mut context = ReviewContext::default();
        if let (Some(rg), Some(sub)) = (&args.group, &args.subscription) {
            context.existing_credentials = handoff::existing_credentials(&az, sub, rg, &request)?;
        }
        let mut findings = review::review(&request, &context);
        findings.extend(handoff::discovery_findings(&az, &request)?);
        findings
    };
    match ctx.format {
        Format::Json => output::json(&findings)?,
        Format::Human => output::print(human(&request, &findings))?,
    }
    Ok(review::exit_code(&findings))
}

fn human(r: &TrustRequest, findings: &[Finding]) -> String {
    let mut out = format!(
        "request from tenant {} made {}: {} clusters, {} workloads, {} identities\n",
        r.tenant_a,
        r.made_at,
        r.clusters.len(),
        r.workloads.len(),
        r.identities.len()
    );
    for (issuer, subject, identity) in r.credentials() {
        out.push_str(&format!("  trust {subject} of {issuer} as {identity}\n"));
    }
    for i in &r.identities {
        for role in &i.roles {
            out.push_str(&format!(
                "  asks for {} on {:?} for {}\n",
                role.role, role.scope, i.name
            ));
        }
    }
    for f in findings {
        let label = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        out.push_str(&format!(
            "{label}: {}: {}\n  fix: {}\n",
            f.at, f.what, f.fix
        ));
    }
    out.push_str(&format!("review: {} findings\n", findings.len()));
    out
}
