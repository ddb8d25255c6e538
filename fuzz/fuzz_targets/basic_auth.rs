//! `BasicAuth::check` on raw `Authorization` header bytes.
//!
//! Asserts, beyond "no panic":
//! - the check is deterministic and equals an independent reference: the
//!   header is at most 1 KiB, starts with `Basic ` (that case, one
//!   space), and what follows, trimmed of ASCII whitespace, is strict
//!   base64 (padding required, no stray bits) of exactly
//!   `user:password`; so an accepted header always decodes to the
//!   configured credentials;
//! - a header built from a user and password taken from the input is
//!   accepted exactly when both are the configured ones, whatever the case
//!   of the scheme or the whitespace around the credentials.

#![no_main]

use std::sync::LazyLock;

use agent_runtime::__fuzz::BasicAuth;
use agent_runtime::SecretString;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use fuzz_support::split_parts;
use libfuzzer_sys::fuzz_target;

const USER: &str = "fuzz-user";
/// A colon, a slash and a non-ASCII letter: the pair is split at the first
/// colon, and the password is bytes, not ASCII.
const PASSWORD: &str = "p@ss:w/rd é";

static AUTH: LazyLock<BasicAuth> =
    LazyLock::new(|| BasicAuth::new(USER, &SecretString::new(PASSWORD.into())));

/// The reference: decode and compare, as RFC 7617 describes it.
fn reference(header: &[u8]) -> bool {
    header.len() <= 1024
        && header.strip_prefix(b"Basic ").is_some_and(|encoded| {
            STANDARD
                .decode(encoded.trim_ascii())
                .is_ok_and(|pair| pair == format!("{USER}:{PASSWORD}").as_bytes())
        })
}

fuzz_target!(|data: &[u8]| {
    let accepted = AUTH.check(Some(data));
    assert_eq!(accepted, AUTH.check(Some(data)), "deterministic");
    assert_eq!(accepted, reference(data), "differs from decoding");
    assert!(!AUTH.check(None));

    // A header built from credentials in the input: `user\0password\0pad`.
    let parts = split_parts(data, 3);
    let user = String::from_utf8_lossy(parts[0]);
    let password = String::from_utf8_lossy(parts[1]);
    let pad = if parts[2].first().is_some_and(|b| b % 2 == 1) {
        " \t"
    } else {
        ""
    };
    let encoded = STANDARD.encode(format!("{user}:{password}"));
    let right = user == USER && password == PASSWORD;
    let header = format!("Basic {pad}{encoded}{pad}");
    assert_eq!(
        AUTH.check(Some(header.as_bytes())),
        right && header.len() <= 1024
    );
    // Only that spelling of the scheme.
    assert!(!AUTH.check(Some(format!("basic {encoded}").as_bytes())));
    assert!(!AUTH.check(Some(format!("Basic{encoded}").as_bytes())));
});
