//! `az-xtenant` driven through its CLI against the simulator: a private profile
//! directory, the seed procedure's variables, and checks of the end state it leaves.

use std::path::PathBuf;
use std::process::Output;
use std::time::Instant;

use azsim::{Harness, workspace_bin};
use serde_json::Value;
use tempfile::TempDir;

pub const RG: &str = "rg-xtenant-e2e";
pub const CLUSTER: &str = "aks-xtenant-e2e";

/// A harness plus a private xtenant config dir.
pub struct Xt {
    /// The simulator and the real `az` logged in to it.
    pub h: Harness,
    /// The binary, located (and checked fresh) once per test.
    bin: PathBuf,
    config: TempDir,
    vars: Vec<(String, String)>,
}

impl Xt {
    pub fn new() -> Xt {
        let bin = workspace_bin("az-xtenant");
        let h = Harness::start();
        let mut vars = h.ids_env();
        vars.extend([
            ("RESOURCE_GROUP".to_string(), RG.to_string()),
            ("LOCATION".to_string(), "eastus".to_string()),
            ("CLUSTER_NAME".to_string(), CLUSTER.to_string()),
        ]);
        Xt {
            h,
            bin,
            config: tempfile::tempdir().unwrap(),
            vars,
        }
    }

    pub fn set(&mut self, k: &str, v: &str) {
        self.vars.retain(|(name, _)| name != k);
        self.vars.push((k.to_string(), v.to_string()));
    }

    pub fn cmd(&self, args: &[&str]) -> duct::Expression {
        let mut c = self.h.with_env(duct::cmd(&self.bin, args));
        for (k, v) in &self.vars {
            c = c.env(k, v);
        }
        c.env("XTENANT_CONFIG_DIR", self.config.path())
            .env("NO_COLOR", "1")
            .stdout_capture()
            .stderr_capture()
            .unchecked()
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).run().unwrap()
    }

    pub fn ok(&self, args: &[&str]) -> String {
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

    pub fn init_and_up(&self) {
        self.ok(&["init"]);
        let started = Instant::now();
        self.ok(&["up"]);
        eprintln!("az-xtenant up took {:?}", started.elapsed());
    }

    pub fn sub(&self, letter: usize) -> String {
        self.h.tenants()[letter].subscriptions[0].id.clone()
    }

    pub fn group_id(&self, letter: usize) -> String {
        format!("/subscriptions/{}/resourceGroups/{RG}", self.sub(letter))
    }

    /// Checks the end state the seed procedure leaves in both tenants.
    pub fn assert_end_state(&self) {
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

impl Xt {
    /// Every list the run made was answered (a 404 on a list would read as "empty").
    pub fn assert_lists_answered(&self) {
        assert_eq!(
            self.h.unexpected_list_404s(),
            Vec::<String>::new(),
            "lists answered 404"
        );
    }

    /// `status -o json`: its exit code and document.
    pub fn status(&self) -> (i32, Value) {
        let out = self.run(&["status", "-o", "json"]);
        let text = String::from_utf8_lossy(&out.stdout);
        let doc = serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!(
                "status -o json is not JSON ({e}):\nstdout: {text}\nstderr: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code().unwrap_or(-1), doc)
    }

    /// The status every call of `op` was answered with, in order.
    pub fn calls(&self, op: &str) -> Vec<u16> {
        let g = self.h.server.sim.lock();
        g.requests
            .iter()
            .filter(|r| r.op == op)
            .map(|r| r.status)
            .collect()
    }

    /// The name of the one resource of an ARM type in Tenant B's group.
    pub fn name_in_b(&self, rtype: &str) -> String {
        let found: Vec<Value> = self
            .h
            .resources_of_type(rtype)
            .into_iter()
            .filter(|r| {
                r["id"]
                    .as_str()
                    .is_some_and(|i| i.starts_with(&self.group_id(1)))
            })
            .collect();
        assert_eq!(found.len(), 1, "one {rtype} expected: {found:#?}");
        found[0]["name"].as_str().unwrap_or_default().to_string()
    }
}
