//! Identity-side Azure behaviours the simulator reproduces, each as the real `az` meets
//! it (its exit code and message): duplicate federated credentials, the tag filter az
//! sends, role assignment description and condition, PrincipalNotFound off by default,
//! and Entra's case-sensitive federated match.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod behaviours;

use azsim::Harness;
use behaviours::{Run, az};

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
        let out = h.az_output(&args).unwrap();
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
