//! The executor on plain vertices: order, parallelism, stopping on failure.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::*;

struct V(&'static str, Vec<&'static str>);

impl Vertex for V {
    fn key(&self) -> Key {
        self.0.into()
    }
    fn needs(&self) -> Vec<Key> {
        self.1.iter().map(|k| (*k).into()).collect()
    }
}

fn graph(spec: &[(&'static str, &[&'static str])]) -> Graph<V> {
    let nodes = spec
        .iter()
        .map(|(k, n)| Box::new(V(k, n.to_vec())))
        .collect();
    Graph::new(nodes).expect("acyclic")
}

/// The demo's shape.
fn demo() -> Graph<V> {
    graph(&[
        ("credential", &["identity", "cluster"]),
        ("role", &["identity", "namespace"]),
        ("group-a", &[]),
        ("cluster", &["group-a"]),
        ("group-b", &[]),
        ("namespace", &["group-b"]),
        ("queue", &["namespace"]),
        ("identity", &["group-b"]),
    ])
}

#[test]
fn order_puts_every_step_after_its_needs() {
    let g = demo();
    let order: Vec<Key> = g.order().expect("order").iter().map(|v| v.key()).collect();
    let pos = |k: &Key| order.iter().position(|o| o == k).expect("present");
    for v in g.order().expect("order") {
        for n in v.needs() {
            assert!(
                pos(&n) < pos(&v.key()),
                "{n} before {} in {order:?}",
                v.key()
            );
        }
    }
}

#[test]
fn a_cycle_is_refused() {
    let nodes = vec![Box::new(V("a", vec!["b"])), Box::new(V("b", vec!["a"]))];
    assert!(Graph::new(nodes).is_err());
}

#[test]
fn needs_outside_the_graph_count_as_met() {
    let g = graph(&[("credential", &["identity", "cluster"])]);
    let seen = Mutex::new(Vec::new());
    g.run(4, |v| {
        seen.lock().expect("lock").push(v.key());
        Ok(())
    })
    .expect("runs");
    assert_eq!(*seen.lock().expect("lock"), vec!["credential".to_string()]);
}

#[test]
fn independent_steps_run_at_the_same_time() {
    // Each of the two roots waits until both have started: run one after
    // the other, the first would give up.
    let g = graph(&[("a", &[]), ("b", &[]), ("c", &["a", "b"])]);
    let started = AtomicUsize::new(0);
    let finished_c = AtomicUsize::new(0);
    g.run(4, |v| {
        if v.0 == "c" {
            assert_eq!(started.load(Ordering::SeqCst), 2, "c runs after a and b");
            finished_c.fetch_add(1, Ordering::SeqCst);
            return Ok(());
        }
        started.fetch_add(1, Ordering::SeqCst);
        let deadline = Instant::now() + Duration::from_secs(5);
        while started.load(Ordering::SeqCst) < 2 {
            anyhow::ensure!(Instant::now() < deadline, "{} ran alone", v.key());
            std::thread::sleep(Duration::from_millis(5));
        }
        Ok(())
    })
    .expect("runs");
    assert_eq!(finished_c.load(Ordering::SeqCst), 1);
}

#[test]
fn the_limit_caps_how_many_run_at_once() {
    let g = graph(&[("a", &[]), ("b", &[]), ("c", &[]), ("d", &[])]);
    let now = AtomicUsize::new(0);
    let most = AtomicUsize::new(0);
    g.run(2, |_| {
        let n = now.fetch_add(1, Ordering::SeqCst) + 1;
        most.fetch_max(n, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(30));
        now.fetch_sub(1, Ordering::SeqCst);
        Ok(())
    })
    .expect("runs");
    assert_eq!(most.load(Ordering::SeqCst), 2);
}

#[test]
fn after_a_failure_what_needs_it_never_starts_and_the_rest_goes_on() {
    let g = graph(&[
        ("slow", &[]),
        ("bad", &[]),
        ("after-bad", &["bad"]),
        ("after-slow", &["slow"]),
    ]);
    let ran = Mutex::new(Vec::new());
    let err = g
        .run(4, |v| {
            match v.0 {
                "bad" => anyhow::bail!("bad failed"),
                "slow" => std::thread::sleep(Duration::from_millis(200)),
                _ => {}
            }
            ran.lock().expect("lock").push(v.0);
            Ok(())
        })
        .expect_err("fails");
    assert_eq!(err.to_string(), "bad failed");
    let mut ran = ran.lock().expect("lock").clone();
    ran.sort_unstable();
    // What needs the failed step never runs; what does not goes on.
    assert_eq!(ran, vec!["after-slow", "slow"]);
}

#[test]
fn a_panicking_step_is_an_error_not_a_crash() {
    let g = graph(&[("a", &[])]);
    let err = g
        .run(1, |_| -> Result<()> { panic!("boom") })
        .expect_err("fails");
    assert!(err.to_string().contains("stopped unexpectedly"), "{err}");
}
