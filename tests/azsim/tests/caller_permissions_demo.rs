//! The demo's commands (`init`, `up`, `status`, `cleanup`) with the real az signed
//! in as least-privileged callers: the actions README.md's "Roles each command
//! needs" table names for them are exactly what they ask of ARM, they are
//! enough, and one action less is refused, naming it.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

// The helpers az_xtenant_e2e.rs shares; this file uses some of them.
#[allow(dead_code)]
mod xt;

use serde_json::json;
use xt::Xt;

const AKS_WRITE: &str = "Microsoft.ContainerService/managedClusters/write";
const QUEUE_WRITE: &str = "Microsoft.ServiceBus/namespaces/queues/write";
const RA_WRITE: &str = "Microsoft.Authorization/roleAssignments/write";
const FIC_WRITE: &str =
    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write";

/// The actions of one cell of the table: each backticked action in full, or
/// `/verb` for the previous one's type with another verb; other backticked
/// words (a command's name) are notes.
fn actions_of(cell: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, token) in cell.split('`').enumerate() {
        if i % 2 == 0 || !token.contains('/') {
            continue;
        }
        let action = match (token.strip_prefix('/'), out.last()) {
            (Some(verb), Some(prev)) => format!("{}/{verb}", prev.rsplit_once('/').unwrap().0),
            _ => token.to_string(),
        };
        out.push(action);
    }
    out
}

/// The table's rows for the demo's `command` ("demo: `up`"), as README.md has
/// them: Tenant A's and Tenant B's actions, sorted, each once.
fn table(command: &str) -> (Vec<String>, Vec<String>) {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut rows = 0;
    for line in readme.lines() {
        let cells: Vec<&str> = line.trim().split('|').map(str::trim).collect();
        if cells.len() < 5 || !cells[2].starts_with(&format!("demo: `{command}`")) {
            continue;
        }
        rows += 1;
        let actions = actions_of(cells[3]);
        if cells[1].contains('A') {
            a.extend(actions.clone());
        }
        if cells[1].contains('B') {
            b.extend(actions);
        }
    }
    assert!(
        rows > 0,
        "README.md's roles table has no row for the demo's `{command}`"
    );
    for v in [&mut a, &mut b] {
        v.sort_unstable();
        v.dedup();
    }
    (a, b)
}

/// Every action of the table's demo rows for one tenant (0: A, 1: B).
fn all(tenant: usize) -> Vec<String> {
    let mut v: Vec<String> = ["init", "up", "status", "cleanup"]
        .into_iter()
        .flat_map(|c| {
            let (a, b) = table(c);
            if tenant == 0 { a } else { b }
        })
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Signs az in to both tenants as new principals holding a custom role of
/// `a` and `b` over their subscription (the demo's groups do not exist before
/// `up`, so the subscription is the narrowest scope that lets it make them).
fn sign_in(xt: &Xt, a: &[String], b: &[String]) {
    for (i, actions) in [a, b].into_iter().enumerate() {
        let tenant = xt.h.tenants()[i].id.clone();
        let scope = format!("/subscriptions/{}", xt.sub(i));
        let roles = json!([{"role": {"roleName": format!("demo {i}"), "actions": actions}, "scope": scope}]);
        let sp = xt.h.create_principal(&tenant, &roles);
        xt.h.sign_in_as(&tenant, &sp);
    }
}

/// Runs `args`, expecting ARM's refusal of `action`: exit 3, naming it.
fn refused(xt: &Xt, args: &[&str], action: &str) {
    let out = xt.run(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{args:?} without {action}: {err}"
    );
    assert!(
        err.contains("AuthorizationFailed") && err.contains(&format!("'{action}'")),
        "{args:?} without {action}, the refusal names it: {err}"
    );
}

#[test]
fn the_demo_commands_ask_exactly_the_tables_actions() {
    let xt = Xt::new();
    let ids = [xt.h.tenant_a().id.clone(), xt.h.tenant_b().id.clone()];
    for (command, args) in [
        ("init", &["init"][..]),
        ("up", &["up"]),
        ("status", &["status"]),
        ("cleanup", &["cleanup", "--yes"]),
    ] {
        xt.ok(args);
        if command == "up" {
            // A fresh `up` reads nothing inside what it makes; a second one
            // (a re-run, or a resumed run) reads all of it. The row is what
            // any `up` asks.
            xt.ok(args);
        }
        let (a, b) = table(command);
        assert_eq!(xt.h.take_needed_actions(&ids[0]), a, "Tenant A, {command}");
        assert_eq!(xt.h.take_needed_actions(&ids[1]), b, "Tenant B, {command}");
    }
}

#[test]
fn the_tables_actions_are_enough_for_init_up_status_and_cleanup() {
    let xt = Xt::new();
    sign_in(&xt, &all(0), &all(1));
    xt.init_and_up();
    xt.assert_end_state();
    let (code, doc) = xt.status();
    assert_eq!(code, 0, "{doc:#}");
    xt.ok(&["cleanup", "--yes"]);
    assert!(xt.h.resource(&xt.group_id(0)).is_none());
    assert!(xt.h.resource(&xt.group_id(1)).is_none());
}

#[test]
fn up_without_one_action_is_refused_naming_it() {
    for (tenant, dropped) in [
        (0, AKS_WRITE),
        (1, QUEUE_WRITE),
        (1, RA_WRITE),
        (1, FIC_WRITE),
    ] {
        let xt = Xt::new();
        let less = |t: usize| -> Vec<String> {
            all(t)
                .into_iter()
                .filter(|a| t != tenant || a != dropped)
                .collect()
        };
        sign_in(&xt, &less(0), &less(1));
        xt.ok(&["init"]);
        refused(&xt, &["up"], dropped);
    }
}

/// Every action of `command`'s rows (a command run after `up`), one at a time:
/// without it the command stops, exit 3, naming it (no refusal is read as
/// "absent"). For `up` each run needs a fresh estate, so the test drops a
/// sample instead (`up_without_one_action_is_refused_naming_it`).
/// A refused `cleanup` may have deleted the other tenant's group, so each of its
/// runs starts from a fresh `up` (`fresh`); `status` changes nothing.
fn each_action_is_needed_by(command: &str, args: &[&str], fresh: bool) {
    let (a, b) = table(command);
    let drops: Vec<(usize, String)> = a
        .into_iter()
        .map(|x| (0, x))
        .chain(b.into_iter().map(|x| (1, x)))
        .collect();
    let mut xt = Xt::new();
    xt.init_and_up();
    for (n, (tenant, dropped)) in drops.into_iter().enumerate() {
        if fresh && n > 0 {
            xt = Xt::new();
            xt.init_and_up();
        }
        let less = |t: usize| -> Vec<String> {
            all(t)
                .into_iter()
                .filter(|x| t != tenant || *x != dropped)
                .collect()
        };
        sign_in(&xt, &less(0), &less(1));
        refused(&xt, args, &dropped);
    }
}

#[test]
fn status_needs_each_of_its_actions() {
    each_action_is_needed_by("status", &["status"], false);
}

#[test]
fn cleanup_needs_each_of_its_actions() {
    each_action_is_needed_by("cleanup", &["cleanup", "--yes"], true);
}

/// Signs az in to both tenants as new principals holding the built-in roles
/// `a` and `b` over their subscription.
fn sign_in_builtin(xt: &Xt, a: &[&str], b: &[&str]) {
    for (i, roles) in [a, b].into_iter().enumerate() {
        let tenant = xt.h.tenants()[i].id.clone();
        let scope = format!("/subscriptions/{}", xt.sub(i));
        let grants: Vec<_> = roles
            .iter()
            .map(|r| json!({"role": r, "scope": scope}))
            .collect();
        let sp = xt.h.create_principal(&tenant, &json!(grants));
        xt.h.sign_in_as(&tenant, &sp);
    }
}

#[test]
fn with_built_in_roles_reader_runs_status_and_contributor_needs_an_access_role_in_b() {
    let xt = Xt::new();
    // Contributor may not assign roles (its notActions): `up` stops at the grant.
    sign_in_builtin(&xt, &["Contributor"], &["Contributor"]);
    xt.ok(&["init"]);
    refused(&xt, &["up"], RA_WRITE);
    sign_in_builtin(
        &xt,
        &["Contributor"],
        &["Contributor", "Role Based Access Control Administrator"],
    );
    xt.ok(&["up"]);
    xt.assert_end_state();
    sign_in_builtin(&xt, &["Reader"], &["Reader"]);
    let (code, doc) = xt.status();
    assert_eq!(code, 0, "{doc:#}");
    refused(
        &xt,
        &["cleanup", "--yes"],
        "Microsoft.Resources/subscriptions/resourceGroups/delete",
    );
    sign_in_builtin(&xt, &["Contributor"], &["Contributor"]);
    xt.ok(&["cleanup", "--yes"]);
    assert!(xt.h.resource(&xt.group_id(1)).is_none());
}
