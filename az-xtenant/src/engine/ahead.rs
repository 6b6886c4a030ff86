//! The read-ahead walk: before a walk decides step by step, the reads that
//! can be asked already are asked at once, through an az that remembers the
//! answers, so that the walk, in dependency order, finds them instead of
//! asking one level after another. `plan` reads everything ahead. A walk that
//! writes reads ahead only what may exist: the steps that need no other (the
//! groups), and what the profile records as created or intended (a run
//! stopped during a create left the intent: that object is read and
//! adopted). The rest is read in the walk, unless it lies inside an object
//! the walk has just created, where there is nothing to find.

use std::collections::BTreeSet;

use super::{Graph, Key};
use crate::context::Ctx;

/// Threads asking at once (some wait for reads others asked first: more of
/// them than az processes).
const AT_ONCE: usize = 16;

/// Asks every step's read.
pub fn everything(cx: &Ctx, graph: &Graph) {
    graph.all_at_once(AT_ONCE, |n| n.prefetch(cx));
}

/// Asks the reads of what may exist before the walk's first write.
pub fn what_may_exist(cx: &Ctx, graph: &Graph) {
    let keys: BTreeSet<Key> = graph.keys();
    let owned = cx.snapshot().owned;
    graph.all_at_once(AT_ONCE, |n| {
        let root = !n.needs().iter().any(|k| keys.contains(k));
        let recorded = || {
            n.targets(cx)
                .is_ok_and(|t| t.iter().any(|(_, id)| owned.is_ours(id)))
        };
        if root || recorded() {
            n.prefetch(cx);
        }
    });
}
