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
        let out = h.az_output(&a).unwrap();
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

/// The role assignments stored for `object_id`, as (role definition ID, scope).
fn assignments_of(sim: &azsim::state::Sim, object_id: &str) -> Vec<(String, String)> {
    let g = sim.lock();
    g.resources
        .values()
        .filter(|r| {
            r.body["type"] == "Microsoft.Authorization/roleAssignments"
                && r.body["properties"]["principalId"] == object_id
        })
        .map(|r| {
            let p = &r.body["properties"];
            (
                p["roleDefinitionId"].as_str().unwrap().to_string(),
                p["scope"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_principals_roles_are_replaced_while_az_stays_signed_in_as_it() {
    let h = azsim::Harness::start();
    let (tb, sb) = (h.tenant_b().id.clone(), h.sub_b(0));
    let sub = format!("/subscriptions/{sb}");
    let reads = json!([{"role": {"roleName": "reads groups",
        "actions": ["Microsoft.Resources/subscriptions/resourceGroups/read"]}, "scope": sub}]);
    let writes = json!([{"role": {"roleName": "writes groups", "actions": [
        "Microsoft.Resources/subscriptions/resourceGroups/read",
        "Microsoft.Resources/subscriptions/resourceGroups/write"]}, "scope": sub}]);
    let sp = h.create_principal(&tb, &reads);
    h.sign_in_as(&tb, &sp);
    let create = |name: &str| {
        h.az_cmd(&[
            "group",
            "create",
            "-n",
            name,
            "-l",
            "eastus",
            "--subscription",
            &sb,
            "-o",
            "none",
        ])
        .run()
        .unwrap()
    };
    let refused = |name: &str| {
        let out = create(name);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success()
                && err.contains("AuthorizationFailed")
                && err.contains("'Microsoft.Resources/subscriptions/resourceGroups/write'"),
            "creating {name} should be refused: {err}"
        );
    };
    refused("rg-before");
    h.set_principal_roles(&tb, &sp, &writes);
    let out = create("rg-granted");
    assert!(
        out.status.success(),
        "with the write granted: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(assignments_of(&h.server.sim, &sp.object_id).len(), 1);
    // Back to reads only: the write's assignment is gone, not merely joined by another.
    h.set_principal_roles(&tb, &sp, &reads);
    refused("rg-after");
    let left = assignments_of(&h.server.sim, &sp.object_id);
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0].1, sub);
}

#[test]
fn roles_set_badly_are_refused_naming_the_field_and_nothing_changes() {
    let server = azsim::Server::start(Config::two_tenants()).unwrap();
    let sim = &server.sim;
    let tenant = sim.config.tenants[1].id.clone();
    let other = sim.config.tenants[0].id.clone();
    let configured = sim.config.tenants[1].principals[0].object_id.clone();
    let sub = format!(
        "/subscriptions/{}",
        sim.config.tenants[1].subscriptions[0].id
    );
    let spec: azsim::authz::PrincipalSpec = serde_json::from_value(
        json!({"tenant": tenant, "roles": [{"role": "Reader", "scope": sub}]}),
    )
    .unwrap();
    let sp = azsim::authz::create_principal(sim, &spec).unwrap();
    let before = assignments_of(sim, &sp.object_id);
    let grants = |v: Value| -> Vec<azsim::authz::Grant> { serde_json::from_value(v).unwrap() };
    let good = json!([{"role": "Contributor", "scope": sub}]);
    let cases = [
        (
            "no-such-tenant",
            sp.object_id.as_str(),
            good.clone(),
            "tenant: no tenant 'no-such-tenant'",
        ),
        (
            other.as_str(),
            sp.object_id.as_str(),
            good.clone(),
            "principal: no principal",
        ),
        (
            tenant.as_str(),
            configured.as_str(),
            good,
            "principal: no principal",
        ),
        (
            tenant.as_str(),
            sp.object_id.as_str(),
            json!([{"role": "Contributor", "scope": sub}, {"role": "Chief Everything Officer", "scope": sub}]),
            "roles[1].role: no built-in role 'Chief Everything Officer'",
        ),
        (
            tenant.as_str(),
            sp.object_id.as_str(),
            json!([{"role": "Contributor", "scope": "subscriptions/x"}]),
            "roles[0].scope: 'subscriptions/x'",
        ),
    ];
    for (t, principal, roles, said) in cases {
        let err = azsim::authz::set_principal_roles(sim, t, principal, &grants(roles.clone()))
            .unwrap_err();
        assert!(err.starts_with(said), "{t} {principal} {roles}: {err}");
        assert_eq!(assignments_of(sim, &sp.object_id), before);
        assert!(assignments_of(sim, &configured).is_empty());
    }
}

#[test]
fn a_restored_snapshot_undoes_what_arm_made_and_deleted_since() {
    let server = azsim::Server::start(Config::two_tenants()).unwrap();
    let sim = &server.sim;
    let tenant = sim.config.tenants[1].id.clone();
    let sub = format!(
        "/subscriptions/{}",
        sim.config.tenants[1].subscriptions[0].id
    );
    let reader = json!([{"role": "Reader", "scope": sub}]);
    let make = || {
        let spec: azsim::authz::PrincipalSpec =
            serde_json::from_value(json!({"tenant": tenant, "roles": reader})).unwrap();
        azsim::authz::create_principal(sim, &spec).unwrap()
    };
    let ids = || -> Vec<String> { sim.lock().resources.keys().cloned().collect() };
    let kept = make();
    let before = ids();
    let snapshot = azsim::snapshot::snapshot(sim);
    // Since the snapshot: one assignment deleted, one made.
    azsim::authz::set_principal_roles(sim, &tenant, &kept.object_id, &[]).unwrap();
    let made = make();
    assert!(assignments_of(sim, &kept.object_id).is_empty());
    assert_eq!(assignments_of(sim, &made.object_id).len(), 1);
    azsim::snapshot::restore(sim, &snapshot);
    assert_eq!(ids(), before);
    assert_eq!(assignments_of(sim, &kept.object_id).len(), 1);
    assert!(assignments_of(sim, &made.object_id).is_empty());
    // The principal made since stays, its roles settable again.
    azsim::authz::set_principal_roles(
        sim,
        &tenant,
        &made.object_id,
        &serde_json::from_value::<Vec<azsim::authz::Grant>>(reader.clone()).unwrap(),
    )
    .unwrap();
    assert_eq!(assignments_of(sim, &made.object_id).len(), 1);
}
