//! The simulator's HTTPS material: a throw-away CA and the loopback server certificate it signs.

use xtenant_testsupport::tls::Ca;

/// PEM material for the HTTPS listener and for clients that must trust it.
pub struct TlsMaterial {
    /// The CA certificate clients trust (`REQUESTS_CA_BUNDLE`).
    pub ca_pem: String,
    /// The server certificate chain (leaf then CA).
    pub chain_pem: String,
    /// The server's private key.
    pub key_pem: String,
}

/// Creates a fresh CA and a certificate for `127.0.0.1` and `localhost` signed by it.
pub fn generate() -> Result<TlsMaterial, rcgen::Error> {
    let ca = Ca::new("azsim local CA")?;
    let leaf = ca.serving("azsim")?;
    Ok(TlsMaterial {
        ca_pem: ca.pem().to_string(),
        chain_pem: ca.chain(&leaf),
        key_pem: leaf.key_pem,
    })
}
