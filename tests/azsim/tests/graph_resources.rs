//! What a declared trust graph needs from the simulator, each as the real `az` meets it:
//! a second subscription per tenant, several clusters with their own issuers, Key Vaults
//! and storage accounts, data-plane roles by name and by GUID at every graph scope, and
//! the 20-credential limit. (Concurrent credential writes: `faults.rs`.)
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod behaviours;

use azsim::{Config, Harness};
use behaviours::{Run, az};
use serde_json::{Value, json};

fn names(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

/// An access token of `tenant` from the real az.
fn token(h: &Harness, tenant: &str) -> String {
    let t = h.az_json(&["account", "get-access-token", "--tenant", tenant]);
    t["accessToken"].as_str().unwrap().to_string()
}

#[test]
fn second_subscriptions_are_listed_usable_and_isolated() {
    let h = Harness::start_with(Config::two_tenants().with_second_subscriptions());
    let (a, b) = (h.tenant_a().id.clone(), h.tenant_b().id.clone());
    let listed = h.az_json(&["account", "list", "--all"]);
    let mut got: Vec<(String, String)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let f = |k: &str| s[k].as_str().unwrap().to_string();
            (f("id"), f("tenantId"))
        })
        .collect();
    got.sort();
    let mut want = vec![
        (h.sub_a(0), a.clone()),
        (h.sub_a(1), a),
        (h.sub_b(0), b.clone()),
        (h.sub_b(1), b.clone()),
    ];
    want.sort();
    assert_eq!(got, want, "az account list after login: {listed}");

    for sub in [h.sub_a(1), h.sub_b(1)] {
        let rg = az(
            &h,
            &sub,
            &["group", "create", "-n", "rg-two", "-l", "eastus"],
        )
        .json();
        assert_eq!(
            rg["id"],
            format!("/subscriptions/{sub}/resourceGroups/rg-two")
        );
    }
    let shown = az(&h, &h.sub_b(1), &["account", "show"]).json();
    assert_eq!(
        (shown["id"].as_str(), shown["tenantId"].as_str()),
        (Some(h.sub_b(1).as_str()), Some(b.as_str()))
    );

    // Tenant B's token on Tenant A's second subscription is refused, as on the first.
    let bearer = format!("Authorization=Bearer {}", token(&h, &b));
    let url = format!(
        "{}/subscriptions/{}/resourcegroups/rg-b?api-version=2024-11-01",
        h.server.base_url,
        h.sub_a(1)
    );
    let out = h
        .az_cmd(&[
            "rest",
            "--method",
            "put",
            "--url",
            &url,
            "--body",
            r#"{"location": "eastus"}"#,
            "--headers",
            &bearer,
        ])
        .run()
        .unwrap();
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    run.fails(1, &["InvalidAuthenticationTokenTenant"]);
    assert!(
        h.resource(&format!(
            "/subscriptions/{}/resourceGroups/rg-b",
            h.sub_a(1)
        ))
        .is_none()
    );
    assert_eq!(h.unexpected_list_404s(), Vec::<String>::new());
}

#[test]
fn each_cluster_has_its_own_issuer() {
    let chosen = "https://issuer-one.example/tenant-a/one/";
    let h = Harness::start_with(Config::two_tenants().with_cluster_issuer("aks-one", chosen));
    let sub = h.sub_a(0);
    az(
        &h,
        &sub,
        &["group", "create", "-n", "rg-aks", "-l", "eastus"],
    )
    .json();
    let later = "https://issuer-two.example/tenant-a/two/";
    h.set_cluster_issuer("aks-two", later);
    let create = |name: &str| {
        az(
            &h,
            &sub,
            &[
                "aks",
                "create",
                "-g",
                "rg-aks",
                "-n",
                name,
                "--enable-oidc-issuer",
                "--enable-workload-identity",
                "--generate-ssh-keys",
                "--node-count",
                "1",
            ],
        )
        .json()
    };
    let issuer = |c: &Value| {
        c["oidcIssuerProfile"]["issuerUrl"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(issuer(&create("aks-one")), chosen);
    assert_eq!(issuer(&create("aks-two")), later);
    let own = issuer(&create("aks-three"));
    let prefix = format!("https://eastus.oic.prod-aks.azure.com/{}/", h.tenant_a().id);
    assert!(own.starts_with(&prefix) && own.ends_with('/'), "{own}");

    // Seeded: no az call, read back by az exactly like a created one.
    let seeded = "https://127.0.0.1:1/control-plane/";
    h.seed_cluster(&sub, "rg-seeded", "aks-four", seeded);
    let four = az(
        &h,
        &sub,
        &["aks", "show", "-g", "rg-seeded", "-n", "aks-four"],
    )
    .json();
    assert_eq!(issuer(&four), seeded);
    assert_eq!(four["securityProfile"]["workloadIdentity"]["enabled"], true);
    let listed = az(&h, &sub, &["aks", "list", "-g", "rg-aks"]).json();
    assert_eq!(names(&listed), ["aks-one", "aks-three", "aks-two"]);
    assert_eq!(h.unexpected_list_404s(), Vec::<String>::new());
}

#[test]
fn key_vaults_are_created_shown_listed_and_deleted() {
    let h = Harness::start();
    let sub = h.sub_b(0);
    az(
        &h,
        &sub,
        &["group", "create", "-n", "rg-kv", "-l", "eastus"],
    )
    .json();
    let kv = az(
        &h,
        &sub,
        &["keyvault", "create", "-g", "rg-kv", "-n", "kv-graph-one"],
    )
    .json();
    let p = &kv["properties"];
    assert_eq!(p["enableRbacAuthorization"], true, "{kv}");
    assert_eq!(p["vaultUri"], "https://kv-graph-one.vault.azure.net/");
    assert_eq!(p["tenantId"].as_str(), Some(h.tenant_b().id.as_str()));
    assert_eq!(p["provisioningState"], "Succeeded");
    assert_eq!(kv["resourceGroup"], "rg-kv");

    // Without -g az finds the vault's group through the subscription's resources.
    let shown = az(&h, &sub, &["keyvault", "show", "-n", "kv-graph-one"]).json();
    assert_eq!(shown["id"], kv["id"]);
    let seeded = h.seed_vault(&sub, "rg-kv", "kv-graph-two");
    assert_eq!(seeded["properties"]["enableRbacAuthorization"], true);
    let listed = az(&h, &sub, &["keyvault", "list", "-g", "rg-kv"]).json();
    assert_eq!(names(&listed), ["kv-graph-one", "kv-graph-two"]);
    assert_eq!(
        names(&az(&h, &sub, &["keyvault", "list"]).json()),
        ["kv-graph-one", "kv-graph-two"]
    );

    // Vault names are global.
    az(
        &h,
        &sub,
        &["group", "create", "-n", "rg-kv2", "-l", "eastus"],
    )
    .json();
    az(
        &h,
        &sub,
        &["keyvault", "create", "-g", "rg-kv2", "-n", "kv-graph-one"],
    )
    .fails(1, &["VaultAlreadyExists"]);

    let del = az(
        &h,
        &sub,
        &["keyvault", "delete", "-g", "rg-kv", "-n", "kv-graph-one"],
    );
    assert_eq!(del.code, 0, "{}", del.err);
    az(
        &h,
        &sub,
        &["keyvault", "show", "-g", "rg-kv", "-n", "kv-graph-one"],
    )
    .fails(3, &["ResourceNotFound"]);
    assert_eq!(h.unknown_routes(), Vec::<String>::new());
    assert_eq!(h.unexpected_list_404s(), Vec::<String>::new());
}

#[test]
fn storage_accounts_are_created_shown_and_deleted() {
    let h = Harness::start_with(Config::two_tenants().with_second_subscriptions());
    let sub = h.sub_b(1);
    az(
        &h,
        &sub,
        &["group", "create", "-n", "rg-st", "-l", "eastus"],
    )
    .json();
    let mark = h.mark();
    let create = |rg: &str| {
        az(
            &h,
            &sub,
            &[
                "storage",
                "account",
                "create",
                "-g",
                rg,
                "-n",
                "stgraphone",
                "--sku",
                "Standard_LRS",
                "--kind",
                "StorageV2",
            ],
        )
    };
    let st = create("rg-st").json();
    assert_eq!(st["sku"]["name"], "Standard_LRS");
    assert_eq!(st["kind"], "StorageV2");
    assert_eq!(st["provisioningState"], "Succeeded", "{st}");
    assert_eq!(
        st["primaryEndpoints"]["blob"],
        "https://stgraphone.blob.core.windows.net/"
    );
    let ops = behaviours::ops_since(&h, mark);
    assert!(
        ops.contains(&("Microsoft.Storage.checkNameAvailability".into(), 200)),
        "{ops:?}"
    );
    assert!(
        ops.contains(&("storageAccounts.put".into(), 202)),
        "{ops:?}"
    );

    let shown = az(
        &h,
        &sub,
        &[
            "storage",
            "account",
            "show",
            "-g",
            "rg-st",
            "-n",
            "stgraphone",
        ],
    )
    .json();
    assert_eq!(shown["id"], st["id"]);
    let anywhere = az(
        &h,
        &sub,
        &["storage", "account", "show", "-n", "stgraphone"],
    )
    .json();
    assert_eq!(anywhere["id"], st["id"]);
    h.seed_storage_account(&sub, "rg-st", "stgraphtwo");
    let listed = az(&h, &sub, &["storage", "account", "list", "-g", "rg-st"]).json();
    assert_eq!(names(&listed), ["stgraphone", "stgraphtwo"]);

    // Names are global: az warns after the name check, Storage refuses the PUT.
    az(
        &h,
        &sub,
        &["group", "create", "-n", "rg-st2", "-l", "eastus"],
    )
    .json();
    create("rg-st2").fails(1, &["StorageAccountAlreadyTaken"]);

    let del = az(
        &h,
        &sub,
        &[
            "storage",
            "account",
            "delete",
            "-g",
            "rg-st",
            "-n",
            "stgraphone",
            "--yes",
        ],
    );
    assert_eq!(del.code, 0, "{}", del.err);
    az(
        &h,
        &sub,
        &[
            "storage",
            "account",
            "show",
            "-g",
            "rg-st",
            "-n",
            "stgraphone",
        ],
    )
    .fails(3, &["ResourceNotFound"]);
    assert_eq!(h.unknown_routes(), Vec::<String>::new());
    assert_eq!(h.unexpected_list_404s(), Vec::<String>::new());
}

/// `az role assignment create` of `role` for `principal` at `scope`.
fn assign(h: &Harness, sub: &str, role: &str, principal: &str, scope: &str) -> Value {
    az(
        h,
        sub,
        &[
            "role",
            "assignment",
            "create",
            "--role",
            role,
            "--assignee-object-id",
            principal,
            "--assignee-principal-type",
            "ServicePrincipal",
            "--scope",
            scope,
            "--description",
            &format!("xtenant graph: {role}"),
        ],
    )
    .json()
}

const SECRETS_USER: &str = "4633458b-17de-408a-b874-0445c86b69e6";
const BLOB_READER: &str = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
const BLOB_CONTRIBUTOR: &str = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
const SB_SENDER: &str = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39";
const SB_RECEIVER: &str = "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0";

#[test]
fn data_roles_by_name_and_guid_at_every_graph_scope() {
    let h = Harness::start_with(Config::two_tenants().with_second_subscriptions());
    let (sub, sub2) = (h.sub_b(0), h.sub_b(1));
    az(&h, &sub, &["group", "create", "-n", "rg-g", "-l", "eastus"]).json();
    let id = az(
        &h,
        &sub,
        &["identity", "create", "-g", "rg-g", "-n", "id-graph"],
    )
    .json();
    let principal = id["principalId"].as_str().unwrap();
    let ns = az(
        &h,
        &sub,
        &[
            "servicebus",
            "namespace",
            "create",
            "-g",
            "rg-g",
            "-n",
            "sb-graph-ns",
            "-l",
            "eastus",
        ],
    )
    .json();
    let queue = az(
        &h,
        &sub,
        &[
            "servicebus",
            "queue",
            "create",
            "-g",
            "rg-g",
            "--namespace-name",
            "sb-graph-ns",
            "-n",
            "orders",
        ],
    )
    .json();
    let vault = h.seed_vault(&sub, "rg-g", "kv-graph")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let account = h.seed_storage_account(&sub2, "rg-g2", "stgraph")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let group = format!("/subscriptions/{sub2}/resourceGroups/rg-g2");
    let scoped = [
        (
            "Azure Service Bus Data Receiver",
            SB_RECEIVER,
            queue["id"].as_str().unwrap(),
        ),
        (SB_SENDER, SB_SENDER, ns["id"].as_str().unwrap()),
        ("Key Vault Secrets User", SECRETS_USER, vault.as_str()),
        ("Storage Blob Data Reader", BLOB_READER, account.as_str()),
        (BLOB_CONTRIBUTOR, BLOB_CONTRIBUTOR, group.as_str()),
    ];
    for (role, guid, scope) in scoped {
        let ra = assign(&h, &sub, role, principal, scope);
        assert_eq!(ra["scope"], scope, "{ra}");
        let def = ra["roleDefinitionId"].as_str().unwrap();
        assert!(
            def.ends_with(&format!("/roleDefinitions/{guid}")),
            "{role}: {def}"
        );
        assert_eq!(ra["description"], format!("xtenant graph: {role}"));
    }
    // The account's assignment is under the group's: az lists only what is at the scope.
    for (role, guid, scope) in scoped {
        let listed = az(&h, &sub, &["role", "assignment", "list", "--scope", scope]).json();
        let got: Vec<(&str, &str)> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["roleDefinitionId"]
                        .as_str()
                        .unwrap()
                        .rsplit('/')
                        .next()
                        .unwrap(),
                    a["description"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [(guid, format!("xtenant graph: {role}").as_str())],
            "{scope}: {listed}"
        );
    }
    let inherited = az(
        &h,
        &sub,
        &[
            "role",
            "assignment",
            "list",
            "--scope",
            &account,
            "--include-inherited",
        ],
    )
    .json();
    assert_eq!(inherited.as_array().unwrap().len(), 2, "{inherited}");
    az(
        &h,
        &sub,
        &[
            "role",
            "assignment",
            "create",
            "--role",
            "Key Vault Nonsense",
            "--assignee-object-id",
            principal,
            "--assignee-principal-type",
            "ServicePrincipal",
            "--scope",
            &vault,
        ],
    )
    .fails(1, &["Role 'Key Vault Nonsense' doesn't exist."]);
    assert_eq!(h.unexpected_list_404s(), Vec::<String>::new());
}

#[test]
fn an_identity_takes_twenty_federated_credentials_and_no_more() {
    let h = Harness::start();
    h.update_faults(|f| f.fic_write_ms = 0);
    let sub = h.sub_b(0);
    az(
        &h,
        &sub,
        &["group", "create", "-n", "rg-fic", "-l", "eastus"],
    )
    .json();
    let id = az(
        &h,
        &sub,
        &["identity", "create", "-g", "rg-fic", "-n", "id-full"],
    )
    .json();
    // 19 written straight to ARM with Tenant B's token (fast), the 20th and 21st by az.
    let bearer = token(&h, &h.tenant_b().id);
    let http = reqwest::blocking::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(h.server.ca_pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    for i in 1..20 {
        let url = format!(
            "{}{}/federatedIdentityCredentials/fic-{i}?api-version=2023-01-31",
            h.server.base_url,
            id["id"].as_str().unwrap()
        );
        let body = json!({"properties": {"issuer": "https://issuer.example/", "subject": format!("system:serviceaccount:ns:sa-{i}"), "audiences": ["api://AzureADTokenExchange"]}});
        let r = http
            .put(url)
            .bearer_auth(&bearer)
            .json(&body)
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 201, "{i}: {}", r.text().unwrap());
    }
    let fic = |n: u32| {
        az(
            &h,
            &sub,
            &[
                "identity",
                "federated-credential",
                "create",
                "-g",
                "rg-fic",
                "--identity-name",
                "id-full",
                "-n",
                &format!("fic-{n}"),
                "--issuer",
                "https://issuer.example/",
                "--subject",
                &format!("system:serviceaccount:ns:sa-{n}"),
            ],
        )
    };
    assert_eq!(fic(20).json()["name"], "fic-20");
    fic(21).fails(
        1,
        &["Federated Identity Credential count limit (20) reached"],
    );
    let listed = az(
        &h,
        &sub,
        &[
            "identity",
            "federated-credential",
            "list",
            "-g",
            "rg-fic",
            "--identity-name",
            "id-full",
        ],
    )
    .json();
    assert_eq!(listed.as_array().unwrap().len(), 20);
    // Replacing one of the twenty is no new credential.
    let again = az(
        &h,
        &sub,
        &[
            "identity",
            "federated-credential",
            "create",
            "-g",
            "rg-fic",
            "--identity-name",
            "id-full",
            "-n",
            "fic-20",
            "--issuer",
            "https://issuer.example/",
            "--subject",
            "system:serviceaccount:ns:other",
        ],
    );
    assert_eq!(again.json()["subject"], "system:serviceaccount:ns:other");
    assert_eq!(h.unexpected_list_404s(), Vec::<String>::new());
}
