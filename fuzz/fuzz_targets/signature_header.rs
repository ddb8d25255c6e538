//! `SignatureVerifier::verify` on arbitrary header bytes, URL and body.
//!
//! Input: `url \0 body \0 header` (missing parts are empty).
//!
//! Asserts, beyond "no panic":
//! - verification is deterministic and equals an independent reference:
//!   the header, trimmed of ASCII whitespace, is the lower-case hex of
//!   HMAC-SHA1(key, url || body), computed here with the `hmac` and `sha1`
//!   crates directly;
//! - for any URL and body, the right signature verifies (also with
//!   surrounding whitespace), while no header, the upper-case spelling, one
//!   changed digit, or the signature of a different body does not.

#![no_main]

use std::sync::LazyLock;

use agent_runtime::__fuzz::SignatureVerifier;
use agent_runtime::SecretString;
use fuzz_support::split_parts;
use hmac::{KeyInit, Mac};
use libfuzzer_sys::fuzz_target;

const KEY: &str = "fuzz-signing-key";

static VERIFIER: LazyLock<SignatureVerifier> =
    LazyLock::new(|| SignatureVerifier::new(&SecretString::new(KEY.into())));

/// Lower-case hex HMAC-SHA1 of `url` then `body`.
fn reference(url: &str, body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(KEY.as_bytes()).expect("any key length");
    mac.update(url.as_bytes());
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let parts = split_parts(data, 3);
    let url = String::from_utf8_lossy(parts[0]);
    let (body, header) = (parts[1], parts[2]);
    let right = reference(&url, body);

    let accepted = VERIFIER.verify(&url, body, Some(header));
    assert_eq!(
        accepted,
        VERIFIER.verify(&url, body, Some(header)),
        "deterministic"
    );
    assert_eq!(
        accepted,
        header.trim_ascii() == right.as_bytes(),
        "differs from HMAC-SHA1"
    );

    assert!(VERIFIER.verify(&url, body, Some(right.as_bytes())));
    assert!(VERIFIER.verify(&url, body, Some(format!(" \t{right} ").as_bytes())));
    assert!(!VERIFIER.verify(&url, body, None));
    if right.bytes().any(|b| b.is_ascii_alphabetic()) {
        assert!(!VERIFIER.verify(&url, body, Some(right.to_uppercase().as_bytes())));
    }
    let mut changed = right.clone().into_bytes();
    let at = usize::from(body.first().copied().unwrap_or(0)) % changed.len();
    changed[at] = if changed[at] == b'0' { b'1' } else { b'0' };
    assert!(!VERIFIER.verify(&url, body, Some(&changed)));
    let mut longer = body.to_vec();
    longer.push(b'x');
    assert!(!VERIFIER.verify(&url, &longer, Some(right.as_bytes())));
});
