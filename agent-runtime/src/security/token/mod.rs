//! Per-function, per-call HMAC-SHA256 tokens for secure SWAIG tools.
//!
//! When the agent renders SWML for a call, every secure tool's webhook URL
//! gets `?__token=<token>`, minted for exactly one (function, call id,
//! expiry). When the platform later invokes the tool, the runtime verifies
//! the token against the function actually being called and the call id in
//! the request body. Anything else fails closed with a [`TokenError`] whose
//! [`reason`](TokenError::reason) goes to the audit log; the HTTP layer must
//! answer every variant with the same 403 body (no oracle).
//!
//! # Token format (`v1`)
//!
//! ```text
//! v1.<kid>.<function>.<expiry>.<nonce>.<callhash>.<tag>
//! ```
//!
//! * `kid`: 8 lowercase hex chars, the first 4 bytes of
//!   `SHA-256("agent-runtime/kid/v1\0" || key)`; it names the key, not the call.
//! * `function`: the tool name, `[A-Za-z_][A-Za-z0-9_]*`, at most 64 bytes.
//! * `expiry`: Unix seconds, canonical decimal (no sign, no leading zeros).
//!   The token is accepted while `now <= expiry`.
//! * `nonce`: 16 lowercase hex chars (8 random bytes) so that no two tokens
//!   are alike. All tokens of one rendered document share one nonce (they
//!   differ by function). It is not tracked: tokens are reusable until they
//!   expire.
//! * `callhash`: base64url (no padding) of the first 16 bytes of
//!   `SHA-256("agent-runtime/call/v1\0" || call_id)`, so any call id (dots,
//!   unicode, ...) can be bound without escaping.
//! * `tag`: base64url (no padding) of `HMAC-SHA256(key, prefix)`, where
//!   `prefix` is the exact token text before the last `.`.
//!
//! Every character is in `[A-Za-z0-9_.-]`, so a token can be put in a query
//! string without percent-encoding. This format is deliberately not
//! compatible with the Python SDK's tokens.
//!
//! # Keys and rotation
//!
//! A [`TokenSigner`] mints with its current [`TokenKey`] and verifies with the
//! current key or any of its previous keys. Replicas and restarts built from
//! the same secret agree on every token.

mod format;
mod key;
mod nonce;
mod signer;
#[cfg(test)]
mod tests;

use std::time::Duration;

use hmac::Hmac;
use sha2::Sha256;

pub use key::{KeyError, TokenKey};
pub use signer::{Minter, TokenError, TokenSigner};

type HmacSha256 = Hmac<Sha256>;

// The keyed HMAC state kept in `TokenKey` is as sensitive as the key itself.
// It is wiped on drop only when `sha2` is built with its `zeroize` feature;
// refuse to compile without it rather than silently keep key material around.
const _: fn() = || {
    fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    wiped_on_drop::<sha2::block_api::Sha256VarCore>();
};

/// Default lifetime of a minted token: one hour.
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(3600);

/// Minimum length, in bytes, of a configured token secret.
pub const MIN_SECRET_LEN: usize = 32;

/// Tokens longer than this many bytes are rejected as malformed before any
/// other work is done.
pub const MAX_TOKEN_LEN: usize = 512;

/// Maximum length, in bytes, of a tool (function) name.
pub const MAX_FUNCTION_NAME_LEN: usize = 64;

const VERSION: &str = "v1";
const KID_DOMAIN: &[u8] = b"agent-runtime/kid/v1\0";
const CALL_DOMAIN: &[u8] = b"agent-runtime/call/v1\0";
const NONCE_FALLBACK_DOMAIN: &[u8] = b"agent-runtime/nonce-fallback/v1\0";
const RANDOM_KEY_LEN: usize = 32;
const KID_BYTES: usize = 4;
const NONCE_BYTES: usize = 8;
const CALLHASH_BYTES: usize = 16;
const TAG_BYTES: usize = 32;
/// base64url without padding of 16 bytes.
const CALLHASH_CHARS: usize = 22;
/// base64url without padding of 32 bytes.
const TAG_CHARS: usize = 43;
/// `u64::MAX` has 20 decimal digits.
const MAX_EXPIRY_DIGITS: usize = 20;
