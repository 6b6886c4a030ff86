//! The computation on plain data: wildcards, resourceNames, aggregation, a
//! ClusterRole bound in a namespace or cluster-wide, impersonation and
//! token chains, the system groups, escalation, the control plane's own.

use std::collections::BTreeMap;

use crate::rbac::findings::{describe_requests, judge};
use crate::rbac::model::{Binding, Model, RoleDef, RoleRef, Rule, Selector, Subject};
use crate::rbac::paths::{Means, Path, Target, paths};
use crate::rbac::request::{Request, rule_allows};

fn rule(verbs: &[&str], groups: &[&str], resources: &[&str], names: &[&str]) -> Rule {
    let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect();
    Rule {
        verbs: v(verbs),
        api_groups: v(groups),
        resources: v(resources),
        resource_names: v(names),
    }
}

fn role(ns: &str, name: &str, rules: Vec<Rule>) -> RoleDef {
    RoleDef {
        namespace: Some(ns.into()),
        name: name.into(),
        rules,
        ..RoleDef::default()
    }
}

fn cluster_role(name: &str, labels: &[(&str, &str)], rules: Vec<Rule>) -> RoleDef {
    RoleDef {
        name: name.into(),
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        rules,
        ..RoleDef::default()
    }
}

fn binding(
    ns: Option<&str>,
    name: &str,
    kind: &str,
    role: &str,
    subjects: Vec<Subject>,
) -> Binding {
    Binding {
        namespace: ns.map(str::to_string),
        name: name.into(),
        role: RoleRef {
            kind: kind.into(),
            name: role.into(),
        },
        subjects,
        platform: false,
    }
}

fn rb(ns: &str, name: &str, kind: &str, role: &str, subjects: Vec<Subject>) -> Binding {
    binding(Some(ns), name, kind, role, subjects)
}

fn crb(name: &str, role: &str, subjects: Vec<Subject>) -> Binding {
    binding(None, name, "ClusterRole", role, subjects)
}

fn app() -> Target {
    Target {
        namespace: "team".into(),
        name: "app".into(),
    }
}

fn pods_create() -> Rule {
    rule(&["create"], &[""], &["pods"], &[])
}

/// The paths as (subject, binding, through) for short assertions.
fn found(model: &Model, target: &Target) -> Vec<(String, String, Option<String>)> {
    let mut out: Vec<_> = paths(model, target)
        .iter()
        .map(|p| {
            (
                p.subject.to_string(),
                p.binding.describe(),
                p.through.as_ref().map(ToString::to_string),
            )
        })
        .collect();
    out.sort();
    out
}

fn one(model: &Model, target: &Target, subject: &str) -> Path {
    let all: Vec<Path> = paths(model, target)
        .into_iter()
        .filter(|p| p.subject.to_string() == subject)
        .collect();
    assert_eq!(all.len(), 1, "{subject}: {all:#?}");
    all.into_iter().next().unwrap_or_else(|| unreachable!())
}

#[test]
fn creating_pods_in_the_namespace_is_a_path_in_that_namespace_only() {
    let model = Model::new(
        vec![
            role("team", "runner", vec![pods_create()]),
            role("other", "runner", vec![pods_create()]),
        ],
        vec![],
        vec![
            rb(
                "team",
                "alice-runs",
                "Role",
                "runner",
                vec![Subject::user("alice")],
            ),
            rb(
                "other",
                "bob-runs",
                "Role",
                "runner",
                vec![Subject::user("bob")],
            ),
        ],
    );
    assert_eq!(
        found(&model, &app()),
        vec![(
            "User:alice".into(),
            "rolebinding team/alice-runs".into(),
            None
        )]
    );
    let p = one(&model, &app(), "User:alice");
    assert_eq!(p.means, vec![Means::Pods]);
    assert!(
        !judge(&p, &app()).finding,
        "a user bound in the namespace is the deployer"
    );
}

#[test]
fn each_workload_kind_that_makes_pods_is_a_path() {
    for (group, resource) in crate::rbac::paths::POD_MAKERS {
        for verb in ["create", "patch"] {
            let model = Model::new(
                vec![role(
                    "team",
                    "r",
                    vec![rule(&[verb], &[group], &[resource], &[])],
                )],
                vec![],
                vec![rb("team", "b", "Role", "r", vec![Subject::user("dev")])],
            );
            let p = one(&model, &app(), "User:dev");
            assert_eq!(p.means, vec![Means::Workloads], "{verb} {resource}");
        }
    }
    // Not every resource makes pods, nor does every verb.
    let model = Model::new(
        vec![role(
            "team",
            "r",
            vec![
                rule(&["create"], &[""], &["configmaps", "services"], &[]),
                rule(&["get", "list", "delete"], &["apps"], &["deployments"], &[]),
                rule(&["create"], &["apps"], &["deployments/scale"], &[]),
            ],
        )],
        vec![],
        vec![rb("team", "b", "Role", "r", vec![Subject::user("dev")])],
    );
    assert!(found(&model, &app()).is_empty());
}

#[test]
fn wildcards_match_as_kubernetes_matches_them() {
    let star_verbs = rule(&["*"], &[""], &["pods"], &[]);
    let star_groups = rule(&["create"], &["*"], &["deployments"], &[]);
    let star_resources = rule(&["create"], &[""], &["*"], &[]);
    let star_subresource = rule(&["create"], &[""], &["*/token"], &[]);
    let pods = Request::new(Some("team"), "create", "", "pods");
    let deployments = Request::new(Some("team"), "create", "apps", "deployments");
    let token = Request::new(Some("team"), "create", "", "serviceaccounts")
        .subresource("token")
        .named("app");
    assert!(rule_allows(&star_verbs, &pods));
    assert!(rule_allows(&star_groups, &deployments));
    assert!(rule_allows(&star_resources, &pods));
    // `*` is every resource, subresources included.
    assert!(rule_allows(&star_resources, &token));
    assert!(rule_allows(&star_subresource, &token));
    assert!(!rule_allows(&star_subresource, &pods));
    // The resource without its subresource is not the subresource.
    assert!(!rule_allows(
        &rule(&["create"], &[""], &["serviceaccounts"], &[]),
        &token
    ));
    // The core group is "", not "apps", unless `*`.
    assert!(!rule_allows(
        &rule(&["create"], &["apps"], &["pods"], &[]),
        &pods
    ));
    // `*` in only some fields is no `*` on `*`.
    assert!(!star_resources.is_wildcard());
    assert!(rule(&["*"], &["*"], &["*"], &[]).is_wildcard());
    assert!(!rule(&["*"], &["*"], &["*"], &["x"]).is_wildcard());
}

#[test]
fn resource_names_are_honoured() {
    let model = Model::new(
        vec![
            role(
                "team",
                "token-of-app",
                vec![rule(
                    &["create"],
                    &[""],
                    &["serviceaccounts/token"],
                    &["app"],
                )],
            ),
            role(
                "team",
                "pods-by-name",
                // resourceNames cannot restrict create: a new object has no name yet.
                vec![rule(&["create"], &[""], &["pods"], &["app"])],
            ),
        ],
        vec![],
        vec![
            rb(
                "team",
                "t",
                "Role",
                "token-of-app",
                vec![Subject::user("tok")],
            ),
            rb(
                "team",
                "p",
                "Role",
                "pods-by-name",
                vec![Subject::user("pod")],
            ),
        ],
    );
    let p = one(&model, &app(), "User:tok");
    assert_eq!(p.means, vec![Means::Token]);
    assert_eq!(p.requests[0].describe(), "create serviceaccounts/token app");
    let other = Target {
        namespace: "team".into(),
        name: "worker".into(),
    };
    assert!(
        found(&model, &other).is_empty(),
        "the token of another ServiceAccount"
    );
    assert!(
        found(&model, &app())
            .iter()
            .all(|(s, _, _)| s != "User:pod")
    );
}

#[test]
fn a_patch_limited_to_names_is_a_path_through_each_existing_workload_it_names() {
    let mut model = Model::new(
        vec![role(
            "team",
            "patch-web",
            vec![rule(
                &["patch"],
                &["apps"],
                &["deployments"],
                &["web", "gone"],
            )],
        )],
        vec![],
        vec![rb(
            "team",
            "b",
            "Role",
            "patch-web",
            vec![Subject::user("p")],
        )],
    );
    // No such Deployment: nothing to patch.
    assert!(found(&model, &app()).is_empty());
    model.workloads.insert(
        ("team".into(), "deployments".into()),
        vec!["web".into(), "api".into()],
    );
    let p = one(&model, &app(), "User:p");
    assert_eq!(p.means, vec![Means::Workloads]);
    assert_eq!(describe_requests(&p), "patch deployments web");
    // Names of another namespace are not this one's.
    let other = Target {
        namespace: "other".into(),
        name: "app".into(),
    };
    assert!(found(&model, &other).is_empty());
}

#[test]
fn an_aggregated_cluster_role_has_the_rules_its_selectors_pick() {
    let picked = cluster_role(
        "pod-maker",
        &[("xt/aggregate-to-runner", "true")],
        vec![pods_create()],
    );
    let ignored = cluster_role(
        "token-maker",
        &[("xt/aggregate-to-runner", "false")],
        vec![rule(&["create"], &[""], &["serviceaccounts/token"], &[])],
    );
    let mut runner = cluster_role("runner", &[], vec![]);
    runner.aggregation = Some(vec![Selector {
        match_labels: BTreeMap::from([("xt/aggregate-to-runner".into(), "true".into())]),
        ..Selector::default()
    }]);
    let mut by_expression = cluster_role("tokens", &[], vec![]);
    by_expression.aggregation = Some(vec![Selector {
        match_expressions: vec![(
            "xt/aggregate-to-runner".into(),
            "In".into(),
            vec!["false".into()],
        )],
        ..Selector::default()
    }]);
    let model = Model::new(
        vec![],
        vec![picked, ignored, runner, by_expression],
        vec![
            rb(
                "team",
                "runs",
                "ClusterRole",
                "runner",
                vec![Subject::user("agg")],
            ),
            rb(
                "team",
                "toks",
                "ClusterRole",
                "tokens",
                vec![Subject::user("expr")],
            ),
        ],
    );
    assert_eq!(one(&model, &app(), "User:agg").means, vec![Means::Pods]);
    assert_eq!(one(&model, &app(), "User:expr").means, vec![Means::Token]);
    // An aggregated role picking an aggregated role gets its rules too.
    let mut outer = cluster_role("outer", &[], vec![]);
    outer.aggregation = Some(vec![Selector {
        match_labels: BTreeMap::from([("tier".into(), "outer".into())]),
        ..Selector::default()
    }]);
    let mut inner = cluster_role("inner", &[("tier", "outer")], vec![]);
    inner.aggregation = Some(vec![Selector {
        match_labels: BTreeMap::from([("tier".into(), "inner".into())]),
        ..Selector::default()
    }]);
    let leaf = cluster_role("leaf", &[("tier", "inner")], vec![pods_create()]);
    let model = Model::new(
        vec![],
        vec![outer, inner, leaf],
        vec![rb(
            "team",
            "o",
            "ClusterRole",
            "outer",
            vec![Subject::user("o")],
        )],
    );
    assert_eq!(one(&model, &app(), "User:o").means, vec![Means::Pods]);
}

#[test]
fn a_cluster_role_bound_in_a_namespace_holds_there_and_cluster_wide_everywhere() {
    let model = Model::new(
        vec![],
        vec![cluster_role("edit", &[], vec![pods_create()])],
        vec![
            rb(
                "team",
                "ns-edit",
                "ClusterRole",
                "edit",
                vec![Subject::user("local")],
            ),
            crb("all-edit", "edit", vec![Subject::user("global")]),
        ],
    );
    let elsewhere = Target {
        namespace: "other".into(),
        name: "app".into(),
    };
    assert_eq!(
        found(&model, &elsewhere),
        vec![(
            "User:global".into(),
            "clusterrolebinding all-edit".into(),
            None
        )]
    );
    assert!(!judge(&one(&model, &app(), "User:local"), &app()).finding);
    let global = judge(&one(&model, &app(), "User:global"), &app());
    assert!(global.finding);
    assert!(
        global.reasons[0].contains("ClusterRoleBinding"),
        "{global:?}"
    );
    // A Role of another namespace is never the one a binding names.
    let model = Model::new(
        vec![role("other", "runner", vec![pods_create()])],
        vec![],
        vec![rb("team", "b", "Role", "runner", vec![Subject::user("u")])],
    );
    assert!(found(&model, &app()).is_empty());
}

#[test]
fn impersonation_and_token_chains_are_followed() {
    let model = Model::new(
        vec![
            role("team", "runner", vec![pods_create()]),
            role("ci", "runner", vec![pods_create()]),
        ],
        vec![
            cluster_role(
                "as-alice",
                &[],
                vec![rule(&["impersonate"], &[""], &["users"], &["alice"])],
            ),
            cluster_role(
                "as-devs",
                &[],
                vec![rule(&["impersonate"], &[""], &["groups"], &["devs"])],
            ),
            cluster_role(
                "as-app",
                &[],
                vec![rule(
                    &["impersonate"],
                    &[""],
                    &["serviceaccounts"],
                    &["app"],
                )],
            ),
        ],
        vec![
            rb(
                "team",
                "alice",
                "Role",
                "runner",
                vec![Subject::user("alice")],
            ),
            rb(
                "team",
                "devs",
                "Role",
                "runner",
                vec![Subject::group("devs")],
            ),
            crb("mallory", "as-alice", vec![Subject::user("mallory")]),
            crb("trent", "as-devs", vec![Subject::user("trent")]),
            rb(
                "team",
                "imp",
                "ClusterRole",
                "as-app",
                vec![Subject::user("ivan")],
            ),
            // ci/bot may create pods in team, and carol may create pods in
            // ci: carol can become bot, so app.
            rb(
                "team",
                "bot",
                "Role",
                "runner",
                vec![Subject::service_account("ci", "bot")],
            ),
            rb(
                "ci",
                "carol",
                "Role",
                "runner",
                vec![Subject::user("carol")],
            ),
        ],
    );
    let all = found(&model, &app());
    let expect =
        |s: &str, b: &str, t: Option<&str>| (s.to_string(), b.to_string(), t.map(str::to_string));
    assert_eq!(
        all,
        vec![
            expect("Group:devs", "rolebinding team/devs", None),
            expect("ServiceAccount:ci/bot", "rolebinding team/bot", None),
            expect("User:alice", "rolebinding team/alice", None),
            expect(
                "User:carol",
                "rolebinding ci/carol",
                Some("ServiceAccount:ci/bot")
            ),
            expect("User:ivan", "rolebinding team/imp", None),
            expect(
                "User:mallory",
                "clusterrolebinding mallory",
                Some("User:alice")
            ),
            expect("User:trent", "clusterrolebinding trent", Some("Group:devs")),
        ]
    );
    let ivan = one(&model, &app(), "User:ivan");
    assert_eq!(ivan.means, vec![Means::Impersonate]);
    // Bound in the namespace, impersonating it is no more than its pods.
    assert!(!judge(&ivan, &app()).finding);
    let mallory = judge(&one(&model, &app(), "User:mallory"), &app());
    assert_eq!(
        mallory.reasons,
        ["by becoming User:alice, which can", "by impersonation"],
        "impersonating a user is cluster-scoped, not a namespace widened"
    );
    let carol = one(&model, &app(), "User:carol");
    assert!(judge(&carol, &app()).reasons[0].contains("by becoming ServiceAccount:ci/bot"));
    let bot = judge(&one(&model, &app(), "ServiceAccount:ci/bot"), &app());
    assert!(
        bot.reasons.iter().any(|r| r.contains("another namespace")),
        "{bot:?}"
    );
}

#[test]
fn chains_end_and_do_not_loop() {
    // Two users who may impersonate each other, one with a path.
    let model = Model::new(
        vec![role("team", "runner", vec![pods_create()])],
        vec![
            cluster_role(
                "as-a",
                &[],
                vec![rule(&["impersonate"], &[""], &["users"], &["a"])],
            ),
            cluster_role(
                "as-b",
                &[],
                vec![rule(&["impersonate"], &[""], &["users"], &["b"])],
            ),
        ],
        vec![
            rb("team", "a", "Role", "runner", vec![Subject::user("a")]),
            crb("b-as-a", "as-a", vec![Subject::user("b")]),
            crb("a-as-b", "as-b", vec![Subject::user("a")]),
        ],
    );
    assert_eq!(
        found(&model, &app()).len(),
        2,
        "{:#?}",
        found(&model, &app())
    );
}

#[test]
fn the_system_groups_are_findings_and_their_members_can() {
    for (group, words) in [
        ("system:authenticated", "every authenticated user"),
        (
            "system:serviceaccounts",
            "every ServiceAccount of the cluster",
        ),
        (
            "system:serviceaccounts:team",
            "every ServiceAccount of namespace team",
        ),
    ] {
        let model = Model::new(
            vec![role("team", "runner", vec![pods_create()])],
            vec![],
            vec![rb(
                "team",
                "open",
                "Role",
                "runner",
                vec![Subject::group(group)],
            )],
        );
        let p = one(&model, &app(), &format!("Group:{group}"));
        let verdict = judge(&p, &app());
        assert!(
            verdict.finding && verdict.reasons[0].contains(words),
            "{verdict:?}"
        );
        // Any ServiceAccount of the namespace is in all three.
        let worker = Subject::service_account("team", "worker");
        assert_eq!(
            model.allowing(&worker.user_info(), &p.requests[0]).len(),
            1,
            "{group}"
        );
    }
}

#[test]
fn escalation_and_wildcards_are_one_path_each() {
    let model = Model::new(
        vec![role(
            "team",
            "binder",
            vec![rule(
                &["bind", "escalate"],
                &["rbac.authorization.k8s.io"],
                &["roles"],
                &[],
            )],
        )],
        vec![cluster_role(
            "god",
            &[],
            vec![rule(&["*"], &["*"], &["*"], &[])],
        )],
        vec![
            rb("team", "binder", "Role", "binder", vec![Subject::user("b")]),
            rb(
                "team",
                "god",
                "ClusterRole",
                "god",
                vec![Subject::user("g")],
            ),
        ],
    );
    let b = one(&model, &app(), "User:b");
    assert_eq!(b.means, vec![Means::Escalate]);
    assert_eq!(describe_requests(&b), "escalate/bind roles");
    assert!(judge(&b, &app()).finding);
    let g = one(&model, &app(), "User:g");
    assert_eq!(g.means, vec![Means::Wildcard]);
    assert_eq!(
        g.requests,
        vec![Request::new(Some("team"), "create", "", "pods")]
    );
    assert!(
        judge(&g, &app())
            .reasons
            .iter()
            .any(|r| r.contains("wildcard"))
    );
}

#[test]
fn the_control_plane_own_bindings_are_noted_and_start_no_chain() {
    let mut controller = crb(
        "system:controller:job-controller",
        "system:controller:job-controller",
        vec![Subject::service_account("kube-system", "job-controller")],
    );
    controller.platform = true;
    let model = Model::new(
        vec![],
        vec![
            cluster_role("system:controller:job-controller", &[], vec![pods_create()]),
            cluster_role(
                "as-sa",
                &[],
                vec![rule(&["impersonate"], &[""], &["serviceaccounts"], &[])],
            ),
        ],
        vec![controller, crb("imp", "as-sa", vec![Subject::user("x")])],
    );
    let paths = paths(&model, &app());
    let platform: Vec<&Path> = paths.iter().filter(|p| p.binding.platform).collect();
    assert_eq!(platform.len(), 1);
    let verdict = judge(platform[0], &app());
    assert!(verdict.platform && !verdict.finding);
    // x may impersonate app directly (a finding), but is not followed
    // through the controller's ServiceAccount.
    assert!(paths.iter().all(|p| p.through.is_none()), "{paths:#?}");
}

#[test]
fn reaching_into_a_running_pod_is_a_path() {
    for (verb, sub) in [
        ("get", "exec"),
        ("create", "exec"),
        ("create", "attach"),
        ("patch", "ephemeralcontainers"),
    ] {
        let resource = format!("pods/{sub}");
        let model = Model::new(
            vec![role(
                "team",
                "r",
                vec![rule(&[verb], &[""], &[&resource], &[])],
            )],
            vec![],
            vec![rb("team", "b", "Role", "r", vec![Subject::user("ops")])],
        );
        let p = one(&model, &app(), "User:ops");
        assert_eq!(p.means, vec![Means::Exec], "{verb} {resource}");
        assert_eq!(describe_requests(&p), format!("{verb} {resource}"));
    }
    // Reading logs or port-forwarding reaches no token.
    let model = Model::new(
        vec![role(
            "team",
            "r",
            vec![rule(
                &["get", "create"],
                &[""],
                &["pods/log", "pods/portforward"],
                &[],
            )],
        )],
        vec![],
        vec![rb("team", "b", "Role", "r", vec![Subject::user("ops")])],
    );
    assert!(found(&model, &app()).is_empty());
}

#[test]
fn a_binding_of_a_missing_role_grants_nothing() {
    let model = Model::new(
        vec![],
        vec![],
        vec![rb("team", "b", "Role", "gone", vec![Subject::user("u")])],
    );
    assert!(found(&model, &app()).is_empty());
}

#[test]
fn requests_are_described_grouped_by_verbs() {
    let model = Model::new(
        vec![role(
            "team",
            "edit",
            vec![
                pods_create(),
                rule(
                    &["create", "update", "patch"],
                    &["apps"],
                    &["deployments", "statefulsets"],
                    &[],
                ),
            ],
        )],
        vec![],
        vec![rb("team", "b", "Role", "edit", vec![Subject::user("u")])],
    );
    let p = one(&model, &app(), "User:u");
    assert_eq!(
        describe_requests(&p),
        "create pods; create/update/patch deployments, statefulsets"
    );
}
