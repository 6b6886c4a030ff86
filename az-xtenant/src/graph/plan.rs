//! What applying a graph would change: every step read and decided (nothing
//! written), and each identity's federated-credential budget — how many of
//! Azure's 20 it will use, and how many of those xtenant does not manage.

use std::collections::BTreeSet;

use anyhow::Result;
use serde::Serialize;

use super::model::Model;
use super::prune::{self, Removal};
use crate::az::Az;
use crate::az::MAX_CREDENTIALS;
use crate::az::arm_id::{self, ArmId};
use crate::context::{Ctx, Waits};
use crate::engine::{Decision, Graph};
use xtenant_shared::exit::Usage;

/// One change the plan would make.
#[derive(Debug, Serialize)]
pub struct Change {
    /// `create` or `update`.
    pub action: &'static str,
    pub tenant: &'static str,
    pub what: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// An identity's federated credentials after the apply.
#[derive(Debug, Serialize)]
pub struct Budget {
    pub identity: String,
    pub used: usize,
    pub limit: usize,
    /// Credentials on the identity that the graph does not declare.
    pub not_managed: usize,
}

#[derive(Debug, Serialize)]
pub struct Plan {
    pub changes: Vec<Change>,
    pub unchanged: usize,
    pub budget: Vec<Budget>,
    /// With `--prune`: what xtenant made and the file no longer declares.
    #[serde(skip)]
    pub removals: Vec<Removal>,
    /// Workloads moving to another cluster whose new credential was never
    /// proven: `apply --prune` refuses to remove their old one.
    #[serde(rename = "unprovenMoves", skip_serializing_if = "Vec::is_empty")]
    pub unproven_moves: Vec<String>,
}

impl Plan {
    /// Whether applying would change anything.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.removals.is_empty()
    }
}

impl Plan {
    /// The plan in words, `+` create, `~` update, `-` remove.
    pub fn human(&self) -> String {
        let mut out = String::new();
        for c in &self.changes {
            let mark = match c.action {
                "create" => '+',
                "remove" => '-',
                _ => '~',
            };
            let why = c.why.as_ref().map(|w| format!(": {w}")).unwrap_or_default();
            out.push_str(&format!("{mark} Tenant {}: {}{why}\n", c.tenant, c.what));
        }
        for m in &self.unproven_moves {
            out.push_str(&format!("! not proven: {m}\n"));
        }
        for b in &self.budget {
            out.push_str(&format!(
                "budget: {}: {}/{} federated credentials used, {} not managed by xtenant\n",
                b.identity, b.used, b.limit, b.not_managed
            ));
        }
        let count = |a: &str| self.changes.iter().filter(|c| c.action == a).count();
        out.push_str(&format!(
            "plan: {} to create, {} to update, {} to remove, {} unchanged\n",
            count("create"),
            count("update"),
            count("remove"),
            self.unchanged
        ));
        out
    }
}

/// Reads what exists and decides, step by step; writes nothing to Azure.
/// Give it an az that remembers answers ([`Az::caching`]): every identity's
/// credential list and every scope's assignments are then read once, and
/// `apply` goes on with what the plan read.
/// `proof_in_tenant_a`: a grant's plan, whose moves Tenant A proves.
pub fn compute(
    ctx: &Ctx,
    az: &Az,
    model: &Model,
    graph: &Graph,
    prune: bool,
    proof_in_tenant_a: bool,
) -> Result<Plan> {
    let waits = Waits::standard();
    let cx = ctx.walk(az, &waits, false);
    let findings: Vec<crate::engine::Finding> = if az.dry_run() {
        // One at a time, so the printed commands read in order.
        graph
            .each(|n| n.check_all(&cx))?
            .into_iter()
            .flatten()
            .collect()
    } else {
        // Every read at once first; then the walk, in dependency order,
        // finds the answers remembered (and makes what needed an earlier
        // step's record, such as a principal, then).
        crate::engine::ahead::everything(&cx, graph);
        let found = std::sync::Mutex::new(std::collections::BTreeMap::new());
        graph.run(8, |n| {
            let f = n.check_all(&cx)?;
            found
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(n.key(), f);
            Ok(())
        })?;
        let mut found = found.into_inner().unwrap_or_else(|e| e.into_inner());
        graph
            .order()?
            .iter()
            .filter_map(|n| found.remove(&n.key()))
            .flatten()
            .collect()
    };
    let mut changes = Vec::new();
    let mut unchanged = 0;
    for f in findings {
        let (action, why) = match f.decision {
            Decision::Keep(_) => {
                unchanged += 1;
                continue;
            }
            Decision::Create => ("create", None),
            Decision::Update(why) => ("update", Some(why)),
        };
        changes.push(Change {
            action,
            tenant: f.side.letter(),
            what: f.what,
            why,
        });
    }
    let removals = if prune {
        let desired = graph
            .order()?
            .iter()
            .map(|n| n.targets(&cx))
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .map(|(_, id)| id.to_ascii_lowercase())
            .collect::<BTreeSet<String>>();
        prune::removals(&ctx.snapshot(), &desired)
    } else {
        Vec::new()
    };
    let budget = budget(ctx, az, model, &removals)?;
    // No partial apply: an identity the graph would take past Azure's limit,
    // counting what others made on it, stops everything before any write.
    if let Some(b) = budget.iter().find(|b| b.used > b.limit) {
        return Err(Usage(format!(
            "identity {:?} would have {} federated credentials ({} of them not managed by xtenant), and Azure allows {} per identity: remove ones it no longer needs, split its workloads over two identities, or list fewer clusters per workload; nothing was changed",
            b.identity, b.used, b.not_managed, b.limit
        ))
        .into());
    }
    for r in &removals {
        changes.push(Change {
            action: "remove",
            tenant: "B",
            what: r.what(),
            why: Some("created by xtenant, no longer declared".into()),
        });
    }
    let unproven_moves = super::migration::unproven(
        &ctx.snapshot(),
        &ctx.profile_name(),
        proof_in_tenant_a,
        model,
        &removals,
    );
    Ok(Plan {
        changes,
        unchanged,
        budget,
        removals,
        unproven_moves,
    })
}

/// Each identity's credentials after the apply: the graph's, and the ones
/// already there that it does not declare (made by hand or by others).
fn budget(ctx: &Ctx, az: &Az, model: &Model, removals: &[Removal]) -> Result<Vec<Budget>> {
    // Credentials the prune removes no longer count.
    let removed: BTreeSet<(String, String)> = removals
        .iter()
        .filter_map(|r| {
            let id = ArmId::parse(&r.id);
            let credential = id.after(arm_id::CREDENTIALS)?;
            Some((
                id.child(arm_id::IDENTITY).to_string(),
                credential.to_string(),
            ))
        })
        .collect();
    let p = ctx.snapshot();
    let mut out = Vec::new();
    for i in &model.identities {
        let declared: BTreeSet<(String, String)> = model
            .bindings
            .iter()
            .filter(|b| b.identity == i.name)
            .map(|b| {
                let issuer = p
                    .graph
                    .clusters
                    .get(&b.cluster)
                    .and_then(|c| c.issuer_url.clone())
                    .unwrap_or_default();
                (
                    issuer,
                    xtenant_shared::names::subject(&b.namespace, &b.service_account),
                )
            })
            .collect();
        let existing = az.credential_list(&model.subscription_b, &i.resource_group, &i.name)?;
        let not_managed = existing
            .iter()
            .filter(|c| !declared.contains(&(c.issuer.clone(), c.subject.clone())))
            .filter(|c| !removed.contains(&(i.name.clone(), c.name.clone())))
            .count();
        out.push(Budget {
            identity: i.name.clone(),
            used: declared.len() + not_managed,
            limit: MAX_CREDENTIALS,
            not_managed,
        });
    }
    Ok(out)
}
