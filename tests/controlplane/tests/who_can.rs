//! `kubectl xtenant audit --who-can` against the real API server and its
//! RBAC authorizer. RBAC set up for real in namespace `shop`, whose
//! ServiceAccount `app` is annotated with a client ID: a namespace admin
//! (the built-in, aggregated `admin` ClusterRole), a group with
//! `pods/create`, a ServiceAccount of another namespace with
//! `serviceaccounts/token` limited by resourceNames to `app` (and a user
//! whose token grant names another ServiceAccount), a user who may only
//! exec into its pods (`get pods/exec`), a user who may patch Deployment
//! `web` only (resourceNames), an impersonator of the admin, and
//! a ClusterRole aggregated from a labelled one. Each is found once with its
//! path and binding, and every claim, "can" and "cannot", is confirmed by the API server's own SubjectAccessReviews. Namespace `solo`,
//! where only its deployer can, is clean (exit 0), its ServiceAccount that
//! only the profile's graph binds audited too.
//! Needs XTENANT_CONTROLPLANE_BIN and `cargo build -p kubectl-xtenant`.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::time::{Duration, Instant};

use common::plugin::CLIENT_ID;
use common::workloads::Cluster;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::authentication::v1::TokenRequest;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use kube::api::{Api, PostParams};
use serde_json::{Value, json};

#[test]
fn who_can_finds_each_path_once_and_the_authorizer_agrees() {
    let c = Cluster::start();
    shop(&c);
    solo(&c);
    // The graph binds solo/bound on this cluster: audited though not annotated.
    c.kx.write_profile(&json!({"schemaVersion": 2, "graph": {
        "tenantB": common::plugin::TENANT_B,
        "clusters": {"aks-local": {"id": null, "issuerUrl": c.issuer()}},
        "identities": {"app-writer": {"id": null, "clientId": CLIENT_ID, "principalId": null}},
        "bindings": [{"cluster": "aks-local", "namespace": "solo", "serviceAccount": "bound",
                      "identity": "app-writer", "credential": "xt-aks-local-solo-bound"}]}}));

    let run =
        c.kx.run(&["audit", "--who-can", "-n", "shop", "-o", "json"]);
    let report = run.json();
    assert_eq!(run.code, 1, "{report:#}");
    // The API server's authorizer agrees with every claim, first of all.
    let (verdict, detail, _) = common::plugin::check(&report, "shop/serviceaccount/app/authorizer");
    assert_eq!(verdict, "pass", "{detail}");
    let paths = report["data"]["whoCan"][0]["paths"].as_array().unwrap();
    assert_eq!(report["data"]["whoCan"][0]["serviceAccount"], "app");
    assert_eq!(report["data"]["whoCan"][0]["clientId"], CLIENT_ID);
    // (subject, binding, role, means, through, finding)
    let expected = [
        ("User:deployer", "deployer", "admin", "pods", None, false),
        ("Group:shop-devs", "devs", "pod-maker", "pods", None, true),
        (
            "ServiceAccount:ci/bot",
            "bot-token",
            "token-of-app",
            "token",
            None,
            true,
        ),
        (
            "User:mallory",
            "mallory-as-deployer",
            "impersonate-deployer",
            "impersonate",
            Some("User:deployer"),
            true,
        ),
        ("User:ops", "ops", "exec-only", "exec", None, false),
        (
            "User:patcher",
            "patcher",
            "patch-web",
            "workloads",
            None,
            false,
        ),
        (
            "User:agg-user",
            "agg",
            "xt-runner",
            "workloads",
            None,
            false,
        ),
    ];
    let own: Vec<&Value> = paths.iter().filter(|p| p["platform"] == false).collect();
    for (subject, binding, role, means, through, finding) in expected {
        let found: Vec<&&Value> = own.iter().filter(|p| subject_of(p) == subject).collect();
        assert_eq!(found.len(), 1, "{subject}: {own:#?}");
        let p = found[0];
        assert_eq!(p["binding"]["name"], binding, "{subject}: {p:#}");
        assert_eq!(p["role"]["name"], role, "{subject}: {p:#}");
        assert!(
            p["means"].as_array().unwrap().contains(&json!(means)),
            "{subject}: {p:#}"
        );
        assert_eq!(
            p["through"]
                .as_object()
                .map(|_| subject_of(&p["through"]))
                .as_deref(),
            through,
            "{subject}"
        );
        assert_eq!(p["finding"], finding, "{subject}: {p:#}");
        let id = format!("shop/serviceaccount/app/{subject}");
        let verdict = if finding { "fail" } else { "pass" };
        assert_eq!(common::plugin::check(&report, &id).0, verdict, "{id}");
    }
    assert_eq!(own.len(), expected.len(), "{own:#?}");
    let patcher = own
        .iter()
        .find(|p| subject_of(p) == "User:patcher")
        .unwrap();
    assert_eq!(
        patcher["requests"][0]["request"]["name"], "web",
        "{patcher:#}"
    );
    // resourceNames: a token grant for another ServiceAccount is no path.
    assert!(
        paths.iter().all(|p| subject_of(p) != "User:other-token"),
        "{paths:#?}"
    );

    // Every request claimed, the control plane's own paths included, is
    // allowed by the authorizer; every sampled "cannot" is denied.
    for p in paths {
        for r in p["requests"].as_array().unwrap() {
            assert_eq!(r["authorizer"]["answer"], "allowed", "{p:#}");
        }
    }
    let sample = report["data"]["whoCan"][0]["sample"].as_array().unwrap();
    assert!(!sample.is_empty(), "{report:#}");
    for s in sample {
        assert_eq!(s["can"], false, "{s:#}");
        assert_eq!(s["authorizer"]["answer"], "denied", "{s:#}");
    }
    assert_eq!(report["data"]["findings"], 3, "{report:#}");

    // Independently of the plugin: the API server says who can.
    let (mallory_can, other_can) = c.rt.block_on(async {
        (
            sar(
                &c,
                "mallory",
                "impersonate",
                "users",
                None,
                Some("deployer"),
            )
            .await,
            sar(
                &c,
                "other-token",
                "create",
                "serviceaccounts",
                Some("token"),
                Some("app"),
            )
            .await,
        )
    });
    assert!(mallory_can && !other_can);

    // For people: a table, each fix under its finding.
    let run = c.kx.run(&["audit", "--who-can", "-n", "shop"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.ends_with("audit: 3 findings\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("fix: narrow rolebinding shop/devs"),
        "{}",
        run.stdout
    );

    // Only the deployer: clean.
    let run =
        c.kx.run(&["audit", "--who-can", "-n", "solo", "-o", "json"]);
    let report = run.json();
    assert_eq!(run.code, 0, "{report:#}");
    assert_eq!(report["data"]["findings"], 0);
    let solo_paths = report["data"]["whoCan"][0]["paths"].as_array().unwrap();
    let own: Vec<String> = solo_paths
        .iter()
        .filter(|p| p["platform"] == false)
        .map(subject_of)
        .collect();
    assert_eq!(own, ["User:solo-deployer"], "{report:#}");
    let bound = &report["data"]["whoCan"][1];
    assert_eq!(bound["serviceAccount"], "bound", "{report:#}");
    assert_eq!(bound["clientId"], Value::Null, "{report:#}");
    let own: Vec<String> = bound["paths"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["platform"] == false)
        .map(subject_of)
        .collect();
    assert_eq!(own, ["User:solo-deployer"], "{report:#}");

    // All namespaces: both accounts, the same findings.
    let run = c.kx.run(&["audit", "--who-can", "-A", "-o", "json"]);
    let report = run.json();
    assert_eq!(run.code, 1, "{report:#}");
    assert_eq!(report["data"]["findings"], 3, "{report:#}");
    assert_eq!(report["data"]["whoCan"].as_array().unwrap().len(), 3);

    a_caller_without_reviews_is_told(&c);

    let run = c.kx.run(&["audit", "--who-can", "-n", "nowhere"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("nowhere"), "{}", run.stderr);
}

/// A caller who may read every role and binding but not create
/// SubjectAccessReviews: the paths still, and a warning that they are not
/// confirmed, never a silent pass.
fn a_caller_without_reviews_is_told(c: &Cluster) {
    let kubeconfig = c.rt.block_on(async {
        common::service_account(&c.client, "ci", "auditor", None).await;
        let rbac = "rbac.authorization.k8s.io";
        let mut lists = Vec::new();
        for resource in [
            "roles",
            "clusterroles",
            "rolebindings",
            "clusterrolebindings",
        ] {
            lists.push(rule(rbac, resource, "list"));
        }
        for resource in ["deployments", "statefulsets", "daemonsets", "replicasets"] {
            lists.push(rule("apps", resource, "list"));
        }
        for resource in ["jobs", "cronjobs"] {
            lists.push(rule("batch", resource, "list"));
        }
        lists.push(rule("", "replicationcontrollers", "list"));
        lists.push(rule("", "serviceaccounts", "list"));
        lists.push(rule("", "namespaces", "get"));
        cluster_role(
            c,
            json!({"metadata": {"name": "xt-rbac-reader"}, "rules": lists}),
        )
        .await;
        let b: ClusterRoleBinding = serde_json::from_value(json!({
            "metadata": {"name": "xt-auditor"},
            "roleRef": {"apiGroup": rbac, "kind": "ClusterRole", "name": "xt-rbac-reader"},
            "subjects": [{"kind": "ServiceAccount", "name": "auditor", "namespace": "ci"}]}))
        .unwrap();
        Api::<ClusterRoleBinding>::all(c.client.clone())
            .create(&PostParams::default(), &b)
            .await
            .unwrap();
        settled(
            c,
            "system:serviceaccount:ci:auditor",
            "list",
            "serviceaccounts",
            "shop",
        )
        .await;
        let token = Api::<ServiceAccount>::namespaced(c.client.clone(), "ci")
            .create_token_request("auditor", &PostParams::default(), &TokenRequest::default())
            .await
            .unwrap()
            .status
            .unwrap()
            .token;
        // The administrator's kubeconfig, its user swapped for the token.
        let mut kc: Value =
            serde_yaml::from_str(&std::fs::read_to_string(c.kx.kubeconfig()).unwrap()).unwrap();
        for user in kc["users"].as_array_mut().unwrap() {
            user["user"] = json!({"token": token});
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kubeconfig");
        std::fs::write(&path, serde_yaml::to_string(&kc).unwrap()).unwrap();
        (dir, path)
    });
    let run = c.kx.run_with(
        &kubeconfig.1,
        &["audit", "--who-can", "-n", "solo", "-o", "json"],
    );
    let report = run.json();
    assert_eq!(run.code, 0, "{report:#}");
    let (verdict, detail, fix) =
        common::plugin::check(&report, "solo/serviceaccount/app/authorizer");
    assert_eq!(verdict, "warn", "{report:#}");
    assert!(
        detail.starts_with("the caller may not create SubjectAccessReviews"),
        "{detail}"
    );
    assert!(
        fix.contains("subjectaccessreviews.authorization.k8s.io"),
        "{fix}"
    );
    let own = &report["data"]["whoCan"][0]["paths"];
    assert!(
        own.as_array()
            .unwrap()
            .iter()
            .any(|p| subject_of(p) == "User:solo-deployer"),
        "{report:#}"
    );
}

fn subject_of(p: &Value) -> String {
    let s = if p.get("subject").is_some() {
        &p["subject"]
    } else {
        p
    };
    match s["kind"].as_str().unwrap() {
        "ServiceAccount" => format!(
            "ServiceAccount:{}/{}",
            s["namespace"].as_str().unwrap(),
            s["name"].as_str().unwrap()
        ),
        kind => format!("{kind}:{}", s["name"].as_str().unwrap()),
    }
}

/// A User or Group subject of a binding.
fn subject(kind: &str, name: &str) -> Value {
    json!([{"kind": kind, "name": name, "apiGroup": "rbac.authorization.k8s.io"}])
}

/// One rule.
fn rule(group: &str, resource: &str, verb: &str) -> Value {
    json!({"apiGroups": [group], "resources": [resource], "verbs": [verb]})
}

/// Namespace `shop` and its RBAC, and namespace `ci` with ServiceAccount `bot`.
fn shop(c: &Cluster) {
    c.rt.block_on(async {
        let client = &c.client;
        common::namespace(client, "shop").await;
        common::namespace(client, "ci").await;
        common::service_account(client, "shop", "app", Some(CLIENT_ID)).await;
        common::service_account(client, "shop", "worker", None).await;
        common::service_account(client, "ci", "bot", None).await;
        let mut token_of_app = rule("", "serviceaccounts/token", "create");
        token_of_app["resourceNames"] = json!(["app"]);
        let mut token_of_worker = token_of_app.clone();
        token_of_worker["resourceNames"] = json!(["worker"]);
        role(c, "shop", "pod-maker", json!([rule("", "pods", "create")])).await;
        role(c, "shop", "token-of-app", json!([token_of_app])).await;
        role(c, "shop", "token-of-worker", json!([token_of_worker])).await;
        role(c, "shop", "exec-only", json!([rule("", "pods/exec", "get")])).await;
        let admin = subject("User", "deployer");
        role_binding(c, "shop", "deployer", "ClusterRole", "admin", admin).await;
        let devs = subject("Group", "shop-devs");
        role_binding(c, "shop", "devs", "Role", "pod-maker", devs).await;
        let bot = json!([{"kind": "ServiceAccount", "name": "bot", "namespace": "ci"}]);
        role_binding(c, "shop", "bot-token", "Role", "token-of-app", bot).await;
        let other = subject("User", "other-token");
        role_binding(c, "shop", "other-token", "Role", "token-of-worker", other).await;
        // Patch limited to Deployment web: it exists, so web can be
        // pointed at app.
        let mut patch_web = rule("apps", "deployments", "patch");
        patch_web["resourceNames"] = json!(["web"]);
        role(c, "shop", "patch-web", json!([patch_web])).await;
        let patcher = subject("User", "patcher");
        role_binding(c, "shop", "patcher", "Role", "patch-web", patcher).await;
        let web = json!({"metadata": {"name": "web"}, "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                         "spec": {"containers": [{"name": "app", "image": "example.invalid/app:1"}]}}}});
        Api::<Deployment>::namespaced(client.clone(), "shop")
            .create(&PostParams::default(), &serde_json::from_value(web).unwrap())
            .await
            .unwrap();
        let ops = subject("User", "ops");
        role_binding(c, "shop", "ops", "Role", "exec-only", ops).await;
        let mut as_deployer = rule("", "users", "impersonate");
        as_deployer["resourceNames"] = json!(["deployer"]);
        cluster_role(
            c,
            json!({"metadata": {"name": "impersonate-deployer"}, "rules": [as_deployer]}),
        )
        .await;
        cluster_role_binding(c, "mallory-as-deployer", "impersonate-deployer", "mallory").await;
        // An aggregated ClusterRole: its rules are those of the labelled one.
        let label = "xt.example/aggregate-to-runner";
        cluster_role(
            c,
            json!({"metadata": {"name": "xt-runner"},
                   "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {label: "true"}}]}}),
        )
        .await;
        cluster_role(
            c,
            json!({"metadata": {"name": "xt-deployment-maker", "labels": {label: "true"}},
                   "rules": [rule("apps", "deployments", "create")]}),
        )
        .await;
        let agg = subject("User", "agg-user");
        role_binding(c, "shop", "agg", "ClusterRole", "xt-runner", agg).await;
        // The aggregation controller and the authorizer's caches catch up.
        settled(c, "agg-user", "create", "deployments", "shop").await;
        settled(c, "deployer", "create", "pods", "shop").await;
    });
}

/// Namespace `solo`: its ServiceAccount and only its deployer, with `edit`.
fn solo(c: &Cluster) {
    c.rt.block_on(async {
        common::namespace(&c.client, "solo").await;
        common::service_account(&c.client, "solo", "app", Some(CLIENT_ID)).await;
        common::service_account(&c.client, "solo", "bound", None).await;
        let deployer = subject("User", "solo-deployer");
        role_binding(c, "solo", "deployer", "ClusterRole", "edit", deployer).await;
        settled(c, "solo-deployer", "create", "pods", "solo").await;
    });
}

async fn role(c: &Cluster, ns: &str, name: &str, rules: Value) {
    let role: Role =
        serde_json::from_value(json!({"metadata": {"name": name}, "rules": rules})).unwrap();
    let api: Api<Role> = Api::namespaced(c.client.clone(), ns);
    api.create(&PostParams::default(), &role).await.unwrap();
}

async fn role_binding(c: &Cluster, ns: &str, name: &str, kind: &str, role: &str, subjects: Value) {
    let b: RoleBinding = serde_json::from_value(json!({"metadata": {"name": name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": role},
        "subjects": subjects}))
    .unwrap();
    let api: Api<RoleBinding> = Api::namespaced(c.client.clone(), ns);
    api.create(&PostParams::default(), &b).await.unwrap();
}

async fn cluster_role(c: &Cluster, role: Value) {
    let role: ClusterRole = serde_json::from_value(role).unwrap();
    let api: Api<ClusterRole> = Api::all(c.client.clone());
    api.create(&PostParams::default(), &role).await.unwrap();
}

async fn cluster_role_binding(c: &Cluster, name: &str, role: &str, user: &str) {
    let b: ClusterRoleBinding = serde_json::from_value(json!({"metadata": {"name": name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
        "subjects": [{"kind": "User", "name": user, "apiGroup": "rbac.authorization.k8s.io"}]}))
    .unwrap();
    let api: Api<ClusterRoleBinding> = Api::all(c.client.clone());
    api.create(&PostParams::default(), &b).await.unwrap();
}

/// Whether the API server allows `user` the request (in namespace `shop`
/// unless the resource is users).
async fn sar(
    c: &Cluster,
    user: &str,
    verb: &str,
    resource: &str,
    sub: Option<&str>,
    name: Option<&str>,
) -> bool {
    let review = SubjectAccessReview {
        spec: SubjectAccessReviewSpec {
            user: Some(user.into()),
            resource_attributes: Some(ResourceAttributes {
                namespace: (resource != "users").then(|| "shop".to_string()),
                verb: Some(verb.into()),
                group: Some(String::new()),
                resource: Some(resource.into()),
                subresource: sub.map(str::to_string),
                name: name.map(str::to_string),
                ..ResourceAttributes::default()
            }),
            ..SubjectAccessReviewSpec::default()
        },
        ..SubjectAccessReview::default()
    };
    let api: Api<SubjectAccessReview> = Api::all(c.client.clone());
    let done = api.create(&PostParams::default(), &review).await.unwrap();
    done.status.unwrap().allowed
}

/// Waits until `user` may `verb` `resource` in `ns`: the RBAC objects just
/// made have reached the authorizer (and an aggregated role its rules).
async fn settled(c: &Cluster, user: &str, verb: &str, resource: &str, ns: &str) {
    let group = if resource == "deployments" {
        "apps"
    } else {
        ""
    };
    let start = Instant::now();
    loop {
        let review = SubjectAccessReview {
            spec: SubjectAccessReviewSpec {
                user: Some(user.into()),
                resource_attributes: Some(ResourceAttributes {
                    namespace: Some(ns.into()),
                    verb: Some(verb.into()),
                    group: Some(group.into()),
                    resource: Some(resource.into()),
                    ..ResourceAttributes::default()
                }),
                ..SubjectAccessReviewSpec::default()
            },
            ..SubjectAccessReview::default()
        };
        let api: Api<SubjectAccessReview> = Api::all(c.client.clone());
        let done = api.create(&PostParams::default(), &review).await.unwrap();
        if done.status.unwrap().allowed {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{user} never got {verb} {resource} in {ns}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
