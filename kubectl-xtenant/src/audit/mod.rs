//! `audit`: what the cluster presents for workload identity, in one
//! namespace or all of them. Annotated ServiceAccounts and whether the
//! profile knows their client IDs, workloads labelled on the object but not
//! on the pod template, labelled pods older than their ServiceAccount's
//! annotations or asking another tenant for tokens, and the subjects the
//! cluster presents against the credentials the profile's graph records for
//! it. Every finding is a failed check with the command that fixes it.

mod accounts;
mod inventory;
mod known;
mod pods;
mod table;

use anyhow::Result;
use kube::Client;

use crate::output::{Check, Report};

pub use inventory::{Inventory, Scope};
pub use known::Known;
pub use table::render as table;

/// Reads what the scope holds and checks it against what the profile knows.
pub async fn audit(client: &Client, scope: &Scope, known: &Known) -> Result<Report> {
    let inventory = Inventory::read(client, scope).await?;
    Ok(report(scope, &inventory, known))
}

/// The report of an inventory read from the cluster.
pub fn report(scope: &Scope, inventory: &Inventory, known: &Known) -> Report {
    let mut report = Report::new("audit");
    report.set("namespaces", scope.to_string());
    if let Some(cluster) = known.cluster_name() {
        report.set("cluster", cluster);
    }
    report.push(known.profile_check());
    for check in accounts::checks(inventory, known, scope) {
        report.push(check);
    }
    for check in pods::workload_checks(inventory) {
        report.push(check);
    }
    for check in pods::pod_checks(inventory, known) {
        report.push(check);
    }
    let findings = report.checks.iter().filter(|c| c.failed()).count();
    report.set("findings", findings);
    report
}

/// A check whose id is led by the object it is about (`ns/kind/name`).
fn about(ns: &str, kind: &str, name: &str, check: Check) -> Check {
    Check {
        id: format!("{ns}/{kind}/{name}/{}", check.id),
        ..check
    }
}

#[cfg(test)]
mod tests;
