//! The write protocol, once: read the object; adopt it when a run stopped
//! during its create left the intent behind; decide; record a create as
//! intended before the write and as created after it; say what became of
//! it. The engine applies each step with it; a step that writes several
//! objects in one go (an identity's credentials in one deployment) uses the
//! same pieces around its one write.

use anyhow::Result;
use xtenant_shared::ownership::ObjectKind;

use super::{Decision, Present, Step};
use crate::context::Ctx;
use crate::settings::Side;

/// One object read and decided, before its write.
pub struct Decided<L> {
    pub kind: ObjectKind,
    /// Its ARM ID.
    pub id: String,
    pub live: L,
    pub decision: Decision,
}

/// Reads the step's object, adopts it when a stopped run left its intent
/// (the object is there, so the create went through), and decides. An
/// object inside one this run created is not read: it cannot be there.
pub fn read_and_decide<S: Step>(step: &S, cx: &Ctx) -> Result<Decided<S::Live>> {
    let (kind, id) = step.target(cx)?;
    let live = if cx.inside_made(&id) {
        S::Live::absent()
    } else {
        step.read(cx)?
    };
    if live.present() && cx.snapshot().owned.is_ours(&id) {
        // A run stopped during the create left the intent: it is ours.
        cx.record(|p| p.owned.created(kind, &id))?;
    }
    let decision = step.decide(cx, &live)?;
    Ok(Decided {
        kind,
        id,
        live,
        decision,
    })
}

/// Records the objects about to be created as intended, before the write:
/// a run stopped during it still knows on resume that they are its own.
pub fn intend<'a>(
    cx: &Ctx,
    creates: impl IntoIterator<Item = (ObjectKind, &'a str)>,
) -> Result<()> {
    let creates: Vec<_> = creates.into_iter().collect();
    for (_, id) in &creates {
        cx.intending(id);
    }
    cx.record(|p| {
        for (kind, id) in &creates {
            p.owned.intend(*kind, id);
        }
    })
}

/// Records the objects just written as created.
pub fn made<'a>(cx: &Ctx, creates: impl IntoIterator<Item = (ObjectKind, &'a str)>) -> Result<()> {
    let creates: Vec<_> = creates.into_iter().collect();
    for (_, id) in &creates {
        cx.made(id);
    }
    cx.record(|p| {
        for (kind, id) in &creates {
            p.owned.created(*kind, id);
        }
    })
}

/// Says what became of an object: kept as it was, created, or updated.
pub fn report(cx: &Ctx, side: Side, what: &str, decision: &Decision, note: Option<String>) {
    let label = side.label();
    let note = note.map(|n| format!(" ({n})")).unwrap_or_default();
    match decision {
        Decision::Keep(how) => cx.progress.done(&format!("{label}: {what} {how}")),
        Decision::Create => cx.progress.done(&format!("{label}: created {what}{note}")),
        Decision::Update(_) => cx.progress.done(&format!("{label}: updated {what}")),
    }
}
