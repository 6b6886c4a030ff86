//! An estate for `audit`: the graph applied (so the profile owns its
//! credentials), then Azure as the audit reads it, with one mistake of each
//! kind on the identity.

use serde_json::{Value, json};

use super::*;

pub const AUD: &str = "api://AzureADTokenExchange";

pub fn identity_id() -> String {
    format!(
        "/subscriptions/{SB}/resourceGroups/{RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{IDENTITY}"
    )
}

pub fn cred(name: &str, issuer: &str, subject: &str, audience: &str) -> Value {
    json!({"name": name, "issuer": issuer, "subject": format!("system:serviceaccount:orders:{subject}"),
           "audiences": [audience]})
}

pub fn gone_scope() -> String {
    format!(
        "/subscriptions/{SB}/resourceGroups/{RG}/providers/Microsoft.ServiceBus/namespaces/sb-gone"
    )
}

/// The graph applied (so the profile owns its credentials), then Azure as
/// the audit reads it: the graph's two credentials plus `extra`, and the
/// graph's role assignment plus one on a scope that is gone when `gone`.
pub fn estate(extra: Vec<Value>, gone: bool) -> (World, String) {
    let w = World::new();
    let file = graph_file(&w);
    azure(&w, 2);
    w.ok(&["apply", "-f", &file, "--yes"]);
    // xtenant made a credential for a cluster since deleted.
    let mut p = w.profile();
    p["owned"].as_array_mut().unwrap().push(json!({
        "kind": "federatedCredential",
        "id": format!("{}/federatedIdentityCredentials/xt-aks-old-orders-writer", identity_id()),
        "state": "created"
    }));
    std::fs::write(w.profile_path(), p.to_string()).unwrap();
    answers(&w, extra, gone);
    w.clear_calls();
    (w, file)
}

/// Azure as the audit reads it: the graph's two credentials plus `extra`,
/// the graph's role assignment plus one on a scope that is gone when `gone`.
pub fn answers(w: &World, extra: Vec<Value>, gone: bool) {
    let mut creds = vec![graph_credential("writer"), graph_credential("reader")];
    creds.extend(extra);
    w.on(
        &format!("aks_list@{SA}"),
        vec![Resp::Json(json!([cluster(true)]))],
    );
    w.on(
        &format!("identity_list@{SB}"),
        vec![Resp::Json(json!([identity()]))],
    );
    w.on(
        &format!("identity_federated-credential_list@{SB}"),
        vec![Resp::Json(Value::Array(creds))],
    );
    let mut roles = vec![role_assignment()];
    if gone {
        let mut r = role_assignment();
        r["id"] = json!(format!(
            "{}/providers/Microsoft.Authorization/roleAssignments/r2",
            gone_scope()
        ));
        r["scope"] = json!(gone_scope());
        roles.push(r);
    }
    w.on(
        &format!("role_assignment_list@{SB}"),
        vec![Resp::Json(Value::Array(roles))],
    );
    w.on(
        &format!("resource_show@{SB}"),
        if gone {
            vec![Resp::Json(json!({"id": ns_id()})), not_found("sb-gone")]
        } else {
            vec![Resp::Json(json!({"id": ns_id()}))]
        },
    );
    w.on(
        "rest",
        vec![Resp::Fail(
            1,
            "ERROR: Not Found({\"error\":\"not found\"})".into(),
        )],
    );
    w.on(
        &format!("identity_federated-credential_delete@{SB}"),
        vec![Resp::Raw("")],
    );
}

pub fn messy() -> Vec<Value> {
    let trimmed = issuer().trim_end_matches('/').to_string();
    vec![
        cred(
            "xt-aks-old-orders-writer",
            "https://old.example/t/old/",
            "writer",
            AUD,
        ),
        cred("old-by-hand", "https://gone.example/t/gone/", "writer", AUD),
        cred("writer-slash", &trimmed, "writer", AUD),
        cred("reader-case", &issuer(), "Reader", AUD),
        cred(
            "other-audience",
            &issuer(),
            "billing",
            "api://something-else",
        ),
        cred("by-hand", &issuer(), "manual", AUD),
    ]
}
