//! Replaying a cassette against a fresh simulator, in order, and comparing each answer with the recorded one.
//!
//! The recording's subscription becomes Tenant A's; resource-group and resource names are
//! kept. Groups the Azure CLI's test preparers made before recording starts are made
//! first. Polling URLs are mapped onto the ones the simulator handed out. Operations
//! stay in progress until the recording shows one finished (a terminal state, a 404
//! after a delete): the recording drives the clock, not the wall time.

use std::collections::HashMap;
use std::time::Instant;

use azsim::{Config, Server, ServicePrincipal};
use serde_json::{Value, json};

use super::cassette::{Cassette, Interaction, RECORDED_SUB, bare};
use super::shape;

/// Response headers that steer a long-running operation.
const LRO_HEADERS: [&str; 3] = ["Azure-AsyncOperation", "Location", "Retry-After"];

/// One way an answer differs from the recorded one.
pub struct Divergence {
    pub index: usize,
    pub method: String,
    pub path: String,
    pub what: String,
}

struct Replay {
    server: Server,
    client: reqwest::blocking::Client,
    sub: String,
    tenant: String,
    /// Recorded polling path (bare) → the simulator's path and query.
    polls: HashMap<String, String>,
}

/// Replays `c` against a fresh simulator; returns every divergence found.
pub fn run(c: &Cassette) -> Vec<Divergence> {
    let mut config = Config::two_tenants();
    // Long enough never to finish by itself: the recording says when an operation ends.
    config.faults.lro_ms.insert("*".into(), 3_600_000);
    config.faults.fic_write_ms = 0;
    // The principals the recording assigns roles to existed in the recorded
    // directory (made by Graph calls or test preparers the replay skips).
    for principal in assigned_principals(&c.arm) {
        config.tenants[0].principals.push(ServicePrincipal {
            client_id: uuid::Uuid::new_v4().to_string(),
            secret: String::new(),
            object_id: principal,
        });
    }
    let server = Server::start(config).expect("starting the simulator");
    let ca = reqwest::Certificate::from_pem(server.ca_pem.as_bytes()).expect("CA");
    let client = reqwest::blocking::Client::builder()
        .add_root_certificate(ca)
        .build()
        .expect("HTTP client");
    let tenant = server.sim.config.tenants[0].clone();
    let mut r = Replay {
        sub: tenant.subscriptions[0].id.clone(),
        tenant: tenant.id,
        server,
        client,
        polls: HashMap::new(),
    };
    r.seed_groups(&c.arm);
    let mut out = Vec::new();
    for i in &c.arm {
        for what in r.step(i) {
            out.push(Divergence {
                index: i.index,
                method: i.method.clone(),
                path: i.path.split('?').next().unwrap_or(&i.path).to_string(),
                what,
            });
        }
    }
    out
}

impl Replay {
    fn token(&self) -> String {
        let now = azsim::keys::now_secs();
        // As the tenant's configured service principal: the Owner of its subscriptions.
        let sp = self
            .server
            .sim
            .config
            .tenant(&self.tenant)
            .and_then(|t| t.principals.first())
            .expect("the replay tenant has a service principal");
        let claims = json!({"tid": self.tenant, "iat": now, "nbf": now, "exp": now + 3600,
            "aud": "https://management.core.windows.net/",
            "appid": sp.client_id, "oid": sp.object_id});
        self.server.sim.key.sign(&claims).expect("signing a token")
    }

    fn send(&self, method: &str, path: &str, body: Option<String>) -> reqwest::blocking::Response {
        let url = format!("{}{path}", self.server.base_url);
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("HTTP method");
        let mut rb = self.client.request(m, &url).bearer_auth(self.token());
        if let Some(b) = body {
            rb = rb.header("Content-Type", "application/json").body(b);
        }
        rb.send().unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// Makes the groups a test preparer made before the recording began: every group
    /// the recording uses whose first call is not its own creation or a 404 for it.
    fn seed_groups(&self, arm: &[Interaction]) {
        let mut seen: Vec<String> = Vec::new();
        for i in arm {
            let Some(rg) = group_of(&i.path) else {
                continue;
            };
            if seen.contains(&rg.to_ascii_lowercase()) {
                continue;
            }
            seen.push(rg.to_ascii_lowercase());
            let own = bare(&i.path)
                .trim_end_matches('/')
                .ends_with(&format!("/resourcegroups/{}", rg.to_ascii_lowercase()));
            // A 404 for a resource in the group says nothing of the group
            // itself, unless ARM named the group as the missing one.
            let group_missing = i.status == 404
                && (own
                    || i.body
                        .as_deref()
                        .is_some_and(|b| b.contains("ResourceGroupNotFound")));
            if (own && matches!(i.method.as_str(), "PUT" | "HEAD")) || group_missing {
                continue;
            }
            let path = format!(
                "/subscriptions/{}/resourcegroups/{rg}?api-version=2022-09-01",
                self.sub
            );
            // Tagged as the Azure CLI's ResourceGroupPreparer tags its groups.
            let body =
                r#"{"location":"westus2","tags":{"product":"azurecli","cause":"automation"}}"#;
            let resp = self.send("PUT", &path, Some(body.into()));
            assert!(
                resp.status().is_success(),
                "seeding group {rg}: {}",
                resp.status()
            );
        }
    }

    /// Finishes every running operation and pending state, as the recording shows one finished.
    fn settle(&self) {
        let now = Instant::now();
        let mut g = self.server.sim.lock();
        for op in g.operations.values_mut() {
            op.done_at = op.done_at.min(now);
        }
        for r in g.resources.values_mut() {
            r.ready_at = r.ready_at.min(now);
            if let Some(d) = r.delete_at.as_mut() {
                *d = (*d).min(now);
            }
        }
        g.settle();
    }

    fn step(&mut self, i: &Interaction) -> Vec<String> {
        let mut path = i.path.replace(RECORDED_SUB, &self.sub);
        if let Some(mapped) = self.polls.get(&bare(&path)) {
            path = mapped.clone();
        }
        let recorded: Option<Value> = i.body.as_deref().and_then(|b| serde_json::from_str(b).ok());
        if finished(i, recorded.as_ref()) {
            self.settle();
        }
        let body = i
            .request_body
            .as_ref()
            .map(|b| b.replace(RECORDED_SUB, &self.sub));
        let resp = self.send(&i.method, &path, body);
        let status = resp.status().as_u16();
        let headers: Vec<(String, String)> = LRO_HEADERS
            .iter()
            .filter_map(|h| {
                Some((
                    h.to_string(),
                    resp.headers().get(*h)?.to_str().ok()?.to_string(),
                ))
            })
            .collect();
        let text = resp.text().unwrap_or_default();
        let mut out = Vec::new();
        if status != i.status {
            out.push(format!("status:{}->{status}", i.status));
        }
        for h in LRO_HEADERS {
            let sim = headers
                .iter()
                .find(|(k, _)| k == h)
                .map(|(_, v)| v.as_str());
            match (i.header(h), sim) {
                (Some(_), None) => out.push(format!("header:{h}:missing")),
                (None, Some(_)) => out.push(format!("header:{h}:extra")),
                (Some(rec), Some(sim)) if h != "Retry-After" => {
                    if let Some(rec) = rec.strip_prefix("https://management.azure.com") {
                        let sim = sim.strip_prefix(&self.server.base_url).unwrap_or(sim);
                        self.polls
                            .insert(bare(&rec.replace(RECORDED_SUB, &self.sub)), sim.to_string());
                    }
                }
                _ => {}
            }
        }
        let sim_body: Option<Value> = serde_json::from_str(&text).ok();
        match (&recorded, &sim_body) {
            (Some(r), Some(s)) => out.extend(shape::diff(r, s)),
            (None, Some(_)) if i.body.is_none() => out.push("body:empty->json".into()),
            (Some(_), None) if text.is_empty() => out.push("body:json->empty".into()),
            (Some(_), None) => out.push("body:json->text".into()),
            _ => {}
        }
        out
    }
}

/// Every `principalId` the recording's requests name (role assignment bodies).
fn assigned_principals(arm: &[Interaction]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in arm {
        let Some(body) = i.request_body.as_deref() else {
            continue;
        };
        let Ok(v) = serde_json::from_str::<Value>(body) else {
            continue;
        };
        if let Some(p) = v["properties"]["principalId"].as_str()
            && !out.iter().any(|o| o.eq_ignore_ascii_case(p))
        {
            out.push(p.to_string());
        }
    }
    out
}

/// The resource group a path is in, if any (recorded casing).
fn group_of(path: &str) -> Option<String> {
    let segs: Vec<&str> = path.split('?').next()?.split('/').collect();
    let at = segs
        .iter()
        .position(|s| s.eq_ignore_ascii_case("resourcegroups"))?;
    segs.get(at + 1)
        .filter(|s| !s.is_empty())
        .map(|s| s.to_string())
}

/// True when the recorded answer shows its operation finished: a terminal status or
/// provisioning state, a finished `Location` poll, or a 404 (a delete has completed).
fn finished(i: &Interaction, body: Option<&Value>) -> bool {
    const TERMINAL: [&str; 3] = ["Succeeded", "Failed", "Canceled"];
    let terminal = |v: &Value| {
        v.as_str()
            .is_some_and(|s| TERMINAL.iter().any(|t| t.eq_ignore_ascii_case(s)))
    };
    let by_body = body
        .is_some_and(|b| terminal(&b["status"]) || terminal(&b["properties"]["provisioningState"]));
    by_body
        || i.status == 404
        || (i.method == "GET" && i.status == 204)
        || (i.method == "GET" && i.status == 200 && i.body.is_none())
}
