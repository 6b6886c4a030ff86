//! The demo's commands (`init`, `up`, `status`, `cleanup`) with the real az signed
//! in as least-privileged callers: the actions README.md's "Roles each command
//! needs" table names for them are exactly what they ask of ARM, they are
//! enough, and one action less is refused, naming it.
//!
//! Each test signs az in once per tenant as a principal of its own and then
//! replaces that principal's roles between commands (a control of the
//! simulator, which authorises every request against the stored role
//! assignments); where a command needs a fresh or an unchanged estate again, the
//! simulator's ARM state and the profile directory are put back as they were.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

// The helpers az_xtenant_e2e.rs shares; this file uses some of them.
#[allow(dead_code)]
mod xt;

use std::path::{Path, PathBuf};

use azsim::ServicePrincipal;
use serde_json::{Value, json};
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

/// Both tenants' callers: a principal of each, made and signed in once; `hold`
/// then replaces their roles, so az need not sign in again.
struct Callers(Vec<ServicePrincipal>);

impl Callers {
    /// Makes a principal of each tenant holding `roles` (Tenant A's, Tenant B's)
    /// and signs az in to the tenant as it.
    fn sign_in(xt: &Xt, roles: &[Value; 2]) -> Callers {
        let sps = roles
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let tenant = xt.h.tenants()[i].id.clone();
                let sp = xt.h.create_principal(&tenant, r);
                xt.h.sign_in_as(&tenant, &sp);
                sp
            })
            .collect();
        Callers(sps)
    }

    /// From the next request on, each tenant's caller holds `roles` and nothing else.
    fn hold(&self, xt: &Xt, roles: &[Value; 2]) {
        for (i, r) in roles.iter().enumerate() {
            xt.h.set_principal_roles(&xt.h.tenants()[i].id.clone(), &self.0[i], r);
        }
    }
}

/// A custom role of `a` and `b` over each tenant's subscription (the demo's
/// groups do not exist before `up`, so the subscription is the narrowest scope
/// that lets it make them).
fn custom(xt: &Xt, a: &[String], b: &[String]) -> [Value; 2] {
    let role = |i: usize, actions: &[String]| {
        let scope = format!("/subscriptions/{}", xt.sub(i));
        json!([{"role": {"roleName": format!("demo {i}"), "actions": actions}, "scope": scope}])
    };
    [role(0, a), role(1, b)]
}

/// The built-in roles `a` and `b` over each tenant's subscription.
fn builtin(xt: &Xt, a: &[&str], b: &[&str]) -> [Value; 2] {
    let grants = |i: usize, roles: &[&str]| {
        let scope = format!("/subscriptions/{}", xt.sub(i));
        let v: Vec<Value> = roles
            .iter()
            .map(|r| json!({"role": r, "scope": scope}))
            .collect();
        json!(v)
    };
    [grants(0, a), grants(1, b)]
}

/// Runs `init`; answers the directory it wrote the profile to (it says where).
fn init(xt: &Xt) -> PathBuf {
    let out = xt.run(&["init"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "init: {err}");
    let written = err
        .lines()
        .find_map(|l| l.split_once("profile written to ").map(|(_, p)| p.trim()))
        .unwrap_or_else(|| panic!("init does not say where the profile is: {err}"));
    let dir = Path::new(written).parent().unwrap().to_path_buf();
    // Only the test's own directory is ever emptied or rewritten.
    assert!(dir.starts_with(std::env::temp_dir()), "{}", dir.display());
    dir
}

/// The files of a profile directory and their contents.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            assert!(path.is_file(), "not a file: {}", path.display());
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    v.sort();
    v
}

/// Makes `dir` hold exactly `kept`.
fn put_back(dir: &Path, kept: &[(PathBuf, Vec<u8>)]) {
    for (path, _) in files(dir) {
        std::fs::remove_file(path).unwrap();
    }
    for (path, bytes) in kept {
        std::fs::write(path, bytes).unwrap();
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
    Callers::sign_in(&xt, &custom(&xt, &all(0), &all(1)));
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
    // Each `init` and `up` start from a fresh estate: the simulator's ARM state
    // as it was before the first, and an empty profile directory.
    let xt = Xt::new();
    let callers = Callers::sign_in(&xt, &custom(&xt, &all(0), &all(1)));
    let fresh = xt.h.snapshot();
    for (tenant, dropped) in [
        (0, AKS_WRITE),
        (1, QUEUE_WRITE),
        (1, RA_WRITE),
        (1, FIC_WRITE),
    ] {
        xt.h.restore(&fresh);
        let less = |t: usize| -> Vec<String> {
            all(t)
                .into_iter()
                .filter(|a| t != tenant || a != dropped)
                .collect()
        };
        callers.hold(&xt, &custom(&xt, &less(0), &less(1)));
        let profiles = init(&xt);
        refused(&xt, &["up"], dropped);
        put_back(&profiles, &[]);
    }
}

/// Every action of `command`'s rows (a command run after `up`), one at a time:
/// without it the command stops, exit 3, naming it (no refusal is read as
/// "absent"). For `up` each run needs a fresh estate, so the test drops a
/// sample instead (`up_without_one_action_is_refused_naming_it`).
/// A refused `cleanup` may have deleted the other tenant's group, so each of its
/// runs starts from the estate as `up` left it (`restore`: the simulator's ARM
/// state and the profile directory put back); `status` changes nothing.
fn each_action_is_needed_by(command: &str, args: &[&str], restore: bool) {
    let (a, b) = table(command);
    let drops: Vec<(usize, String)> = a
        .into_iter()
        .map(|x| (0, x))
        .chain(b.into_iter().map(|x| (1, x)))
        .collect();
    let xt = Xt::new();
    let profiles = init(&xt);
    xt.ok(&["up"]);
    let callers = Callers::sign_in(&xt, &custom(&xt, &all(0), &all(1)));
    let (after_up, profile) = (xt.h.snapshot(), files(&profiles));
    for (n, (tenant, dropped)) in drops.into_iter().enumerate() {
        if restore && n > 0 {
            xt.h.restore(&after_up);
            put_back(&profiles, &profile);
        }
        let less = |t: usize| -> Vec<String> {
            all(t)
                .into_iter()
                .filter(|x| t != tenant || *x != dropped)
                .collect()
        };
        callers.hold(&xt, &custom(&xt, &less(0), &less(1)));
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

#[test]
fn with_built_in_roles_reader_runs_status_and_contributor_needs_an_access_role_in_b() {
    let xt = Xt::new();
    // Contributor may not assign roles (its notActions): `up` stops at the grant.
    let callers = Callers::sign_in(&xt, &builtin(&xt, &["Contributor"], &["Contributor"]));
    xt.ok(&["init"]);
    refused(&xt, &["up"], RA_WRITE);
    callers.hold(
        &xt,
        &builtin(
            &xt,
            &["Contributor"],
            &["Contributor", "Role Based Access Control Administrator"],
        ),
    );
    xt.ok(&["up"]);
    xt.assert_end_state();
    callers.hold(&xt, &builtin(&xt, &["Reader"], &["Reader"]));
    let (code, doc) = xt.status();
    assert_eq!(code, 0, "{doc:#}");
    refused(
        &xt,
        &["cleanup", "--yes"],
        "Microsoft.Resources/subscriptions/resourceGroups/delete",
    );
    callers.hold(&xt, &builtin(&xt, &["Contributor"], &["Contributor"]));
    xt.ok(&["cleanup", "--yes"]);
    assert!(xt.h.resource(&xt.group_id(1)).is_none());
}
