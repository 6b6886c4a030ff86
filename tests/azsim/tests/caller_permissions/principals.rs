//! Principals apart from az-xtenant: made through the control endpoint or the
//! harness (bad input refused, naming the field), in the directory for role
//! assignments, and a managed identity signed in with its federated credential.

use azsim::Config;
use serde_json::{Value, json};

#[test]
fn a_principal_asked_for_badly_is_refused_naming_the_field_and_nothing_is_made() {
    let server = azsim::Server::start(Config::two_tenants()).unwrap();
    let sim = &server.sim;
    let tenant = sim.config.tenants[1].id.clone();
    let sub = sim.config.tenants[1].subscriptions[0].id.clone();
    let spec = |v: Value| -> azsim::authz::PrincipalSpec { serde_json::from_value(v).unwrap() };
    let cases = [
        (
            json!({"tenant": "no-such-tenant", "roles": []}),
            "tenant: no tenant 'no-such-tenant'",
        ),
        (
            json!({"tenant": tenant, "roles": [
                {"role": "Reader", "scope": format!("/subscriptions/{sub}")},
                {"role": "Chief Everything Officer", "scope": format!("/subscriptions/{sub}")}]}),
            "roles[1].role: no built-in role 'Chief Everything Officer'",
        ),
        (
            json!({"tenant": tenant, "roles": [{"role": "Reader", "scope": format!("subscriptions/{sub}")}]}),
            "roles[0].scope: 'subscriptions/",
        ),
    ];
    for (asked, said) in cases {
        let err = azsim::authz::create_principal(sim, &spec(asked.clone())).unwrap_err();
        assert!(err.starts_with(said), "{asked}: {err}");
    }
    let g = sim.lock();
    assert!(g.authz.principals.is_empty() && g.authz.roles.is_empty());
    let assignments = g
        .resources
        .values()
        .filter(|r| r.body["type"] == "Microsoft.Authorization/roleAssignments")
        .count();
    assert_eq!(assignments, 0);
}

#[test]
fn a_managed_identity_signed_in_with_its_credential_has_only_its_assignments() {
    let h = azsim::Harness::start();
    let (tb, sb) = (h.tenant_b().id.clone(), h.sub_b(0));
    let az = |args: &[&str]| {
        let mut a = args.to_vec();
        a.extend(["--subscription", &sb]);
        h.az_json(&a)
    };
    az(&["group", "create", "-n", "rg-mi", "-l", "eastus"]);
    az(&["group", "create", "-n", "rg-other", "-l", "eastus"]);
    let id = az(&["identity", "create", "-g", "rg-mi", "-n", "id-mi"]);
    let subject = "system:serviceaccount:ops:reader";
    az(&[
        "identity",
        "federated-credential",
        "create",
        "-g",
        "rg-mi",
        "--identity-name",
        "id-mi",
        "-n",
        "ops",
        "--issuer",
        &h.test_issuer(),
        "--subject",
        subject,
        "--audiences",
        "api://AzureADTokenExchange",
    ]);
    let (client, principal) = (
        id["clientId"].as_str().unwrap().to_string(),
        id["principalId"].as_str().unwrap().to_string(),
    );
    az(&[
        "role",
        "assignment",
        "create",
        "--role",
        "Reader",
        "--assignee-object-id",
        &principal,
        "--assignee-principal-type",
        "ServicePrincipal",
        "--scope",
        &format!("/subscriptions/{sb}/resourceGroups/rg-mi"),
    ]);
    let assertion = h.mint_assertion(subject, "api://AzureADTokenExchange", 600);
    h.run_az(&[
        "login",
        "--service-principal",
        "-u",
        &client,
        "--tenant",
        &tb,
        "--federated-token",
        &assertion,
        "--allow-no-subscriptions",
        "-o",
        "none",
    ])
    .unwrap();
    assert_eq!(az(&["group", "show", "-n", "rg-mi"])["name"], "rg-mi");
    let refused = |args: &[&str], action: &str, scope: &str| {
        let mut a = args.to_vec();
        a.extend(["--subscription", &sb]);
        let out = h.az_cmd(&a).run().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} went through");
        assert!(
            err.contains("AuthorizationFailed")
                && err.contains(&format!(
                    "The client '{client}' with object id '{principal}'"
                ))
                && err.contains(&format!("perform action '{action}'"))
                && err
                    .to_ascii_lowercase()
                    .contains(&scope.to_ascii_lowercase()),
            "{args:?}: {err}"
        );
    };
    refused(
        &["identity", "create", "-g", "rg-mi", "-n", "id-more"],
        "Microsoft.ManagedIdentity/userAssignedIdentities/write",
        "/resourceGroups/rg-mi/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-more",
    );
    refused(
        &["group", "show", "-n", "rg-other"],
        "Microsoft.Resources/subscriptions/resourceGroups/read",
        "/resourceGroups/rg-other",
    );
}

#[test]
fn a_made_principal_is_in_the_directory_for_role_assignments() {
    let h = azsim::Harness::start();
    let (tb, sb) = (h.tenant_b().id.clone(), h.sub_b(0));
    let sp = h.create_principal(&tb, &json!([]));
    let made = h.az_json(&[
        "role",
        "assignment",
        "create",
        "--role",
        "Reader",
        "--assignee-object-id",
        &sp.object_id,
        "--assignee-principal-type",
        "ServicePrincipal",
        "--scope",
        &format!("/subscriptions/{sb}"),
        "--subscription",
        &sb,
    ]);
    assert_eq!(made["principalId"], sp.object_id.as_str());
    // The assignment takes effect: the principal may now read the subscription's groups.
    h.sign_in_as(&tb, &sp);
    h.az_json(&["group", "list", "--subscription", &sb]);
}

#[test]
fn the_control_endpoint_makes_a_principal_that_can_sign_in() {
    let server = azsim::Server::start(Config::two_tenants()).unwrap();
    let tenant = server.sim.config.tenants[1].id.clone();
    let sub = server.sim.config.tenants[1].subscriptions[0].id.clone();
    let http = reqwest::blocking::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(server.ca_pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let post = |body: Value| {
        let r = http
            .post(format!("{}/_azsim/principals", server.base_url))
            .json(&body)
            .send()
            .unwrap();
        (r.status().as_u16(), r.json::<Value>().unwrap())
    };
    let (status, body) = post(json!({"tenant": tenant, "roles": [{"role": "Reader"}]}));
    assert_eq!(status, 400, "{body}");
    assert!(body["error"].as_str().unwrap().contains("scope"), "{body}");
    let (status, made) = post(json!({"tenant": tenant, "roles": [
        {"role": {"roleName": "groups reader", "actions": ["Microsoft.Resources/subscriptions/resourceGroups/read"]},
         "scope": format!("/subscriptions/{sub}")}]}));
    assert_eq!(status, 201, "{made}");
    let token: Value = http
        .post(format!("{}/{tenant}/oauth2/v2.0/token", server.base_url))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", made["clientId"].as_str().unwrap()),
            ("client_secret", made["secret"].as_str().unwrap()),
            ("scope", "https://management.core.windows.net//.default"),
        ])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let bearer = token["access_token"].as_str().unwrap();
    let get = |path: String| {
        http.get(format!("{}{path}?api-version=2024-11-01", server.base_url))
            .bearer_auth(bearer)
            .send()
            .unwrap()
    };
    assert_eq!(
        get(format!("/subscriptions/{sub}/resourcegroups"))
            .status()
            .as_u16(),
        200
    );
    let refused = get(format!(
        "/subscriptions/{sub}/providers/Microsoft.ManagedIdentity/userAssignedIdentities"
    ));
    assert_eq!(refused.status().as_u16(), 403);
    let e: Value = refused.json().unwrap();
    assert_eq!(e["error"]["code"], "AuthorizationFailed", "{e}");
}
