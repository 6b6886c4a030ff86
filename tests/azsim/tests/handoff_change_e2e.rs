//! A hand-off that changes and ends, with the real az against the simulator
//! and one login per side: Tenant A drops a workload and adds one, and sends
//! a new request; Tenant B's dry run shows the add and the remove, `grant
//! --prune` makes exactly the new request's credentials, and Tenant A's
//! `accept` of the new grant leaves its bindings as the grant says. A grant
//! killed with SIGKILL mid-run and run again converges with nothing made
//! twice. A move to another cluster is pruned only with --force, Tenant
//! A's proof not being Tenant B's to see. Then Tenant B retires the trust,
//! with no location: everything its grants made goes, and the resource
//! group they made, left empty.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

#[path = "graph_e2e/estate.rs"]
mod estate;
#[path = "handoff_e2e/sides.rs"]
mod sides;
#[path = "graph_e2e/spec.rs"]
mod spec;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use azsim::{Config, workspace_bin};
use estate::{Estate, ID_TYPE, Outcome};
use serde_json::Value;
use sides::{naming, profile, side, side_cmd};
use spec::{ClusterSpec, IdentitySpec, Spec, WorkloadSpec};

const IDS: &str = "rg-partner-a";

/// The simulator, the two one-tenant az configurations and Tenant A's file.
struct Pair {
    e: Estate,
    a: PathBuf,
    b: PathBuf,
    spec: Spec,
}

impl Pair {
    fn start() -> Self {
        let e = Estate::start(Config::two_tenants(), workspace_bin("az-xtenant"));
        let sa = e.h.sub_a(0);
        e.h.seed_cluster(&sa, "rg-aks", "aks-blue", &e.h.named_issuer("aks-blue"));
        let spec = Spec {
            tenant_a: e.h.tenant_a().id.clone(),
            sub_a: sa,
            tenant_b: e.h.tenant_b().id.clone(),
            sub_b: e.h.sub_b(0),
            identity_group: IDS.into(),
            clusters: vec![ClusterSpec {
                name: "aks-blue".into(),
                resource_group: "rg-aks".into(),
                subscription: None,
            }],
            identities: vec![IdentitySpec {
                name: "id-orders".into(),
                roles: Vec::new(),
            }],
            workloads: Vec::new(),
        };
        let a = e.h.one_tenant_config("a", e.h.tenant_a());
        let b = e.h.one_tenant_config("b", e.h.tenant_b());
        Self { e, a, b, spec }
    }

    /// Tenant A's request for the file with these ServiceAccounts of
    /// namespace `orders`; answers the request file.
    fn request(&mut self, accounts: &[&str], name: &str) -> String {
        self.spec.workloads = accounts
            .iter()
            .map(|sa| WorkloadSpec::new("orders", sa, "id-orders", None))
            .collect();
        let file = self.e.write("xtenant.yaml", &self.spec.yaml());
        let (out, calls) = side(&self.e, "a", &self.a, &["request", "-f", &file]);
        assert_eq!(out.code, 0, "{out}");
        let b = [self.spec.tenant_b.as_str(), self.spec.sub_b.as_str()];
        assert_eq!(naming(&calls, &b), Vec::<String>::new(), "side A called B");
        self.e.write(name, &out.out)
    }

    /// `grant REQUEST` in Tenant B's place, with `more`.
    fn grant_args<'a>(&'a self, request: &'a str, more: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec![
            "grant",
            request,
            "-g",
            IDS,
            "--tenant-b",
            &self.spec.tenant_b,
            "--subscription-b",
            &self.spec.sub_b,
            "--location",
            "eastus",
            "--yes",
        ];
        args.extend(more);
        args
    }

    fn grant(&self, request: &str, more: &[&str]) -> Outcome {
        let (out, calls) = side(&self.e, "b", &self.b, &self.grant_args(request, more));
        let a = [self.spec.tenant_a.as_str(), self.spec.sub_a.as_str()];
        assert_eq!(naming(&calls, &a), Vec::<String>::new(), "side B called A");
        out
    }

    fn accept(&self, grant: &str) -> Outcome {
        side(&self.e, "a", &self.a, &["accept", grant]).0
    }

    fn identity(&self) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{IDS}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-orders",
            self.spec.sub_b
        )
    }

    /// The identity's credentials' subjects, sorted.
    fn subjects(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .e
            .credentials(&self.identity())
            .into_iter()
            .map(|(_, _, subject)| subject)
            .collect();
        v.sort();
        v
    }

    /// Tenant A's bindings, as `namespace/ServiceAccount`, sorted.
    fn bindings_a(&self) -> Vec<String> {
        let mut v: Vec<String> = profile(&self.e, "a")["graph"]["bindings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| format!("{}/{}", s(&b["namespace"]), s(&b["serviceAccount"])))
            .collect();
        v.sort();
        v
    }
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn subjects(accounts: &[&str]) -> Vec<String> {
    accounts
        .iter()
        .map(|sa| format!("system:serviceaccount:orders:{sa}"))
        .collect()
}

#[test]
fn a_changed_request_converges_on_both_sides_and_a_retired_one_leaves_nothing() {
    let mut p = Pair::start();
    p.e.h.expect_list_404(&format!(
        "/resourceGroups/{IDS}/providers/Microsoft.ManagedIdentity/userAssignedIdentities?"
    ));
    p.e.h
        .expect_list_404("/userAssignedIdentities/id-orders/federatedIdentityCredentials?");
    let first = p.request(&["reader", "writer"], "request-1.yaml");
    let grant = p.grant(&first, &[]);
    assert_eq!(grant.code, 0, "{grant}");
    let grant_1 = p.e.write("grant-1.yaml", &grant.out);
    assert_eq!(p.accept(&grant_1).code, 0);
    assert_eq!(p.bindings_a(), ["orders/reader", "orders/writer"]);

    // Tenant A drops the reader and adds an auditor.
    let second = p.request(&["auditor", "writer"], "request-2.yaml");
    let before = p.e.h.mark();
    let (plan, _) = side(
        &p.e,
        "b",
        &p.b,
        &[&["--dry-run"][..], &p.grant_args(&second, &["--prune"])].concat(),
    );
    assert_eq!(plan.code, 0, "{plan}");
    assert!(
        plan.err
            .contains("+ Tenant B: federated credential xt-aks-blue-orders-auditor"),
        "the dry run shows the add: {plan}"
    );
    assert!(
        plan.err
            .contains("- Tenant B: federated credential xt-aks-blue-orders-reader"),
        "the dry run shows the remove: {plan}"
    );
    // Its stdout is the commands it would run, not a grant.
    assert!(
        !plan.out.contains("kind:"),
        "a dry run prints no grant: {plan}"
    );
    assert_eq!(p.e.h.writes_since(before), Vec::<String>::new());

    // Without --prune the reader's credential stays; with it, it goes.
    let kept = p.grant(&second, &[]);
    assert_eq!(kept.code, 0, "{kept}");
    assert_eq!(p.subjects(), subjects(&["auditor", "reader", "writer"]));
    // A credential Tenant B made by hand on the identity is not the
    // grant's to remove.
    let by_hand = p.e.h.az_in(
        &p.b,
        &[
            "identity",
            "federated-credential",
            "create",
            "--name",
            "by-hand",
            "--identity-name",
            "id-orders",
            "--resource-group",
            IDS,
            "--subscription",
            &p.spec.sub_b,
            "--issuer",
            "https://issuer.example/by-hand/",
            "--subject",
            "system:serviceaccount:orders:by-hand",
        ],
    );
    assert!(by_hand.run().unwrap().status.success());
    let pruned = p.grant(&second, &["--prune"]);
    assert_eq!(pruned.code, 0, "{pruned}");
    assert_eq!(p.subjects(), subjects(&["auditor", "by-hand", "writer"]));
    let grant_2 = p.e.write("grant-2.yaml", &pruned.out);

    // Tenant A's bindings follow the new grant: the reader's goes.
    let accepted = p.accept(&grant_2);
    assert_eq!(accepted.code, 0, "{accepted}");
    assert_eq!(p.bindings_a(), ["orders/auditor", "orders/writer"]);

    // A grant killed while its credential write is held, then run again:
    // one identity, each credential once.
    let third = p.request(&["auditor", "payer", "writer"], "request-3.yaml");
    let h = &p.e.h;
    h.hold("federatedIdentityCredentials.put");
    let run = side_cmd(&p.e, "b", &p.b, &p.grant_args(&third, &[]))
        .start()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(300);
    while h.server.sim.held("federatedIdentityCredentials.put") == 0 {
        assert!(
            Instant::now() < deadline && run.try_wait().unwrap().is_none(),
            "the grant ended, or never wrote its credential"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    run.kill().unwrap();
    let _ = run.wait();
    h.release("federatedIdentityCredentials.put");
    let again = p.grant(&third, &[]);
    assert_eq!(again.code, 0, "{again}");
    assert_eq!(
        p.subjects(),
        subjects(&["auditor", "by-hand", "payer", "writer"])
    );
    let identities =
        p.e.ids(ID_TYPE, &format!("/subscriptions/{}/", p.spec.sub_b));
    assert_eq!(identities.len(), 1, "{identities:#?}");
    let intended: Vec<Value> = profile(&p.e, "b")["owned"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["state"] != "created")
        .cloned()
        .collect();
    assert_eq!(intended, Vec::<Value>::new(), "no intent left: {again}");

    // The workloads move to a new cluster: first granted on both, then the
    // old one dropped. The proof of the new cluster is Tenant A's (its
    // doctor --exchange), which Tenant B's profile does not hold: the prune
    // is refused, naming Tenant A, until Tenant B passes --force.
    p.e.h.seed_cluster(
        &p.spec.sub_a,
        "rg-aks",
        "aks-green",
        &p.e.h.named_issuer("aks-green"),
    );
    p.spec.clusters.push(ClusterSpec {
        name: "aks-green".into(),
        resource_group: "rg-aks".into(),
        subscription: None,
    });
    let both = p.request(&["writer"], "request-4.yaml");
    assert_eq!(p.grant(&both, &["--prune"]).code, 0);
    p.spec.clusters.remove(0);
    let green = p.request(&["writer"], "request-5.yaml");
    let refused = p.grant(&green, &["--prune"]);
    assert_eq!(refused.code, 2, "{refused}");
    assert!(
        refused.err.contains("Tenant A") && refused.err.contains("--force"),
        "{refused}"
    );
    // The plan's line for the move sends Tenant B to Tenant A's profile with
    // the doctor command to run there, not to its own.
    let line = refused
        .err
        .lines()
        .find(|l| l.starts_with("! not proven:"))
        .unwrap_or_default();
    assert!(
        line.contains("in Tenant A's profile")
            && line.contains("`kubectl xtenant doctor --context aks-green -n orders --service-account writer --exchange`")
            && !line.contains("--profile"),
        "{refused}"
    );
    assert!(
        p.e.credentials(&p.identity())
            .iter()
            .any(|(name, ..)| name == "xt-aks-blue-orders-writer"),
        "the old credential stays until forced"
    );
    let forced = p.grant(&green, &["--prune", "--force"]);
    assert_eq!(forced.code, 0, "{forced}");
    let names: Vec<String> =
        p.e.credentials(&p.identity())
            .into_iter()
            .map(|(name, ..)| name)
            .collect();
    assert_eq!(names, ["by-hand", "xt-aks-green-orders-writer"]);

    // Tenant B retires the trust, with no location (nothing is made): what
    // its grants made goes, nothing else, and then the group they made,
    // empty now.
    let retire = [
        "grant",
        &green,
        "-g",
        IDS,
        "--tenant-b",
        &p.spec.tenant_b,
        "--subscription-b",
        &p.spec.sub_b,
        "--retire",
        "--yes",
    ];
    let (retired, calls) = side(&p.e, "b", &p.b, &retire);
    assert_eq!(retired.code, 0, "{retired}");
    let a = [p.spec.tenant_a.as_str(), p.spec.sub_a.as_str()];
    assert_eq!(naming(&calls, &a), Vec::<String>::new(), "side B called A");
    let left =
        p.e.ids(ID_TYPE, &format!("/subscriptions/{}/", p.spec.sub_b));
    assert_eq!(left, Vec::<String>::new());
    let group = format!("/subscriptions/{}/resourceGroups/{IDS}", p.spec.sub_b);
    assert_eq!(p.e.h.resource(&group), None, "{retired}");
    assert_eq!(p.e.h.unknown_routes(), Vec::<String>::new());
}
