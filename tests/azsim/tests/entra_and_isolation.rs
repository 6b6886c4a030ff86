//! Entra token exchange (client secret, federated assertion and its AADSTS errors) and tenant isolation in ARM.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::time::Duration;

use azsim::Harness;
use serde_json::Value;

fn client(h: &Harness) -> reqwest::blocking::Client {
    let ca = reqwest::Certificate::from_pem(h.server.ca_pem.as_bytes()).unwrap();
    reqwest::blocking::Client::builder()
        .add_root_certificate(ca)
        .build()
        .unwrap()
}

fn token(h: &Harness, tenant: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let r = client(h)
        .post(format!("{}/{tenant}/oauth2/v2.0/token", h.server.base_url))
        .form(form)
        .send()
        .unwrap();
    (r.status().as_u16(), r.json().unwrap())
}

fn assertion_form<'a>(client_id: &'a str, assertion: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", assertion),
        ("scope", "https://servicebus.azure.net/.default"),
    ]
}

fn aadsts(body: &Value) -> u64 {
    let code = body["error_codes"][0]
        .as_u64()
        .unwrap_or_else(|| panic!("not an Entra error: {body}"));
    let desc = body["error_description"].as_str().unwrap();
    assert!(desc.starts_with(&format!("AADSTS{code}: ")), "{desc}");
    for k in ["timestamp", "trace_id", "correlation_id", "error"] {
        assert!(body[k].is_string(), "{k} missing: {body}");
    }
    code
}

#[test]
fn federated_assertions_are_verified_and_matched() {
    let h = Harness::start();
    let b = h.tenant_b();
    let sub = &b.subscriptions[0].id;
    h.az_json(&[
        "group",
        "create",
        "-n",
        "rg-fed",
        "-l",
        "westeurope",
        "--subscription",
        sub,
    ]);
    let id = h.az_json(&[
        "identity",
        "create",
        "-g",
        "rg-fed",
        "-n",
        "id-fed",
        "--subscription",
        sub,
    ]);
    let client_id = id["clientId"].as_str().unwrap().to_string();
    let issuer = h.test_issuer();
    let subject = "system:serviceaccount:default:myserviceaccount";
    h.az_json(&[
        "identity",
        "federated-credential",
        "create",
        "-g",
        "rg-fed",
        "--identity-name",
        "id-fed",
        "-n",
        "fic1",
        "--issuer",
        &issuer,
        "--subject",
        subject,
        "--subscription",
        sub,
    ]);
    let good = h.mint_assertion(subject, "api://AzureADTokenExchange", 3600);

    let (status, body) = token(&h, &b.id, &assertion_form(&client_id, &good));
    assert_eq!(status, 200, "{body}");
    assert!(
        body["access_token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
    );

    let wrong_subject = h.mint_assertion(
        "system:serviceaccount:default:other",
        "api://AzureADTokenExchange",
        3600,
    );
    assert_eq!(
        aadsts(&token(&h, &b.id, &assertion_form(&client_id, &wrong_subject)).1),
        700_213
    );
    let wrong_audience = h.mint_assertion(subject, "api://Other", 3600);
    assert_eq!(
        aadsts(&token(&h, &b.id, &assertion_form(&client_id, &wrong_audience)).1),
        700_212
    );
    let expired = h.mint_assertion(subject, "api://AzureADTokenExchange", -900);
    assert_eq!(
        aadsts(&token(&h, &b.id, &assertion_form(&client_id, &expired)).1),
        700_024
    );
    // The identity lives in Tenant B: asking Tenant A (the cluster's tenant) fails.
    assert_eq!(
        aadsts(&token(&h, &h.tenant_a().id, &assertion_form(&client_id, &good)).1),
        700_016
    );
    assert_eq!(
        aadsts(
            &token(
                &h,
                "00000000-0000-0000-0000-000000000000",
                &assertion_form(&client_id, &good)
            )
            .1
        ),
        90_002
    );
    // A forged signature.
    let mut parts: Vec<String> = good.split('.').map(String::from).collect();
    parts[2] = parts[2].chars().rev().collect();
    let forged = parts.join(".");
    assert_eq!(
        aadsts(&token(&h, &b.id, &assertion_form(&client_id, &forged)).1),
        700_027
    );

    // An issuer that is not the credential's.
    h.run_az(&[
        "identity",
        "federated-credential",
        "delete",
        "-g",
        "rg-fed",
        "--identity-name",
        "id-fed",
        "-n",
        "fic1",
        "--yes",
        "--subscription",
        sub,
    ])
    .unwrap();
    assert_eq!(
        aadsts(&token(&h, &b.id, &assertion_form(&client_id, &good)).1),
        700_211
    );
    // An issuer whose discovery document cannot be fetched.
    h.az_json(&[
        "identity",
        "federated-credential",
        "create",
        "-g",
        "rg-fed",
        "--identity-name",
        "id-fed",
        "-n",
        "fic2",
        "--issuer",
        &issuer,
        "--subject",
        subject,
        "--subscription",
        sub,
    ]);
    h.update_faults(|f| f.fic_propagation_secs = 60);
    assert_eq!(
        aadsts(&token(&h, &b.id, &assertion_form(&client_id, &good)).1),
        70_021,
        "propagation delay"
    );
    h.update_faults(|f| f.fic_propagation_secs = 0);
    assert_eq!(token(&h, &b.id, &assertion_form(&client_id, &good)).0, 200);
    assert_eq!(h.unknown_routes(), Vec::<String>::new());
}

#[test]
fn unreachable_issuer_is_aadsts90061() {
    let h = Harness::start();
    let b = h.tenant_b();
    let sub = &b.subscriptions[0].id;
    h.az_json(&[
        "group",
        "create",
        "-n",
        "rg-x",
        "-l",
        "eastus",
        "--subscription",
        sub,
    ]);
    let id = h.az_json(&[
        "identity",
        "create",
        "-g",
        "rg-x",
        "-n",
        "id-x",
        "--subscription",
        sub,
    ]);
    let dead = "https://127.0.0.1:9/issuer/";
    h.az_json(&[
        "identity",
        "federated-credential",
        "create",
        "-g",
        "rg-x",
        "--identity-name",
        "id-x",
        "-n",
        "f",
        "--issuer",
        dead,
        "--subject",
        "system:serviceaccount:a:b",
        "--subscription",
        sub,
    ]);
    let claims = serde_json::json!({"iss": dead, "sub": "system:serviceaccount:a:b", "aud": "api://AzureADTokenExchange", "exp": azsim::keys::now_secs() + 600});
    let assertion = h.server.sim.key.sign(&claims).unwrap();
    let (_, body) = token(
        &h,
        &b.id,
        &assertion_form(id["clientId"].as_str().unwrap(), &assertion),
    );
    assert_eq!(aadsts(&body), 90_061);
}

#[test]
fn a_tenant_a_token_cannot_touch_tenant_b() {
    let h = Harness::start();
    let (a, b) = (h.tenant_a(), h.tenant_b());
    let sp = &a.principals[0];
    let (status, body) = token(
        &h,
        &a.id,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &sp.client_id),
            ("client_secret", &sp.secret),
            ("scope", "https://management.core.windows.net//.default"),
        ],
    );
    assert_eq!(status, 200, "{body}");
    let bearer = body["access_token"].as_str().unwrap();
    let (wrong, _) = token(
        &h,
        &a.id,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &sp.client_id),
            ("client_secret", "nope"),
        ],
    );
    assert_eq!(wrong, 401);
    let (code, _) = token(
        &h,
        &b.id,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &sp.client_id),
            ("client_secret", &sp.secret),
        ],
    );
    assert_eq!(code, 400, "Tenant A's service principal is not in Tenant B");

    let http = client(&h);
    let url = |sub: &str, rg: &str| {
        format!(
            "{}/subscriptions/{sub}/resourcegroups/{rg}?api-version=2024-11-01",
            h.server.base_url
        )
    };
    let put = |u: String| {
        http.put(u)
            .bearer_auth(bearer)
            .json(&serde_json::json!({"location": "eastus"}))
            .send()
            .unwrap()
    };
    assert_eq!(
        put(url(&a.subscriptions[0].id, "mine")).status().as_u16(),
        201
    );
    for r in [
        put(url(&b.subscriptions[0].id, "theirs")),
        http.get(url(&b.subscriptions[0].id, "x"))
            .bearer_auth(bearer)
            .send()
            .unwrap(),
    ] {
        assert_eq!(r.status().as_u16(), 401);
        let e: Value = r.json().unwrap();
        assert_eq!(
            e["error"]["code"], "InvalidAuthenticationTokenTenant",
            "{e}"
        );
    }
    assert!(
        h.resource(&format!(
            "/subscriptions/{}/resourceGroups/theirs",
            b.subscriptions[0].id
        ))
        .is_none()
    );
}

#[test]
fn unknown_routes_are_404_and_logged() {
    let h = Harness::start();
    let out = h
        .az_cmd(&[
            "rest",
            "--method",
            "get",
            "--url",
            &format!(
                "{}/subscriptions/{}/providers/Microsoft.Nope/things?api-version=1",
                h.server.base_url,
                h.tenant_b().subscriptions[0].id
            ),
        ])
        .run()
        .unwrap();
    assert!(!out.status.success());
    std::thread::sleep(Duration::from_millis(10));
    let unknown = h.unknown_routes();
    assert!(
        unknown.iter().any(|u| u.contains("Microsoft.Nope/things")),
        "{unknown:?}"
    );
}
