//! A dry run prints exactly the commands the live run runs: for an identity
//! whose pending credentials go through one template deployment, the
//! `az deployment group create` with its template in a named file, not one
//! `identity federated-credential create` per credential.
#![allow(clippy::unwrap_used)]

mod support;

use serde_json::json;
use support::*;

/// One identity, three workloads on one cluster: three credentials.
fn three_workloads(w: &World) -> String {
    graph_file_with(w, &["writer", "reader", "auditor"])
}

/// The writes among argv vectors (reads are `show` and `list`).
fn writes(calls: Vec<Vec<String>>) -> Vec<Vec<String>> {
    calls
        .into_iter()
        .filter(|c| !["show", "list"].contains(&verb(c).as_str()))
        .collect()
}

/// The az commands a dry run printed on stdout, as argv vectors.
fn printed(stdout: &[u8]) -> Vec<Vec<String>> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("az "))
        .map(|l| shlex::split(l).unwrap())
        .collect()
}

#[test]
fn a_dry_run_prints_the_deployment_the_live_apply_runs() {
    let w = World::new();
    let file = three_workloads(&w);
    // Everything exists but the identity's three credentials.
    azure(&w, 0);
    w.on(
        &format!("identity_federated-credential_list@{SB}"),
        vec![Resp::Json(json!([]))],
    );

    let dry = w.run(&["apply", "-f", &file, "--dry-run"]);
    assert!(dry.status.success(), "{}", describe(&dry));
    let planned = writes(printed(&dry.stdout));
    w.clear_calls();

    let live = w.run(&["apply", "-f", &file, "--yes"]);
    assert!(live.status.success(), "{}", describe(&live));
    let ran = writes(w.calls());

    assert_eq!(
        planned,
        ran,
        "the dry run printed other writes than the live run ran\ndry run:\n{}",
        String::from_utf8_lossy(&dry.stdout)
    );
    assert_eq!(ran.len(), 1, "{ran:#?}");
    assert_eq!(verb(&ran[0]), "create");
    assert_eq!(ran[0][..2], ["deployment".to_string(), "group".to_string()]);
    // The printed command's template is there to read, with all three.
    let at = ran[0].iter().position(|a| a == "--template-file").unwrap();
    let template = std::fs::read_to_string(&ran[0][at + 1]).unwrap();
    for sa in ["writer", "reader", "auditor"] {
        assert!(
            template.contains(&format!("xt-{AKS}-orders-{sa}")),
            "{sa} not in {template}"
        );
    }
}
