//! ARM templates xtenant deploys: literal names and properties only (no
//! parameters, no expressions), so that what is deployed is exactly what the
//! plan printed.

use serde_json::{Value, json};

use super::arm_id::ArmId;
use super::types::FederatedCredential;

/// The API version of the federated credentials in a template.
const CREDENTIAL_API: &str = "2023-01-31";

const CREDENTIAL_TYPE: &str =
    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials";

/// Federated credentials of one identity (`identity_id`, its ARM ID), each
/// depending on the one before: Azure refuses concurrent credential writes
/// on one identity, and ARM starts a resource only once what it depends on
/// is done.
pub fn credential_chain(identity_id: &str, credentials: &[FederatedCredential]) -> Value {
    let identity = ArmId::parse(identity_id).name();
    let mut previous: Option<String> = None;
    let resources: Vec<Value> = credentials
        .iter()
        .map(|c| {
            let mut r = json!({
                "type": CREDENTIAL_TYPE,
                "apiVersion": CREDENTIAL_API,
                "name": format!("{identity}/{}", c.name),
                "properties": {
                    "issuer": c.issuer,
                    "subject": c.subject,
                    "audiences": c.audiences,
                },
            });
            if let Some(p) = previous.replace(format!(
                "{identity_id}/federatedIdentityCredentials/{}",
                c.name
            )) {
                r["dependsOn"] = json!([p]);
            }
            r
        })
        .collect();
    json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": resources,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fic(name: &str) -> FederatedCredential {
        FederatedCredential {
            name: name.into(),
            issuer: "https://issuer.example/".into(),
            subject: format!("system:serviceaccount:ns:{name}"),
            audiences: vec!["api://AzureADTokenExchange".into()],
        }
    }

    #[test]
    fn each_credential_depends_on_the_one_before() {
        let id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1";
        let t = credential_chain(id, &[fic("a"), fic("b"), fic("c")]);
        let r = t["resources"].as_array().expect("resources");
        assert_eq!(r.len(), 3);
        assert_eq!(r[0]["name"], "id1/a");
        assert!(r[0].get("dependsOn").is_none());
        assert_eq!(
            r[1]["dependsOn"],
            json!([format!("{id}/federatedIdentityCredentials/a")])
        );
        assert_eq!(
            r[2]["dependsOn"],
            json!([format!("{id}/federatedIdentityCredentials/b")])
        );
        assert_eq!(r[2]["properties"]["subject"], "system:serviceaccount:ns:c");
        // Literal only: nothing for ARM to evaluate.
        assert!(!t.to_string().contains("[resourceId"));
    }
}
