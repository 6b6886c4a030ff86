//! A throw-away certificate authority and the certificates it signs: serving
//! certificates for loopback listeners and client certificates for mutual TLS.

use std::net::{IpAddr, Ipv4Addr};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SanType,
};

pub use rcgen::Error;

/// A certificate and its private key, both PEM.
#[derive(Debug, Clone)]
pub struct Leaf {
    /// The certificate alone.
    pub cert_pem: String,
    /// Its private key (PKCS#8).
    pub key_pem: String,
}

/// A self-signed CA, kept in memory for as long as certificates are needed.
pub struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
    pem: String,
}

impl Ca {
    /// A fresh CA named `common_name`, allowed to sign certificates and CRLs.
    pub fn new(common_name: &str) -> Result<Self, Error> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate()?)?;
        let pem = issuer.pem();
        Ok(Self { issuer, pem })
    }

    /// The CA certificate, PEM (what clients trust).
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// A server certificate for `localhost` and `127.0.0.1`.
    pub fn serving(&self, common_name: &str) -> Result<Leaf, Error> {
        let mut params = CertificateParams::new(vec!["localhost".to_string()])?;
        params
            .subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        self.sign(params)
    }

    /// A client certificate for `common_name` in organisation `org` (Kubernetes
    /// reads them as the user name and group).
    pub fn client(&self, common_name: &str, org: &str) -> Result<Leaf, Error> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params
            .distinguished_name
            .push(DnType::OrganizationName, org);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        self.sign(params)
    }

    /// `leaf`'s certificate followed by the CA's: what a server presents.
    pub fn chain(&self, leaf: &Leaf) -> String {
        format!("{}{}", leaf.cert_pem, self.pem)
    }

    fn sign(&self, mut params: CertificateParams) -> Result<Leaf, Error> {
        params.use_authority_key_identifier_extension = true;
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Arc;

    use rustls::RootCertStore;
    use rustls::client::WebPkiServerVerifier;
    use rustls::client::danger::ServerCertVerifier;
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::server::WebPkiClientVerifier;

    use super::*;

    fn der(pem: &str) -> CertificateDer<'static> {
        CertificateDer::from_pem_slice(pem.as_bytes()).unwrap()
    }

    fn roots(ca: &Ca) -> Arc<RootCertStore> {
        let mut roots = RootCertStore::empty();
        roots.add(der(ca.pem())).unwrap();
        Arc::new(roots)
    }

    fn provider() -> Arc<rustls::crypto::CryptoProvider> {
        Arc::new(rustls::crypto::ring::default_provider())
    }

    #[test]
    fn a_serving_certificate_is_valid_for_both_loopback_names() {
        let ca = Ca::new("test CA").unwrap();
        let leaf = ca.serving("server").unwrap();
        let verifier = WebPkiServerVerifier::builder_with_provider(roots(&ca), provider())
            .build()
            .unwrap();
        for name in ["localhost", "127.0.0.1"] {
            let name = ServerName::try_from(name).unwrap();
            verifier
                .verify_server_cert(&der(&leaf.cert_pem), &[], &name, &[], UnixTime::now())
                .unwrap();
        }
        let other = ServerName::try_from("example.com").unwrap();
        assert!(
            verifier
                .verify_server_cert(&der(&leaf.cert_pem), &[], &other, &[], UnixTime::now())
                .is_err()
        );
        assert!(ca.chain(&leaf).ends_with(ca.pem()));
        assert!(leaf.key_pem.contains("PRIVATE KEY"));
    }

    #[test]
    fn a_client_certificate_is_accepted_only_by_its_ca() {
        let ca = Ca::new("test CA").unwrap();
        let stranger = Ca::new("another CA").unwrap();
        let leaf = ca.client("admin", "system:masters").unwrap();
        let check = |trusted: &Ca| {
            WebPkiClientVerifier::builder_with_provider(roots(trusted), provider())
                .build()
                .unwrap()
                .verify_client_cert(&der(&leaf.cert_pem), &[], UnixTime::now())
                .is_ok()
        };
        assert!(check(&ca));
        assert!(!check(&stranger));
    }
}
