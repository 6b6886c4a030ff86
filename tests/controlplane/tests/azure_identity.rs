//! A real client in the cluster tier: after `az-xtenant up` (the real az against the
//! simulator) and `kubectl xtenant deploy`, the Azure Identity SDK for Python
//! (`WorkloadIdentityCredential`, from PyPI) is given what the real webhook injected
//! into the admitted pod and the token the kubelet would project into it, and must
//! get a Tenant-B token from the simulator's Entra. With the pod's tenant left at
//! Tenant A it must fail with Entra's AADSTS700016.
//! Needs XTENANT_CONTROLPLANE_BIN, XTENANT_AZ and XTENANT_AZURE_IDENTITY_PYTHON
//! (./test.sh sets all three).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::local::Local;
use k8s_openapi::api::authentication::v1::{BoundObjectReference, TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{Pod, ServiceAccount, ServiceAccountTokenProjection};
use kube::Client;
use kube::api::{Api, ListParams, PostParams};
use serde_json::Value;
use xtenant_testsupport::env_path;
use xtenant_testsupport::wait::eventually;

/// The program the SDK runs (see its docstring for its argv and output).
const GET_TOKEN: &str = include_str!("common/get_token.py");
/// What the webhook sets AZURE_AUTHORITY_HOST to for the public cloud (its default).
const PUBLIC_CLOUD_AUTHORITY: &str = "https://login.microsoftonline.com/";
const SCOPE: &str = "https://servicebus.azure.net/.default";
const NAMESPACE: &str = "default";

/// What a workload in the admitted pod has to authenticate with.
struct Injected {
    env: BTreeMap<String, String>,
    token_file: String,
    projection: ServiceAccountTokenProjection,
}

impl Injected {
    /// The webhook's env in the pod's containers and the projected volume behind the
    /// token file. kwok runs no containers, so this is read from the admitted spec.
    fn of(pod: &Pod) -> Self {
        let spec = pod.spec.as_ref().unwrap();
        let names = [
            "AZURE_CLIENT_ID",
            "AZURE_TENANT_ID",
            "AZURE_AUTHORITY_HOST",
            "AZURE_FEDERATED_TOKEN_FILE",
        ];
        let envs: Vec<BTreeMap<String, String>> = spec
            .containers
            .iter()
            .map(|c| {
                let env = c.env.clone().unwrap_or_default().into_iter();
                env.filter(|e| names.contains(&e.name.as_str()))
                    .map(|e| (e.name, e.value.unwrap_or_default()))
                    .collect()
            })
            .collect();
        for (c, env) in spec.containers.iter().zip(&envs) {
            assert_eq!(
                env.len(),
                names.len(),
                "container {} lacks some of {names:?}: {env:?}",
                c.name
            );
            assert_eq!(env, &envs[0], "containers disagree");
        }
        let env = envs[0].clone();
        let token_file = env["AZURE_FEDERATED_TOKEN_FILE"].clone();
        // The file is one path of a projected volume mounted at a parent directory; the
        // volume's name differs by webhook version, so it is found through the mount.
        let mounts = spec.containers[0].volume_mounts.clone().unwrap_or_default();
        let (mount, file) = mounts
            .iter()
            .find_map(|m| {
                let rest = token_file.strip_prefix(m.mount_path.trim_end_matches('/'))?;
                Some((m, rest.strip_prefix('/')?.to_string()))
            })
            .unwrap_or_else(|| panic!("no volume mounted over {token_file}: {mounts:?}"));
        let volume = spec
            .volumes
            .iter()
            .flatten()
            .find(|v| v.name == mount.name)
            .unwrap_or_else(|| panic!("no volume {} in the pod", mount.name));
        let projection = volume
            .projected
            .iter()
            .flat_map(|p| p.sources.iter().flatten())
            .filter_map(|s| s.service_account_token.clone())
            .find(|t| t.path == file)
            .unwrap_or_else(|| panic!("volume {} projects no token at {file}", mount.name));
        Injected {
            env,
            token_file,
            projection,
        }
    }
}

/// The newest labelled, not deleted pod in the namespace that is not `other`.
async fn admitted_pod(client: &Client, other: Option<&str>) -> Pod {
    let pods = Api::<Pod>::namespaced(client.clone(), NAMESPACE);
    let lp = ListParams::default().labels("azure.workload.identity/use=true");
    eventually("the workload's pod", Duration::from_secs(60), || {
        let (pods, lp) = (pods.clone(), lp.clone());
        async move {
            let mut list = pods.list(&lp).await.ok()?.items;
            list.retain(|p| {
                p.metadata.deletion_timestamp.is_none() && p.metadata.uid.as_deref() != other
            });
            list.sort_by_key(|p| p.metadata.creation_timestamp.clone());
            list.pop()
        }
    })
    .await
}

/// The token the kubelet would write to the file: a TokenRequest for the pod's
/// ServiceAccount with the projection's audience and expiry, bound to the pod.
async fn projected_token(
    client: &Client,
    pod: &Pod,
    projection: &ServiceAccountTokenProjection,
) -> String {
    let sa = pod
        .spec
        .as_ref()
        .unwrap()
        .service_account_name
        .clone()
        .unwrap();
    let request = TokenRequest {
        spec: TokenRequestSpec {
            audiences: projection.audience.clone().into_iter().collect(),
            expiration_seconds: projection.expiration_seconds,
            bound_object_ref: Some(BoundObjectReference {
                api_version: Some("v1".into()),
                kind: Some("Pod".into()),
                name: pod.metadata.name.clone(),
                uid: pod.metadata.uid.clone(),
            }),
        },
        ..TokenRequest::default()
    };
    Api::<ServiceAccount>::namespaced(client.clone(), NAMESPACE)
        .create_token_request(&sa, &PostParams::default(), &request)
        .await
        .unwrap()
        .status
        .unwrap()
        .token
}

/// Runs the SDK in a cleared environment; returns (exit code, the program's JSON).
fn sdk_get_token(python: &Path, l: &Local, wi: &Injected, token_file: &Path) -> (i32, Value) {
    // The pod names the public cloud (the webhook's default cloud); here the
    // simulator's Entra stands in for it, so the SDK is pointed there. Any other
    // value the pod names is used as it is: it is what the workload would use.
    let pod_authority = &wi.env["AZURE_AUTHORITY_HOST"];
    let authority = if pod_authority == PUBLIC_CLOUD_AUTHORITY {
        l.authority()
    } else {
        pod_authority.clone()
    };
    let ca = l.h.ca_path();
    let out = Command::new(python)
        .env_clear()
        .env("REQUESTS_CA_BUNDLE", &ca)
        .env("SSL_CERT_FILE", &ca)
        .env("HOME", l.config.path())
        .args(["-c", GET_TOKEN])
        .arg(&wi.env["AZURE_TENANT_ID"])
        .arg(&wi.env["AZURE_CLIENT_ID"])
        .arg(token_file)
        .arg(&authority)
        .arg(SCOPE)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    eprintln!(
        "$ python get_token.py (tenant {}, authority {authority}) -> {:?}\n{stdout}{stderr}",
        wi.env["AZURE_TENANT_ID"],
        out.status.code()
    );
    let code = out.status.code().unwrap_or(-1);
    let json = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!("the SDK program crashed ({e}), exit {code}:\n{stdout}{stderr}")
    });
    (code, json)
}

/// Reads the admitted pod and runs the SDK with what the webhook gave it.
fn run_sdk_in(l: &Local, python: &Path, other: Option<&str>) -> (Pod, Injected, i32, Value) {
    let client = l.rt.block_on(l.cp.client()).unwrap();
    let pod = l.rt.block_on(admitted_pod(&client, other));
    let wi = Injected::of(&pod);
    eprintln!(
        "pod {}: injected {:?}, token {:?}",
        pod.metadata.name.as_deref().unwrap_or_default(),
        wi.env,
        wi.projection
    );
    assert_eq!(
        wi.projection.audience.as_deref(),
        Some("api://AzureADTokenExchange")
    );
    let token =
        l.rt.block_on(projected_token(&client, &pod, &wi.projection));
    let dir = tempfile::tempdir().unwrap();
    let name = Path::new(&wi.token_file).file_name().unwrap();
    let file: PathBuf = dir.path().join(name);
    std::fs::write(&file, token).unwrap();
    let (code, out) = sdk_get_token(python, l, &wi, &file);
    (pod, wi, code, out)
}

#[test]
fn the_azure_identity_sdk_gets_a_tenant_b_token_with_what_the_webhook_injected() {
    let python = env_path(
        "XTENANT_AZURE_IDENTITY_PYTHON",
        "the python of a venv with azure-identity",
        "run ./test.sh, or export XTENANT_AZURE_IDENTITY_PYTHON=$(scripts/ensure-azure-identity)",
    );
    let l = Local::start();
    l.ok("az-xtenant", &["init"]);
    l.ok("az-xtenant", &["up"]);
    l.ok("kubectl-xtenant", &["deploy"]);
    let profile = l.profile();
    let client_id = profile["graph"]["identities"]["@demo"]["clientId"]
        .as_str()
        .unwrap()
        .to_string();
    let (tenant_a, tenant_b) = (l.h.tenant_a().id.clone(), l.h.tenant_b().id.clone());

    let (pod, wi, code, out) = run_sdk_in(&l, &python, None);
    assert_eq!(
        wi.env["AZURE_TENANT_ID"], tenant_b,
        "the webhook should inject Tenant B"
    );
    assert_eq!(wi.env["AZURE_CLIENT_ID"], client_id);
    assert_eq!(code, 0, "the SDK got no token: {out}");
    assert_eq!(
        out["tid"],
        tenant_b.as_str(),
        "token of the wrong tenant: {out}"
    );
    let app = out["appid"].as_str().or(out["azp"].as_str());
    assert_eq!(
        app,
        Some(client_id.as_str()),
        "token of the wrong app: {out}"
    );
    let aud = out["aud"].as_str().unwrap_or_default();
    assert_eq!(
        aud.trim_end_matches('/'),
        "https://servicebus.azure.net",
        "{out}"
    );

    // Negative control: the classic mistake, the workload's tenant left at Tenant A
    // (the cluster's). The webhook then injects Tenant A, where the identity's client
    // ID is no application, and the SDK must fail with Entra's code for that.
    l.ok(
        "kubectl-xtenant",
        &["deploy", "--tenant-id", &tenant_a, "--rerun"],
    );
    let (_, wi, code, out) = run_sdk_in(&l, &python, pod.metadata.uid.as_deref());
    assert_eq!(
        wi.env["AZURE_TENANT_ID"], tenant_a,
        "the webhook should inject Tenant A now"
    );
    assert_eq!(code, 3, "the SDK should have been refused: {out}");
    assert_eq!(out["error"], "ClientAuthenticationError", "{out}");
    let message = out["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("AADSTS700016"),
        "no AADSTS700016 in the SDK's error: {message}"
    );
}
