//! What applying a graph would change: every step read and decided (nothing
//! written), and each identity's federated-credential budget — how many of
//! Azure's 20 it will use, and how many of those xtenant does not manage.

use std::collections::BTreeSet;

use anyhow::Result;
use serde::Serialize;

use super::model::Model;
use crate::az::Az;
use crate::commands::{Ctx, WaitArgs};
use crate::engine::{Cx, Decision, Graph};
use crate::steps::credential::MAX_CREDENTIALS;

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
}

impl Plan {
    /// The plan in words, `+` create, `~` update.
    pub fn human(&self) -> String {
        let mut out = String::new();
        for c in &self.changes {
            let mark = if c.action == "create" { '+' } else { '~' };
            let why = c.why.as_ref().map(|w| format!(": {w}")).unwrap_or_default();
            out.push_str(&format!("{mark} Tenant {}: {}{why}\n", c.tenant, c.what));
        }
        for b in &self.budget {
            out.push_str(&format!(
                "budget: {}: {}/{} federated credentials used, {} not managed by xtenant\n",
                b.identity, b.used, b.limit, b.not_managed
            ));
        }
        let creates = self.changes.iter().filter(|c| c.action == "create").count();
        out.push_str(&format!(
            "plan: {creates} to create, {} to update, {} unchanged\n",
            self.changes.len() - creates,
            self.unchanged
        ));
        out
    }
}

/// Reads what exists and decides, step by step; writes nothing to Azure.
pub fn compute(ctx: &Ctx, az: &Az, model: &Model, graph: &Graph) -> Result<Plan> {
    let waits = WaitArgs::DEFAULT.waits();
    let cx = Cx {
        ctx,
        az,
        waits: &waits,
        changes: false,
    };
    let findings = graph.each(|n| n.check(&cx))?;
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
    let budget = budget(ctx, az, model)?;
    Ok(Plan {
        changes,
        unchanged,
        budget,
    })
}

/// Each identity's credentials after the apply: the graph's, and the ones
/// already there that it does not declare (made by hand or by others).
fn budget(ctx: &Ctx, az: &Az, model: &Model) -> Result<Vec<Budget>> {
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
