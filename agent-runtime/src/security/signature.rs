//! Inbound webhook signatures: `X-SignalWire-Signature` is the lower-case hex
//! HMAC-SHA1 of the full request URL (as the platform called it) followed by
//! the raw body, keyed with the project's signing key.

use hmac::{KeyInit, Mac};
use sha1::Sha1;

use crate::secret::SecretString;

type HmacSha1 = hmac::Hmac<Sha1>;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-signalwire-signature";

/// Verifies (and, for tests and tooling, computes) webhook signatures. The
/// keyed HMAC state is prepared once; each check clones it.
#[derive(Clone)]
pub struct SignatureVerifier {
    keyed: HmacSha1,
}

impl std::fmt::Debug for SignatureVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignatureVerifier([REDACTED])")
    }
}

impl SignatureVerifier {
    /// Prepares a verifier for `key`.
    pub fn new(key: &SecretString) -> Self {
        // HMAC takes keys of any length, so this cannot fail; an empty key is
        // refused by the configuration before it gets here.
        let keyed = match HmacSha1::new_from_slice(key.expose_secret().as_bytes()) {
            Ok(m) => m,
            Err(_) => HmacSha1::new(&Default::default()),
        };
        SignatureVerifier { keyed }
    }

    fn mac(&self, url: &str, body: &[u8]) -> HmacSha1 {
        let mut mac = self.keyed.clone();
        mac.update(url.as_bytes());
        mac.update(body);
        mac
    }

    /// The signature the platform would send for this URL and body.
    #[cfg(any(test, feature = "harness"))]
    pub fn sign(&self, url: &str, body: &[u8]) -> String {
        self.mac(url, body)
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// True when `header` is the valid signature of `url` + `body` (compared
    /// in constant time).
    pub fn verify(&self, url: &str, body: &[u8], header: Option<&[u8]>) -> bool {
        let Some(header) = header else { return false };
        let header = header.trim_ascii();
        if header.len() != 40 {
            return false;
        }
        let mut raw = [0u8; 20];
        for (i, pair) in header.chunks(2).enumerate() {
            let hex = |c: u8| match c {
                b'0'..=b'9' => Some(c - b'0'),
                b'a'..=b'f' => Some(c - b'a' + 10),
                _ => None,
            };
            match (hex(pair[0]), hex(pair[1])) {
                (Some(h), Some(l)) => raw[i] = h << 4 | l,
                _ => return false,
            }
        }
        self.mac(url, body).verify_slice(&raw).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify() {
        let v = SignatureVerifier::new(&SecretString::new("signing-key".into()));
        let sig = v.sign("https://a.example/swaig?x=1", b"{}");
        assert_eq!(sig.len(), 40);
        assert!(v.verify("https://a.example/swaig?x=1", b"{}", Some(sig.as_bytes())));
        assert!(!v.verify("https://a.example/swaig?x=2", b"{}", Some(sig.as_bytes())));
        assert!(!v.verify("https://a.example/swaig?x=1", b"{ }", Some(sig.as_bytes())));
        assert!(!v.verify(
            "https://a.example/swaig?x=1",
            b"{}",
            Some(sig.to_uppercase().as_bytes())
        ));
        assert!(!v.verify("https://a.example/swaig?x=1", b"{}", None));
        assert!(!v.verify("https://a.example/swaig?x=1", b"{}", Some(b"zz")));
        // Independent check with a known HMAC-SHA1 vector (RFC 2202 case 2).
        let v = SignatureVerifier::new(&SecretString::new("Jefe".into()));
        assert_eq!(
            v.sign("what do ya want ", b"for nothing?"),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
        assert_eq!(format!("{v:?}"), "SignatureVerifier([REDACTED])");
    }
}
