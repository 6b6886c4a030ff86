//! The admin kubeconfig (client certificate of `system:masters`, CA data inline).

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use crate::Error;
use crate::pki::PkiFiles;

/// Context (and cluster and user) name in the generated kubeconfig.
pub const CONTEXT: &str = "xtenant-local";

/// Writes a kubeconfig for `server` authenticating with the admin certificate.
pub fn write(path: &Path, server: &str, pki: &PkiFiles) -> Result<(), Error> {
    let doc = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{ "name": CONTEXT, "cluster": {
            "server": server,
            "certificate-authority-data": STANDARD.encode(&pki.ca_pem),
        }}],
        "users": [{ "name": CONTEXT, "user": {
            "client-certificate-data": STANDARD.encode(&pki.admin_cert_pem),
            "client-key-data": STANDARD.encode(&pki.admin_key_pem),
        }}],
        "contexts": [{ "name": CONTEXT, "context": {
            "cluster": CONTEXT, "user": CONTEXT, "namespace": "default",
        }}],
        "current-context": CONTEXT,
    });
    let text =
        serde_yaml::to_string(&doc).map_err(|e| Error::Kubeconfig(format!("serialising: {e}")))?;
    std::fs::write(path, text).map_err(|e| Error::io("writing", path, e))
}

/// Selects rustls's ring provider for the process unless one is set already (needed when
/// several rustls crypto providers are compiled in, as in a whole-workspace build).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A kube client for the kubeconfig at `path`.
pub async fn client(path: &Path) -> Result<kube::Client, Error> {
    install_crypto_provider();
    let kc = kube::config::Kubeconfig::read_from(path)
        .map_err(|e| Error::Kubeconfig(format!("{}: {e}", path.display())))?;
    let config =
        kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
            .await
            .map_err(|e| Error::Kubeconfig(format!("{}: {e}", path.display())))?;
    kube::Client::try_from(config).map_err(|e| Error::Kubeconfig(e.to_string()))
}
