//! Waiting for a rollout as `kubectl rollout status` does: the controller has
//! seen the new template (observedGeneration), every replica is updated, and
//! the updated ones are available; no old ones are left.

use anyhow::{Context, Result};
use kube::api::{Api, DynamicObject};
use kube::runtime::wait::await_condition;
use serde_json::Value;

use std::time::Duration;

use super::Found;
use super::binding::{Target, WorkloadKind};
use crate::exit::Timeout;
use crate::output::{Check, Report, progress};
use crate::wait::{Deadline, within};
use xtenant_shared::output::Format;

/// Where a rollout stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Done(String),
    Waiting(String),
    Failed(String),
    /// Nothing to wait for (e.g. an `OnDelete` update strategy).
    NotRolling(String),
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

/// The rollout state of a Deployment, StatefulSet or DaemonSet.
pub fn state(kind: WorkloadKind, obj: &DynamicObject) -> State {
    let (spec, status) = (&obj.data["spec"], &obj.data["status"]);
    let generation = obj.metadata.generation.unwrap_or(0);
    if int(&status["observedGeneration"]) < generation {
        return State::Waiting("the controller has not seen the new template yet".into());
    }
    let on_delete = spec["updateStrategy"]["type"] == "OnDelete";
    match kind {
        WorkloadKind::Deployment => deployment(spec, status),
        WorkloadKind::StatefulSet if on_delete => State::NotRolling(
            "its update strategy is OnDelete: delete the pods to replace them".into(),
        ),
        WorkloadKind::StatefulSet => {
            let want = spec["replicas"].as_i64().unwrap_or(1);
            let (updated, ready) = (
                int(&status["updatedReplicas"]),
                int(&status["readyReplicas"]),
            );
            let same_revision = status["updateRevision"] == status["currentRevision"];
            if updated >= want && ready >= want && same_revision {
                State::Done(format!("{want} pods updated and ready"))
            } else {
                State::Waiting(format!("{updated} of {want} pods updated, {ready} ready"))
            }
        }
        WorkloadKind::DaemonSet if on_delete => State::NotRolling(
            "its update strategy is OnDelete: delete the pods to replace them".into(),
        ),
        WorkloadKind::DaemonSet => {
            let want = int(&status["desiredNumberScheduled"]);
            let updated = int(&status["updatedNumberScheduled"]);
            let available = int(&status["numberAvailable"]);
            if updated >= want && available >= want {
                State::Done(format!("{want} pods updated and available"))
            } else {
                State::Waiting(format!(
                    "{updated} of {want} pods updated, {available} available"
                ))
            }
        }
        WorkloadKind::CronJob | WorkloadKind::Job => {
            State::NotRolling("its pods are replaced at the next run".into())
        }
    }
}

fn deployment(spec: &Value, status: &Value) -> State {
    let conditions = status["conditions"].as_array().cloned().unwrap_or_default();
    if let Some(c) = conditions
        .iter()
        .find(|c| c["type"] == "Progressing" && c["reason"] == "ProgressDeadlineExceeded")
    {
        return State::Failed(
            c["message"]
                .as_str()
                .unwrap_or("progress deadline exceeded")
                .into(),
        );
    }
    let want = spec["replicas"].as_i64().unwrap_or(1);
    let updated = int(&status["updatedReplicas"]);
    let total = int(&status["replicas"]);
    let available = int(&status["availableReplicas"]);
    if updated >= want && total <= updated && available >= updated {
        State::Done(format!("{updated} pods updated and available"))
    } else {
        State::Waiting(format!(
            "{updated} of {want} pods updated, {available} available, {} old",
            (total - updated).max(0)
        ))
    }
}

/// Waits until the rollout is done or failed, or nothing rolls.
pub async fn wait(
    api: &Api<DynamicObject>,
    kind: WorkloadKind,
    name: &str,
    deadline: Deadline,
) -> Result<State> {
    let settled = move |o: Option<&DynamicObject>| {
        o.is_none_or(|o| !matches!(state(kind, o), State::Waiting(_)))
    };
    let fut = async {
        let obj = await_condition(api.clone(), name, settled)
            .await
            .context("watching the rollout")?;
        let obj = obj.with_context(|| format!("{} {name} disappeared", kind.word()))?;
        Ok(state(kind, &obj))
    };
    within(
        deadline,
        &format!("the rollout of {}/{name}", kind.word()),
        fut,
    )
    .await
}

/// Whether and how long to wait for the rollout a changed template starts.
#[derive(Debug, Clone, Copy)]
pub struct Wait {
    /// Return once the change is applied, without waiting for the rollout.
    pub no_wait: bool,
    pub timeout: Duration,
}

/// What happens to the running pods.
pub fn restart_check(target: &Target, changed: bool, at: Option<&str>, no_restart: bool) -> Check {
    let id = "restart";
    if target.kind == WorkloadKind::CronJob {
        let when = if changed {
            "takes effect"
        } else {
            "is unchanged; it applies"
        };
        return Check::pass(
            id,
            format!(
                "{target}: the job template {when} at the next run; Jobs already created keep their pods"
            ),
        );
    }
    match (changed, no_restart, at) {
        (true, false, Some(at)) => Check::pass(
            id,
            format!(
                "{target}: restart requested (restartedAt {at}); the controller replaces the pods and the webhook mutates the new ones"
            ),
        ),
        (true, _, _) => Check::pass(
            id,
            format!("{target}: the pod template changed, so the controller replaces the pods"),
        ),
        (false, _, _) => Check::warn(
            id,
            format!("{target}: the pod template is unchanged; running pods keep what they had"),
            format!("kubectl rollout restart {target}"),
        ),
    }
}

/// Waits for the rollout a changed template started, as a check: a rollout
/// still going at the deadline makes the report time out (exit 4).
pub async fn await_rollout(
    report: &mut Report,
    found: &Found,
    target: &Target,
    changed: bool,
    wait: &Wait,
    format: Format,
) -> Result<()> {
    if !target.kind.rolls_out() || !changed || wait.no_wait {
        return Ok(());
    }
    progress(format, &format!("waiting for the rollout of {target}"));
    let status = format!("kubectl rollout status {target}");
    let deadline = Deadline::after(wait.timeout);
    let check = match self::wait(&found.api, target.kind, &target.name, deadline).await {
        Ok(State::Done(what)) => Check::pass("rollout", format!("{target}: rolled out, {what}")),
        Ok(State::NotRolling(why)) => Check::warn("rollout", format!("{target}: {why}"), status),
        Ok(State::Failed(why) | State::Waiting(why)) => Check::fail(
            "rollout",
            format!("{target}: rollout failed: {why}"),
            format!("kubectl describe {target}"),
        ),
        Err(e) if e.is::<Timeout>() => {
            report.timed_out = true;
            Check::fail("rollout", format!("{target}: {e}"), status)
        }
        Err(e) => return Err(e),
    };
    report.push(check);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(generation: i64, spec: &Value, status: &Value) -> DynamicObject {
        serde_json::from_value(json!({"apiVersion": "apps/v1", "kind": "X",
            "metadata": {"name": "web", "generation": generation}, "spec": spec, "status": status}))
        .expect("object")
    }

    #[test]
    fn a_deployment_is_done_when_every_replica_is_new_and_available() {
        let spec = json!({"replicas": 2});
        let d = |status: Value| state(WorkloadKind::Deployment, &obj(3, &spec, &status));
        assert!(matches!(
            d(
                json!({"observedGeneration": 2, "updatedReplicas": 2, "replicas": 2, "availableReplicas": 2})
            ),
            State::Waiting(_)
        ));
        assert!(matches!(
            d(
                json!({"observedGeneration": 3, "updatedReplicas": 2, "replicas": 3, "availableReplicas": 2})
            ),
            State::Waiting(_)
        ));
        assert!(matches!(
            d(
                json!({"observedGeneration": 3, "updatedReplicas": 2, "replicas": 2, "availableReplicas": 2})
            ),
            State::Done(_)
        ));
        let stuck = json!({"observedGeneration": 3, "conditions": [
            {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded", "message": "too slow"}]});
        assert_eq!(d(stuck), State::Failed("too slow".into()));
    }

    #[test]
    fn on_delete_sets_do_not_roll() {
        let spec = json!({"updateStrategy": {"type": "OnDelete"}});
        let s = obj(1, &spec, &json!({"observedGeneration": 1}));
        assert!(matches!(
            state(WorkloadKind::StatefulSet, &s),
            State::NotRolling(_)
        ));
        let ds = obj(
            1,
            &json!({}),
            &json!({"observedGeneration": 1, "desiredNumberScheduled": 3,
            "updatedNumberScheduled": 3, "numberAvailable": 2}),
        );
        assert!(matches!(
            state(WorkloadKind::DaemonSet, &ds),
            State::Waiting(_)
        ));
    }
}
