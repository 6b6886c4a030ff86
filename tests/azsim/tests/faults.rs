//! Injected faults as the real `az` meets them: PrincipalNotFound, concurrent credential writes, throttling, 5xx, latency.
//!
//! Concurrency is ordered by what the simulator has seen (a held call), never by
//! how fast a second `az` starts.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::time::{Duration, Instant};

use azsim::{ErrorRule, Harness};

fn setup_identity(h: &Harness, rg: &str) -> (String, serde_json::Value) {
    let sub = h.tenant_b().subscriptions[0].id.clone();
    h.az_json(&[
        "group",
        "create",
        "-n",
        rg,
        "-l",
        "eastus",
        "--subscription",
        &sub,
    ]);
    let id = h.az_json(&[
        "identity",
        "create",
        "-g",
        rg,
        "-n",
        "id1",
        "--subscription",
        &sub,
    ]);
    (sub, id)
}

#[test]
fn principal_not_found_until_replicated() {
    let h = Harness::start();
    // Not replicated until the test says so.
    h.update_faults(|f| f.principal_not_found_secs = 24 * 3600);
    let (sub, id) = setup_identity(&h, "rg-pnf");
    let principal = id["principalId"].as_str().unwrap();
    let scope = format!("/subscriptions/{sub}/resourceGroups/rg-pnf");
    let args = [
        "role",
        "assignment",
        "create",
        "--role",
        "Azure Service Bus Data Owner",
        "--assignee-object-id",
        principal,
        "--assignee-principal-type",
        "ServicePrincipal",
        "--scope",
        &scope,
        "--subscription",
        &sub,
        "-o",
        "json",
    ];
    let first = h.az_output(&args).unwrap();
    let err = String::from_utf8_lossy(&first.stderr);
    assert!(
        !first.status.success() && err.contains("PrincipalNotFound"),
        "{err}"
    );
    h.update_faults(|f| f.principal_not_found_secs = 0);
    h.run_az(&args).unwrap();
    // A second identical assignment is not an error for az (RoleAssignmentExists is handled).
    let again = h.az_output(&args).unwrap();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}

#[test]
fn concurrent_credential_writes_are_refused() {
    let h = Harness::start();
    let (sub, _) = setup_identity(&h, "rg-fic");
    let create = |name: &str, subject: &str| {
        h.az_cmd(&[
            "identity",
            "federated-credential",
            "create",
            "-g",
            "rg-fic",
            "--identity-name",
            "id1",
            "-n",
            name,
            "--issuer",
            "https://issuer.example/",
            "--subject",
            subject,
            "--subscription",
            &sub,
        ])
    };
    // The first write is in flight (held) while the second arrives.
    h.hold("federatedIdentityCredentials.put");
    let one = create("f1", "system:serviceaccount:a:one").start().unwrap();
    h.wait_until_held("federatedIdentityCredentials.put", Duration::from_secs(120));
    let two = create("f2", "system:serviceaccount:a:two").run().unwrap();
    h.release("federatedIdentityCredentials.put");
    let one = one.wait().unwrap();
    assert!(
        one.status.success(),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    let err = String::from_utf8_lossy(&two.stderr);
    assert!(
        !two.status.success()
            && err.contains("ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity"),
        "{err}"
    );
    // Once the first is done, the identity takes writes again.
    let three = create("f3", "system:serviceaccount:a:three").run().unwrap();
    assert!(
        three.status.success(),
        "{}",
        String::from_utf8_lossy(&three.stderr)
    );

    // (issuer, subject) is unique per identity.
    let dup = create("dup", "system:serviceaccount:a:one").run().unwrap();
    let err = String::from_utf8_lossy(&dup.stderr);
    assert!(
        !dup.status.success()
            && err.contains(
                "Issuer and subject combination already exists for this Managed Identity."
            ),
        "duplicate (issuer, subject) accepted: {err}"
    );
}

#[test]
fn az_survives_throttling_and_server_errors() {
    let h = Harness::start();
    let sub = h.tenant_a().subscriptions[0].id.clone();
    for (status, retry) in [(429, Some(1)), (503, None), (500, None)] {
        h.update_faults(|f| {
            let rule = ErrorRule::new("resourceGroups.put", status, 1);
            f.errors = vec![match retry {
                Some(s) => rule.retry_after(s),
                None => rule,
            }];
        });
        let mark = h.mark();
        h.az_json(&[
            "group",
            "create",
            "-n",
            "rg-retry",
            "-l",
            "eastus",
            "--subscription",
            &sub,
        ]);
        let writes = h.writes_since(mark);
        assert!(
            writes.iter().any(|w| w.ends_with(&format!("-> {status}"))),
            "fault was not injected: {writes:?}"
        );
    }
}

#[test]
fn latency_models_a_slow_cluster_creation() {
    let h = Harness::start();
    let sub = h.tenant_a().subscriptions[0].id.clone();
    h.az_json(&[
        "group",
        "create",
        "-n",
        "rg-slow",
        "-l",
        "eastus",
        "--subscription",
        &sub,
    ]);
    h.update_faults(|f| {
        f.lro_ms.insert("managedClusters.put".into(), 4000);
    });
    let started = Instant::now();
    let mc = h.az_json(&[
        "aks",
        "create",
        "-g",
        "rg-slow",
        "-n",
        "slow",
        "--enable-oidc-issuer",
        "--enable-workload-identity",
        "--generate-ssh-keys",
        "--subscription",
        &sub,
    ]);
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "az returned before the operation completed"
    );
    assert_eq!(mc["provisioningState"], "Succeeded");
    // With --no-wait the cluster is seen in progress.
    h.update_faults(|f| {
        f.lro_ms.insert("managedClusters.put".into(), 60_000);
    });
    h.run_az(&[
        "aks",
        "update",
        "-g",
        "rg-slow",
        "-n",
        "slow",
        "--enable-oidc-issuer",
        "--no-wait",
        "--subscription",
        &sub,
    ])
    .unwrap();
    let shown = h.az_json(&[
        "aks",
        "show",
        "-g",
        "rg-slow",
        "-n",
        "slow",
        "--subscription",
        &sub,
    ]);
    assert_eq!(shown["provisioningState"], "Updating");
}
