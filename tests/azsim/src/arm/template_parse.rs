//! The properties ARM's template parser requires of every deployment template:
//! `$schema`, `contentVersion` and `resources`, checked in that order, before
//! anything is validated or run.
//!
//! ARM's refusal is 400 `InvalidTemplate`, "Deployment template parse failed:
//! 'Required property 'contentVersion' not found in JSON. Path '', line 2431,
//! position 1.'." (as quoted from a real deployment in
//! Azure/Azure-Landing-Zones#3148); the order and the three names are those of
//! ARM's template engine as Bicep's tests of it record them ("Required property
//! '$schema' not found in JSON. Path '', line 2, position 1." for `{}`, then
//! `contentVersion`, then `resources`; Azure/bicep,
//! LocalJsonModuleTests.cs). The template arrives here parsed, so the line is
//! 1 and the position the end of its compact text, where the parser notices.

use serde_json::Value;

use super::error::ArmError;

/// Refuses a template object missing a property ARM requires of it.
pub fn required_properties(template: &Value) -> Result<(), ArmError> {
    let Some(object) = template.as_object() else {
        return Ok(());
    };
    match ["$schema", "contentVersion", "resources"]
        .into_iter()
        .find(|k| !object.contains_key(*k))
    {
        None => Ok(()),
        Some(missing) => Err(ArmError::bad(
            "InvalidTemplate",
            format!(
                "Deployment template parse failed: 'Required property '{missing}' not found in JSON. Path '', line 1, position {}.'.",
                template.to_string().len()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_then_content_version_then_resources() {
        let said = |t: Value| required_properties(&t).err().map(|e| e.message);
        let m = said(serde_json::json!({})).unwrap_or_default();
        assert!(m.contains("'$schema' not found"), "{m}");
        let m = said(serde_json::json!({"$schema": "s"})).unwrap_or_default();
        assert!(m.contains("'contentVersion' not found"), "{m}");
        let m = said(serde_json::json!({"$schema": "s", "contentVersion": "1.0.0.0"}))
            .unwrap_or_default();
        assert!(m.contains("'resources' not found"), "{m}");
        assert!(
            said(serde_json::json!({"$schema": "s", "contentVersion": "1", "resources": []}))
                .is_none()
        );
    }
}
