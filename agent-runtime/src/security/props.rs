//! Properties of the security checks on arbitrary and near-valid input:
//! the `Authorization` header, tokens and webhook signatures (the fuzz
//! targets in `fuzz/` check the same rules for longer).

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{KeyInit, Mac};
use proptest::prelude::*;

use super::auth::BasicAuth;
use super::signature::SignatureVerifier;
use super::token::{TokenError, TokenKey, TokenSigner};
use crate::secret::SecretString;

const USER: &str = "agent";
const PASSWORD: &str = "p@ss:w/rd é";
const TOKEN_SECRET: &str = "0123456789abcdef0123456789abcdef";
const FUNCTION: &str = "transfer_funds";
const TTL: u64 = 3600;
const SIGNING_KEY: &str = "signing-key";
/// The characters a token may contain.
const TOKEN_CHARS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";

fn auth() -> BasicAuth {
    BasicAuth::new(USER, &SecretString::new(PASSWORD.into()))
}

fn signer(secret: &str, previous: &[&str]) -> TokenSigner {
    let key = |s: &str| TokenKey::from_secret(s).expect("long enough");
    TokenSigner::new(
        key(secret),
        previous.iter().map(|s| key(s)).collect(),
        Duration::from_secs(TTL),
    )
}

/// The basic-auth reference: decode, then compare the pair.
fn decodes_to_the_credentials(header: &[u8]) -> bool {
    header.len() <= 1024
        && header.strip_prefix(b"Basic ").is_some_and(|encoded| {
            STANDARD
                .decode(encoded.trim_ascii())
                .is_ok_and(|pair| pair == format!("{USER}:{PASSWORD}").as_bytes())
        })
}

/// Lower-case hex HMAC-SHA1 of `url` then `body`, computed here.
fn hmac_sha1_hex(url: &str, body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(SIGNING_KEY.as_bytes()).expect("any");
    mac.update(url.as_bytes());
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Header text that is often close to valid: a scheme, spaces, base64-ish
/// characters, a correct encoding of a random pair, or raw bytes.
fn authorization_header() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        (
            "(Basic|basic|Bearer|Basic ) ?",
            "[ \t]{0,2}",
            "[A-Za-z0-9+/=]{0,40}",
            "[ \t\r\n]{0,2}"
        )
            .prop_map(|(s, a, b, c)| format!("{s}{a}{b}{c}").into_bytes()),
        ("\\PC{0,10}", "\\PC{0,10}").prop_map(|(u, p)| {
            format!("Basic {}", STANDARD.encode(format!("{u}:{p}"))).into_bytes()
        }),
    ]
}

proptest! {
    // 256 cases each: well under a second together in a debug build (the
    // fuzz targets are the long runs).
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// A header is accepted exactly when it decodes to the configured user
    /// and password; any other header, whatever its bytes, is refused
    /// without a panic.
    #[test]
    fn basic_auth_accepts_exactly_the_configured_pair(header in authorization_header()) {
        let a = auth();
        prop_assert_eq!(a.check(Some(&header)), decodes_to_the_credentials(&header));
    }

    /// Headers built from a user and password: accepted only for the
    /// configured pair, with any ASCII whitespace around the credentials.
    #[test]
    fn basic_auth_compares_user_and_password(
        user in prop_oneof![Just(USER.to_owned()), "\\PC{0,8}"],
        password in prop_oneof![Just(PASSWORD.to_owned()), "\\PC{0,12}"],
        pad in "[ \t]{0,3}",
    ) {
        let header = format!("Basic {pad}{}{pad}", STANDARD.encode(format!("{user}:{password}")));
        prop_assert_eq!(
            auth().check(Some(header.as_bytes())),
            user == USER && password == PASSWORD
        );
    }

    /// A minted token verifies for its call, function and lifetime, also
    /// after a key rotation, and is refused with the right reason for
    /// anything else; any one changed character, or a cut, refuses it.
    #[test]
    fn tokens_verify_only_as_minted(
        call_id in "\\PC{1,40}",
        now in 0u64..=u64::MAX / 2,
        nonce in any::<[u8; 8]>(),
        at in any::<prop::sample::Index>(),
        replacement in prop::sample::select(TOKEN_CHARS.as_bytes().to_vec()),
    ) {
        let s = signer(TOKEN_SECRET, &[]);
        let token = s.mint_at(FUNCTION, &call_id, now, nonce);
        let verify = |s: &TokenSigner, t: &str, f: &str, c: Option<&str>, when: u64| {
            s.verify_at(Some(t), f, c, when)
        };
        prop_assert_eq!(verify(&s, &token, FUNCTION, Some(&call_id), now), Ok(()));
        prop_assert_eq!(verify(&s, &token, FUNCTION, Some(&call_id), now + TTL), Ok(()));
        let rotated = signer("a new secret, at least 32 bytes long", &[TOKEN_SECRET]);
        prop_assert_eq!(verify(&rotated, &token, FUNCTION, Some(&call_id), now), Ok(()));
        let unrelated = signer("a new secret, at least 32 bytes long", &[]);
        prop_assert_eq!(
            verify(&unrelated, &token, FUNCTION, Some(&call_id), now),
            Err(TokenError::UnknownKey)
        );
        prop_assert_eq!(
            verify(&s, &token, "get_balance", Some(&call_id), now),
            Err(TokenError::WrongFunction)
        );
        prop_assert_eq!(
            verify(&s, &token, FUNCTION, Some(&call_id), now + TTL + 1),
            Err(TokenError::Expired)
        );
        prop_assert_eq!(
            verify(&s, &token, FUNCTION, Some(&format!("{call_id}.")), now),
            Err(TokenError::WrongCallId)
        );
        prop_assert_eq!(verify(&s, &token, FUNCTION, None, now), Err(TokenError::MissingCallId));

        let i = at.index(token.len());
        let mut changed = token.clone().into_bytes();
        prop_assume!(changed[i] != replacement);
        changed[i] = replacement;
        let changed = String::from_utf8(changed).expect("ASCII");
        prop_assert!(verify(&s, &changed, FUNCTION, Some(&call_id), now).is_err(), "{}", changed);
        prop_assert!(verify(&s, &token[..i], FUNCTION, Some(&call_id), now).is_err());
    }

    /// Text that was not minted never verifies: random token characters,
    /// and well-shaped tokens with random fields.
    #[test]
    fn text_that_was_not_minted_never_verifies(
        text in prop_oneof![
            "[A-Za-z0-9_.-]{0,200}",
            "\\PC{0,40}",
            "v1\\.[0-9a-f]{8}\\.transfer_funds\\.[0-9]{1,20}\\.[0-9a-f]{16}\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}",
        ],
    ) {
        let s = signer(TOKEN_SECRET, &[]);
        let verdict = s.verify_at(Some(&text), FUNCTION, Some("call-1"), 0);
        prop_assert!(verdict.is_err());
        prop_assert_eq!(verdict, s.verify_at(Some(&text), FUNCTION, Some("call-1"), 0));
    }

    /// A SHA-1 signature header is accepted exactly when, trimmed, it is
    /// the lower-case hex HMAC-SHA1 of base URL, path and body; the right
    /// one always is, its upper-case spelling and the signature of another
    /// body never. A SHA-256 header, when present, is the only one read.
    #[test]
    fn signatures_are_exactly_hmac_sha1_hex(
        path in "/\\PC{0,40}",
        body in prop::collection::vec(any::<u8>(), 0..64),
        header in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..48),
            "[ \t]{0,2}[0-9a-fA-F]{38,42}[ \t]{0,2}".prop_map(String::into_bytes),
        ],
    ) {
        const BASE: &str = "https://agent.example.com:8443";
        let v = SignatureVerifier::new(&SecretString::new(SIGNING_KEY.into()), BASE);
        let right = hmac_sha1_hex(&format!("{BASE}{path}"), &body);
        let sha1 = |h: &[u8]| v.check(&path, &body, None, Some(h)).is_ok();
        prop_assert_eq!(sha1(&header), header.trim_ascii() == right.as_bytes());
        let spaced = format!(" {right}\t");
        prop_assert!(sha1(spaced.as_bytes()));
        if right.bytes().any(|b| b.is_ascii_alphabetic()) {
            prop_assert!(!sha1(right.to_uppercase().as_bytes()));
        }
        let mut other = body.clone();
        other.push(0);
        prop_assert!(v.check(&path, &other, None, Some(right.as_bytes())).is_err());
        // The right SHA-1 does not rescue a wrong SHA-256 header.
        prop_assert!(v.check(&path, &body, Some(&header), Some(right.as_bytes())).is_err()
            || header.trim_ascii().len() == 64);
    }
}
