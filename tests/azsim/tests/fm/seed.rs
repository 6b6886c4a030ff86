//! Objects made by hand, not by xtenant, that cleanup must keep: written through
//! the simulator's ARM endpoints (the same handlers az reaches) with a token the
//! simulator signs, which is much cheaper than one `az` process per object.

use azsim::Harness;
use serde_json::{Value, json};

/// ARM writes with a token of one tenant.
pub struct Arm<'h> {
    h: &'h Harness,
    client: reqwest::blocking::Client,
}

impl<'h> Arm<'h> {
    pub fn new(h: &'h Harness) -> Arm<'h> {
        let ca = reqwest::Certificate::from_pem(h.server.ca_pem.as_bytes()).expect("CA");
        let client = reqwest::blocking::Client::builder()
            .add_root_certificate(ca)
            .build()
            .expect("HTTP client");
        Arm { h, client }
    }

    fn token(&self, tenant: &str) -> String {
        let now = azsim::keys::now_secs();
        // As the tenant's configured service principal: the Owner of its subscriptions.
        let sp = self
            .h
            .server
            .sim
            .config
            .tenant(tenant)
            .and_then(|t| t.principals.first())
            .expect("the tenant has a service principal");
        let claims = json!({"tid": tenant, "iat": now, "nbf": now, "exp": now + 3600,
            "aud": "https://management.core.windows.net/",
            "appid": sp.client_id, "oid": sp.object_id});
        self.h
            .server
            .sim
            .key
            .sign(&claims)
            .expect("signing a token")
    }

    /// PUTs `body` at `id` as `tenant`; panics unless ARM answers 2xx.
    pub fn put(&self, tenant: &str, id: &str, body: &Value) {
        let url = format!("{}{id}?api-version=2023-01-31", self.h.server.base_url);
        let resp = self
            .client
            .put(&url)
            .bearer_auth(self.token(tenant))
            .json(body)
            .send()
            .unwrap_or_else(|e| panic!("PUT {id}: {e}"));
        let status = resp.status();
        assert!(
            status.is_success(),
            "PUT {id}: {status} {}",
            resp.text().unwrap_or_default()
        );
    }
}

/// What a case made by hand: IDs that must exist, unchanged, after cleanup.
pub struct Seeds {
    pub ids: Vec<String>,
}

/// Makes a hand-made identity with a hand-made federated credential in a group of
/// Tenant B's own (`keep`), and, unless `up` is to create it, Tenant A's group
/// with a hand-made identity inside (the group is then adopted: cleanup deletes
/// the cluster in it, nothing else).
pub fn plant(arm: &Arm, h: &Harness, groups: (&str, &str), keep_group_a: bool) -> Seeds {
    let (a, b) = (h.tenant_a(), h.tenant_b());
    let (sub_a, sub_b) = (&a.subscriptions[0].id, &b.subscriptions[0].id);
    let mut ids = Vec::new();
    let mut group = |tenant: &str, sub: &str, name: &str| {
        let id = format!("/subscriptions/{sub}/resourceGroups/{name}");
        arm.put(tenant, &id, &json!({"location": "eastus"}));
        ids.push(id.clone());
        id
    };
    let keep = group(&b.id, sub_b, groups.1);
    let adopted = keep_group_a.then(|| group(&a.id, sub_a, groups.0));
    let identity = |g: &str, name: &str| {
        format!("{g}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}")
    };
    let mut made = vec![(b.id.clone(), identity(&keep, "keep-identity"))];
    if let Some(g) = &adopted {
        made.push((a.id.clone(), identity(g, "keep-identity-a")));
    }
    for (tenant, id) in made {
        arm.put(&tenant, &id, &json!({"location": "eastus"}));
        ids.push(id);
    }
    let fic = format!(
        "{}/federatedIdentityCredentials/keep-credential",
        identity(&keep, "keep-identity")
    );
    let props = json!({"properties": {"issuer": "https://issuer.example/keep/",
        "subject": "system:serviceaccount:keep:keep", "audiences": ["api://AzureADTokenExchange"]}});
    arm.put(&b.id, &fic, &props);
    ids.push(fic);
    Seeds { ids }
}
