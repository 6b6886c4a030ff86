//! The two-admin hand-off against the fake az: Tenant A's side with its
//! request made, Tenant B's with the request handed over, and the
//! arguments of `grant` and `grant --retire`.

use serde_json::json;

use super::*;

/// Signed in to Tenant A only; its cluster exists with an issuer.
pub fn tenant_a(w: &World) {
    w.on(
        "account_list",
        vec![Resp::Json(json!([
            {"id": SA, "tenantId": TA, "user": {"name": "a-admin"}}
        ]))],
    );
    w.on(&format!("aks_show@{SA}"), vec![Resp::Json(cluster(true))]);
}

pub fn request(w: &World) -> String {
    let file = graph_file(w);
    tenant_a(w);
    let out = w.run(&["request", "-f", &file]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    String::from_utf8(out.stdout).unwrap()
}

/// Tenant B's side: signed in to Tenant B only, Azure as a graph's apply
/// finds it (the group, identity and credentials absent).
pub fn tenant_b(w: &World) {
    azure(w, 1);
    w.on(
        "account_list",
        vec![Resp::Json(json!([
            {"id": SB, "tenantId": TB, "user": {"name": "b-admin"}}
        ]))],
    );
}

/// Tenant A's world with its request made, Tenant B's with the request
/// written in it (and signed in to Tenant B only): the request's text and
/// Tenant B's copy of it.
pub fn handed_over() -> (World, World, String, String) {
    let a = World::new();
    let yaml = request(&a);
    let b = World::new();
    let file = b.path().join("request.yaml");
    std::fs::write(&file, &yaml).unwrap();
    tenant_b(&b);
    let file = file.to_str().unwrap().to_string();
    (a, b, yaml, file)
}

/// `grant` of the request in `file` into Tenant B's group, before its options.
fn grant_base(file: &str) -> Vec<&str> {
    vec![
        "grant",
        file,
        "-g",
        RG,
        "--tenant-b",
        TB,
        "--subscription-b",
        SB,
    ]
}

pub fn grant_args<'a>(file: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = grant_base(file);
    args.extend(["--location", "eastus", "--yes"]);
    args.extend(extra);
    args
}

/// `grant --retire` of the request in `file`, without `--location`.
pub fn retire_args(file: &str) -> Vec<&str> {
    let mut args = grant_base(file);
    args.extend(["--retire", "--yes"]);
    args
}

/// Tenant B's Azure after a grant, answering a retire's deletes; its group
/// lists nothing once the identity is gone.
pub fn retirable(b: &World) {
    retirable_leaving(b, json!([]));
}

/// As [`retirable`], the group listing `left` once the identity is gone.
pub fn retirable_leaving(b: &World, left: serde_json::Value) {
    b.on(&format!("identity_delete@{SB}"), vec![Resp::Raw("")]);
    b.on(&format!("resource_list@{SB}"), vec![Resp::Json(left)]);
    b.on(&format!("group_delete@{SB}"), vec![Resp::Raw("")]);
}
