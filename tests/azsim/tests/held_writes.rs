//! A write the simulator has received finishes even when its client goes away
//! meanwhile, as Azure carries out what it has accepted; and a held write's
//! release is never lost, however late the held call starts waiting.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::time::{Duration, Instant};

use azsim::Harness;

/// Waits up to `secs` for the resource `id` to exist.
fn exists_within(h: &Harness, id: &str, secs: u64) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while h.resource(id).is_none() {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    true
}

#[test]
fn a_write_held_in_flight_finishes_after_its_client_is_killed() {
    let h = Harness::start();
    let sub = h.tenant_b().subscriptions[0].id.clone();
    h.az_json(&[
        "group",
        "create",
        "-n",
        "rg-gone",
        "-l",
        "eastus",
        "--subscription",
        &sub,
    ]);
    h.az_json(&[
        "identity",
        "create",
        "-g",
        "rg-gone",
        "-n",
        "id1",
        "--subscription",
        &sub,
    ]);
    // Held inside its in-flight window, before it is stored.
    h.hold("federatedIdentityCredentials.put");
    let client = h
        .az_cmd(&[
            "identity",
            "federated-credential",
            "create",
            "-g",
            "rg-gone",
            "--identity-name",
            "id1",
            "-n",
            "f1",
            "--issuer",
            "https://issuer.example/",
            "--subject",
            "system:serviceaccount:a:one",
            "--subscription",
            &sub,
        ])
        .unchecked()
        .start()
        .unwrap();
    h.wait_until_held("federatedIdentityCredentials.put", Duration::from_secs(120));
    client.kill().unwrap();
    // The connection is closed by the kill; give the server time to notice.
    std::thread::sleep(Duration::from_millis(500));
    h.release("federatedIdentityCredentials.put");
    let id = format!(
        "/subscriptions/{sub}/resourceGroups/rg-gone/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1/federatedIdentityCredentials/f1"
    );
    assert!(
        exists_within(&h, &id, 10),
        "the credential write held when its client was killed never took effect"
    );
}

#[test]
fn a_release_that_comes_before_the_held_call_waits_is_not_lost() {
    let h = Harness::start();
    let sim = &h.server.sim;
    let op = "resourceGroups.put";
    let path = "/subscriptions/s/resourcegroups/rg-early";
    h.hold_before(op);
    // The call takes the hold; its test releases it before the call (a task of
    // its own, not yet run on a busy machine) starts to wait.
    let held = sim.take_hold_before(op, path).unwrap();
    h.release_before(op);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let went_on = rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(5), sim.wait_before(&held)).await
    });
    assert_eq!(
        went_on,
        Ok(true),
        "a call released before it started waiting stayed held"
    );
}
