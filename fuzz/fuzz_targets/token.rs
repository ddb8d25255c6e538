//! Secure-tool tokens: arbitrary text verified as a token for a fixed
//! function and call id, and tokens minted from the input verified back.
//!
//! Asserts, beyond "no panic":
//! - verification is deterministic, and a token that verifies is exactly
//!   the token the signer mints from its own fields (one accepted spelling
//!   per token: nothing but a minted token gets through);
//! - a token minted for any call id, clock and nonce verifies for that
//!   call, function and time (or is `MissingCallId` for an empty call id),
//!   also under a signer that has rotated its key to "previous";
//! - the same token is refused, with the right reason, for another
//!   function, another call id, after its expiry, and under an unrelated
//!   key; changing any one character of it, or cutting it short, is
//!   refused.

#![no_main]

use std::sync::LazyLock;
use std::time::Duration;

use agent_runtime::__fuzz::{TokenError, TokenKey, TokenSigner};
use libfuzzer_sys::fuzz_target;

const FUNCTION: &str = "transfer_funds";
const CALL_ID: &str = "3f8e2a6c-5b1d-4c7e-9a0f-2d4b6c8e1a3f";
/// 2100-01-01: seeds minted for this clock verify at it.
const NOW: u64 = 4_102_441_200;
const TTL: u64 = 3600;
const SECRET: &str = "0123456789abcdef0123456789abcdef";
const OTHER_SECRET: &str = "fuzz: an unrelated secret of 32+ bytes";
/// Characters a token may contain.
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";

fn key(secret: &str) -> TokenKey {
    TokenKey::from_secret(secret).expect("fixed secrets are long enough")
}

static SIGNER: LazyLock<TokenSigner> =
    LazyLock::new(|| TokenSigner::new(key(SECRET), Vec::new(), Duration::from_secs(TTL)));
/// The same key kept as a previous key after a rotation.
static ROTATED: LazyLock<TokenSigner> = LazyLock::new(|| {
    TokenSigner::new(
        key(OTHER_SECRET),
        vec![key(SECRET)],
        Duration::from_secs(TTL),
    )
});
static UNRELATED: LazyLock<TokenSigner> =
    LazyLock::new(|| TokenSigner::new(key(OTHER_SECRET), Vec::new(), Duration::from_secs(TTL)));

/// Re-mints a token from its own expiry and nonce fields.
fn remint(token: &str) -> Option<String> {
    let fields: Vec<&str> = token.split('.').collect();
    let expiry: u64 = fields.get(3)?.parse().ok()?;
    let nonce_hex = fields.get(4)?;
    let mut nonce = [0u8; 8];
    for (i, byte) in nonce.iter_mut().enumerate() {
        *byte = u8::from_str_radix(nonce_hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(SIGNER.mint_at(FUNCTION, CALL_ID, expiry.checked_sub(TTL)?, nonce))
}

fuzz_target!(|data: &[u8]| {
    // 1. The input as a token.
    let text = String::from_utf8_lossy(data);
    let verdict = SIGNER.verify_at(Some(&text), FUNCTION, Some(CALL_ID), NOW);
    assert_eq!(
        verdict,
        SIGNER.verify_at(Some(&text), FUNCTION, Some(CALL_ID), NOW),
        "deterministic"
    );
    assert!(!verdict.err().map_or("x", |e| e.reason()).is_empty());
    if verdict.is_ok() {
        assert_eq!(remint(&text).as_deref(), Some(&*text), "not a minted token");
    }

    // 2. A token minted from the input: call id, clock and nonce.
    let (head, call_id) = data.split_at(data.len().min(17));
    let mut fixed = [0u8; 17];
    fixed[..head.len()].copy_from_slice(head);
    let nonce: [u8; 8] = fixed[..8].try_into().expect("8 bytes");
    let now = u64::from_le_bytes(fixed[8..16].try_into().expect("8 bytes"));
    let position = usize::from(fixed[16]);
    let call_id = String::from_utf8_lossy(call_id);
    let token = SIGNER.mint_at(FUNCTION, &call_id, now, nonce);
    let verify = |signer: &TokenSigner, token: &str, function: &str, call: &str, at: u64| {
        signer.verify_at(Some(token), function, Some(call), at)
    };

    if call_id.is_empty() {
        assert_eq!(
            verify(&SIGNER, &token, FUNCTION, "", now),
            Err(TokenError::MissingCallId)
        );
        return;
    }
    assert_eq!(verify(&SIGNER, &token, FUNCTION, &call_id, now), Ok(()));
    assert_eq!(verify(&ROTATED, &token, FUNCTION, &call_id, now), Ok(()));
    assert_eq!(
        verify(&UNRELATED, &token, FUNCTION, &call_id, now),
        Err(TokenError::UnknownKey)
    );
    assert_eq!(
        verify(&SIGNER, &token, "get_balance", &call_id, now),
        Err(TokenError::WrongFunction)
    );
    assert_eq!(
        verify(&SIGNER, &token, FUNCTION, &format!("{call_id}x"), now),
        Err(TokenError::WrongCallId)
    );
    let expiry = now.saturating_add(TTL);
    if let Some(later) = expiry.checked_add(1) {
        assert_eq!(
            verify(&SIGNER, &token, FUNCTION, &call_id, later),
            Err(TokenError::Expired)
        );
    }

    // One character changed, anywhere, to any other token character.
    let mut changed = token.clone().into_bytes();
    let at = position % changed.len();
    let replacement = ALPHABET[(usize::from(fixed[0]) + 1) % ALPHABET.len()];
    changed[at] = if changed[at] == replacement {
        ALPHABET[(usize::from(fixed[0]) + 2) % ALPHABET.len()]
    } else {
        replacement
    };
    let changed = String::from_utf8(changed).expect("ASCII");
    assert!(
        verify(&SIGNER, &changed, FUNCTION, &call_id, now).is_err(),
        "{changed}"
    );
    assert!(verify(&SIGNER, &token[..at], FUNCTION, &call_id, now).is_err());
});
