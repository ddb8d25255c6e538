//! HTTP basic authentication, compared in constant time.

use base64::Engine as _;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::secret::SecretString;

/// Checks `Authorization: Basic ...` headers against the configured
/// credentials.
///
/// Only a SHA-256 digest of the expected `base64(user:password)` text is kept.
/// Standard base64 with padding and no stray bits (the only form RFC 7617
/// clients send, and the only one a strict decoder accepts) has exactly one
/// spelling per byte string, so comparing digests of the encoded text is the
/// same test as decoding and comparing user and password, without the decode
/// and with one hash instead of two. The digests are compared in constant
/// time, so how much of a guess was right does not show in the timing.
#[derive(Clone)]
pub struct BasicAuth {
    encoded_digest: [u8; 32],
}

impl std::fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BasicAuth([REDACTED])")
    }
}

/// The longest `Authorization` header value looked at; longer ones fail.
const MAX_HEADER_LEN: usize = 1024;

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

impl BasicAuth {
    /// Prepares a checker for this user and password.
    pub fn new(user: &str, password: &SecretString) -> Self {
        let pair = zeroize::Zeroizing::new(format!("{user}:{}", password.expose_secret()));
        let encoded = zeroize::Zeroizing::new(
            base64::engine::general_purpose::STANDARD.encode(pair.as_bytes()),
        );
        BasicAuth {
            encoded_digest: digest(encoded.as_bytes()),
        }
    }

    /// True when `header` (the raw `Authorization` value) carries the right
    /// user and password.
    pub fn check(&self, header: Option<&[u8]>) -> bool {
        let Some(header) = header else { return false };
        if header.len() > MAX_HEADER_LEN {
            return false;
        }
        let Some(encoded) = header.strip_prefix(b"Basic ") else {
            return false;
        };
        bool::from(digest(encoded.trim_ascii()).ct_eq(&self.encoded_digest))
    }
}

/// Builds an `Authorization` header value (the test harness sends it; the
/// unit tests here check against it).
#[cfg(any(test, feature = "harness"))]
pub(crate) fn basic_header(user: &str, password: &str) -> String {
    let raw = zeroize::Zeroizing::new(format!("{user}:{password}"));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw.as_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth() -> BasicAuth {
        BasicAuth::new("agent", &SecretString::new("p@ss:w/rd#1".into()))
    }

    #[test]
    fn accepts_right_pair_only() {
        let a = auth();
        assert!(a.check(Some(basic_header("agent", "p@ss:w/rd#1").as_bytes())));
        assert!(!a.check(Some(basic_header("agent", "p@ss:w/rd#2").as_bytes())));
        assert!(!a.check(Some(basic_header("agenT", "p@ss:w/rd#1").as_bytes())));
        assert!(!a.check(Some(basic_header("", "").as_bytes())));
        assert!(!a.check(None));
        assert!(!a.check(Some(b"Basic !!!notbase64")));
        assert!(!a.check(Some(b"basic YWdlbnQ6cA==")));
        // Surrounding spaces are tolerated; other spellings of the same bytes
        // (no padding, stray bits, inner whitespace) are not base64 a strict
        // decoder accepts, and are refused.
        let right = basic_header("agent", "p@ss:w/rd#1");
        let encoded = right.strip_prefix("Basic ").expect("prefix");
        assert!(a.check(Some(format!("Basic   {encoded} ").as_bytes())));
        assert!(!a.check(Some(
            format!("Basic {}", encoded.trim_end_matches('=')).as_bytes()
        )));
        let (head, tail) = encoded.split_at(8);
        assert!(!a.check(Some(format!("Basic {head} {tail}").as_bytes())));
        assert!(!a.check(Some(b"Bearer abc")));
        let long = format!("Basic {}", "A".repeat(4096));
        assert!(!a.check(Some(long.as_bytes())));
    }

    #[test]
    fn debug_hides_digests() {
        assert_eq!(format!("{:?}", auth()), "BasicAuth([REDACTED])");
    }
}
