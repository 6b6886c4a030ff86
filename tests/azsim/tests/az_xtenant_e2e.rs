//! `az-xtenant` end to end with the real `az` against the simulator: up, status (and
//! the FIX it reports when something is removed behind its back), env, cleanup,
//! re-runs without writes, resuming a killed `up` without a second cluster,
//! wrong-tenant subscriptions, injected faults retried until the run converges.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod xt;

use std::time::Duration;

use azsim::ErrorRule;
use serde_json::Value;
use xt::{CLUSTER, RG, Xt};

const NS_TYPE: &str = "Microsoft.ServiceBus/Namespaces";
const QUEUE_TYPE: &str = "Microsoft.ServiceBus/Namespaces/Queues";
const ID_TYPE: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";
const FIC_TYPE: &str =
    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials";

/// One `status` item: its component (a prefix of it), tenant and object name.
type Item = (&'static str, &'static str, String);

/// The items `status` reports for the seed procedure's graph, named after the
/// objects in the simulator (call it while they all exist).
fn expected_items(xt: &Xt) -> Vec<Item> {
    let ns = xt.name_in_b(NS_TYPE);
    vec![
        ("resource group", "A", RG.to_string()),
        ("AKS cluster", "A", CLUSTER.to_string()),
        ("resource group", "B", RG.to_string()),
        ("Service Bus namespace", "B", ns.clone()),
        ("queue", "B", xt.name_in_b(QUEUE_TYPE)),
        ("managed identity", "B", xt.name_in_b(ID_TYPE)),
        (
            "role assignment",
            "B",
            format!("Azure Service Bus Data Owner on {ns}"),
        ),
        ("federated credential", "B", xt.name_in_b(FIC_TYPE)),
    ]
}

/// Asserts `status -o json` lists exactly the expected items, `ok: false` for the
/// components in `broken` and `ok: true` for the rest, and its exit code.
fn assert_status(xt: &Xt, expected: &[Item], broken: &[&str]) {
    let (code, doc) = xt.status();
    let items = doc["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), expected.len(), "{doc:#}");
    for (kind, tenant, name) in expected {
        let found: Vec<&Value> = items
            .iter()
            .filter(|i| {
                i["component"].as_str().is_some_and(|c| c.starts_with(kind))
                    && i["tenant"] == *tenant
                    && i["name"] == name.as_str()
            })
            .collect();
        assert_eq!(
            found.len(),
            1,
            "one item for {kind} {tenant} {name}: {doc:#}"
        );
        assert_eq!(
            found[0]["ok"],
            !broken.contains(kind),
            "{kind} {name}: {doc:#}"
        );
    }
    assert_eq!(doc["ok"], broken.is_empty(), "{doc:#}");
    // A status with a FIX item exits 1 (the shared exit-code table); all ok exits 0.
    assert_eq!(code, i32::from(!broken.is_empty()), "{doc:#}");
}

#[test]
fn up_status_env_cleanup_and_a_rerun_without_writes() {
    let xt = Xt::new();
    xt.init_and_up();
    xt.assert_end_state();

    let mark = xt.h.mark();
    xt.ok(&["up"]);
    assert_eq!(
        xt.h.writes_since(mark),
        Vec::<String>::new(),
        "a re-run of up must not write"
    );
    let expected = expected_items(&xt);
    assert_status(&xt, &expected, &[]);

    // The credential deleted behind az-xtenant's back: status says FIX, up puts it back.
    let fic = xt.name_in_b(FIC_TYPE);
    let identity = xt.name_in_b(ID_TYPE);
    let b_sub = xt.sub(1);
    let del = [
        "identity",
        "federated-credential",
        "delete",
        "-g",
        RG,
        "--identity-name",
        &identity,
        "-n",
        &fic,
        "--yes",
        "--subscription",
        &b_sub,
    ];
    xt.h.run_az(&del).unwrap();
    assert_eq!(xt.h.resources_of_type(FIC_TYPE), Vec::<Value>::new());
    assert_status(&xt, &expected, &["federated credential"]);
    let mark = xt.h.mark();
    xt.ok(&["up"]);
    let writes = xt.h.writes_since(mark);
    assert_eq!(
        writes.len(),
        1,
        "up writes only the missing credential: {writes:?}"
    );
    assert!(
        writes[0].starts_with("PUT ") && writes[0].contains("/federatedIdentityCredentials/"),
        "{writes:?}"
    );
    xt.assert_end_state();
    assert_status(&xt, &expected, &[]);

    let env = xt.ok(&["env"]);
    let b = xt.h.tenant_b();
    for needle in [
        "export TENANT_B_ID=",
        "export CLIENT_ID=",
        "export SERVICEBUS_HOSTNAME=",
        "export OIDC_ISSUER_URL=",
    ] {
        assert!(env.contains(needle), "{needle} missing from env:\n{env}");
    }
    assert!(env.contains(&b.id));

    xt.ok(&["cleanup", "--yes"]);
    assert!(
        xt.h.resource(&xt.group_id(0)).is_none(),
        "Tenant A group created by xtenant is deleted"
    );
    assert!(
        xt.h.resource(&xt.group_id(1)).is_none(),
        "Tenant B group created by xtenant is deleted"
    );
    xt.assert_lists_answered();
}

#[test]
fn a_killed_up_resumes_without_a_second_cluster() {
    let xt = Xt::new();
    // The create is still running when the re-run looks at the cluster.
    xt.h.update_faults(|f| {
        f.lro_ms.insert("managedClusters.put".into(), 8_000);
    });
    xt.ok(&["init"]);
    xt.h.hold("managedClusters.put");
    let first = xt.cmd(&["up"]).start().unwrap();
    xt.h.wait_until_held("managedClusters.put", Duration::from_secs(300));
    // The cluster PUT has reached Azure; its answer has not reached az-xtenant.
    first.kill().unwrap();
    // Reaped before going on: the profile's lock goes with the process only
    // once it has exited, and a kill is not an exit.
    let _ = first.wait();
    xt.h.release("managedClusters.put");
    assert_eq!(xt.calls("managedClusters.put"), [201]);

    xt.ok(&["up"]);
    assert_eq!(
        xt.calls("managedClusters.put"),
        [201],
        "the resumed up must not create (or update) the cluster again"
    );
    let clusters =
        xt.h.resources_of_type("Microsoft.ContainerService/managedClusters");
    assert_eq!(clusters.len(), 1, "{clusters:#?}");
    xt.assert_end_state();
    assert_status(&xt, &expected_items(&xt), &[]);
    let mark = xt.h.mark();
    xt.ok(&["up"]);
    assert_eq!(
        xt.h.writes_since(mark),
        Vec::<String>::new(),
        "converged: a third up writes nothing"
    );
    xt.assert_lists_answered();
}

#[test]
fn a_subscription_of_the_wrong_tenant_is_a_clear_error() {
    let mut xt = Xt::new();
    let b_sub = xt.sub(1);
    xt.set("TENANT_A_SUBSCRIPTION_ID", &b_sub);
    let init = xt.run(&["init"]);
    let out = if init.status.success() {
        xt.run(&["up"])
    } else {
        init
    };
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "up succeeded with Tenant B's subscription as Tenant A's"
    );
    assert!(
        err.contains(&b_sub) && err.to_lowercase().contains("tenant"),
        "the error names the subscription and the tenant:\n{err}"
    );
    assert_eq!(
        xt.h.writes_since(0),
        Vec::<String>::new(),
        "nothing may be written"
    );
    xt.assert_lists_answered();
}

#[test]
fn principal_not_found_throttling_and_server_errors_are_retried_until_converged() {
    let xt = Xt::new();
    let pnf = "Principal does not exist in the directory. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay.";
    xt.h.update_faults(|f| {
        f.errors = vec![
            ErrorRule::new("roleAssignments.put", 400, 2).answer("PrincipalNotFound", pnf),
            ErrorRule::new("userAssignedIdentities.put", 429, 2).retry_after(1),
            ErrorRule::new("namespaces.put", 503, 1),
            ErrorRule::new("federatedIdentityCredentials.put", 500, 1),
            ErrorRule::new("managedClusters.get", 502, 1),
        ];
    });
    xt.init_and_up();
    xt.assert_end_state();
    // Each fault was met, and the same call then went through.
    for (op, faults, then) in [
        ("roleAssignments.put", vec![400, 400], 201),
        ("userAssignedIdentities.put", vec![429, 429], 201),
        ("namespaces.put", vec![503], 200),
        ("federatedIdentityCredentials.put", vec![500], 201),
    ] {
        let calls = xt.calls(op);
        let mut want = faults.clone();
        want.push(then);
        assert_eq!(calls, want, "{op}: the injected answers, then success");
    }
    let gets = xt.calls("managedClusters.get");
    assert!(
        gets.first() == Some(&502) && gets.contains(&200),
        "managedClusters.get: {gets:?}"
    );
    assert!(
        xt.h.faults().errors.iter().all(|r| r.count == 0),
        "every fault was used"
    );
    assert_status(&xt, &expected_items(&xt), &[]);
    xt.assert_lists_answered();
}

#[test]
fn cleanup_leaves_an_adopted_group_alone() {
    let xt = Xt::new();
    let a_sub = xt.sub(0);
    xt.h.run_az(&[
        "group",
        "create",
        "-n",
        RG,
        "-l",
        "eastus",
        "--subscription",
        &a_sub,
        "-o",
        "none",
    ])
    .unwrap();
    xt.init_and_up();
    xt.assert_end_state();
    xt.ok(&["cleanup", "--yes"]);
    assert!(
        xt.h.resource(&xt.group_id(0)).is_some(),
        "the adopted Tenant A group must survive cleanup"
    );
    assert!(
        xt.h.resource(&xt.group_id(1)).is_none(),
        "the Tenant B group xtenant created is deleted"
    );
    xt.assert_lists_answered();
}

#[test]
fn up_after_cleanup_no_wait_meets_the_groups_being_deleted() {
    let xt = Xt::new();
    xt.init_and_up();
    xt.h.update_faults(|f| {
        f.lro_ms.insert("resourceGroups.delete".into(), 15_000);
    });
    xt.ok(&["cleanup", "--yes", "--no-wait"]);
    for letter in [0, 1] {
        let g =
            xt.h.resource(&xt.group_id(letter))
                .expect("the group is still being deleted");
        assert_eq!(g["properties"]["provisioningState"], "Deleting");
    }
    // up waits for the deletion (writes inside the group are refused meanwhile), then
    // builds everything again.
    xt.ok(&["up"]);
    xt.assert_end_state();
    for letter in [0, 1] {
        let g =
            xt.h.resource(&xt.group_id(letter))
                .expect("the group is created again");
        assert_eq!(g["properties"]["provisioningState"], "Succeeded");
    }
    assert_status(&xt, &expected_items(&xt), &[]);
    xt.assert_lists_answered();
}
