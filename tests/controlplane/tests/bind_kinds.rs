//! `kubectl xtenant bind`, `unbind` and `verify KIND/NAME` on a StatefulSet,
//! a DaemonSet, a CronJob and a Job, each in its own namespace, against the
//! real API server, controllers and workload identity webhook. A chart
//! applied each workload and its ServiceAccount as "helm"; bind adds only the
//! pod-template label (and the restart annotation) and the ServiceAccount's
//! annotations, verify passes on the new pods, and unbind returns every object
//! to what it was. A Job is explained, then recreated with `--recreate`.
//! Needs XTENANT_CONTROLPLANE_BIN and `cargo build -p kubectl-xtenant`.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use common::plugin::{CLIENT_ID, TENANT_B, check};
use common::workloads::{
    Cluster, RESTARTED_AT, USE, at, container, labelled, normalized, template, verified,
    wait_for_pod, with_identity,
};
use k8s_openapi::api::apps::v1::{DaemonSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::api::{Api, PostParams};
use serde_json::{Value, json};

const JOB_LABELS: [&str; 4] = [
    "controller-uid",
    "batch.kubernetes.io/controller-uid",
    "job-name",
    "batch.kubernetes.io/job-name",
];

#[test]
fn bind_verify_and_unbind_each_kind_of_workload() {
    let c = Cluster::start();
    stateful_set(&c);
    daemon_set(&c);
    cron_job(&c);
    job_recreated(&c);
}

/// Binds, checks that only the label (and restart annotation) came, verifies,
/// unbinds and compares with what helm made.
fn bind_rolled_workload<K>(c: &Cluster, ns: &str, name: &str, sa: &str)
where
    K: kube::Resource<DynamicType = ()>,
{
    let target = format!("{}/{name}", K::kind(&()).to_lowercase());
    let before = c.snapshot::<K>(ns, name, sa);
    let run = c.kx.ok(&with_identity(&[
        "bind",
        "-n",
        ns,
        &target,
        "--timeout",
        "90s",
    ]));
    let report = run.json();
    for id in ["workload", "restart", "rollout", "container.app"] {
        assert_eq!(check(&report, id).0, "pass", "{id}: {report:#}");
    }
    let bound = c.snapshot::<K>(ns, name, sa);
    let tpl = ["spec", "template", "metadata"];
    let mut expected = before.clone();
    expected["workload"]["spec"]["template"]["metadata"]["labels"] = labelled(
        &before["workload"],
        &["spec", "template", "metadata", "labels"],
    );
    let restarted = at(&bound["workload"], &tpl)["annotations"][RESTARTED_AT].clone();
    assert!(restarted.is_string(), "no restart annotation: {bound:#}");
    expected["workload"]["spec"]["template"]["metadata"]["annotations"][RESTARTED_AT] = restarted;
    let sa_annotations = &mut expected["serviceAccount"]["annotations"];
    sa_annotations["azure.workload.identity/client-id"] = json!(CLIENT_ID);
    sa_annotations["azure.workload.identity/tenant-id"] = json!(TENANT_B);
    assert_eq!(bound, expected, "bind changed more than it should");

    let report = verified(&c.kx, ns, &target);
    assert_eq!(check(&report, "pods").0, "pass", "{report:#}");

    c.kx.ok(&["unbind", "-n", ns, &target, "--timeout", "90s"]);
    assert_eq!(
        c.snapshot::<K>(ns, name, sa),
        before,
        "unbind left a change"
    );
}

fn stateful_set(c: &Cluster) {
    let ns = "sts";
    let sts = json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "db", "labels": {"helm.sh/chart": "db-1.0.0"}},
        "spec": {"replicas": 2, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                 "template": template("db", "db", &json!([container("app")]))}});
    c.helm_installs::<StatefulSet>(ns, "db", &[sts]);
    c.running_pod(ns, "app=db");
    bind_rolled_workload::<StatefulSet>(c, ns, "db", "db");
}

fn daemon_set(c: &Cluster) {
    let ns = "ds";
    let ds = json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "agent", "labels": {"helm.sh/chart": "agent-1.0.0"}},
        "spec": {"selector": {"matchLabels": {"app": "agent"}},
                 "template": template("agent", "agent", &json!([container("app")]))}});
    c.helm_installs::<DaemonSet>(ns, "agent", &[ds]);
    c.running_pod(ns, "app=agent");
    bind_rolled_workload::<DaemonSet>(c, ns, "agent", "agent");
}

/// The label goes on `spec.jobTemplate.spec.template`; between runs verify
/// says there is no pod; a Job of the next run is verified; unbind restores.
fn cron_job(c: &Cluster) {
    let ns = "cj";
    let mut tpl = template("nightly", "nightly", &json!([container("app")]));
    tpl["spec"]["restartPolicy"] = json!("Never");
    let cj = json!({"apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"name": "nightly", "labels": {"helm.sh/chart": "nightly-1.0.0"}},
        "spec": {"schedule": "0 3 * * *", "suspend": true,
                 "jobTemplate": {"spec": {"template": tpl}}}});
    c.helm_installs::<CronJob>(ns, "nightly", &[cj]);
    let before = c.snapshot::<CronJob>(ns, "nightly", "nightly");
    let run =
        c.kx.ok(&with_identity(&["bind", "-n", ns, "cronjob/nightly"]));
    let (verdict, detail, _) = check(&run.json(), "restart");
    assert_eq!(verdict, "pass");
    assert!(detail.contains("next run"), "{detail}");
    let bound = c.snapshot::<CronJob>(ns, "nightly", "nightly");
    let path = [
        "spec",
        "jobTemplate",
        "spec",
        "template",
        "metadata",
        "labels",
    ];
    assert_eq!(
        at(&bound["workload"], &path),
        &labelled(&before["workload"], &path)
    );
    let mut rest = bound["workload"]["spec"].clone();
    rest["jobTemplate"]["spec"]["template"]["metadata"]["labels"] = Value::Null;
    let mut was = before["workload"]["spec"].clone();
    was["jobTemplate"]["spec"]["template"]["metadata"]["labels"] = Value::Null;
    assert_eq!(rest, was, "bind changed more than the job template's label");

    // Between runs there is nothing to check, and verify says so.
    let run =
        c.kx.run(&with_identity(&["verify", "-n", ns, "cronjob/nightly"]));
    assert_eq!(run.code, 0, "{}", run.stdout);
    let (verdict, detail, _) = check(&run.json(), "pods");
    assert_eq!(verdict, "warn");
    assert!(detail.contains("no running Job"), "{detail}");

    // The next run, as the CronJob controller makes it: its pod has the identity.
    let cj = c.get::<CronJob>(ns, "nightly");
    let job = json!({"apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": "nightly-1", "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob",
            "name": "nightly", "uid": cj["metadata"]["uid"], "controller": true}]},
        "spec": cj["spec"]["jobTemplate"]["spec"]});
    let job: Job = serde_json::from_value(job).unwrap();
    let jobs: Api<Job> = Api::namespaced(c.client.clone(), ns);
    c.rt.block_on(jobs.create(&PostParams::default(), &job))
        .unwrap();
    wait_for_pod(c, ns, "job-name=nightly-1");
    verified(&c.kx, ns, "job/nightly-1");

    c.kx.ok(&["unbind", "-n", ns, "cronjob/nightly"]);
    assert_eq!(c.snapshot::<CronJob>(ns, "nightly", "nightly"), before);
}

/// Without `--recreate` bind explains and changes nothing; a dry run
/// changes nothing; with it the Job is created again, its spec kept.
fn job_recreated(c: &Cluster) {
    let ns = "job";
    let mut tpl = template("once", "once", &json!([container("app")]));
    tpl["spec"]["restartPolicy"] = json!("Never");
    let job = json!({"apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": "once", "labels": {"helm.sh/chart": "once-1.0.0"}},
        "spec": {"backoffLimit": 2, "ttlSecondsAfterFinished": 3600, "template": tpl}});
    c.helm_installs::<Job>(ns, "once", &[job]);
    wait_for_pod(c, ns, "job-name=once");
    let before = c.get::<Job>(ns, "once");

    let run = c.kx.run(&with_identity(&["bind", "-n", ns, "job/once"]));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("immutable") && run.stderr.contains("--recreate"),
        "{}",
        run.stderr
    );
    let dry = c.kx.ok(&[
        "bind",
        "-n",
        ns,
        "job/once",
        "--recreate",
        "--dry-run",
        "--client-id",
        CLIENT_ID,
        "--tenant-id",
        TENANT_B,
    ]);
    assert!(dry.stdout.contains("kind: Job"), "{}", dry.stdout);
    assert!(dry.stderr.contains("would be deleted"), "{}", dry.stderr);
    let unchanged = c.get::<Job>(ns, "once");
    assert_eq!(unchanged["metadata"]["uid"], before["metadata"]["uid"]);
    let sa = c.get::<ServiceAccount>(ns, "once");
    assert!(sa["metadata"]["annotations"]["azure.workload.identity/client-id"].is_null());

    c.kx.ok(&with_identity(&[
        "bind",
        "-n",
        ns,
        "job/once",
        "--recreate",
    ]));
    let after = c.get::<Job>(ns, "once");
    assert_ne!(after["metadata"]["uid"], before["metadata"]["uid"]);
    // The spec is kept; only the label was added (the selector and the
    // controller's labels are generated again for the new uid).
    let without_generated = |job: &Value| {
        let mut spec = job["spec"].clone();
        spec["selector"] = Value::Null;
        for key in JOB_LABELS {
            spec["template"]["metadata"]["labels"][key] = Value::Null;
        }
        normalized(spec)
    };
    let mut expected = without_generated(&before);
    expected["template"]["metadata"]["labels"][USE] = json!("true");
    assert_eq!(without_generated(&after), expected);
    assert_eq!(after["metadata"]["labels"]["helm.sh/chart"], "once-1.0.0");
    let uid = after["metadata"]["uid"].as_str().unwrap();
    wait_for_pod(c, ns, &format!("batch.kubernetes.io/controller-uid={uid}"));
    verified(&c.kx, ns, "job/once");

    c.kx.ok(&["unbind", "-n", ns, "job/once", "--recreate"]);
    let unbound = c.get::<Job>(ns, "once");
    assert_eq!(without_generated(&unbound), without_generated(&before));
    let sa = c.get::<ServiceAccount>(ns, "once");
    assert_eq!(
        sa["metadata"]["annotations"],
        json!({"meta.helm.sh/release-name": "app"})
    );
}
