//! Waiting for a rollout as `kubectl rollout status` does: the controller has
//! seen the new template (observedGeneration), every replica is updated, and
//! the updated ones are available; no old ones are left.

use anyhow::{Context, Result};
use kube::api::{Api, DynamicObject};
use kube::runtime::wait::await_condition;
use serde_json::Value;

use crate::binding::WorkloadKind;
use crate::wait::{Deadline, within};

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
