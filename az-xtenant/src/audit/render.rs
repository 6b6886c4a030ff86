//! The audit in words: per identity its budget, a table of its credentials
//! (issuer resolved to a cluster, who made it, finding) and its role
//! assignments and who can become it; then each finding with its fix, and
//! each piece of advice with its narrower grant.

use std::fmt::Write;

use super::{CredentialReport, Origin, Report};

fn cluster_cell(c: &CredentialReport) -> String {
    if c.origin == Origin::AksIdentityBinding {
        return "the clusters bound to the identity".into();
    }
    match (&c.cluster, c.issuer_answers, &c.issuer_error) {
        (Some(k), _, _) => format!("{} ({}, {})", k.name, k.resource_group, k.subscription),
        (None, Some(false), _) => "none; issuer does not answer".into(),
        (None, Some(true), _) => "none; issuer answers".into(),
        (None, None, Some(_)) => "none; could not tell if issuer answers".into(),
        (None, None, None) => "none; issuer near a live cluster's".into(),
    }
}

/// Columns padded to their widest cell.
fn table(rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..rows.first().map_or(0, Vec::len))
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::from("  ");
        for (i, cell) in r.iter().enumerate() {
            if i + 1 == r.len() {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<w$}  ", w = widths[i]);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The report for people.
pub fn human(r: &Report) -> String {
    let mut out = String::new();
    for i in &r.identities {
        let _ = writeln!(
            out,
            "identity {} ({}): {}/{} federated credentials",
            i.name, i.resource_group, i.used, i.limit
        );
        let _ = writeln!(out, "  {}", i.fan_in.words(&i.credentials));
        let mut rows = vec![
            ["CREDENTIAL", "CLUSTER", "SUBJECT", "MADE BY", "FINDING"]
                .map(String::from)
                .to_vec(),
        ];
        for c in &i.credentials {
            let finding = r
                .findings
                .iter()
                .find(|f| f.id == c.id)
                .map_or("-", |f| f.kind.label());
            rows.push(vec![
                c.name.clone(),
                cluster_cell(c),
                c.subject.clone(),
                c.origin.label().to_string(),
                finding.to_string(),
            ]);
        }
        if i.credentials.is_empty() {
            out.push_str("  (no federated credentials)\n");
        } else {
            out.push_str(&table(&rows));
        }
        for a in &i.role_assignments {
            let gone = if a.scope_exists == Some(false) {
                " (scope no longer exists)"
            } else {
                a.scope_reach.note(&a.scope)
            };
            let _ = writeln!(out, "  role: {} on {}{gone}", a.role, a.scope);
        }
    }
    for f in &r.findings {
        let what = f
            .credential
            .as_ref()
            .map_or_else(|| f.identity.clone(), |c| format!("{}/{c}", f.identity));
        let _ = writeln!(
            out,
            "{}: {what}: {}\n  fix: {}",
            f.kind.label(),
            f.message,
            f.fix
        );
    }
    for a in &r.advice {
        let _ = writeln!(
            out,
            "advice: {}: {} on {}: {}\n  narrower: {}",
            a.identity, a.role, a.scope, a.message, a.fix
        );
    }
    let credentials: usize = r.identities.iter().map(|i| i.credentials.len()).sum();
    let _ = writeln!(
        out,
        "audit: {} identities, {credentials} federated credentials, {} clusters seen, {} findings",
        r.identities.len(),
        r.clusters.len(),
        r.findings.len()
    );
    out
}
