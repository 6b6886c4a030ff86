//! The contract both tools keep, checked on az-xtenant: every exit code of the
//! README's table is produced and means what the table says; every command
//! that prints keeps its exit code when its reader has gone; one writer per
//! profile; Ctrl-C stops a run resumably.
#![allow(clippy::unwrap_used)]

mod support;

use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use support::*;

/// The exit codes the README's table lists, as (code, meaning).
fn readme_codes() -> Vec<(u8, String)> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let table = readme
        .split("<!-- exit-codes -->")
        .nth(1)
        .expect("README marks its exit-code table with <!-- exit-codes -->")
        .split("<!-- /exit-codes -->")
        .next()
        .unwrap_or_default();
    table
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let code = cells.get(1)?.trim_matches('`').parse().ok()?;
            Some((code, cells.get(2)?.to_string()))
        })
        .collect()
}

fn code(out: &Output) -> u8 {
    u8::try_from(out.status.code().unwrap_or(-1)).unwrap_or(255)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A world after a complete `up`.
fn up_world() -> World {
    let w = World::new();
    w.init();
    fresh(&w);
    w.ok(&["up"]);
    w
}

fn wait_for(child: &mut Child, limit: Duration) -> Output {
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "still running after {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut out = Output {
        status: child.wait().unwrap(),
        stdout: Vec::new(),
        stderr: Vec::new(),
    };
    use std::io::Read;
    if let Some(mut s) = child.stdout.take() {
        s.read_to_end(&mut out.stdout).unwrap();
    }
    if let Some(mut s) = child.stderr.take() {
        s.read_to_end(&mut out.stderr).unwrap();
    }
    out
}

fn spawn(w: &World, args: &[&str], env: &[(&str, &str)]) -> Child {
    let mut cmd = w.command(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn every_code_of_the_table_is_produced_as_it_says() {
    let table = readme_codes();
    let codes: Vec<u8> = table.iter().map(|(c, _)| *c).collect();
    assert_eq!(
        codes,
        [0, 1, 2, 3, 4, 5, 127, 130],
        "README table: {table:?}"
    );

    // 0: done.
    let w = up_world();
    assert_eq!(code(&w.run(&["env"])), 0);

    // 1: a check found a problem (status: the queue is gone).
    w.on(
        &format!("servicebus_queue_show@{SB}"),
        vec![not_found("myqueue")],
    );
    let out = w.run(&["status"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("FIX"),
        "{}",
        describe(&out)
    );

    // 2: bad input, nothing run.
    w.clear_calls();
    let out = w.run(&["init", "--tenant-a", "not-a-guid"]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(w.calls().is_empty());

    // 3: an operation failed; az's own message and code are shown.
    let w = World::new();
    w.init();
    fresh(&w);
    let denied = "ERROR: (AuthorizationFailed) The client may not write";
    w.on(
        &format!("group_create@{SA}"),
        vec![Resp::Fail(1, denied.into())],
    );
    let out = w.run(&["cluster"]);
    assert_eq!(code(&out), 3, "{}", describe(&out));
    assert!(stderr(&out).contains(denied) && stderr(&out).contains("(exit code 1)"));

    // 4: a wait ran out (a cluster AKS stays busy with).
    let w = World::new();
    w.init();
    fresh(&w);
    let mut busy = cluster(true);
    busy["provisioningState"] = json!("Updating");
    w.on(&format!("group_show@{SA}"), vec![Resp::Json(group(true))]);
    w.on(&format!("aks_show@{SA}"), vec![Resp::Json(busy)]);
    let out = w.run_env(
        &["cluster", "--cluster-wait", "1"],
        &[("XTENANT_POLL_SECS", "1")],
    );
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(
        stderr(&out).contains("--cluster-wait"),
        "{}",
        describe(&out)
    );

    // 5: another command holds the profile (see the race test below).
    // 127: no az.
    let mut w = World::new();
    w.init();
    w.with_az = false;
    assert_eq!(code(&w.run(&["up"])), 127);
    // 130: see the interruption test below.
}

#[test]
fn two_ups_at_once_one_completes_and_the_other_refuses_at_once() {
    let w = World::new();
    w.init();
    fresh(&w);
    // The first run holds the profile and waits on its first az call, so it
    // makes no other call while the second one tries.
    let key = "account_list".to_string();
    w.hold(&key);
    let mut first = spawn(&w, &["up"], &[]);
    w.wait_held(&key);
    let calls_before = w.calls().len();
    let started = Instant::now();
    let second = w.run(&["up"]);
    let took = started.elapsed();
    assert_eq!(code(&second), 5, "{}", describe(&second));
    assert!(took < Duration::from_secs(1), "refused in {took:?}");
    let err = stderr(&second);
    assert!(
        err.contains("`az-xtenant up`") && err.contains(&format!("PID {}", first.id())),
        "{err}"
    );
    assert_eq!(
        w.calls().len(),
        calls_before,
        "the refused run called no az"
    );
    w.release(&key);
    let out = wait_for(&mut first, Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let creates = w
        .calls()
        .iter()
        .filter(|c| c.join(" ").starts_with("aks create"))
        .count();
    assert_eq!(creates, 1, "one cluster, not two");
    // --wait-lock waits for the holder instead of refusing.
    w.hold("account_list");
    let mut holder = spawn(&w, &["up"], &[]);
    w.wait_held("account_list");
    let mut waiter = spawn(&w, &["up", "--wait-lock", "60"], &[]);
    std::thread::sleep(Duration::from_millis(500));
    assert!(waiter.try_wait().unwrap().is_none(), "the second run waits");
    w.release("account_list");
    assert_eq!(code(&wait_for(&mut holder, Duration::from_secs(60))), 0);
    let waited = wait_for(&mut waiter, Duration::from_secs(60));
    assert_eq!(code(&waited), 0, "{}", describe(&waited));
}

#[test]
fn ctrl_c_during_up_saves_what_finished_and_exits_130_then_resumes() {
    let w = World::new();
    w.init();
    fresh(&w);
    let key = format!("aks_create@{SA}");
    w.hold(&key);
    let mut up = spawn(&w, &["up"], &[]);
    w.wait_held(&key);
    let pid = rustix::process::Pid::from_raw(i32::try_from(up.id()).unwrap()).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
    let out = wait_for(&mut up, Duration::from_secs(30));
    assert_eq!(code(&out), 130, "{}", describe(&out));
    assert!(
        stderr(&out).contains("interrupted: run the same command again to resume"),
        "{}",
        describe(&out)
    );
    // The cluster's intent was written before its create: the resumed run
    // knows it is xtenant's whatever happened to the call.
    let owned = w.profile()["owned"].to_string();
    assert!(
        owned.contains("managedClusters") && owned.contains("intended"),
        "{owned}"
    );
    w.release(&key);
    w.ok(&["up"]);
    let p = w.profile();
    assert_eq!(p["graph"]["clusters"]["@demo"]["issuerUrl"], issuer());
    assert!(
        !p["owned"].to_string().contains("intended"),
        "{}",
        p["owned"]
    );
}

/// `args` started in a process group of its own, as a shell starts a
/// foreground job: a terminal's Ctrl-C reaches az-xtenant and the `az` it
/// runs at once.
fn spawn_in_own_group(w: &World, args: &[&str]) -> Child {
    use std::os::unix::process::CommandExt;
    w.command(args)
        .process_group(0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn signal_group(child: &Child, signal: rustix::process::Signal) {
    let pid = rustix::process::Pid::from_raw(i32::try_from(child.id()).unwrap()).unwrap();
    rustix::process::kill_process_group(pid, signal).unwrap();
}

fn signal_process(child: &Child, signal: rustix::process::Signal) {
    let pid = rustix::process::Pid::from_raw(i32::try_from(child.id()).unwrap()).unwrap();
    rustix::process::kill_process(pid, signal).unwrap();
}

fn interrupted(out: &Output) {
    assert_eq!(code(out), 130, "{}", describe(out));
    let err = stderr(out);
    assert!(
        err.contains("interrupted: run the same command again to resume"),
        "{}",
        describe(out)
    );
    assert!(!err.contains("failed"), "{}", describe(out));
}

/// A terminal signals the whole foreground group: `az` dies of the same
/// signal as az-xtenant, and the run still ends interrupted (130), not
/// failed (3); the same for SIGTERM sent to the group.
#[test]
fn a_signal_to_the_whole_process_group_ends_interrupted() {
    for signal in [rustix::process::Signal::INT, rustix::process::Signal::TERM] {
        let w = World::new();
        w.init();
        fresh(&w);
        let key = format!("aks_create@{SA}");
        w.hold(&key);
        let mut up = spawn_in_own_group(&w, &["up"]);
        w.wait_held(&key);
        signal_group(&up, signal);
        let out = wait_for(&mut up, Duration::from_secs(30));
        w.release(&key);
        interrupted(&out);
        // Resumable: the next run finishes.
        w.ok(&["up"]);
    }
}

/// `login` waits on an interactive `az login`: Ctrl-C in the terminal ends
/// it interrupted; while the first Ctrl-C is being honoured, a second one
/// ends the run at once.
#[test]
fn ctrl_c_during_login_and_a_second_ctrl_c_end_with_130() {
    let w = World::new();
    w.init();
    w.on("account_list", vec![Resp::Json(json!([]))]);
    w.on("login", vec![Resp::Json(json!([]))]);

    w.hold("login");
    let mut login = spawn_in_own_group(&w, &["login"]);
    w.wait_held("login");
    signal_group(&login, rustix::process::Signal::INT);
    let out = wait_for(&mut login, Duration::from_secs(30));
    w.release("login");
    interrupted(&out);

    // Only az-xtenant is signalled, so az login goes on waiting: the first
    // Ctrl-C cannot stop it, the second ends the run within a moment.
    w.hold("login");
    let mut login = spawn_in_own_group(&w, &["login"]);
    w.wait_held("login");
    signal_process(&login, rustix::process::Signal::INT);
    std::thread::sleep(Duration::from_millis(300));
    assert!(login.try_wait().unwrap().is_none(), "az login still runs");
    let started = Instant::now();
    signal_process(&login, rustix::process::Signal::INT);
    while login.try_wait().unwrap().is_none() && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let took = started.elapsed();
    // The held az login keeps az-xtenant's stderr open until it ends.
    w.release("login");
    let out = wait_for(&mut login, Duration::from_secs(5));
    assert_eq!(code(&out), 130, "{}", describe(&out));
    assert!(took < Duration::from_secs(2), "ended in {took:?}");
}

/// Runs `args` with stdout read, then with stdout closed by its reader: the
/// same exit code, no panic (exit 101) or trace, no word about the pipe.
/// Answers the open run's code.
fn keeps_its_code_on_a_closed_stdout(w: &World, args: &[&str]) -> u8 {
    let printed = w.run(args);
    assert!(
        !printed.stdout.is_empty(),
        "{args:?} prints: {}",
        describe(&printed)
    );
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = w
        .command(args)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_ne!(out.status.code(), Some(101), "{args:?} panicked: {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    assert!(!err.to_lowercase().contains("pipe"), "{args:?}: {err}");
    assert_eq!(
        code(&out),
        code(&printed),
        "{args:?}: the closed pipe changed the exit code: {err}"
    );
    code(&printed)
}

/// Every command that prints, run with stdout already closed: it ends as it
/// does when its output is read, so `… | head -1` under `set -o pipefail`
/// still sees a failed check (1), a failed operation (3) or pending
/// changes (4).
#[test]
fn printing_commands_keep_their_code_when_the_reader_has_gone() {
    let w = up_world();
    let runs: Vec<Vec<&str>> = vec![
        vec!["--help"],
        vec!["--version"],
        vec!["completions", "bash"],
        vec!["completions", "zsh"],
        vec!["completions", "fish"],
        vec!["env"],
        vec!["env", "-o", "json"],
        vec!["status"],
        vec!["status", "-o", "json"],
        vec!["export"],
        vec!["init", "--dry-run", "-o", "json"],
        vec!["up", "--dry-run"],
        vec!["up", "--dry-run", "--assume", "absent"],
        vec!["cleanup", "--dry-run", "--yes"],
        vec!["up", "--help"],
    ];
    for args in runs {
        assert_eq!(keeps_its_code_on_a_closed_stdout(&w, &args), 0, "{args:?}");
    }

    // 1: status finds the queue gone.
    w.on(
        &format!("servicebus_queue_show@{SB}"),
        vec![not_found("myqueue")],
    );
    for args in [vec!["status"], vec!["status", "-o", "json"]] {
        assert_eq!(keeps_its_code_on_a_closed_stdout(&w, &args), 1, "{args:?}");
    }
    // 3: a dry run whose later read fails after it printed the first ones.
    let denied = "ERROR: (AuthorizationFailed) The client may not read";
    w.on(
        &format!("identity_federated-credential_list@{SB}"),
        vec![Resp::Fail(1, denied.into())],
    );
    assert_eq!(
        keeps_its_code_on_a_closed_stdout(&w, &["up", "--dry-run"]),
        3
    );

    // 4: plan with changes pending; 3: apply's dry run failing as above.
    let w = World::new();
    let file = graph_file(&w);
    azure(&w, 10);
    for args in [
        vec!["plan", "-f", &file, "--detailed-exitcode"],
        vec!["plan", "-f", &file, "--detailed-exitcode", "-o", "json"],
    ] {
        assert_eq!(keeps_its_code_on_a_closed_stdout(&w, &args), 4, "{args:?}");
    }
    w.on(
        &format!("identity_federated-credential_list@{SB}"),
        vec![Resp::Fail(1, denied.into())],
    );
    assert_eq!(
        keeps_its_code_on_a_closed_stdout(&w, &["apply", "-f", &file, "--dry-run"]),
        3
    );

    // 1: audit with findings.
    let (w, file) = support::audit::estate(support::audit::messy(), true);
    for args in [
        vec!["audit", "-f", &file],
        vec!["audit", "-f", &file, "-o", "json"],
    ] {
        assert_eq!(keeps_its_code_on_a_closed_stdout(&w, &args), 1, "{args:?}");
    }
}
