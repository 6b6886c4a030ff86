//! Bad input: each case must exit 2, name the flag or field, and make no az call.
#![allow(clippy::unwrap_used)]

mod support;

use support::*;

/// (arguments, environment, text the error must contain)
type Case = (
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
    &'static str,
);

const CASES: &[Case] = &[
    (&["init", "--tenant-a", "nope"], &[], "--tenant-a"),
    (
        &["init", "--subscription-b", "1234"],
        &[],
        "--subscription-b",
    ),
    (
        &["init", "--resource-group", "rg;ls"],
        &[],
        "--resource-group",
    ),
    (&["init", "--location", "East US"], &[], "--location"),
    (&["init", "--cluster-name=-aks"], &[], "--cluster-name"),
    (
        &["init", "--servicebus-name", "sb"],
        &[],
        "--servicebus-name",
    ),
    (&["init", "--queue", "q`id`"], &[], "--queue"),
    (&["init", "--identity-name", "id"], &[], "--identity-name"),
    (&["init", "--namespace", "Default"], &[], "--namespace"),
    (
        &["init", "--service-account", "SA"],
        &[],
        "--service-account",
    ),
    (&["init"], &[("TENANT_A_ID", "$(rm -rf /)")], "--tenant-a"),
    (&["init"], &[("LOCATION", "West Europe")], "--location"),
    (&["status", "--profile", "../etc"], &[], "--profile"),
    (&["up", "--assume", "absent"], &[], "--dry-run"),
    (&["up", "--principal-wait", "soon"], &[], "--principal-wait"),
    (&["cleanup", "--bogus"], &[], "--bogus"),
    (&["completions", "tcsh"], &[], "tcsh"),
    // A poll interval under a second would ask Azure in a tight loop.
    (&["up"], &[("XTENANT_POLL_SECS", "0")], "XTENANT_POLL_SECS"),
    (
        &["up"],
        &[("XTENANT_POLL_SECS", "0.5")],
        "XTENANT_POLL_SECS",
    ),
    (
        &["status"],
        &[("XTENANT_POLL_SECS", "-3")],
        "XTENANT_POLL_SECS",
    ),
    (
        &["cleanup", "--yes"],
        &[("XTENANT_POLL_SECS", "soon")],
        "XTENANT_POLL_SECS",
    ),
    (
        &["apply", "-f", "xtenant.yaml"],
        &[("XTENANT_POLL_SECS", "NaN")],
        "XTENANT_POLL_SECS",
    ),
];

#[test]
fn bad_flags_and_variables_exit_2_without_az() {
    let w = World::new();
    w.init();
    fresh(&w);
    w.clear_calls();
    for (args, env, needle) in CASES {
        let out = w.run_env(args, env);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?} {env:?}: {}",
            describe(&out)
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(needle),
            "{args:?}: error should name {needle}: {err}"
        );
        assert!(w.calls().is_empty(), "{args:?} ran az: {:?}", w.calls());
    }
}

#[test]
fn incomplete_init_names_the_missing_flag() {
    let w = World::new();
    let out = w.run_env(&["init"], &[("TENANT_A_ID", TA)]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--subscription-a"));
    assert!(!w.profile_path().exists(), "nothing written");
}

#[test]
fn init_takes_the_procedure_variables() {
    let w = World::new();
    let env = [
        ("TENANT_A_ID", TA),
        ("TENANT_A_SUBSCRIPTION_ID", SA),
        ("TENANT_B_ID", TB),
        ("TENANT_B_SUBSCRIPTION_ID", SB),
        ("RESOURCE_GROUP", RG),
        ("LOCATION", "westeurope"),
        ("CLUSTER_NAME", AKS),
    ];
    let out = w.run_env(&["init"], &env);
    assert!(out.status.success(), "{}", describe(&out));
    let p = w.profile();
    assert_eq!(p["cluster"]["tenantId"], TA);
    assert_eq!(p["resources"]["subscriptionId"], SB);
    assert_eq!(p["resources"]["resourceGroup"], RG);
    assert_eq!(p["resources"]["location"], "westeurope");
    let ns = p["resources"]["servicebusNamespace"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(ns.starts_with("sb-crosstenantdemo-"), "{ns}");
    // The generated name is kept on a re-run.
    assert!(w.run_env(&["init"], &env).status.success());
    assert_eq!(w.profile()["resources"]["servicebusNamespace"], ns.as_str());
}

#[test]
fn bad_values_in_the_profile_are_refused_before_az() {
    let cases = [
        (
            "cluster",
            "subscriptionId",
            "not-a-guid",
            "cluster.subscriptionId",
        ),
        (
            "resources",
            "resourceGroup",
            "rg;ls",
            "resources.resourceGroup",
        ),
        (
            "cluster",
            "issuerUrl",
            "http://issuer.example/",
            "cluster.issuerUrl",
        ),
        ("workload", "namespace", "Bad_NS", "workload.namespace"),
    ];
    for (side, field, value, needle) in cases {
        let w = World::new();
        w.init();
        fresh(&w);
        w.clear_calls();
        let mut p = w.profile();
        p[side][field] = value.into();
        std::fs::write(w.profile_path(), p.to_string()).unwrap();
        // trust does not use Tenant A's subscription.
        let cmds: &[&str] = if field == "subscriptionId" {
            &["up", "cluster", "status"]
        } else {
            &["up", "trust"]
        };
        for cmd in cmds {
            let out = w.run(&[cmd]);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{cmd} {field}: {}",
                describe(&out)
            );
            assert!(
                String::from_utf8_lossy(&out.stderr).contains(needle),
                "{}",
                describe(&out)
            );
        }
        assert!(w.calls().is_empty(), "{field}: {:?}", w.calls());
    }
}

#[test]
fn a_missing_profile_is_bad_input() {
    let w = World::new();
    let out = w.run(&["up"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("az-xtenant init"));
    assert!(w.calls().is_empty());
}
