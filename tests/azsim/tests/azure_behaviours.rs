//! Azure Resource Manager behaviours the simulator reproduces, each as the real `az`
//! meets it (its exit code and message): AKS refusing writes while busy, operations
//! ending `Failed`/`Canceled`, a group being deleted, Service Bus's synchronous
//! namespace create and its own 404. Identity-side behaviours: `azure_behaviours_identity.rs`.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::time::{Duration, Instant};

mod behaviours;

use azsim::{Harness, LroFailure};
use behaviours::{Run, az, ops_since};

const AKS: &[&str] = &[
    "--enable-oidc-issuer",
    "--generate-ssh-keys",
    "--node-count",
    "1",
];

fn aks_create(h: &Harness, sub: &str, name: &str, extra: &[&str]) -> Run {
    let mut a = vec!["aks", "create", "-g", "rg-aks", "-n", name];
    a.extend(AKS);
    a.extend(extra);
    az(h, sub, &a)
}

#[test]
fn aks_refuses_writes_while_busy_and_operations_can_fail_or_be_canceled() {
    let h = Harness::start();
    let sub = h.tenant_a().subscriptions[0].id.clone();
    az(
        &h,
        &sub,
        &["group", "create", "-n", "rg-aks", "-l", "eastus"],
    )
    .json();
    h.update_faults(|f| {
        f.lro_ms.insert("managedClusters.put".into(), 120_000);
    });
    aks_create(&h, &sub, "busy", &["--no-wait"]);
    let update = [
        "aks",
        "update",
        "-g",
        "rg-aks",
        "-n",
        "busy",
        "--enable-workload-identity",
    ];
    az(&h, &sub, &update).fails(
        1,
        &[
            "OperationNotAllowed",
            "Another operation (Creating) is in progress",
        ],
    );

    h.update_faults(|f| {
        f.lro_ms.clear();
        f.lro_failures = vec![
            LroFailure {
                op: "managedClusters.put".into(),
                status: "Failed".into(),
                code: "VMExtensionProvisioningError".into(),
                message: "Unable to establish outbound connection from agents.".into(),
                count: 1,
            },
            LroFailure {
                op: "managedClusters.put".into(),
                status: "Canceled".into(),
                code: "OperationCanceled".into(),
                message: "The operation was canceled by a later request.".into(),
                count: 1,
            },
        ];
    });
    aks_create(&h, &sub, "failed", &[]).fails(
        1,
        &[
            "VMExtensionProvisioningError",
            "Unable to establish outbound connection",
        ],
    );
    let show = ["aks", "show", "-g", "rg-aks", "-n", "failed"];
    assert_eq!(az(&h, &sub, &show).json()["provisioningState"], "Failed");
    aks_create(&h, &sub, "canceled", &[]).fails(1, &["OperationCanceled", "canceled by a later"]);

    // A failed cluster may be written again; one stopping may not.
    let id = az(&h, &sub, &show).json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    h.force_state(&id, Some("Stopping"));
    let failed_update = [
        "aks",
        "update",
        "-g",
        "rg-aks",
        "-n",
        "failed",
        "--enable-workload-identity",
    ];
    az(&h, &sub, &failed_update).fails(1, &["Another operation (Stopping) is in progress"]);
    h.force_state(&id, None);
    let c = az(&h, &sub, &failed_update).json();
    assert_eq!(c["provisioningState"], "Succeeded");
}

#[test]
fn a_group_being_deleted_refuses_writes_and_still_answers_reads() {
    let h = Harness::start();
    let sub = h.tenant_b().subscriptions[0].id.clone();
    az(
        &h,
        &sub,
        &["group", "create", "-n", "rg-gone", "-l", "eastus"],
    )
    .json();
    az(
        &h,
        &sub,
        &["identity", "create", "-g", "rg-gone", "-n", "id1"],
    )
    .json();
    h.update_faults(|f| {
        f.lro_ms.insert("resourceGroups.delete".into(), 120_000);
    });
    let del = az(
        &h,
        &sub,
        &["group", "delete", "-n", "rg-gone", "--yes", "--no-wait"],
    );
    assert_eq!(del.code, 0, "{}", del.err);

    let group = az(&h, &sub, &["group", "show", "-n", "rg-gone"]).json();
    assert_eq!(group["properties"]["provisioningState"], "Deleting");
    let exists = az(&h, &sub, &["group", "exists", "-n", "rg-gone"]).json();
    assert_eq!(exists, true, "a group being deleted still exists");
    az(
        &h,
        &sub,
        &["identity", "show", "-g", "rg-gone", "-n", "id1"],
    )
    .json();
    let refused = "The resource group 'rg-gone' is in deprovisioning state and cannot perform this operation.";
    az(
        &h,
        &sub,
        &["identity", "create", "-g", "rg-gone", "-n", "id2"],
    )
    .fails(1, &["ResourceGroupBeingDeleted", refused]);
    az(
        &h,
        &sub,
        &["group", "create", "-n", "rg-gone", "-l", "eastus"],
    )
    .fails(1, &["ResourceGroupBeingDeleted", refused]);
}

#[test]
fn service_bus_activates_a_namespace_synchronously_and_has_its_own_404() {
    let h = Harness::start();
    let sub = h.tenant_b().subscriptions[0].id.clone();
    az(
        &h,
        &sub,
        &["group", "create", "-n", "rg-sb", "-l", "eastus"],
    )
    .json();
    // Activation outlasts the PUT: az polls the namespace, the first time at once, then
    // every 30 s (no Retry-After), as against Azure.
    h.update_faults(|f| {
        f.lro_ms.insert("namespaces.put".into(), 2_500);
    });
    let mark = h.mark();
    let started = Instant::now();
    let ns = az(
        &h,
        &sub,
        &[
            "servicebus",
            "namespace",
            "create",
            "-g",
            "rg-sb",
            "-n",
            "sb-behaviours",
        ],
    )
    .json();
    eprintln!("namespace create took {:?}", started.elapsed());
    assert!(
        started.elapsed() >= Duration::from_millis(2_500),
        "az did not wait for activation"
    );
    assert_eq!(ns["provisioningState"], "Succeeded");
    assert_eq!(ns["status"], "Active");
    assert_eq!(
        ns["location"], "East US",
        "Service Bus answers a display name"
    );
    // The PUT answers 200 without a polling header: az polls the namespace, no operation.
    let ops = ops_since(&h, mark);
    assert!(ops.contains(&("namespaces.put".into(), 200)), "{ops:?}");
    let put_at = ops.iter().position(|o| o.0 == "namespaces.put").unwrap();
    assert!(
        ops[put_at..].iter().any(|o| o.0 == "namespaces.get"),
        "{ops:?}"
    );
    assert!(!ops.iter().any(|o| o.0 == "operations.get"), "{ops:?}");

    let missing = [
        "servicebus",
        "queue",
        "show",
        "-g",
        "rg-sb",
        "--namespace-name",
        "sb-behaviours",
        "-n",
        "nope",
    ];
    az(&h, &sub, &missing).fails(
        3,
        &[
            "NotFound",
            "Entity 'sb-behaviours:Queue:nope' wasn't found.",
        ],
    );
    az(&h, &sub, &["group", "show", "-n", "rg-never"]).fails(3, &["ResourceGroupNotFound"]);
}
