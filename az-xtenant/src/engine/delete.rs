//! The one delete walk. `cleanup`, `apply --prune` and `audit --fix` each
//! work out what to remove; this deletes it, in the order given (objects
//! before the groups and identities they belong to): an object already gone
//! counts as removed, each one is forgotten in the profile as soon as it is
//! gone, and each is said.

use anyhow::Result;
use xtenant_shared::Profile;
use xtenant_shared::ownership::ObjectKind;

use super::Node;
use crate::az::AzError;
use crate::az::arm_id::{self, ArmId};
use crate::context::Ctx;
use crate::settings::Side;

/// How an object is deleted.
#[derive(Clone, Copy)]
pub enum By<'a> {
    /// Through the step that made it (the demo's graph, walked backwards).
    Step(&'a dyn Node),
    /// From its kind and ARM ID alone: what the declared graph no longer
    /// names, and what the audit found.
    Id,
}

/// One object to delete.
#[derive(Clone)]
pub struct Doomed<'a> {
    pub side: Side,
    pub kind: ObjectKind,
    /// Its ARM ID, as the profile records it.
    pub id: String,
    /// In words: "federated credential xt-aks-blue-orders-writer".
    pub what: String,
    pub by: By<'a>,
}

impl<'a> Doomed<'a> {
    /// An object deleted from its ARM ID, named by its kind and name.
    pub fn by_id(side: Side, kind: ObjectKind, id: &str) -> Self {
        Self {
            side,
            kind,
            id: id.to_string(),
            what: format!("{} {}", kind.label(), ArmId::parse(id).name()),
            by: By::Id,
        }
    }
}

/// Deletes `doomed` in order. `forget` drops each one from the profile once
/// it is gone; `said` says what became of it ("Tenant B: removed …").
pub fn delete_all(
    cx: &Ctx,
    doomed: &[Doomed],
    forget: impl Fn(&mut Profile, ObjectKind, &str),
    said: impl Fn(&Doomed) -> String,
) -> Result<()> {
    for d in doomed {
        match delete(cx, d) {
            Err(e) if gone(&e) => {}
            other => other?,
        }
        cx.record(|p| forget(p, d.kind, &d.id))?;
        cx.progress.done(&said(d));
    }
    Ok(())
}

/// Whether a delete failed only because the object was already gone.
fn gone(e: &anyhow::Error) -> bool {
    e.downcast_ref::<AzError>()
        .is_some_and(AzError::is_not_found)
}

fn delete(cx: &Ctx, d: &Doomed) -> Result<()> {
    match d.by {
        By::Step(node) => node.delete(cx),
        By::Id => by_id(cx, d.kind, &d.id),
    }
}

/// Deletes an object xtenant made from its kind and ARM ID: federated
/// credentials, identities, role assignments and (for `grant --retire`,
/// which has checked it is ours and empty) resource groups; the rest only
/// through their steps.
fn by_id(cx: &Ctx, kind: ObjectKind, id: &str) -> Result<()> {
    let parsed = ArmId::parse(id);
    let (sub, rg) = (parsed.subscription(), parsed.resource_group());
    let az = cx.az()?;
    match kind {
        ObjectKind::FederatedCredential => az.credential_delete(
            sub,
            rg,
            parsed.child(arm_id::IDENTITY),
            parsed.child(arm_id::CREDENTIALS),
        )?,
        ObjectKind::ManagedIdentity => {
            az.identity_delete(sub, rg, parsed.child(arm_id::IDENTITY))?;
        }
        ObjectKind::RoleAssignment => az.role_assignment_delete(sub, id)?,
        ObjectKind::ResourceGroup => az.group_delete(sub, rg, false)?,
        other => anyhow::bail!(
            "{} {id}: xtenant deletes this kind only through the step that made it",
            other.label()
        ),
    }
    Ok(())
}
