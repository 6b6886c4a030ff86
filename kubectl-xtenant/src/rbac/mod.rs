//! `audit --who-can`: for each ServiceAccount that stands for a Tenant B
//! identity (annotated with a client ID, or bound by the profile's graph),
//! the subjects that can obtain its token and how, computed from the RBAC
//! roles and bindings (`model`, `request`, `paths`), judged against "only
//! the workload's deployer" (`findings`) and cross-checked with the API
//! server's authorizer (`authorizer`).

mod authorizer;
mod convert;
mod findings;
mod model;
mod paths;
mod read;
mod report;
mod request;

#[cfg(test)]
mod paths_tests;
#[cfg(test)]
mod report_tests;

use std::collections::BTreeMap;

use anyhow::Result;
use kube::Client;

use crate::audit::{Known, Scope};
use crate::output::Report;

/// Reads the scope's ServiceAccounts and the cluster's RBAC, computes the
/// paths, asks the authorizer, and reports.
pub async fn who_can(client: &Client, scope: &Scope, known: &Known) -> Result<Report> {
    let read = read::read(client, scope, known).await?;
    let reviews = report::compute(&read.model, &read.accounts, &read.service_accounts);
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
