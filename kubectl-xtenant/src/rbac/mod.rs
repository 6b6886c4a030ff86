//! `audit --who-can`: for each ServiceAccount that stands for a Tenant B
//! identity (annotated with a client ID, or bound by the profile's graph),
//! the subjects that can obtain its token and how. `read` reads the cluster
//! into `model`'s plain types (`convert`); `request` matches rules as the
//! RBAC authorizer does; `paths` finds the ways; `findings` judges each
//! against "only the workload's deployer"; `claims` and `authorizer` put the
//! computation to the API server's SubjectAccessReviews, `agreement` reads
//! the answers; `report` makes the audit report, printed as `audit`'s.

mod agreement;
mod authorizer;
mod claims;
mod convert;
mod findings;
mod model;
mod paths;
mod read;
mod report;
mod request;

use std::collections::BTreeMap;

use anyhow::Result;
use kube::Client;

use crate::audit::{Known, Scope};
use crate::output::Report;

/// Reads the scope's ServiceAccounts and the cluster's RBAC, computes the
/// paths, asks the authorizer, and reports.
pub async fn who_can(client: &Client, scope: &Scope, known: &Known) -> Result<Report> {
    let read = read::read(client, scope, known).await?;
    let reviews = claims::compute(&read.model, &read.accounts, &read.service_accounts);
    let claims: Vec<authorizer::Claim> = reviews.iter().flat_map(|r| r.claims.clone()).collect();
    // ServiceAccounts of one namespace share most claims: each is asked once.
    let mut index = BTreeMap::new();
    let mut unique: Vec<authorizer::Claim> = Vec::new();
    for c in &claims {
        index
            .entry((c.subject.clone(), c.request.clone()))
            .or_insert_with(|| {
                unique.push(c.clone());
                unique.len() - 1
            });
    }
    let unique_answers = authorizer::review(client, &unique).await;
    let answers: Vec<authorizer::Answer> = claims
        .iter()
        .map(|c| unique_answers[index[&(c.subject.clone(), c.request.clone())]].clone())
        .collect();
    Ok(report::report(scope, &reviews, &claims, &answers))
}
