//! HTTP basic authentication, compared in constant time.

use base64::Engine as _;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::Credentials;

/// Checks `Authorization: Basic ...` headers against the configured
/// credentials.
///
/// The expected user and password are kept only as SHA-256 digests. A presented
/// pair is decoded, both halves are hashed and both digests are compared in
/// constant time; the two results are combined without short-circuiting, so a
/// wrong user name takes as long as a wrong password.
#[derive(Clone)]
pub struct BasicAuth {
    user_digest: [u8; 32],
    password_digest: [u8; 32],
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
    /// Prepares a checker for these credentials.
    pub fn new(credentials: &Credentials) -> Self {
        BasicAuth {
            user_digest: digest(credentials.user.as_bytes()),
            password_digest: digest(credentials.password.expose_secret().as_bytes()),
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
        let mut decoded = zeroize::Zeroizing::new(Vec::with_capacity(encoded.len()));
        if base64::engine::general_purpose::STANDARD
            .decode_vec(encoded.trim_ascii(), &mut decoded)
            .is_err()
        {
            return false;
        }
        let Some(colon) = decoded.iter().position(|&b| b == b':') else {
            return false;
        };
        let user_ok = digest(&decoded[..colon]).ct_eq(&self.user_digest);
        let password_ok = digest(&decoded[colon + 1..]).ct_eq(&self.password_digest);
        bool::from(user_ok & password_ok)
    }
}

/// Builds an `Authorization` header value (used by the test harness and the
/// examples' own checks).
pub fn basic_header(user: &str, password: &str) -> String {
    let raw = zeroize::Zeroizing::new(format!("{user}:{password}"));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw.as_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CredentialSource;
    use crate::secret::SecretString;

    fn auth() -> BasicAuth {
        BasicAuth::new(&Credentials {
            user: "agent".into(),
            password: SecretString::new("p@ss:w/rd#1".into()),
            source: CredentialSource::Builder,
        })
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
        assert!(!a.check(Some(b"Bearer abc")));
        let long = format!("Basic {}", "A".repeat(4096));
        assert!(!a.check(Some(long.as_bytes())));
    }

    #[test]
    fn debug_hides_digests() {
        assert_eq!(format!("{:?}", auth()), "BasicAuth([REDACTED])");
    }
}
