//! `Microsoft.ContainerService/managedClusters`: create/update (long-running), show, list, delete, and kubeconfig credentials.

use axum::http::{Method, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::error::{self, ArmError, ArmResult};
use super::route::Target;
use super::{Req, store};
use crate::state::Stored;

const TYPE: &str = "Microsoft.ContainerService/managedClusters";

/// Routes for managed clusters.
pub async fn handle(req: &Req<'_>, t: &Target, op: &str) -> ArmResult {
    if let Some(all) = store::subscription_list(req, t, TYPE) {
        return all;
    }
    let (t, rg_name, group) = store::in_group(req, t)?;
    let Some((_, name)) = t.pairs.first().cloned() else {
        if req.method == Method::GET {
            return store::list(
                req,
                &format!(
                    "{}/providers/Microsoft.ContainerService/managedClusters",
                    t.scope
                ),
                TYPE,
            );
        }
        return Err(store::unsupported(req, &t.id()));
    };
    let id = t.id_at(1);
    match (&req.method, t.tail.as_deref()) {
        (&Method::GET, None) => store::get(req, &id, TYPE, &name, &rg_name),
        (&Method::PUT, None) => {
            let body = cluster(req, &t, &id, &name, &rg_name, &group)?;
            let tenant = tenant(req, &t.sub);
            store::put_lro(req, (&t.sub, &id, &tenant, op), body, refuse_while_busy)
        }
        (&Method::DELETE, None) => store::delete(req, &t.sub, &id, op, true),
        (&Method::POST, Some(a))
            if a.eq_ignore_ascii_case("listClusterUserCredential")
                || a.eq_ignore_ascii_case("listClusterAdminCredential") =>
        {
            credentials(req, &id, &name, &rg_name, a)
        }
        _ => Err(store::unsupported(req, &format!("{id} {:?}", t.tail))),
    }
}

/// AKS refuses a create or update while another operation runs on the cluster
/// (its provisioning state is not final), whatever that operation is.
fn refuse_while_busy(existing: &Stored) -> Result<(), ArmError> {
    let shown = store::render(existing);
    let state = shown["properties"]["provisioningState"]
        .as_str()
        .unwrap_or("Succeeded");
    if ["Succeeded", "Failed", "Canceled"]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(state))
    {
        return Ok(());
    }
    Err(ArmError::new(
        StatusCode::CONFLICT,
        "OperationNotAllowed",
        format!(
            "Operation is not allowed: Another operation ({state}) is in progress, please wait for it to finish before starting a new operation. See https://aka.ms/aks-pending-operation for more details"
        ),
    ))
}

fn tenant(req: &Req<'_>, sub: &str) -> String {
    req.sim
        .config
        .tenant_of_subscription(sub)
        .map(|t| t.id.clone())
        .unwrap_or_default()
}

/// The cluster as ARM stores it: the request's body plus what AKS computes.
pub(super) fn cluster(
    req: &Req<'_>,
    t: &Target,
    id: &str,
    name: &str,
    rg: &str,
    group: &Value,
) -> Result<Value, ArmError> {
    let (existing, chosen) = {
        let g = req.sim.lock();
        let key = name.to_ascii_lowercase();
        let chosen = g.cluster_issuers.get(&key).cloned();
        (g.get(id).map(|s| s.body.clone()), chosen)
    };
    let location = store::location(req, Some(group));
    let tenant = tenant(req, &t.sub);
    let mut mc = req.body.clone();
    if !mc.is_object() {
        return Err(ArmError::bad(
            "InvalidRequestContent",
            "The request content is missing.",
        ));
    }
    let old = existing.as_ref().map(|e| &e["properties"]);
    let p = mc["properties"].take();
    let mut p = if p.is_object() { p } else { json!({}) };
    let dns = p["dnsPrefix"]
        .as_str()
        .map(String::from)
        .unwrap_or_else(|| format!("{}-{}-{}", trunc(name, 10), trunc(rg, 16), trunc(&t.sub, 6)));
    let fqdn = old
        .and_then(|o| o["fqdn"].as_str().map(String::from))
        .unwrap_or_else(|| {
            format!(
                "{dns}-{}.hcp.{location}.azmk8s.io",
                &uuid::Uuid::new_v4().simple().to_string()[..8]
            )
        });
    let oidc_on = p["oidcIssuerProfile"]["enabled"].as_bool().unwrap_or(false)
        || old.is_some_and(|o| o["oidcIssuerProfile"]["enabled"] == true);
    let wi_on = p["securityProfile"]["workloadIdentity"]["enabled"]
        .as_bool()
        .unwrap_or(false);
    if wi_on && !oidc_on {
        return Err(ArmError::bad(
            "InvalidParameter",
            "Enabling workload identity requires enabling OIDC issuer profile.",
        ));
    }
    let issuer = oidc_on.then(|| {
        old.and_then(|o| {
            o["oidcIssuerProfile"]["issuerURL"]
                .as_str()
                .map(String::from)
        })
        .or(chosen)
        .or_else(|| {
            let key = name.to_ascii_lowercase();
            req.sim.config.aks_issuers.get(&key).cloned()
        })
        .or_else(|| req.sim.config.aks_issuer_url.clone())
        .unwrap_or_else(|| {
            format!(
                "https://{location}.oic.prod-aks.azure.com/{tenant}/{}/",
                uuid::Uuid::new_v4()
            )
        })
    });
    p["oidcIssuerProfile"] = match issuer {
        Some(u) => json!({"enabled": true, "issuerURL": u}),
        None => json!({"enabled": false}),
    };
    if !p["securityProfile"].is_object() {
        p["securityProfile"] = json!({});
    }
    // AKS leaves out what is not enabled rather than answering null
    // (acs/test_aks_create_default_service.yaml in the recordings).
    if !wi_on && let Some(sp) = p["securityProfile"].as_object_mut() {
        sp.remove("workloadIdentity");
    }
    let version = p["kubernetesVersion"]
        .as_str()
        .filter(|v| !v.is_empty())
        .unwrap_or("1.33.5")
        .to_string();
    p["kubernetesVersion"] = json!(version);
    p["currentKubernetesVersion"] = json!(version);
    p["dnsPrefix"] = json!(dns);
    p["fqdn"] = json!(fqdn);
    p["azurePortalFQDN"] = json!(fqdn.replace(".hcp.", ".portal.hcp."));
    p["nodeResourceGroup"] = p["nodeResourceGroup"]
        .as_str()
        .map_or_else(|| json!(format!("MC_{rg}_{name}_{location}")), |s| json!(s));
    p["powerState"] = json!({"code": "Running"});
    p["maxAgentPools"] = json!(100);
    p["provisioningState"] = json!("Succeeded");
    if let Some(pools) = p["agentPoolProfiles"].as_array_mut() {
        for pool in pools {
            pool["provisioningState"] = json!("Succeeded");
            pool["powerState"] = json!({"code": "Running"});
            pool["orchestratorVersion"] = json!(version);
            if pool["vmSize"].as_str().is_none_or(str::is_empty) {
                pool["vmSize"] = json!("Standard_DS2_v2");
            }
            pool["currentOrchestratorVersion"] = json!(version);
        }
    }
    let principal = existing
        .as_ref()
        .and_then(|e| e["identity"]["principalId"].as_str().map(String::from))
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let identity = match mc["identity"]["type"].as_str() {
        Some(kind) if kind.eq_ignore_ascii_case("SystemAssigned") => {
            json!({"type": "SystemAssigned", "principalId": principal, "tenantId": tenant})
        }
        _ => mc["identity"].clone(),
    };
    // A cluster made with a service principal (`servicePrincipalProfile` with a
    // client ID other than `msi`) has no managed identity, and AKS never answers
    // the secret (acs/test_aks_create_default_service.yaml in the recordings).
    let with_sp = p["servicePrincipalProfile"]["clientId"]
        .as_str()
        .is_some_and(|c| !c.eq_ignore_ascii_case("msi"));
    if let Some(sp) = p["servicePrincipalProfile"].as_object_mut() {
        sp.remove("secret");
    }
    if identity.is_null() {
        if let Some(o) = mc.as_object_mut() {
            o.remove("identity");
        }
    } else {
        mc["identity"] = identity;
    }
    if with_sp {
        mc["properties"] = p;
        return Ok(finish(mc, id, name, &location));
    }
    let kubelet = old.map(|o| o["identityProfile"].clone()).filter(Value::is_object).unwrap_or_else(|| {
        let node_rg = p["nodeResourceGroup"].as_str().unwrap_or_default();
        json!({"kubeletidentity": {
            "resourceId": format!("/subscriptions/{}/resourcegroups/{node_rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}-agentpool", t.sub),
            "clientId": uuid::Uuid::new_v4().to_string(),
            "objectId": uuid::Uuid::new_v4().to_string(),
        }})
    });
    p["identityProfile"] = kubelet;
    mc["properties"] = p;
    Ok(finish(mc, id, name, &location))
}

/// The cluster's ARM envelope: ID, name, type and location.
fn finish(mut mc: Value, id: &str, name: &str, location: &str) -> Value {
    mc["id"] = json!(id);
    mc["name"] = json!(name);
    mc["type"] = json!(TYPE);
    mc["location"] = json!(location);
    mc
}

fn trunc(s: &str, n: usize) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(n)
        .collect()
}

/// `listClusterUserCredential` / `listClusterAdminCredential`: a base64 kubeconfig.
fn credentials(req: &Req<'_>, id: &str, name: &str, rg: &str, action: &str) -> ArmResult {
    let fqdn = {
        let g = req.sim.lock();
        let c = g
            .get(id)
            .ok_or_else(|| ArmError::not_found(TYPE, name, rg))?;
        c.body["properties"]["fqdn"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let user = if action.to_ascii_lowercase().contains("admin") {
        "clusterAdmin"
    } else {
        "clusterUser"
    };
    let kubeconfig = req.sim.config.aks_kubeconfig.clone().unwrap_or_else(|| {
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://{fqdn}:443\n    insecure-skip-tls-verify: true\n  name: {name}\ncontexts:\n- context:\n    cluster: {name}\n    user: {user}_{rg}_{name}\n  name: {name}\ncurrent-context: {name}\npreferences: {{}}\nusers:\n- name: {user}_{rg}_{name}\n  user:\n    token: azsim-not-a-real-token\n"
        )
    });
    error::reply(
        StatusCode::OK,
        json!({"kubeconfigs": [{"name": user, "value": STANDARD.encode(kubeconfig)}]}),
    )
}
