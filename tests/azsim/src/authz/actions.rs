//! Which action an ARM request needs, and over which scope: the resource type's
//! path plus `read`, `write`, `delete` or `<name>/action` ("Azure resource provider
//! operations", learn.microsoft.com/azure/role-based-access-control/permissions).

use axum::http::Method;
use serde_json::Value;

use crate::arm::route::{Route, Target};

/// An action needed over a scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Needed {
    /// `Microsoft.ManagedIdentity/userAssignedIdentities/write`.
    pub action: String,
    /// The resource (or, for a list, the parent) the action is checked over.
    pub scope: String,
}

/// A resource a template deployment would write.
#[derive(Clone, Debug)]
pub struct TemplateWrite {
    /// Its `name` in the template.
    pub name: String,
    /// Its `type` in the template.
    pub rtype: String,
    /// Its write action over its ID.
    pub needed: Needed,
}

fn verb(method: &Method) -> &'static str {
    match *method {
        Method::PUT | Method::PATCH => "write",
        Method::DELETE => "delete",
        _ => "read",
    }
}

// ARM names this type in lower case in its operations list and in its refusals
// (`Microsoft.Resources/deployments/operationstatuses/read`).
fn type_segment(t: &str) -> String {
    if t.eq_ignore_ascii_case("operationStatuses") {
        t.to_ascii_lowercase()
    } else {
        t.to_string()
    }
}

/// The action and scope `method` on `route` needs; `None` for what every
/// signed-in caller of the tenant may do here (tenants, subscriptions, a
/// provider's registration, the status of a long-running operation).
pub fn needed(method: &Method, route: &Route) -> Option<Needed> {
    let rg_type = "Microsoft.Resources/subscriptions/resourceGroups";
    let (action, scope) = match route {
        Route::Tenants | Route::Subscriptions | Route::Subscription(_) => return None,
        Route::Operation { .. } => return None,
        Route::Provider { sub, namespace } if *method == Method::POST => (
            format!("{namespace}/register/action"),
            format!("/subscriptions/{sub}"),
        ),
        Route::Provider { .. } => return None,
        Route::Groups(sub) => (format!("{rg_type}/read"), format!("/subscriptions/{sub}")),
        Route::Group(sub, rg) => (
            format!("{rg_type}/{}", verb(method)),
            format!("/subscriptions/{sub}/resourceGroups/{rg}"),
        ),
        Route::GroupResources(sub, rg) => (
            format!("{rg_type}/resources/read"),
            format!("/subscriptions/{sub}/resourceGroups/{rg}"),
        ),
        Route::SubscriptionResources(sub) => (
            "Microsoft.Resources/subscriptions/resources/read".to_string(),
            format!("/subscriptions/{sub}"),
        ),
        Route::Resource(t) => resource(method, t),
    };
    Some(Needed { action, scope })
}

fn resource(method: &Method, t: &Target) -> (String, String) {
    let mut action = t.namespace.clone();
    for (ty, _) in &t.pairs {
        action.push('/');
        action.push_str(&type_segment(ty));
    }
    let parent = if t.pairs.is_empty() {
        t.scope.clone()
    } else {
        t.id()
    };
    match t.tail.as_deref() {
        Some(a) if t.is_action() => (format!("{action}/{a}/action"), parent),
        Some(collection) => (
            format!("{action}/{}/read", type_segment(collection)),
            parent,
        ),
        None => (format!("{action}/{}", verb(method)), parent),
    }
}

/// The resources a deployment's validate or PUT would write, each with the write
/// it needs: ARM authorises them as the caller before it runs anything (a
/// refusal is `InvalidTemplateDeployment`). Empty for any other request, and
/// for resources the template names with expressions (validation refuses those).
pub fn template_writes(method: &Method, route: &Route, body: &Value) -> Vec<TemplateWrite> {
    let Route::Resource(t) = route else {
        return Vec::new();
    };
    let deployment = t.namespace == "Microsoft.Resources"
        && t.pairs.len() == 1
        && t.pairs[0].0.eq_ignore_ascii_case("deployments");
    let starts = match (method, t.tail.as_deref()) {
        (&Method::PUT, None) => true,
        (&Method::POST, Some(a)) => a.eq_ignore_ascii_case("validate"),
        _ => false,
    };
    let Some(rg) = t.rg.as_deref().filter(|_| deployment && starts) else {
        return Vec::new();
    };
    let group = format!("/subscriptions/{}/resourceGroups/{rg}", t.sub);
    let items = body["properties"]["template"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    items
        .iter()
        .filter_map(|r| {
            let rtype = r["type"].as_str()?;
            let name = r["name"].as_str()?;
            let mut types = rtype.split('/');
            let namespace = types.next()?;
            let types: Vec<&str> = types.collect();
            let names: Vec<&str> = name.split('/').collect();
            if rtype.contains('[') || name.contains('[') || types.len() != names.len() {
                return None;
            }
            let mut id = format!("{group}/providers/{namespace}");
            for (ty, nm) in types.iter().zip(&names) {
                id.push_str(&format!("/{ty}/{nm}"));
            }
            Some(TemplateWrite {
                name: name.to_string(),
                rtype: rtype.to_string(),
                needed: Needed {
                    action: format!("{rtype}/write"),
                    scope: id,
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(method: &Method, path: &str) -> Needed {
        let route = Route::parse(method, path).unwrap_or_else(|| panic!("no route: {path}"));
        needed(method, &route).unwrap_or_else(|| panic!("no action: {path}"))
    }

    const RG: &str = "/subscriptions/s/resourceGroups/rg";

    #[test]
    fn reads_writes_deletes_and_actions() {
        let fic = format!(
            "{RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id/federatedIdentityCredentials/c"
        );
        let n = at(&Method::PUT, &fic);
        assert_eq!(
            n.action,
            "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write"
        );
        assert_eq!(n.scope, fic);
        let list = at(
            &Method::GET,
            &format!(
                "{RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id/federatedIdentityCredentials"
            ),
        );
        assert_eq!(
            list.action,
            "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read"
        );
        assert!(list.scope.ends_with("/userAssignedIdentities/id"));
        let aks = at(
            &Method::GET,
            "/subscriptions/s/providers/Microsoft.ContainerService/managedClusters",
        );
        assert_eq!(
            aks.action,
            "Microsoft.ContainerService/managedClusters/read"
        );
        assert_eq!(aks.scope, "/subscriptions/s");
        let validate = at(
            &Method::POST,
            &format!("{RG}/providers/Microsoft.Resources/deployments/d/validate"),
        );
        assert_eq!(
            validate.action,
            "Microsoft.Resources/deployments/validate/action"
        );
        let status = at(
            &Method::GET,
            &format!("{RG}/providers/Microsoft.Resources/deployments/d/operationStatuses/o"),
        );
        assert_eq!(
            status.action,
            "Microsoft.Resources/deployments/operationstatuses/read"
        );
        assert_eq!(
            at(&Method::DELETE, RG).action,
            "Microsoft.Resources/subscriptions/resourceGroups/delete"
        );
    }

    #[test]
    fn a_deployment_writes_each_template_resource() {
        let path = format!("{RG}/providers/Microsoft.Resources/deployments/d");
        let route = Route::parse(&Method::PUT, &path).unwrap_or_else(|| panic!("{path}"));
        let body = serde_json::json!({"properties": {"template": {"resources": [{
            "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
            "name": "id/c", "apiVersion": "2023-01-31"}]}}});
        let w = template_writes(&Method::PUT, &route, &body);
        assert_eq!(w.len(), 1);
        assert_eq!(
            w[0].needed.scope,
            format!(
                "{RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id/federatedIdentityCredentials/c"
            )
        );
        assert!(template_writes(&Method::GET, &route, &body).is_empty());
    }
}
