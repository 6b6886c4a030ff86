//! `--dry-run --assume absent|outdated`: an Azure that is not asked. Reads are
//! answered from the command alone: nothing exists (the full plan), or
//! everything exists but needs fixing (every update is shown). Nothing runs,
//! so the plan can be printed without az or a login.

use serde_json::{Value, json};

use super::{AzError, Runner, arm_id};
use crate::az::Assume;
use crate::az::types::PLACEHOLDER_GUID;

/// Pretends Azure looks the way `--assume` says.
pub struct Assumed(pub Assume);

/// The value of `flag` in `argv`.
fn opt<'a>(argv: &'a [String], flag: &str) -> &'a str {
    argv.iter()
        .position(|a| a == flag)
        .and_then(|i| argv.get(i + 1))
        .map_or("", String::as_str)
}

/// The command words, up to the first option: `group show`.
fn words(argv: &[String]) -> String {
    argv.iter()
        .take_while(|a| !a.starts_with('-'))
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

/// What an outdated Azure answers to a read.
fn outdated(argv: &[String]) -> Option<Value> {
    let sub = opt(argv, "--subscription");
    let rg = opt(argv, "--resource-group");
    let name = opt(argv, "--name");
    Some(match words(argv).as_str() {
        // Made by an xtenant from before profile IDs: cleanup deletes it
        // only when the profile records it as created.
        "group show" => json!({
            "id": arm_id::group(sub, name),
            "tags": {"created-by": "xtenant"},
        }),
        "aks show" => json!({
            "id": arm_id::cluster(sub, rg, name),
            "provisioningState": "Succeeded",
            "oidcIssuerProfile": {"enabled": false},
            "securityProfile": {"workloadIdentity": null},
        }),
        "servicebus namespace show" => json!({
            "id": arm_id::namespace(sub, rg, name),
            "serviceBusEndpoint": format!("https://{name}.servicebus.windows.net:443/"),
            "disableLocalAuth": false,
        }),
        "servicebus queue show" => json!({"name": name}),
        "identity show" => json!({
            "id": arm_id::identity(sub, rg, name),
            "clientId": PLACEHOLDER_GUID,
            "principalId": PLACEHOLDER_GUID,
        }),
        "role assignment list" | "identity federated-credential list" | "account list" => json!([]),
        _ => return None,
    })
}

impl Runner for Assumed {
    fn read(&self, _purpose: &str, argv: &[String]) -> Result<Option<Value>, AzError> {
        Ok(match self.0 {
            Assume::Absent => None,
            Assume::Outdated => outdated(argv),
        })
    }

    fn write(&self, _purpose: &str, _argv: &[String]) -> Result<Option<Value>, AzError> {
        Ok(None)
    }

    fn interactive(&self, _argv: &[String]) -> Result<(), AzError> {
        Ok(())
    }

    fn dry_run(&self) -> bool {
        true
    }

    fn assumed(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::az::argv;

    #[test]
    fn absent_answers_nothing() {
        let a = Assumed(Assume::Absent);
        assert!(
            a.read("", &argv::aks_show("s", "rg", "aks"))
                .expect("ok")
                .is_none()
        );
    }

    #[test]
    fn outdated_answers_objects_that_need_fixing() {
        let a = Assumed(Assume::Outdated);
        let c = a
            .read("", &argv::aks_show("s", "rg", "aks"))
            .expect("ok")
            .expect("some");
        assert_eq!(c["oidcIssuerProfile"]["enabled"], false);
        assert!(
            c["id"]
                .as_str()
                .is_some_and(|id| id.ends_with("/managedClusters/aks"))
        );
        let n = a
            .read("", &argv::servicebus_namespace_show("s", "rg", "sb-x-1"))
            .expect("ok")
            .expect("some");
        assert_eq!(n["disableLocalAuth"], false);
        let l = a
            .read("", &argv::federated_credential_list("s", "rg", "id"))
            .expect("ok");
        assert_eq!(l, Some(json!([])));
    }
}
