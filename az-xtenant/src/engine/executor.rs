//! Runs a graph of steps: each starts when every step it needs has finished,
//! independent ones at the same time (one thread each, up to a limit). A
//! failed step's dependents never start; steps that do not need it go on, so
//! a run makes all the progress it can and the next one resumes from there.
//! After an interruption no new step starts; the running ones finish. Every
//! error is reported, the first one returned.

use std::collections::BTreeSet;
use std::sync::mpsc;

use anyhow::{Result, anyhow, bail};

use super::Node;
use crate::interrupt;

/// A step's name in the graph: "cluster", "identity:orders-writer".
pub type Key = String;

/// What the executor needs to know of a step.
pub trait Vertex: Send + Sync {
    fn key(&self) -> Key;
    /// Steps that must finish first.
    fn needs(&self) -> Vec<Key>;
}

/// Steps and their dependencies. A dependency on a key that is not in the
/// graph counts as met (a subcommand runs part of the graph and reads the
/// rest from the profile).
pub struct Graph<N: ?Sized = dyn Node> {
    nodes: Vec<Box<N>>,
}

impl<N: ?Sized + Vertex> Graph<N> {
    pub fn new(nodes: Vec<Box<N>>) -> Result<Self> {
        let graph = Self { nodes };
        graph.order()?;
        Ok(graph)
    }

    /// Every step's key.
    pub fn keys(&self) -> BTreeSet<Key> {
        self.nodes.iter().map(|n| n.key()).collect()
    }

    /// The steps in an order where every step comes after what it needs.
    pub fn order(&self) -> Result<Vec<&N>> {
        let keys: BTreeSet<Key> = self.nodes.iter().map(|n| n.key()).collect();
        let mut done: BTreeSet<Key> = BTreeSet::new();
        let mut out: Vec<&N> = Vec::new();
        while out.len() < self.nodes.len() {
            let before = out.len();
            for n in &self.nodes {
                if !done.contains(&n.key()) && self.ready(n.as_ref(), &keys, &done) {
                    done.insert(n.key());
                    out.push(n.as_ref());
                }
            }
            if out.len() == before {
                bail!("the steps' dependencies form a cycle");
            }
        }
        Ok(out)
    }

    fn ready(&self, n: &N, keys: &BTreeSet<Key>, done: &BTreeSet<Key>) -> bool {
        n.needs()
            .iter()
            .all(|k| !keys.contains(k) || done.contains(k))
    }

    /// Runs `f` on every step one at a time, in dependency order.
    pub fn each<T>(&self, mut f: impl FnMut(&N) -> Result<T>) -> Result<Vec<T>> {
        let mut out = Vec::new();
        for n in self.order()? {
            if interrupt::requested() {
                return Err(xtenant_shared::exit::Interrupted.into());
            }
            out.push(f(n)?);
        }
        Ok(out)
    }

    /// Runs `f` on every step, in no order, at most `parallel` at once.
    pub fn all_at_once(&self, parallel: usize, f: impl Fn(&N) + Sync) {
        let next = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..parallel.clamp(1, self.nodes.len().max(1)) {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        let Some(n) = self.nodes.get(i) else { break };
                        if interrupt::requested() {
                            break;
                        }
                        f(n.as_ref());
                    }
                });
            }
        });
    }

    /// Runs `f` on every step, each as soon as what it needs is done, with at
    /// most `parallel` at once.
    pub fn run(&self, parallel: usize, f: impl Fn(&N) -> Result<()> + Sync) -> Result<()> {
        let keys: BTreeSet<Key> = self.nodes.iter().map(|n| n.key()).collect();
        let mut done: BTreeSet<Key> = BTreeSet::new();
        let mut started: BTreeSet<Key> = BTreeSet::new();
        let mut failed: BTreeSet<Key> = BTreeSet::new();
        let mut errors: Vec<anyhow::Error> = Vec::new();
        let (tx, rx) = mpsc::channel::<(Key, Result<()>)>();
        std::thread::scope(|scope| {
            let mut running = 0usize;
            loop {
                if !interrupt::requested() {
                    for n in &self.nodes {
                        if running >= parallel.max(1) {
                            break;
                        }
                        if started.contains(&n.key()) {
                            continue;
                        }
                        if n.needs().iter().any(|k| failed.contains(k)) {
                            // Never runs; what needs it is skipped in turn.
                            started.insert(n.key());
                            failed.insert(n.key());
                            continue;
                        }
                        if !self.ready(n.as_ref(), &keys, &done) {
                            continue;
                        }
                        started.insert(n.key());
                        running += 1;
                        let (tx, f, n) = (tx.clone(), &f, n.as_ref());
                        scope.spawn(move || {
                            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(n)))
                                .unwrap_or_else(|_| {
                                    Err(anyhow!("the step {} stopped unexpectedly", n.key()))
                                });
                            let _ = tx.send((n.key(), r));
                        });
                    }
                }
                if running == 0 {
                    break;
                }
                let Ok((key, result)) = rx.recv() else { break };
                running -= 1;
                match result {
                    Ok(()) => {
                        done.insert(key);
                    }
                    Err(e) => {
                        failed.insert(key);
                        errors.push(e);
                    }
                }
            }
        });
        if interrupt::requested() && done.len() < self.nodes.len() {
            // The steps the interruption stopped did not fail: only the
            // others are worth a message; the run ends interrupted.
            for e in errors.iter().filter(|e| !stopped(e)) {
                eprintln!("error: {e:#}");
            }
            return Err(xtenant_shared::exit::Interrupted.into());
        }
        if let Some(first) = first_error(errors) {
            return Err(first);
        }
        Ok(())
    }
}

/// Whether `e` is a step stopped by the interruption.
fn stopped(e: &anyhow::Error) -> bool {
    xtenant_shared::exit::code_for(e, crate::error::classify) == xtenant_shared::exit::INTERRUPTED
}

/// The first error to return; the others are printed so none is lost.
fn first_error(mut errors: Vec<anyhow::Error>) -> Option<anyhow::Error> {
    if errors.is_empty() {
        return None;
    }
    let first = errors.remove(0);
    for e in errors {
        eprintln!("error: {e:#}");
    }
    Some(first)
}

#[cfg(test)]
mod tests;
