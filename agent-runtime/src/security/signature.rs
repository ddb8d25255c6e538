//! Inbound webhook signatures, as SignalWire sends them: the lower-case hex
//! HMAC of the full URL the platform called followed by the raw body, keyed
//! with the space's signing key, in `X-SignalWire-Sha256-Signature`
//! (HMAC-SHA256, preferred) and `X-SignalWire-Signature` (HMAC-SHA1).
//!
//! The URL is never taken from the request: the public base URL comes from
//! configuration, and the platform's own validator accepts a signature over
//! that URL with or without the scheme's default port (`:443` for https,
//! `:80` for http), so both spellings are tried. Comparisons are constant
//! time (`Mac::verify_slice`).

use hmac::{KeyInit, Mac};
use sha1::Sha1;
use sha2::Sha256;

use crate::secret::SecretString;

type HmacSha1 = hmac::Hmac<Sha1>;
type HmacSha256 = hmac::Hmac<Sha256>;

/// The header carrying the HMAC-SHA256 signature (preferred).
pub const SHA256_HEADER: &str = "x-signalwire-sha256-signature";
/// The header carrying the HMAC-SHA1 signature.
pub const SHA1_HEADER: &str = "x-signalwire-signature";

/// Which signature a request carried, for the audit record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// No signature header at all.
    Missing,
    /// A signature that does not match the URL and body.
    Bad,
}

/// Verifies (and, for tests and tooling, computes) webhook signatures for
/// one public base URL. The keyed HMAC states and the base URL spellings are
/// prepared once; each check clones a state.
#[derive(Clone)]
pub struct SignatureVerifier {
    sha256: HmacSha256,
    sha1: HmacSha1,
    /// The public base URL as configured, then (when it differs) the same
    /// with its scheme's default port added or removed.
    bases: Vec<String>,
}

impl std::fmt::Debug for SignatureVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignatureVerifier")
            .field("key", &"[REDACTED]")
            .field("bases", &self.bases)
            .finish()
    }
}

impl SignatureVerifier {
    /// Prepares a verifier for `key` and the public base URL `base`
    /// (`https://agents.example.com`, no trailing `/`).
    pub fn new(key: &SecretString, base: &str) -> Self {
        let key = key.expose_secret().as_bytes();
        // HMAC takes keys of any length, so these cannot fail; an empty key
        // is refused by the configuration before it gets here.
        let sha256 = HmacSha256::new_from_slice(key)
            .unwrap_or_else(|_| HmacSha256::new(&Default::default()));
        let sha1 =
            HmacSha1::new_from_slice(key).unwrap_or_else(|_| HmacSha1::new(&Default::default()));
        SignatureVerifier {
            sha256,
            sha1,
            bases: base_spellings(base),
        }
    }

    /// The base URL signatures are checked against (as configured).
    pub fn base(&self) -> &str {
        self.bases.first().map_or("", String::as_str)
    }

    /// Checks the request's signature headers against `path_and_query` (as
    /// received) under the configured base, and `body`. With a SHA-256
    /// header, only it is checked; otherwise the SHA-1 header.
    pub(crate) fn check(
        &self,
        path_and_query: &str,
        body: &[u8],
        sha256: Option<&[u8]>,
        sha1: Option<&[u8]>,
    ) -> Result<(), Refused> {
        let (ok, present) = match (sha256, sha1) {
            (Some(header), _) => (
                self.matches(&self.sha256, path_and_query, body, header),
                true,
            ),
            (None, Some(header)) => (self.matches(&self.sha1, path_and_query, body, header), true),
            (None, None) => (false, false),
        };
        match (ok, present) {
            (true, _) => Ok(()),
            (false, true) => Err(Refused::Bad),
            (false, false) => Err(Refused::Missing),
        }
    }

    /// True when `header` is the hex MAC of any base spelling + path + body.
    fn matches<M: Mac + Clone>(&self, keyed: &M, path: &str, body: &[u8], header: &[u8]) -> bool {
        let Some(expected) = decode_hex(header.trim_ascii()) else {
            return false;
        };
        // Every spelling is tried (no early exit), so timing does not tell
        // which spelling was close.
        self.bases.iter().fold(false, |found, base| {
            let mut mac = keyed.clone();
            mac.update(base.as_bytes());
            mac.update(path.as_bytes());
            mac.update(body);
            mac.verify_slice(&expected).is_ok() | found
        })
    }

    /// The `X-SignalWire-Sha256-Signature` the platform would send for this
    /// URL and body.
    #[cfg(any(test, feature = "harness"))]
    pub fn sign_sha256(&self, url: &str, body: &[u8]) -> String {
        hex_mac(self.sha256.clone(), url, body)
    }

    /// The `X-SignalWire-Signature` (SHA-1) the platform would send for this
    /// URL and body.
    #[cfg(any(test, feature = "harness"))]
    pub fn sign_sha1(&self, url: &str, body: &[u8]) -> String {
        hex_mac(self.sha1.clone(), url, body)
    }
}

#[cfg(any(test, feature = "harness"))]
fn hex_mac<M: Mac>(mut mac: M, url: &str, body: &[u8]) -> String {
    mac.update(url.as_bytes());
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `base` as given, then with its scheme's default port added (when it has
/// no port) or removed (when it names the default port).
fn base_spellings(base: &str) -> Vec<String> {
    let base = base.trim_end_matches('/');
    let mut out = vec![base.to_owned()];
    let Some((scheme, rest)) = base.split_once("://") else {
        return out;
    };
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "https" => "443",
        "http" => "80",
        _ => return out,
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    // The port is after the last `:` unless that colon belongs to an IPv6
    // address (`[::1]`).
    let port_at = authority
        .rfind(':')
        .filter(|i| !authority[*i..].contains(']'));
    let other = match port_at {
        Some(i) if &authority[i + 1..] == default_port => {
            format!("{scheme}://{}{path}", &authority[..i])
        }
        Some(_) => return out,
        None => format!("{scheme}://{authority}:{default_port}{path}"),
    };
    out.push(other);
    out
}

/// Lower-case hex only (the platform sends lower case; an upper-case
/// spelling is not what it signs).
fn decode_hex(text: &[u8]) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || text.len() > 128 {
        return None;
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    text.chunks(2)
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verifier(base: &str) -> SignatureVerifier {
        SignatureVerifier::new(&SecretString::new("signing-key".into()), base)
    }

    #[test]
    fn base_spellings_add_or_remove_the_default_port() {
        assert_eq!(
            base_spellings("https://a.example"),
            ["https://a.example", "https://a.example:443"]
        );
        assert_eq!(
            base_spellings("https://a.example:443/"),
            ["https://a.example:443", "https://a.example"]
        );
        assert_eq!(
            base_spellings("http://a.example/agents"),
            ["http://a.example/agents", "http://a.example:80/agents"]
        );
        assert_eq!(
            base_spellings("http://a.example:8080"),
            ["http://a.example:8080"]
        );
        assert_eq!(
            base_spellings("https://[::1]"),
            ["https://[::1]", "https://[::1]:443"]
        );
    }

    #[test]
    fn either_header_and_either_spelling_verifies() {
        let v = verifier("https://a.example");
        let body = br#"{"function":"f"}"#;
        for url in [
            "https://a.example/swaig?x=1",
            "https://a.example:443/swaig?x=1",
        ] {
            let sha256 = v.sign_sha256(url, body);
            let sha1 = v.sign_sha1(url, body);
            assert_eq!(sha256.len(), 64);
            assert_eq!(sha1.len(), 40);
            assert_eq!(
                v.check("/swaig?x=1", body, Some(sha256.as_bytes()), None),
                Ok(())
            );
            assert_eq!(
                v.check("/swaig?x=1", body, None, Some(sha1.as_bytes())),
                Ok(())
            );
            // The SHA-256 header wins: a good SHA-1 beside a bad SHA-256 fails.
            assert_eq!(
                v.check("/swaig?x=1", body, Some(b"00"), Some(sha1.as_bytes())),
                Err(Refused::Bad)
            );
            assert_eq!(
                v.check("/swaig?x=2", body, Some(sha256.as_bytes()), None),
                Err(Refused::Bad)
            );
            assert_eq!(
                v.check("/swaig?x=1", b"{}", Some(sha256.as_bytes()), None),
                Err(Refused::Bad)
            );
            let upper = sha256.to_uppercase();
            assert_eq!(
                v.check("/swaig?x=1", body, Some(upper.as_bytes()), None),
                Err(Refused::Bad)
            );
        }
        let other_host = v.sign_sha256("https://evil.example/swaig?x=1", body);
        assert_eq!(
            v.check("/swaig?x=1", body, Some(other_host.as_bytes()), None),
            Err(Refused::Bad)
        );
        assert_eq!(v.check("/swaig", body, None, None), Err(Refused::Missing));
        assert_eq!(
            v.check("/swaig", body, Some(b"zz"), None),
            Err(Refused::Bad)
        );
    }

    #[test]
    fn known_vectors() {
        // RFC 2202 case 2 (HMAC-SHA1) and RFC 4231 case 2 (HMAC-SHA256):
        // key "Jefe", data "what do ya want for nothing?".
        let v = SignatureVerifier::new(&SecretString::new("Jefe".into()), "http://x");
        assert_eq!(
            v.sign_sha1("what do ya want ", b"for nothing?"),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
        assert_eq!(
            v.sign_sha256("what do ya want ", b"for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(!format!("{v:?}").contains("Jefe"));
    }
}
