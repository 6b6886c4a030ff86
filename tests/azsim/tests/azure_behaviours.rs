//! Azure behaviours the simulator reproduces, each as the real `az` meets it: its exit
//! code and its message. AKS busy and failed operations, a group being deleted, Service
//! Bus's synchronous namespace create and its 404s, duplicate federated credentials,
//! tag filters, role assignment fields, case-only federated matches.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::time::{Duration, Instant};

use azsim::{Harness, LroFailure};
use serde_json::Value;

/// What `az` did: exit code, stdout, stderr.
struct Run {
    code: i32,
    out: String,
    err: String,
}

impl Run {
    fn json(&self) -> Value {
        assert_eq!(self.code, 0, "az failed: {}", self.err);
        serde_json::from_str(&self.out).unwrap_or_else(|e| panic!("{e}: {}", self.out))
    }

    /// Asserts the exit code and that stderr names each needle.
    fn fails(&self, code: i32, needles: &[&str]) {
        assert_eq!(self.code, code, "exit code; stderr: {}", self.err);
        for n in needles {
            assert!(
                self.err.contains(n),
                "{n:?} missing from stderr: {}",
                self.err
            );
        }
    }
}

/// `az <args> --subscription <sub> -o json`.
fn az(h: &Harness, sub: &str, args: &[&str]) -> Run {
    let mut a = args.to_vec();
    a.extend(["--subscription", sub, "-o", "json"]);
    let out = h.az_cmd(&a).run().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn ops_since(h: &Harness, mark: usize) -> Vec<(String, u16)> {
    let g = h.server.sim.lock();
    g.requests[mark..]
        .iter()
        .map(|r| (r.op.clone(), r.status))
        .collect()
}

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

#[test]
fn credentials_tags_and_role_assignments_answer_as_arm_does() {
    let h = Harness::start();
    let sub = h.tenant_b().subscriptions[0].id.clone();
    az(
        &h,
        &sub,
        &[
            "group",
            "create",
            "-n",
            "rg-x",
            "-l",
            "eastus",
            "--tags",
            "team=blue",
        ],
    )
    .json();
    az(&h, &sub, &["group", "create", "-n", "rg-y", "-l", "eastus"]).json();
    let mark = h.mark();
    let tagged = az(&h, &sub, &["group", "list", "--tag", "team=blue"]).json();
    let names: Vec<&str> = tagged
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|g| g["name"].as_str())
        .collect();
    assert_eq!(names, ["rg-x"]);
    let g = h.server.sim.lock();
    let list = g.requests[mark..]
        .iter()
        .find(|r| r.op == "resourceGroups.list")
        .unwrap();
    assert!(
        list.path.contains("tagname"),
        "az sends lower-case tagname: {}",
        list.path
    );
    drop(g);

    // A new identity is assignable at once: PrincipalNotFound is a fault, off by default.
    let id = az(&h, &sub, &["identity", "create", "-g", "rg-x", "-n", "id1"]).json();
    let principal = id["principalId"].as_str().unwrap();
    let scope = format!("/subscriptions/{sub}/resourceGroups/rg-x");
    let condition = "@Resource[Microsoft.ServiceBus/namespaces:name] StringEquals 'sb'";
    let ra = az(
        &h,
        &sub,
        &[
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
            "--description",
            "xtenant consumer",
            "--condition",
            condition,
            "--condition-version",
            "2.0",
        ],
    )
    .json();
    assert_eq!(ra["description"], "xtenant consumer");
    assert_eq!(ra["condition"], condition);
    assert_eq!(ra["conditionVersion"], "2.0");
    let listed = az(
        &h,
        &sub,
        &[
            "role",
            "assignment",
            "list",
            "--assignee",
            principal,
            "--scope",
            &scope,
        ],
    )
    .json();
    assert_eq!(listed[0]["description"], "xtenant consumer", "{listed}");

    let fic = |name: &str| {
        az(
            &h,
            &sub,
            &[
                "identity",
                "federated-credential",
                "create",
                "-g",
                "rg-x",
                "--identity-name",
                "id1",
                "-n",
                name,
                "--issuer",
                "https://issuer.example/",
                "--subject",
                "system:serviceaccount:a:b",
            ],
        )
    };
    fic("first").json();
    fic("second").fails(
        1,
        &["Issuer and subject combination already exists for this Managed Identity."],
    );
}

#[test]
fn federated_matches_are_case_sensitive_with_their_own_aadsts_codes() {
    let h = Harness::start();
    let b = h.tenant_b().clone();
    let sub = b.subscriptions[0].id.clone();
    az(
        &h,
        &sub,
        &["group", "create", "-n", "rg-case", "-l", "eastus"],
    )
    .json();
    let issuer = h.test_issuer();
    let subject = "system:serviceaccount:default:myserviceaccount";
    let login = |identity: &str, cred_issuer: &str, cred_subject: &str| {
        let id = az(
            &h,
            &sub,
            &["identity", "create", "-g", "rg-case", "-n", identity],
        )
        .json();
        az(
            &h,
            &sub,
            &[
                "identity",
                "federated-credential",
                "create",
                "-g",
                "rg-case",
                "--identity-name",
                identity,
                "-n",
                "fic",
                "--issuer",
                cred_issuer,
                "--subject",
                cred_subject,
            ],
        )
        .json();
        let token = h.mint_assertion(subject, "api://AzureADTokenExchange", 3600);
        let client_id = id["clientId"].as_str().unwrap().to_string();
        let args = [
            "login",
            "--service-principal",
            "-u",
            &client_id,
            "--federated-token",
            &token,
            "--tenant",
            &b.id,
            "--allow-no-subscriptions",
            "-o",
            "none",
        ];
        let out = h.az_cmd(&args).run().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            out: String::new(),
            err: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    };
    login("id-subject", &issuer, &subject.replace("default", "Default")).fails(
        1,
        &["AADSTS7002138", "The subject matches with case-insensitive comparison, but not with case-sensitive comparison."],
    );
    login("id-issuer", &issuer.replace("_azsim", "_AZSIM"), subject).fails(
        1,
        &[
            "AADSTS700211",
            "The issuer matches with case-insensitive comparison",
        ],
    );
}
