//! `Microsoft.ManagedIdentity/userAssignedIdentities` and their `federatedIdentityCredentials` (limits, uniqueness, concurrency).

use std::time::Duration;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::error::{ArmError, ArmResult};
use super::route::Target;
use super::{Req, store};

const TYPE: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";
const FIC_TYPE: &str =
    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials";
const MAX_FICS: usize = 20;

/// Routes for identities and their federated credentials.
pub async fn handle(req: &Req<'_>, t: &Target, op: &str) -> ArmResult {
    if let Some(all) = store::subscription_list(req, t, TYPE) {
        return all;
    }
    let (t, rg_name, group) = store::in_group(req, t)?;
    let tenant = store::tenant_of(req, &t.sub);
    match (t.pairs.len(), t.tail.is_some(), &req.method) {
        (0, true, &Method::GET) => store::list(
            req,
            &format!(
                "{}/providers/Microsoft.ManagedIdentity/userAssignedIdentities",
                t.scope
            ),
            TYPE,
        ),
        (1, false, &Method::GET) => store::get(req, &t.id(), TYPE, &t.pairs[0].1, &rg_name),
        (1, false, &Method::PUT | &Method::PATCH) => {
            let id = t.id();
            let mut g = req.sim.lock();
            let old = g.get(&id).map(|s| s.body.clone());
            if old.is_none() && req.method == Method::PATCH {
                return Err(ArmError::not_found(TYPE, &t.pairs[0].1, &rg_name));
            }
            let props = old.as_ref().map_or_else(
                || json!({"tenantId": tenant, "principalId": uuid::Uuid::new_v4().to_string(), "clientId": uuid::Uuid::new_v4().to_string()}),
                |o| o["properties"].clone(),
            );
            let tags = req
                .body
                .get("tags")
                .cloned()
                .or_else(|| old.as_ref().map(|o| o["tags"].clone()))
                .unwrap_or(json!({}));
            let location = old
                .as_ref()
                .and_then(|o| o["location"].as_str().map(String::from))
                .unwrap_or_else(|| store::location(req, Some(&group)));
            let body = json!({"id": id, "name": t.pairs[0].1, "type": TYPE, "location": location, "tags": tags, "properties": props});
            let (created, shown) = store::save(&mut g, &id, body, &tenant, 0);
            store::put_answer_located(created, shown)
        }
        (1, false, &Method::DELETE) => store::delete(req, &t.sub, &t.id(), op, false),
        // A child collection under a missing identity is 404 on the identity, not
        // an empty list: ARM resolves the parent first, as it does the group
        // (the `ResourceNotFound` a credential PUT meets in fic_write; ARM's
        // "Resolve resource not found errors" page, aka.ms/ARMResourceNotFoundFix).
        (1, true, &Method::GET) => {
            if req.sim.lock().get(&t.id()).is_none() {
                return Err(ArmError::not_found(TYPE, &t.pairs[0].1, &rg_name));
            }
            store::list(
                req,
                &format!("{}/federatedIdentityCredentials", t.id()),
                FIC_TYPE,
            )
        }
        (2, false, &Method::GET) => store::get(req, &t.id(), FIC_TYPE, &t.pairs[1].1, &rg_name),
        (2, false, &Method::PUT | &Method::DELETE) => {
            fic_write(req, &t, &tenant, &rg_name, op).await
        }
        _ => Err(store::unsupported(req, &t.id())),
    }
}

/// Marks an identity busy with a credential write while it lives (also when the
/// handler is dropped because the client went away).
struct Busy<'a> {
    req: &'a Req<'a>,
    key: String,
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.req.sim.lock().busy_identities.remove(&self.key);
    }
}

/// A federated credential write, keeping the identity busy for `fic_write_ms` (and,
/// when the write is held, until it is released).
async fn fic_write(req: &Req<'_>, t: &Target, tenant: &str, rg: &str, op: &str) -> ArmResult {
    let identity = t.id_at(1);
    let key = identity.to_ascii_lowercase();
    let hold = {
        let mut g = req.sim.lock();
        if g.get(&identity).is_none() {
            return Err(ArmError::not_found(TYPE, &t.pairs[0].1, rg));
        }
        if !g.busy_identities.insert(key.clone()) {
            return Err(ArmError::new(
                StatusCode::CONFLICT,
                "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity",
                format!(
                    "Too many Federated Identity Credentials are written concurrently for the managed identity '{identity}'. Concurrent Federated Identity Credentials writes under the same managed identity are not supported."
                ),
            ));
        }
        g.faults.fic_write_ms
    };
    let _busy = Busy { req, key };
    req.sim.hold_point(op).await;
    tokio::time::sleep(Duration::from_millis(hold)).await;
    if req.method == Method::DELETE {
        store::delete(
            req,
            &t.sub,
            &t.id(),
            "federatedIdentityCredentials.delete",
            false,
        )
    } else {
        fic_put(req, t, tenant)
    }
}

fn fic_put(req: &Req<'_>, t: &Target, tenant: &str) -> ArmResult {
    let id = t.id();
    let name = &t.pairs[1].1;
    let p = &req.body["properties"];
    let issuer = p["issuer"].as_str().unwrap_or_default().to_string();
    let subject = p["subject"].as_str().unwrap_or_default().to_string();
    if !issuer.starts_with("https://") {
        return Err(ArmError::bad(
            "BadRequest",
            format!("Issuer '{issuer}' is not a valid https URL."),
        ));
    }
    if subject.is_empty() {
        return Err(ArmError::bad(
            "BadRequest",
            "The subject of a Federated Identity Credential must not be empty.",
        ));
    }
    let audiences = match p["audiences"].as_array() {
        Some(a) if !a.is_empty() => Value::Array(a.clone()),
        _ => json!(["api://AzureADTokenExchange"]),
    };
    let mut g = req.sim.lock();
    let others: Vec<Value> = store::children(
        &g,
        &format!("{}/federatedIdentityCredentials", t.id_at(1)),
        FIC_TYPE,
    )
    .into_iter()
    .filter(|c| {
        !c["name"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })
    .collect();
    // Azure's answer names neither the other credential nor the values.
    if others.iter().any(|c| {
        c["properties"]["issuer"] == issuer.as_str()
            && c["properties"]["subject"] == subject.as_str()
    }) {
        return Err(ArmError::bad(
            "BadRequest",
            "Issuer and subject combination already exists for this Managed Identity.",
        ));
    }
    if others.len() >= MAX_FICS {
        return Err(ArmError::bad(
            "BadRequest",
            format!(
                "Federated Identity Credential count limit ({MAX_FICS}) reached for the managed identity '{}'.",
                t.id_at(1)
            ),
        ));
    }
    let body = json!({"id": id, "name": name, "type": FIC_TYPE, "properties": {"issuer": issuer, "subject": subject, "audiences": audiences}});
    let (created, shown) = store::save(&mut g, &id, body, tenant, 0);
    store::put_answer_located(created, shown)
}
