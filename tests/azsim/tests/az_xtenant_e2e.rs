//! `az-xtenant` end to end with the real `az` against the simulator: up, status, env, cleanup,
//! re-runs without writes, resuming a killed `up`, wrong-tenant subscriptions, injected faults.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::process::Output;
use std::time::{Duration, Instant};

use azsim::{ErrorRule, Harness, workspace_bin};
use serde_json::Value;
use tempfile::TempDir;

const RG: &str = "rg-xtenant-e2e";
const CLUSTER: &str = "aks-xtenant-e2e";

/// A harness plus a private xtenant config dir.
struct Xt {
    h: Harness,
    config: TempDir,
    vars: Vec<(String, String)>,
}

impl Xt {
    fn new() -> Xt {
        let bin = workspace_bin("az-xtenant");
        assert!(bin.is_file());
        let h = Harness::start();
        let mut vars = h.ids_env();
        vars.extend([
            ("RESOURCE_GROUP".to_string(), RG.to_string()),
            ("LOCATION".to_string(), "eastus".to_string()),
            ("CLUSTER_NAME".to_string(), CLUSTER.to_string()),
        ]);
        Xt {
            h,
            config: tempfile::tempdir().unwrap(),
            vars,
        }
    }

    fn set(&mut self, k: &str, v: &str) {
        self.vars.retain(|(name, _)| name != k);
        self.vars.push((k.to_string(), v.to_string()));
    }

    fn cmd(&self, args: &[&str]) -> duct::Expression {
        let mut c = self
            .h
            .with_env(duct::cmd(workspace_bin("az-xtenant"), args));
        for (k, v) in &self.vars {
            c = c.env(k, v);
        }
        c.env("XTENANT_CONFIG_DIR", self.config.path())
            .env("NO_COLOR", "1")
            .stdout_capture()
            .stderr_capture()
            .unchecked()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).run().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "az-xtenant {} failed ({}):\nstdout: {}\nstderr: {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn init_and_up(&self) {
        self.ok(&["init"]);
        let started = Instant::now();
        self.ok(&["up"]);
        eprintln!("az-xtenant up took {:?}", started.elapsed());
    }

    fn sub(&self, letter: usize) -> String {
        self.h.tenants()[letter].subscriptions[0].id.clone()
    }

    fn group_id(&self, letter: usize) -> String {
        format!("/subscriptions/{}/resourceGroups/{RG}", self.sub(letter))
    }

    /// Checks the end state the seed procedure leaves in both tenants.
    fn assert_end_state(&self) {
        let cluster = self
            .h
            .resource(&format!(
                "{}/providers/Microsoft.ContainerService/managedClusters/{CLUSTER}",
                self.group_id(0)
            ))
            .expect("cluster in Tenant A");
        let issuer = cluster["properties"]["oidcIssuerProfile"]["issuerURL"]
            .as_str()
            .expect("OIDC issuer enabled")
            .to_string();
        assert_eq!(
            cluster["properties"]["securityProfile"]["workloadIdentity"]["enabled"],
            true
        );
        let of = |t: &str| -> Vec<Value> {
            self.h
                .resources_of_type(t)
                .into_iter()
                .filter(|r| r["id"].as_str().unwrap().starts_with(&self.group_id(1)))
                .collect()
        };
        let ns = of("Microsoft.ServiceBus/Namespaces");
        assert_eq!(ns.len(), 1, "{ns:#?}");
        assert_eq!(ns[0]["properties"]["disableLocalAuth"], true);
        assert_eq!(of("Microsoft.ServiceBus/Namespaces/Queues").len(), 1);
        let ids = of("Microsoft.ManagedIdentity/userAssignedIdentities");
        assert_eq!(ids.len(), 1, "{ids:#?}");
        let fics =
            of("Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials");
        assert_eq!(fics.len(), 1, "{fics:#?}");
        assert_eq!(fics[0]["properties"]["issuer"], issuer.as_str());
        assert_eq!(
            fics[0]["properties"]["subject"],
            "system:serviceaccount:default:myserviceaccount"
        );
        let ras = of("Microsoft.Authorization/roleAssignments");
        assert_eq!(ras.len(), 1, "{ras:#?}");
        assert_eq!(
            ras[0]["properties"]["principalId"],
            ids[0]["properties"]["principalId"]
        );
        assert_eq!(ras[0]["properties"]["scope"], ns[0]["id"]);
        assert!(
            ras[0]["properties"]["roleDefinitionId"]
                .as_str()
                .unwrap()
                .ends_with("090c5cfd-751d-490a-894a-3ce6f1109419")
        );
        assert_eq!(
            self.h.unknown_routes(),
            Vec::<String>::new(),
            "requests the simulator could not route"
        );
    }
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

    let status = xt.ok(&["status", "-o", "json"]);
    let _: Value = serde_json::from_str(&status)
        .unwrap_or_else(|e| panic!("status -o json is not JSON ({e}): {status}"));
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
}

#[test]
fn a_killed_up_resumes_and_finishes() {
    let xt = Xt::new();
    xt.h.update_faults(|f| {
        // Long enough to kill `up` mid-way; the re-run waits for the rest of it.
        f.lro_ms.insert("managedClusters.put".into(), 20_000);
    });
    xt.ok(&["init"]);
    let handle = xt.cmd(&["up"]).start().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !xt
        .h
        .writes_since(0)
        .iter()
        .any(|w| w.contains("managedClusters"))
    {
        if let Some(out) = handle.try_wait().unwrap() {
            panic!(
                "up exited ({}) before creating the cluster:\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert!(
            Instant::now() < deadline,
            "up never started creating the cluster: {:?}",
            xt.h.writes_since(0)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(3));
    handle.kill().unwrap();
    xt.h.update_faults(|f| f.lro_ms.clear());
    xt.ok(&["up"]);
    xt.assert_end_state();
    let clusters =
        xt.h.resources_of_type("Microsoft.ContainerService/managedClusters");
    assert_eq!(clusters.len(), 1);
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
}

#[test]
fn principal_not_found_throttling_and_server_errors_are_survived() {
    let xt = Xt::new();
    xt.h.update_faults(|f| {
        f.principal_not_found_secs = 8;
        f.errors = vec![
            ErrorRule {
                op: "userAssignedIdentities.put".into(),
                status: 429,
                count: 2,
                retry_after_secs: Some(1),
            },
            ErrorRule {
                op: "namespaces.put".into(),
                status: 503,
                count: 1,
                retry_after_secs: None,
            },
            ErrorRule {
                op: "federatedIdentityCredentials.put".into(),
                status: 500,
                count: 1,
                retry_after_secs: None,
            },
            ErrorRule {
                op: "managedClusters.get".into(),
                status: 502,
                count: 1,
                retry_after_secs: None,
            },
        ];
    });
    xt.init_and_up();
    xt.assert_end_state();
    let failed: Vec<_> =
        xt.h.writes_since(0)
            .into_iter()
            .filter(|w| w.contains("roleAssignments") && w.ends_with("-> 400"))
            .collect();
    eprintln!(
        "role assignment attempts refused with PrincipalNotFound: {}",
        failed.len()
    );
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
}
