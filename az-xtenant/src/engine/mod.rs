//! The step engine. Every step has one shape — read the live object, decide
//! what to do, write, record — and one executor runs a graph of steps in
//! dependency order, independent ones at once. `up` is the one-cluster,
//! one-identity graph; `status` walks it reading and deciding only; a dry run
//! walks it with writes printed; `cleanup` walks it backwards.
//!
//! Ownership is written ahead: before a create the step's ARM ID is recorded
//! as intended, after it as created, so a run stopped in between still knows
//! on resume that the object is its own.

pub mod ahead;
pub mod delete;
mod executor;
pub mod protocol;

pub use executor::{Graph, Key, Vertex};
pub use protocol::report;

use anyhow::Result;
use xtenant_shared::ownership::ObjectKind;

use crate::az::Az;
use crate::context::{Ctx, Waits};
use crate::settings::Side;

/// Applies a graph: in dependency order, independent steps at once; a
/// dry run one step at a time, so the printed plan reads in order. With an
/// az that remembers answers, what may exist is read ahead, all at once.
pub fn apply(ctx: &Ctx, az: &Az, graph: &Graph, waits: &Waits) -> Result<()> {
    let cx = ctx.walk(az, waits, !az.dry_run());
    if az.dry_run() {
        graph.each(|n| n.apply(&cx)).map(drop)
    } else {
        if az.remembers() {
            // A read ahead only looks: waiting for Azure to settle is the walk's.
            ahead::what_may_exist(&ctx.walk(az, waits, false), graph);
        }
        graph.run(8, |n| {
            n.apply(&cx)
                .map_err(|e| e.context(format!("{}: {}", n.side().label(), n.what())))
        })
    }
}

/// What a step found it must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// It exists as wanted (how, in words).
    Keep(String),
    /// It does not exist: create it.
    Create,
    /// It exists but differs (why, in words): fix it.
    Update(String),
}

/// Whether what a step read exists.
pub trait Present {
    fn present(&self) -> bool;
    /// What `read` finds where nothing is (not asked: the object lies
    /// inside one this run created).
    fn absent() -> Self
    where
        Self: Sized;
}

impl<T> Present for Option<T> {
    fn present(&self) -> bool {
        self.is_some()
    }
    fn absent() -> Self {
        None
    }
}

/// One unit of work on one Azure object.
pub trait Step: Send + Sync {
    /// What `read` finds.
    type Live: Send + Present;
    fn key(&self) -> Key;
    /// Steps whose records this one reads.
    fn needs(&self) -> Vec<Key>;
    fn side(&self) -> Side;
    /// The object, in words: "queue myqueue".
    fn what(&self) -> String;
    /// The object's kind and ARM ID, known before it exists.
    fn target(&self, cx: &Ctx) -> Result<(ObjectKind, String)>;
    /// Reads the live object.
    fn read(&self, cx: &Ctx) -> Result<Self::Live>;
    fn decide(&self, cx: &Ctx, live: &Self::Live) -> Result<Decision>;
    /// Carries the decision out; answers the object as it now is (as
    /// planned, in a dry run, where nothing is written).
    fn write(&self, cx: &Ctx, decision: &Decision, live: Self::Live) -> Result<Self::Live>;
    /// Records what is now known in the profile.
    fn record(&self, cx: &Ctx, live: &Self::Live) -> Result<()>;
    /// Deletes the object (cleanup, only for objects this profile created).
    fn delete(&self, cx: &Ctx) -> Result<()>;
    /// Said after "created …" (how it is marked, what to expect next).
    fn created_note(&self, _cx: &Ctx) -> Option<String> {
        None
    }
}

/// What a step found in a read-only walk (`status`).
#[derive(Debug, Clone)]
pub struct Finding {
    pub side: Side,
    pub what: String,
    pub decision: Decision,
    /// Whether this profile created the object.
    pub ours: bool,
}

/// A step as the executor sees it, whatever it reads.
pub trait Node: Vertex {
    fn side(&self) -> Side;
    fn what(&self) -> String;
    fn target(&self, cx: &Ctx) -> Result<(ObjectKind, String)>;
    /// Read, decide, write (with the intent recorded first), record.
    fn apply(&self, cx: &Ctx) -> Result<()>;
    /// Read and decide; record in memory only.
    fn check(&self, cx: &Ctx) -> Result<Finding>;
    /// Whether the object exists now.
    fn present(&self, cx: &Ctx) -> Result<bool>;
    fn delete(&self, cx: &Ctx) -> Result<()>;
    /// Every object the node manages (one, unless it groups several).
    fn targets(&self, cx: &Ctx) -> Result<Vec<(ObjectKind, String)>> {
        Ok(vec![self.target(cx)?])
    }
    /// Asks Azure what `read` will ask, before the steps it needs have run,
    /// so that a walk with an az that remembers answers finds them; what
    /// cannot be asked yet is left for the walk.
    fn prefetch(&self, cx: &Ctx) {
        let _ = self.present(cx);
    }
    /// What `check` finds, for each object the node manages.
    fn check_all(&self, cx: &Ctx) -> Result<Vec<Finding>> {
        Ok(vec![self.check(cx)?])
    }
}

impl<S: Step> Vertex for S {
    fn key(&self) -> Key {
        Step::key(self)
    }
    fn needs(&self) -> Vec<Key> {
        Step::needs(self)
    }
}

impl<S: Step> Node for S {
    fn side(&self) -> Side {
        Step::side(self)
    }
    fn what(&self) -> String {
        Step::what(self)
    }
    fn target(&self, cx: &Ctx) -> Result<(ObjectKind, String)> {
        Step::target(self, cx)
    }

    fn apply(&self, cx: &Ctx) -> Result<()> {
        let d = protocol::read_and_decide(self, cx)?;
        let (side, what) = (self.side(), self.what());
        let now = match &d.decision {
            Decision::Keep(_) => d.live,
            Decision::Create => {
                protocol::intend(cx, [(d.kind, d.id.as_str())])?;
                let now = self.write(cx, &d.decision, d.live)?;
                protocol::made(cx, [(d.kind, d.id.as_str())])?;
                now
            }
            Decision::Update(why) => {
                cx.progress
                    .note(&format!("{}: {what} {why}; fixing it", side.label()));
                self.write(cx, &d.decision, d.live)?
            }
        };
        let note = (d.decision == Decision::Create)
            .then(|| self.created_note(cx))
            .flatten();
        report(cx, side, &what, &d.decision, note);
        self.record(cx, &now)
    }

    fn check(&self, cx: &Ctx) -> Result<Finding> {
        let (_, id) = self.target(cx)?;
        let live = self.read(cx)?;
        let decision = self.decide(cx, &live)?;
        self.record(cx, &live)?;
        Ok(Finding {
            side: self.side(),
            what: self.what(),
            decision,
            ours: cx.snapshot().owned.is_ours(&id),
        })
    }

    fn present(&self, cx: &Ctx) -> Result<bool> {
        Ok(self.read(cx)?.present())
    }

    fn delete(&self, cx: &Ctx) -> Result<()> {
        Step::delete(self, cx)
    }
}
