//! Command lines of the components, all bound to 127.0.0.1.

use std::path::Path;

use crate::pki::PkiFiles;

/// Ports chosen for one control plane.
#[derive(Debug, Clone, Copy)]
pub struct Ports {
    pub etcd: u16,
    pub etcd_peer: u16,
    pub apiserver: u16,
    pub controller_manager: u16,
    pub scheduler: u16,
    pub kwok: u16,
    pub webhook: u16,
    pub webhook_health: u16,
    pub webhook_metrics: u16,
}

fn p(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

pub fn etcd(ports: Ports, data: &Path) -> Vec<String> {
    let client = format!("http://127.0.0.1:{}", ports.etcd);
    let peer = format!("http://127.0.0.1:{}", ports.etcd_peer);
    vec![
        format!("--data-dir={}", p(data)),
        format!("--listen-client-urls={client}"),
        format!("--advertise-client-urls={client}"),
        format!("--listen-peer-urls={peer}"),
        format!("--initial-advertise-peer-urls={peer}"),
        format!("--initial-cluster=default={peer}"),
        "--unsafe-no-fsync".into(),
        "--log-level=warn".into(),
    ]
}

pub fn apiserver(ports: Ports, issuer: &str, pki: &PkiFiles, cert_dir: &Path) -> Vec<String> {
    let base = format!("https://127.0.0.1:{}", ports.apiserver);
    vec![
        format!("--etcd-servers=http://127.0.0.1:{}", ports.etcd),
        format!("--secure-port={}", ports.apiserver),
        "--bind-address=127.0.0.1".into(),
        "--advertise-address=127.0.0.1".into(),
        "--endpoint-reconciler-type=none".into(),
        format!("--cert-dir={}", p(cert_dir)),
        format!("--tls-cert-file={}", p(&pki.apiserver_cert)),
        format!("--tls-private-key-file={}", p(&pki.apiserver_key)),
        format!("--client-ca-file={}", p(&pki.ca_cert)),
        "--authorization-mode=RBAC".into(),
        "--service-cluster-ip-range=10.0.0.0/24".into(),
        "--allow-privileged=true".into(),
        format!("--service-account-issuer={issuer}"),
        format!("--service-account-jwks-uri={base}/openid/v1/jwks"),
        format!("--service-account-key-file={}", p(&pki.sa_pub)),
        format!("--service-account-signing-key-file={}", p(&pki.sa_key)),
        format!("--kubelet-client-certificate={}", p(&pki.admin_cert)),
        format!("--kubelet-client-key={}", p(&pki.admin_key)),
        format!("--kubelet-certificate-authority={}", p(&pki.ca_cert)),
        "--kubelet-preferred-address-types=InternalIP".into(),
        "--profiling=false".into(),
    ]
}

pub fn controller_manager(ports: Ports, kubeconfig: &Path, pki: &PkiFiles) -> Vec<String> {
    vec![
        format!("--kubeconfig={}", p(kubeconfig)),
        "--leader-elect=false".into(),
        "--controllers=*".into(),
        format!("--service-account-private-key-file={}", p(&pki.sa_key)),
        format!("--root-ca-file={}", p(&pki.ca_cert)),
        "--bind-address=127.0.0.1".into(),
        format!("--secure-port={}", ports.controller_manager),
        "--profiling=false".into(),
    ]
}

pub fn scheduler(ports: Ports, kubeconfig: &Path) -> Vec<String> {
    vec![
        format!("--kubeconfig={}", p(kubeconfig)),
        "--leader-elect=false".into(),
        "--bind-address=127.0.0.1".into(),
        format!("--secure-port={}", ports.scheduler),
        "--profiling=false".into(),
    ]
}

pub fn kwok(ports: Ports, kubeconfig: &Path, config: &Path, pki: &PkiFiles) -> Vec<String> {
    vec![
        format!("--kubeconfig={}", p(kubeconfig)),
        format!("--config={}", p(config)),
        format!(
            "--manage-nodes-with-annotation-selector={}=fake",
            crate::cluster::NODE_ANNOTATION
        ),
        "--node-ip=127.0.0.1".into(),
        format!("--node-port={}", ports.kwok),
        format!("--server-address=127.0.0.1:{}", ports.kwok),
        format!("--tls-cert-file={}", p(&pki.kwok_cert)),
        format!("--tls-private-key-file={}", p(&pki.kwok_key)),
        "--node-lease-duration-seconds=40".into(),
        "--enable-crds=Logs,ClusterLogs".into(),
    ]
}

pub fn webhook(ports: Ports, pki: &PkiFiles) -> Vec<String> {
    vec![
        format!("--webhook-cert-dir={}", p(&pki.webhook_dir)),
        "--disable-cert-rotation".into(),
        format!("--webhook-port={}", ports.webhook),
        format!("--health-addr=127.0.0.1:{}", ports.webhook_health),
        format!("--metrics-addr=127.0.0.1:{}", ports.webhook_metrics),
        "--log-level=info".into(),
    ]
}

/// Fails with what to do when the webhook binary predates its `-webhook-port` flag
/// (a bin dir from an older build.sh).
pub fn check_webhook_port_flag(webhook: &Path) -> Result<(), crate::Error> {
    let out = std::process::Command::new(webhook)
        .arg("-h")
        .output()
        .map_err(|source| crate::Error::Spawn {
            name: "azure-wi-webhook -h".into(),
            program: webhook.to_path_buf(),
            source,
        })?;
    if String::from_utf8_lossy(&out.stderr).contains("-webhook-port") {
        return Ok(());
    }
    Err(crate::Error::Setup(format!(
        "{} has no -webhook-port flag: it comes from an older tests/controlplane/build.sh; \
         re-run it and use its output (export XTENANT_CONTROLPLANE_BIN=$(tests/controlplane/build.sh))",
        webhook.display()
    )))
}

/// Concatenates kwok's stage files into one multi-document config file.
pub fn kwok_config(stages: &Path, out: &Path) -> Result<(), crate::Error> {
    let mut files: Vec<_> = std::fs::read_dir(stages)
        .map_err(|e| crate::Error::io("reading", stages, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(crate::Error::Setup(format!(
            "no kwok stage files in {}: re-run tests/controlplane/build.sh",
            stages.display()
        )));
    }
    let mut text = String::new();
    for f in files {
        let doc = std::fs::read_to_string(&f).map_err(|e| crate::Error::io("reading", &f, e))?;
        text.push_str("---\n");
        text.push_str(&doc);
        text.push('\n');
    }
    std::fs::write(out, text).map_err(|e| crate::Error::io("writing", out, e))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    /// A stand-in webhook whose `-h` prints `usage` to stderr, as Go's flag package does.
    fn fake_webhook(dir: &Path, usage: &str) -> std::path::PathBuf {
        let path = dir.join("azure-wi-webhook");
        std::fs::write(&path, format!("#!/bin/sh\necho '{usage}' >&2\nexit 2\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn a_webhook_without_the_port_flag_is_refused_with_the_rebuild() {
        let dir = tempfile::tempdir().unwrap();
        let old = fake_webhook(dir.path(), "  -webhook-cert-dir string");
        let err = check_webhook_port_flag(&old).unwrap_err().to_string();
        assert!(
            err.contains("-webhook-port") && err.contains("build.sh"),
            "{err}"
        );
        let new = fake_webhook(dir.path(), "  -webhook-port int");
        check_webhook_port_flag(&new).unwrap();
    }
}
