//! The simulator's token-signing key (ES256) and its JWKS.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// An ECDSA P-256 key that signs access tokens and test assertions.
pub struct SigningKey {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    jwk: Value,
}

/// Errors creating the key.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Key generation failed.
    #[error("generating the signing key: {0}")]
    Generate(#[from] rcgen::Error),
    /// The generated key could not be loaded.
    #[error("loading the signing key: {0}")]
    Load(#[from] jsonwebtoken::errors::Error),
}

impl SigningKey {
    /// A fresh random key.
    pub fn generate() -> Result<Self, KeyError> {
        let pair = rcgen::KeyPair::generate()?;
        let raw = pair.public_key_raw();
        // Uncompressed SEC1 point: 0x04 || x (32 bytes) || y (32 bytes).
        let (x, y) = (&raw[1..33], &raw[33..65]);
        let kid = uuid::Uuid::new_v4().simple().to_string();
        let jwk = json!({
            "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": kid,
            "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y),
        });
        let encoding = EncodingKey::from_ec_pem(pair.serialize_pem().as_bytes())?;
        let decoding = DecodingKey::from_ec_components(
            &URL_SAFE_NO_PAD.encode(x),
            &URL_SAFE_NO_PAD.encode(y),
        )?;
        Ok(SigningKey {
            kid,
            encoding,
            decoding,
            jwk,
        })
    }

    /// The JWKS document (`{"keys": [...]}`).
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.jwk] })
    }

    /// Signs claims into a compact JWT.
    pub fn sign<T: Serialize>(&self, claims: &T) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        header.typ = Some("JWT".into());
        jsonwebtoken::encode(&header, claims, &self.encoding)
    }

    /// Verifies a token this key signed (signature and expiry; no audience check).
    pub fn verify<T: DeserializeOwned>(
        &self,
        token: &str,
    ) -> Result<T, jsonwebtoken::errors::Error> {
        let mut v = Validation::new(Algorithm::ES256);
        v.validate_aud = false;
        v.set_required_spec_claims(&["exp"]);
        Ok(jsonwebtoken::decode::<T>(token, &self.decoding, &v)?.claims)
    }
}

/// The payload of a JWT, without verifying anything.
pub fn unverified_claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Formats Unix seconds as `YYYY-MM-DD hh:mm:ssZ` (Entra's timestamp format).
pub fn format_utc(secs: u64, sep: char) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}{sep}{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_timestamps() {
        assert_eq!(format_utc(0, ' '), "1970-01-01 00:00:00Z");
        assert_eq!(format_utc(1_709_251_199, 'T'), "2024-02-29T23:59:59Z");
    }

    #[test]
    fn signs_and_verifies() {
        let k = SigningKey::generate().unwrap();
        let t = k
            .sign(&json!({"exp": now_secs() + 60, "tid": "x"}))
            .unwrap();
        let c: Value = k.verify(&t).unwrap();
        assert_eq!(c["tid"], "x");
        assert_eq!(unverified_claims(&t).unwrap()["tid"], "x");
    }
}
