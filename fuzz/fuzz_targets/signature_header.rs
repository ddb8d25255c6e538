//! The webhook signature check on arbitrary header bytes, path and body.
//!
//! Input: `path \0 body \0 header` (missing parts are empty).
//!
//! Asserts, beyond "no panic":
//! - the check is deterministic and equals an independent reference: a
//!   header, trimmed of ASCII whitespace, is accepted exactly when it is the
//!   lower-case hex of HMAC(key, base || path || body) for one of the two
//!   spellings of the base URL (with and without the default port),
//!   computed here with the `hmac`, `sha1` and `sha2` crates directly;
//! - a SHA-256 header, when present, decides alone: a right SHA-1 header
//!   does not rescue a wrong SHA-256 one;
//! - for any path and body the right signatures verify (also with
//!   surrounding whitespace), while no header, the upper-case spelling, one
//!   changed digit, or the signature of a different body does not.

#![no_main]

use std::sync::LazyLock;

use agent_runtime::__fuzz::{SignatureVerifier, signature_accepted};
use agent_runtime::SecretString;
use fuzz_support::split_parts;
use hmac::{KeyInit, Mac};
use libfuzzer_sys::fuzz_target;

const KEY: &str = "fuzz-signing-key";
const BASE: &str = "https://agent.example.com";
const SPELLINGS: [&str; 2] = [BASE, "https://agent.example.com:443"];

static VERIFIER: LazyLock<SignatureVerifier> =
    LazyLock::new(|| SignatureVerifier::new(&SecretString::new(KEY.into()), BASE));

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Lower-case hex HMAC-SHA1 of `base`, `path`, then `body`.
fn sha1_ref(base: &str, path: &str, body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(KEY.as_bytes()).expect("any key length");
    mac.update(base.as_bytes());
    mac.update(path.as_bytes());
    mac.update(body);
    hex(&mac.finalize().into_bytes())
}

/// Lower-case hex HMAC-SHA256 of `base`, `path`, then `body`.
fn sha256_ref(base: &str, path: &str, body: &[u8]) -> String {
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(KEY.as_bytes()).expect("any key length");
    mac.update(base.as_bytes());
    mac.update(path.as_bytes());
    mac.update(body);
    hex(&mac.finalize().into_bytes())
}

fn sha1_ok(path: &str, body: &[u8], header: &[u8]) -> bool {
    signature_accepted(&VERIFIER, path, body, None, Some(header))
}

fn sha256_ok(path: &str, body: &[u8], header: &[u8]) -> bool {
    signature_accepted(&VERIFIER, path, body, Some(header), None)
}

fuzz_target!(|data: &[u8]| {
    let parts = split_parts(data, 3);
    let path = String::from_utf8_lossy(parts[0]);
    let (body, header) = (parts[1], parts[2]);
    let trimmed = header.trim_ascii();
    let right1 = sha1_ref(BASE, &path, body);
    let right256 = sha256_ref(BASE, &path, body);

    let accepted1 = sha1_ok(&path, body, header);
    assert_eq!(accepted1, sha1_ok(&path, body, header), "deterministic");
    let expected1 = SPELLINGS
        .iter()
        .any(|b| trimmed == sha1_ref(b, &path, body).as_bytes());
    assert_eq!(accepted1, expected1, "differs from HMAC-SHA1");
    let expected256 = SPELLINGS
        .iter()
        .any(|b| trimmed == sha256_ref(b, &path, body).as_bytes());
    assert_eq!(
        sha256_ok(&path, body, header),
        expected256,
        "differs from HMAC-SHA256"
    );
    // The SHA-256 header decides alone.
    assert_eq!(
        signature_accepted(&VERIFIER, &path, body, Some(header), Some(right1.as_bytes())),
        expected256
    );

    for (right, ok) in [
        (&right1, sha1_ok as fn(&str, &[u8], &[u8]) -> bool),
        (&right256, sha256_ok),
    ] {
        assert!(ok(&path, body, right.as_bytes()));
        assert!(ok(&path, body, format!(" \t{right} ").as_bytes()));
        if right.bytes().any(|b| b.is_ascii_alphabetic()) {
            assert!(!ok(&path, body, right.to_uppercase().as_bytes()));
        }
        let mut changed = right.clone().into_bytes();
        let at = usize::from(body.first().copied().unwrap_or(0)) % changed.len();
        changed[at] = if changed[at] == b'0' { b'1' } else { b'0' };
        assert!(!ok(&path, body, &changed));
        let mut longer = body.to_vec();
        longer.push(b'x');
        assert!(!ok(&path, &longer, right.as_bytes()));
    }
    assert!(!signature_accepted(&VERIFIER, &path, body, None, None));
});
