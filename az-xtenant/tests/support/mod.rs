//! A fake `az` on PATH for scenario tests: a small POSIX shell script that
//! logs the argv it received and answers from a queue of canned responses per
//! command (the last answer repeats). Keys are the command words joined by
//! `_`, plus `@<subscription>` when the call names one. A read may answer
//! from a second queue once a given write has been called ([`World::on_until`]):
//! an object absent until its create, however often it was read before. Each test runs
//! `az-xtenant` with a cleared environment, a temporary HOME and a temporary
//! XTENANT_CONFIG_DIR.
#![allow(dead_code, clippy::unwrap_used)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod audit;
pub mod graph;
pub mod handoff;

#[allow(unused_imports)] // used by the graph and contract tests only
pub use graph::{azure, graph_credential, graph_file, graph_file_with};

use serde_json::{Value, json};
use tempfile::TempDir;

pub const TA: &str = "aaaaaaaa-0000-4000-8000-00000000000a";
pub const SA: &str = "aaaaaaaa-1111-4000-8000-00000000000a";
pub const TB: &str = "bbbbbbbb-0000-4000-8000-00000000000b";
pub const SB: &str = "bbbbbbbb-1111-4000-8000-00000000000b";
pub const RG: &str = "rg-xtenant-test";
pub const AKS: &str = "aks-xtenant-test";
pub const NS: &str = "sb-crosstenantdemo-12345";
pub const IDENTITY: &str = "sb-crosstenantdemo-12345-identity";
pub const PRINCIPAL: &str = "cccccccc-0000-4000-8000-00000000000c";
pub const CLIENT: &str = "dddddddd-0000-4000-8000-00000000000d";

pub fn issuer() -> String {
    format!("https://eastus.oic.prod-aks.azure.com/{TA}/eeeeeeee-0000-4000-8000-00000000000e/")
}

const SCRIPT: &str = r#"#!/bin/sh
d="$FAKE_AZ_DIR"
us=$(printf '\037')
line=""; key=""; sub=""; prev=""; words=1
for a in "$@"; do
  line="$line$a$us"
  case "$a" in -*) words=0;; esac
  if [ $words = 1 ]; then key="${key:+${key}_}$a"; fi
  if [ "$prev" = "--subscription" ]; then sub="$a"; fi
  prev="$a"
done
printf '%s\n' "$line" >> "$d/log"
if [ -n "$sub" ]; then key="$key@$sub"; fi
if [ -f "$d/hold/$key" ]; then
  : > "$d/held/$key"
  while [ -f "$d/hold/$key" ]; do sleep 0.05; done
fi
printf '%s\n' "$key" >> "$d/called"
r="$d/r/$key"
if [ -f "$r.when" ] && grep -qxF "$(cat "$r.when")" "$d/called"; then
  key="$key.made"; r="$d/r/$key"
fi
if [ ! -d "$r" ]; then echo "fake az: no answer for $key" >&2; exit 97; fi
mkdir -p "$d/n"
n=$(cat "$d/n/$key" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$d/n/$key"
while [ ! -f "$r/$n.code" ] && [ $n -gt 1 ]; do n=$((n-1)); done
if [ -f "$r/$n.out" ]; then cat "$r/$n.out"; fi
if [ -f "$r/$n.err" ]; then cat "$r/$n.err" >&2; fi
exit $(cat "$r/$n.code")
"#;

/// One canned answer.
pub enum Resp {
    Json(Value),
    Raw(&'static str),
    Fail(i32, String),
}

pub fn not_found(what: &str) -> Resp {
    Resp::Fail(
        3,
        format!("ERROR: (ResourceNotFound) The Resource '{what}' was not found."),
    )
}

pub struct World {
    dir: TempDir,
    pub with_az: bool,
}

impl World {
    pub fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["bin", "no-az", "home", "config", "r", "hold", "held"] {
            fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        let az = dir.path().join("bin/az");
        fs::write(&az, SCRIPT).unwrap();
        fs::set_permissions(&az, fs::Permissions::from_mode(0o755)).unwrap();
        fs::write(dir.path().join("log"), "").unwrap();
        fs::write(dir.path().join("called"), "").unwrap();
        World { dir, with_az: true }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn profile_path(&self) -> PathBuf {
        self.path().join("config/default.json")
    }

    /// Queues answers for a key such as `group_show@<sub>`.
    pub fn on(&self, key: &str, answers: Vec<Resp>) {
        let r = self.path().join("r").join(key);
        let _ = fs::remove_dir_all(&r);
        let _ = fs::remove_file(self.path().join("r").join(format!("{key}.when")));
        let _ = fs::remove_file(self.path().join("n").join(key));
        fs::create_dir_all(&r).unwrap();
        for (i, a) in answers.into_iter().enumerate() {
            let n = i + 1;
            let (code, out, err) = match a {
                Resp::Json(v) => (0, v.to_string(), String::new()),
                Resp::Raw(s) => (0, s.to_string(), String::new()),
                Resp::Fail(c, e) => (c, String::new(), e),
            };
            fs::write(r.join(format!("{n}.code")), code.to_string()).unwrap();
            fs::write(r.join(format!("{n}.out")), out).unwrap();
            fs::write(r.join(format!("{n}.err")), err).unwrap();
        }
    }

    /// Queues answers for the read `key` before any call of the write
    /// `made_by` (an object that is not there yet), and others from then on
    /// (it is there): the answer depends on what was written, not on how
    /// many times it was read.
    pub fn on_until(&self, key: &str, made_by: &str, before: Vec<Resp>, after: Vec<Resp>) {
        self.on(key, before);
        self.on(&format!("{key}.made"), after);
        fs::write(self.path().join("r").join(format!("{key}.when")), made_by).unwrap();
    }

    /// Makes the fake az stop before answering `key` until [`World::release`].
    pub fn hold(&self, key: &str) {
        // A call held before does not count for this hold.
        let _ = fs::remove_file(self.path().join("held").join(key));
        fs::write(self.path().join("hold").join(key), "").unwrap();
    }

    /// Waits (up to 20 s) until a call of `key` is being held.
    pub fn wait_held(&self, key: &str) {
        let held = self.path().join("held").join(key);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while !held.exists() {
            assert!(
                std::time::Instant::now() < deadline,
                "no call of {key} was held"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Lets held calls of `key` answer.
    pub fn release(&self, key: &str) {
        let _ = fs::remove_file(self.path().join("hold").join(key));
    }

    /// The command `run_env` runs, for tests that start it in the background.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = self.base_command(args);
        cmd.stdin(std::process::Stdio::null());
        cmd
    }

    /// az-xtenant with a cleared environment of the world's own.
    fn base_command(&self, args: &[&str]) -> Command {
        // Without az, PATH is one empty directory of the world's own, so an `az`
        // installed on the machine cannot be found either.
        let path = if self.with_az {
            format!("{}:/usr/bin:/bin", self.path().join("bin").display())
        } else {
            self.path().join("no-az").display().to_string()
        };
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_az-xtenant"));
        cmd.args(args)
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.path().join("home"))
            .env("XTENANT_CONFIG_DIR", self.path().join("config"))
            .env("FAKE_AZ_DIR", self.path())
            .env("NO_COLOR", "1");
        cmd
    }

    /// Runs az-xtenant hermetically, with `env` added.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = self.base_command(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.run_env(args, &[])
    }

    /// Runs and requires success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "az-xtenant {args:?} failed: {}",
            describe(&out)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Every az call so far, as argv vectors.
    pub fn calls(&self) -> Vec<Vec<String>> {
        fs::read_to_string(self.path().join("log"))
            .unwrap()
            .lines()
            .map(|l| {
                l.split('\u{1f}')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            })
            .collect()
    }

    pub fn clear_calls(&self) {
        fs::write(self.path().join("log"), "").unwrap();
    }

    pub fn profile(&self) -> Value {
        serde_json::from_str(&fs::read_to_string(self.profile_path()).unwrap()).unwrap()
    }

    pub fn init(&self) {
        let out = self.run(&[
            "init",
            "--tenant-a",
            TA,
            "--subscription-a",
            SA,
            "--tenant-b",
            TB,
            "--subscription-b",
            SB,
            "-g",
            RG,
            "-l",
            "eastus",
            "--cluster-name",
            AKS,
            "--servicebus-name",
            NS,
        ]);
        assert!(out.status.success(), "init: {}", describe(&out));
    }

    /// Both tenants logged in.
    pub fn logged_in(&self) {
        self.on(
            "account_list",
            vec![Resp::Json(json!([
                {"id": SA, "tenantId": TA, "user": {"name": "u"}},
                {"id": SB, "tenantId": TB, "user": {"name": "u"}}
            ]))],
        );
    }
}

pub fn describe(out: &Output) -> String {
    format!(
        "{}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The verb of a call (`create`, `show`, ...): the last command word.
pub fn verb(call: &[String]) -> String {
    call.iter()
        .take_while(|a| !a.starts_with('-'))
        .last()
        .cloned()
        .unwrap_or_default()
}

pub fn group(tagged: bool) -> Value {
    let tags = if tagged {
        json!({"created-by": "xtenant"})
    } else {
        Value::Null
    };
    json!({"id": format!("/subscriptions/x/resourceGroups/{RG}"), "name": RG, "location": "eastus", "tags": tags})
}

pub fn cluster(enabled: bool) -> Value {
    let id = format!(
        "/subscriptions/{SA}/resourceGroups/{RG}/providers/Microsoft.ContainerService/managedClusters/{AKS}"
    );
    if enabled {
        json!({"id": id, "provisioningState": "Succeeded",
               "oidcIssuerProfile": {"enabled": true, "issuerUrl": issuer()},
               "securityProfile": {"workloadIdentity": {"enabled": true}}})
    } else {
        json!({"id": id, "provisioningState": "Succeeded",
               "oidcIssuerProfile": {"enabled": false, "issuerUrl": null},
               "securityProfile": {"workloadIdentity": null}})
    }
}

pub fn ns_id() -> String {
    format!(
        "/subscriptions/{SB}/resourceGroups/{RG}/providers/Microsoft.ServiceBus/namespaces/{NS}"
    )
}

pub fn namespace(local_auth_disabled: bool) -> Value {
    json!({"id": ns_id(), "name": NS, "disableLocalAuth": local_auth_disabled,
           "serviceBusEndpoint": format!("https://{NS}.servicebus.windows.net:443/")})
}

pub fn identity() -> Value {
    json!({"id": format!("/subscriptions/{SB}/resourceGroups/{RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{IDENTITY}"),
           "name": IDENTITY, "clientId": CLIENT, "principalId": PRINCIPAL, "tenantId": TB})
}

pub fn role_assignment() -> Value {
    json!({"id": format!("{}/providers/Microsoft.Authorization/roleAssignments/r1", ns_id()),
           "principalId": PRINCIPAL, "scope": ns_id(),
           "roleDefinitionId": "/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/090c5cfd-751d-490a-894a-3ce6f1109419",
           "roleDefinitionName": "Azure Service Bus Data Owner"})
}

pub fn credential() -> Value {
    json!({"name": format!("{IDENTITY}-federated"), "issuer": issuer(),
           "subject": "system:serviceaccount:default:myserviceaccount",
           "audiences": ["api://AzureADTokenExchange"]})
}

/// Azure with nothing in it yet: every show says not found until the
/// object's create has been called, and finds it from then on, so a second
/// run sees everything in place.
pub fn fresh(w: &World) {
    w.logged_in();
    use Resp::*;
    for sub in [SA, SB] {
        w.on_until(
            &format!("group_show@{sub}"),
            &format!("group_create@{sub}"),
            vec![Fail(
                3,
                format!("ERROR: (ResourceGroupNotFound) Resource group '{RG}' could not be found."),
            )],
            vec![Json(group(true))],
        );
        w.on(&format!("group_create@{sub}"), vec![Json(group(true))]);
    }
    w.on_until(
        &format!("aks_show@{SA}"),
        &format!("aks_create@{SA}"),
        vec![not_found(AKS)],
        vec![Json(cluster(true))],
    );
    w.on(&format!("aks_create@{SA}"), vec![Json(cluster(true))]);
    w.on_until(
        &format!("servicebus_namespace_show@{SB}"),
        &format!("servicebus_namespace_create@{SB}"),
        vec![not_found(NS)],
        vec![Json(namespace(true))],
    );
    w.on(
        &format!("servicebus_namespace_create@{SB}"),
        vec![Json(namespace(true))],
    );
    w.on_until(
        &format!("servicebus_queue_show@{SB}"),
        &format!("servicebus_queue_create@{SB}"),
        vec![not_found("myqueue")],
        vec![Json(json!({"id": "/q", "name": "myqueue"}))],
    );
    w.on(
        &format!("servicebus_queue_create@{SB}"),
        vec![Json(json!({"id": "/q", "name": "myqueue"}))],
    );
    w.on_until(
        &format!("identity_show@{SB}"),
        &format!("identity_create@{SB}"),
        vec![not_found(IDENTITY)],
        vec![Json(identity())],
    );
    w.on(&format!("identity_create@{SB}"), vec![Json(identity())]);
    w.on_until(
        &format!("role_assignment_list@{SB}"),
        &format!("role_assignment_create@{SB}"),
        vec![Json(json!([]))],
        vec![Json(json!([role_assignment()]))],
    );
    w.on(
        &format!("role_assignment_create@{SB}"),
        vec![Json(role_assignment())],
    );
    w.on_until(
        &format!("identity_federated-credential_list@{SB}"),
        &format!("identity_federated-credential_create@{SB}"),
        vec![Json(json!([]))],
        vec![Json(json!([credential()]))],
    );
    w.on(
        &format!("identity_federated-credential_create@{SB}"),
        vec![Json(credential())],
    );
}
