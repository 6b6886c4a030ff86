//! Certificates and keys: one throw-away CA signs every serving and client certificate.

use std::path::{Path, PathBuf};

use rcgen::KeyPair;
use xtenant_testsupport::tls::Ca;

use crate::Error;

/// Paths of the PEM files written by [`generate`].
#[derive(Debug, Clone)]
pub struct PkiFiles {
    /// The CA certificate every component trusts.
    pub ca_cert: PathBuf,
    /// kube-apiserver's serving certificate and key (SAN 127.0.0.1, localhost).
    pub apiserver_cert: PathBuf,
    pub apiserver_key: PathBuf,
    /// The admin client certificate (CN xtenant-admin, O system:masters).
    pub admin_cert: PathBuf,
    pub admin_key: PathBuf,
    /// The service-account signing key (ECDSA P-256, private) and its public half.
    pub sa_key: PathBuf,
    pub sa_pub: PathBuf,
    /// The webhook's certificate dir (`tls.crt`, `tls.key`).
    pub webhook_dir: PathBuf,
    /// kwok's kubelet-endpoint serving certificate and key.
    pub kwok_cert: PathBuf,
    pub kwok_key: PathBuf,
    /// PEM text of the CA certificate and of the admin client pair (for the kubeconfig).
    pub ca_pem: String,
    pub admin_cert_pem: String,
    pub admin_key_pem: String,
}

fn write(path: &Path, text: &str) -> Result<(), Error> {
    std::fs::write(path, text).map_err(|e| Error::io("writing", path, e))
}

/// Creates the CA and every certificate and key under `dir`.
pub fn generate(dir: &Path) -> Result<PkiFiles, Error> {
    let ca = Ca::new("xtenant local control plane CA")?;
    let ca_pem = ca.pem().to_string();

    let api = ca.serving("kube-apiserver")?;
    let admin = ca.client("xtenant-admin", "system:masters")?;
    let wh = ca.serving("azure-wi-webhook")?;
    let kwok = ca.serving("kwok")?;
    let sa = KeyPair::generate()?;

    let webhook_dir = dir.join("webhook-certs");
    std::fs::create_dir_all(&webhook_dir).map_err(|e| Error::io("creating", &webhook_dir, e))?;
    let files = PkiFiles {
        ca_cert: dir.join("ca.crt"),
        apiserver_cert: dir.join("apiserver.crt"),
        apiserver_key: dir.join("apiserver.key"),
        admin_cert: dir.join("admin.crt"),
        admin_key: dir.join("admin.key"),
        sa_key: dir.join("sa.key"),
        sa_pub: dir.join("sa.pub"),
        kwok_cert: dir.join("kwok.crt"),
        kwok_key: dir.join("kwok.key"),
        webhook_dir,
        ca_pem,
        admin_cert_pem: admin.cert_pem,
        admin_key_pem: admin.key_pem,
    };
    write(&files.ca_cert, &files.ca_pem)?;
    write(&files.apiserver_cert, &ca.chain(&api))?;
    write(&files.apiserver_key, &api.key_pem)?;
    write(&files.admin_cert, &files.admin_cert_pem)?;
    write(&files.admin_key, &files.admin_key_pem)?;
    write(&files.sa_key, &sa.serialize_pem())?;
    write(&files.sa_pub, &sa.public_key_pem())?;
    write(&files.webhook_dir.join("tls.crt"), &ca.chain(&wh))?;
    write(&files.webhook_dir.join("tls.key"), &wh.key_pem)?;
    write(&files.kwok_cert, &ca.chain(&kwok))?;
    write(&files.kwok_key, &kwok.key_pem)?;
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_every_file_as_pem() {
        let dir = tempfile::tempdir().unwrap();
        let f = generate(dir.path()).unwrap();
        for p in [
            &f.ca_cert,
            &f.apiserver_cert,
            &f.apiserver_key,
            &f.admin_cert,
            &f.admin_key,
            &f.sa_key,
            &f.sa_pub,
            &f.kwok_cert,
            &f.kwok_key,
            &f.webhook_dir.join("tls.crt"),
            &f.webhook_dir.join("tls.key"),
        ] {
            let text = std::fs::read_to_string(p).unwrap();
            assert!(
                text.starts_with("-----BEGIN "),
                "{} is not PEM",
                p.display()
            );
        }
        assert!(
            std::fs::read_to_string(&f.sa_pub)
                .unwrap()
                .contains("PUBLIC KEY")
        );
    }
}
