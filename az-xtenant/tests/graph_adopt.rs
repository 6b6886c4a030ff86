//! A run stopped during a create leaves the object "intended" in the
//! profile; when the object landed after all, the next `apply` — whose plan
//! then has nothing to change — records it as made, with its time, and
//! writes nothing. (A move's `--prune` compares that time with a proof: an
//! object left intended would count as never made.)
#![allow(clippy::unwrap_used)]

mod support;

use support::*;

#[test]
fn an_apply_with_nothing_to_change_adopts_what_a_stopped_run_left_intended() {
    let w = World::new();
    let file = graph_file(&w);
    azure(&w, 1);
    let out = w.run(&["apply", "-f", &file, "--yes"]);
    assert!(out.status.success(), "{}", describe(&out));
    // As a run killed between its intent and its answer leaves it.
    let mut p = w.profile();
    let reader = format!("federatedIdentityCredentials/xt-{AKS}-orders-reader");
    let owned = p["owned"].as_array_mut().unwrap();
    let record = owned
        .iter_mut()
        .find(|o| o["id"].as_str().unwrap().ends_with(&reader))
        .unwrap();
    record["state"] = "intended".into();
    record.as_object_mut().unwrap().remove("createdAt");
    std::fs::write(w.profile_path(), p.to_string()).unwrap();

    w.clear_calls();
    let out = w.run(&["apply", "-f", &file, "--yes"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nothing to change"),
        "{}",
        describe(&out)
    );
    let calls = w.calls();
    assert!(
        calls
            .iter()
            .all(|c| ["show", "list"].contains(&verb(c).as_str())),
        "no write: {calls:#?}"
    );
    let p = w.profile();
    let record = p["owned"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"].as_str().unwrap().ends_with(&reader))
        .unwrap()
        .clone();
    assert_eq!(record["state"], "created", "{record:#}");
    assert!(record["createdAt"].is_u64(), "{record:#}");
}
