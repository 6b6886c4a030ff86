//! The fault matrix: `az-xtenant up` killed (SIGKILL) before, during and after
//! each of its eight writes, and met by each Azure fault it claims to handle,
//! against one simulator, two cases at a time, each in its own resource groups
//! and profile. After every case: the clean run's end state, every ownership
//! record `created`, a further `up` without writes, and a `cleanup --yes` that
//! deletes exactly what xtenant created and keeps what was made by hand. The
//! further `up` and the cleanup are run by the clean run and by every case
//! whose estate and profile differ from the clean run's; a case whose estate
//! and profile are the clean run's (renamed: `fm/converged.rs`) would get the
//! same answers, so the clean run's stand for its own (a case that gets there
//! while the clean run is still going waits for it). Prints the matrix and
//! fails naming every case that did not survive.

mod fm;

use std::collections::{BTreeSet, VecDeque};
use std::io::Write as _;
use std::sync::Mutex;
use std::time::Instant;

use azsim::{Harness, workspace_bin};
use fm::converged::Reference;
use fm::seed::Arm;
use fm::{FAULTS, Followup, Outcome, POINTS, Trial, WRITES, case, expected_cases, matrix};

/// Cases run at the same time (the machine has two cores; each az call costs one).
const PARALLEL: usize = 2;

#[test]
fn up_survives_every_kill_point_and_fault() {
    matrix_is_complete();
    let bin = workspace_bin("az-xtenant");
    let h = Harness::start();
    one_ssh_key(&h);
    // A cluster takes a moment to create, so a resumed run finds it busy.
    h.update_faults(|f| {
        f.lro_ms.insert("managedClusters.put".into(), 1_500);
    });
    let arm = Arm::new(&h);
    let started = Instant::now();
    let (chosen, only) = chosen_cases();
    let reference = Reference::new(chosen.iter().any(|(_, t)| matches!(t, Trial::Clean)));
    let queue: Mutex<VecDeque<(usize, Trial)>> = Mutex::new(chosen);
    let done: Mutex<Vec<(usize, Outcome)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..PARALLEL {
            s.spawn(|| {
                loop {
                    let next = queue.lock().expect("queue").pop_front();
                    let Some((n, trial)) = next else { break };
                    let outcome = case::run(&h, &bin, &arm, &reference, n, trial);
                    eprintln!(
                        "fault matrix: case {n:02} {} in {:.1} s",
                        if outcome.failures.is_empty() {
                            "survived"
                        } else {
                            "FAILED"
                        },
                        outcome.secs
                    );
                    done.lock().expect("results").push((n, outcome));
                }
            });
        }
    });
    let mut outcomes = done.into_inner().expect("results");
    outcomes.sort_by_key(|(n, _)| *n);
    compare_with_clean_run(&mut outcomes);
    let stray = stray_writes(&h);
    print_table(&outcomes, started.elapsed().as_secs_f64());
    let failed: Vec<String> = outcomes
        .iter()
        .filter(|(_, o)| !o.failures.is_empty())
        .map(|(n, o)| {
            let (what, how) = o.trial.columns();
            format!(
                "case {n:02} ({what}, {how}):\n  {}",
                o.failures.join("\n  ")
            )
        })
        .collect();
    if !only {
        assert_eq!(
            outcomes.len(),
            expected_cases(),
            "cases run: the matrix has {} (writes × kill points + faults + the clean run)",
            expected_cases()
        );
    }
    assert!(
        failed.is_empty() && stray.is_empty(),
        "{} of {} cases did not survive:\n{}\nwrites outside every case's groups: {stray:?}",
        failed.len(),
        outcomes.len(),
        failed.join("\n")
    );
    assert_eq!(
        h.unknown_routes(),
        Vec::<String>::new(),
        "requests the simulator could not route"
    );
}

/// The matrix has every case its tables make, each once (writes × kill points,
/// plus the faults and the clean run): a case dropped from (or doubled in) the
/// list fails here, before anything runs.
fn matrix_is_complete() {
    let all = matrix();
    let distinct: BTreeSet<(String, String)> = all.iter().map(Trial::columns).collect();
    assert_eq!(
        (all.len(), distinct.len()),
        (expected_cases(), expected_cases()),
        "the matrix lists {} cases ({} distinct); its tables make {}: {} writes × {} kill points + {} faults + the clean run",
        all.len(),
        distinct.len(),
        expected_cases(),
        WRITES.len(),
        POINTS.len(),
        FAULTS.len()
    );
}

/// Every case, or (to look at one again) those `FAULT_MATRIX_ONLY=3,17` names,
/// said loudly; the clean run always comes along as the reference. Also
/// answers whether the choice is partial.
fn chosen_cases() -> (VecDeque<(usize, Trial)>, bool) {
    let all = matrix().into_iter().enumerate();
    let Ok(only) = std::env::var("FAULT_MATRIX_ONLY") else {
        return (all.collect(), false);
    };
    let picked: Vec<usize> = only
        .split(',')
        .map(|n| {
            n.trim()
                .parse()
                .ok()
                .filter(|n| *n < expected_cases())
                .unwrap_or_else(|| {
                    panic!(
                        "FAULT_MATRIX_ONLY={only}: {n:?} is not a case number (0 to {}); give case numbers separated by commas",
                        expected_cases() - 1
                    )
                })
        })
        .collect();
    let chosen: VecDeque<(usize, Trial)> = all
        .filter(|(n, t)| picked.contains(n) || matches!(t, Trial::Clean))
        .collect();
    eprintln!(
        "fault matrix: FAULT_MATRIX_ONLY={only}: running only cases {picked:?} and the clean run, {} of the matrix's {} cases: THE MATRIX IS NOT COMPLETE",
        chosen.len(),
        expected_cases()
    );
    (chosen, true)
}

/// Every case's objects, by kind and name, equal the clean run's.
fn compare_with_clean_run(outcomes: &mut [(usize, Outcome)]) {
    let clean = outcomes
        .iter()
        .find(|(_, o)| matches!(o.trial, Trial::Clean))
        .and_then(|(_, o)| o.state.clone());
    let Some(clean) = clean else {
        for (_, o) in outcomes.iter_mut() {
            o.failures.push("no clean run to compare with".into());
        }
        return;
    };
    for (_, o) in outcomes.iter_mut() {
        if let Some(state) = &o.state
            && *state != clean
        {
            o.failures.push(format!(
                "end state differs from the clean run's:\n    got  {state:?}\n    want {clean:?}"
            ));
        }
    }
}

/// ARM writes no case made: every write must be in some case's groups.
fn stray_writes(h: &Harness) -> Vec<String> {
    h.writes_since(0)
        .into_iter()
        .filter(|w| !w.to_ascii_lowercase().contains("/resourcegroups/fm"))
        .collect()
}

fn print_table(outcomes: &[(usize, Outcome)], secs: f64) {
    println!("\n| # | case | kill point or fault | survived | further up, cleanup | s |");
    println!("|---|---|---|---|---|---:|");
    for (n, o) in outcomes {
        let (what, how) = o.trial.columns();
        let ok = if o.failures.is_empty() { "yes" } else { "no" };
        let followup = match o.followup {
            Followup::NotReached => "not reached",
            Followup::Ran => "ran",
            Followup::AsCleanRun => "the clean run's (same estate)",
        };
        println!(
            "| {n:02} | {what} | {how} | {ok} | {followup} | {:.1} |",
            o.secs
        );
    }
    let survived = outcomes
        .iter()
        .filter(|(_, o)| o.failures.is_empty())
        .count();
    let own: Vec<String> = outcomes
        .iter()
        .filter(|(_, o)| o.followup == Followup::Ran)
        .map(|(n, _)| format!("{n:02}"))
        .collect();
    // Written to stderr itself, past the test harness's capture: the matrix
    // is the longest test, and what it cost shows even when it passes.
    let _ = writeln!(
        std::io::stderr(),
        "\nfault matrix: {} cases tried, {survived} survived, {} ran their own further up and cleanup ({}) ({secs:.0} s)",
        outcomes.len(),
        own.len(),
        own.join(", ")
    );
}

/// An RSA public key for every case's cluster (test data; its private half
/// was never kept).
const SSH_PUBLIC_KEY: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCo5ujvYLphPEEPhELFfs2jLH1fL9ECtsSQQj8HQiP15qmO6X3qYDfivDsSzcmTgvXOPR+qj+JwpsLBBjcciN90lXI0iYVFBRnEAK9Pkzil6x1/ilIidfs2MFqtKBl/8ahhOuXk8xD+DF/rPvF9lWFqEFfcDzHUV/b/Ews9sXu5+QZ9y5O01wnxEohrDOQraAwqOPzVqnvhL8v5SD4HOyM5pfrKiBptWzsIFQtWQVlmhQbtkCnlZyMqXkJnCviD+xkkGYs+34Cp0ZuhwEbZ3lamKWpJ15LuQYRpJ6OmbysCH4wI1gOppugc3uN/N9sHuwsPgeANrUXTELTBelvCQc7j xtenant-fault-matrix";

/// Every case's `az aks create --generate-ssh-keys` reads the shared HOME's
/// `~/.ssh/id_rsa.pub` and writes a new key pair when there is none (az's
/// `validate_ssh_key`): the first two cases, running at once, would each
/// write their own, and the clean run's cluster could hold a key no later
/// case's does, so that no case's estate matched the clean run's and each
/// ran its own further `up` and cleanup. The key is there from the start.
fn one_ssh_key(h: &Harness) {
    let dir = h.dir().join("home/.ssh");
    std::fs::create_dir_all(&dir).expect("creating the harness's ~/.ssh");
    std::fs::write(dir.join("id_rsa.pub"), format!("{SSH_PUBLIC_KEY}\n"))
        .expect("writing the harness's ~/.ssh/id_rsa.pub");
}
