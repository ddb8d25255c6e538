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

use core::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

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

/// Why a secret could not be turned into a [`TokenKey`].
///
/// Neither the variants nor their messages ever contain the secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyError {
    /// The secret is shorter than [`MIN_SECRET_LEN`] bytes.
    TooShort,
    /// The operating system's random number generator failed.
    RandomUnavailable,
    /// The HMAC implementation refused the key (HMAC accepts every length,
    /// so this is not expected to happen).
    Rejected,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort => write!(
                f,
                "token secret is too short: it must be at least {MIN_SECRET_LEN} bytes"
            ),
            Self::RandomUnavailable => {
                f.write_str("the operating system random number generator is unavailable")
            }
            Self::Rejected => f.write_str("the HMAC implementation rejected the token secret"),
        }
    }
}

impl std::error::Error for KeyError {}

/// A secret HMAC-SHA256 key plus its public key id (`kid`).
///
/// Only the keyed HMAC state is kept (it is wiped on drop); the raw secret is
/// never stored. `Debug` shows the kid and nothing else.
#[derive(Clone)]
pub struct TokenKey {
    mac: HmacSha256,
    kid: String,
}

impl TokenKey {
    /// Builds a key from a configured secret (e.g. `SIGNALWIRE_SWAIG_SECRET`).
    ///
    /// The exact UTF-8 bytes are used (no trimming), so every replica given
    /// the same string derives the same key and kid.
    ///
    /// # Errors
    ///
    /// [`KeyError::TooShort`] if the secret has fewer than [`MIN_SECRET_LEN`]
    /// bytes.
    pub fn from_secret(secret: &str) -> Result<Self, KeyError> {
        Self::from_bytes(secret.as_bytes())
    }

    /// Builds a key from raw secret bytes (e.g. a decoded key file).
    ///
    /// # Errors
    ///
    /// [`KeyError::TooShort`] if there are fewer than [`MIN_SECRET_LEN`] bytes.
    pub fn from_bytes(secret: &[u8]) -> Result<Self, KeyError> {
        if secret.len() < MIN_SECRET_LEN {
            return Err(KeyError::TooShort);
        }
        let mac =
            <HmacSha256 as KeyInit>::new_from_slice(secret).map_err(|_| KeyError::Rejected)?;
        Ok(Self {
            mac,
            kid: derive_kid(secret),
        })
    }

    /// Generates a fresh random 32-byte key.
    ///
    /// Such a key lives only in this process: other replicas and later
    /// restarts will not accept its tokens.
    ///
    /// # Errors
    ///
    /// [`KeyError::RandomUnavailable`] if the OS random number generator fails.
    pub fn random() -> Result<Self, KeyError> {
        let mut secret = Zeroizing::new([0u8; RANDOM_KEY_LEN]);
        getrandom::fill(secret.as_mut_slice()).map_err(|_| KeyError::RandomUnavailable)?;
        Self::from_bytes(secret.as_slice())
    }

    /// The public key id: 8 lowercase hex characters. Safe to log.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    fn tag(&self, message: &[u8]) -> Zeroizing<[u8; TAG_BYTES]> {
        let tag = self.mac.clone().chain_update(message).finalize();
        let mut out = Zeroizing::new([0u8; TAG_BYTES]);
        for (dst, src) in out.iter_mut().zip(tag.as_bytes().iter()) {
            *dst = *src;
        }
        out
    }

    fn verify_tag(&self, message: &[u8], tag: &[u8]) -> bool {
        self.mac
            .clone()
            .chain_update(message)
            .verify_slice(tag)
            .is_ok()
    }
}

impl fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// Why a secure-tool call was refused.
///
/// All variants must produce the same HTTP response; only the audit log
/// distinguishes them, through [`TokenError::reason`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenError {
    /// The request carried no token.
    Missing,
    /// The token was an empty string.
    Empty,
    /// Wrong shape, character set, length or version, expiry not a canonical
    /// number, or longer than [`MAX_TOKEN_LEN`] bytes.
    Malformed,
    /// Signed with another key: the kid is neither the current nor a
    /// previous key's.
    UnknownKey,
    /// The HMAC tag does not match the token's content.
    BadSignature,
    /// Minted for another function.
    WrongFunction,
    /// The expiry time has passed.
    Expired,
    /// The request had no call id, or an empty one.
    MissingCallId,
    /// Minted for another call.
    WrongCallId,
}

impl TokenError {
    /// A stable snake_case reason for audit records.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Missing => "token_missing",
            Self::Empty => "token_empty",
            Self::Malformed => "token_malformed",
            Self::UnknownKey => "token_unknown_key",
            Self::BadSignature => "token_bad_signature",
            Self::WrongFunction => "token_wrong_function",
            Self::Expired => "token_expired",
            Self::MissingCallId => "call_id_missing",
            Self::WrongCallId => "token_wrong_call_id",
        }
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Missing => "no token was supplied",
            Self::Empty => "the token is empty",
            Self::Malformed => "the token is malformed",
            Self::UnknownKey => "the token was signed with an unknown key",
            Self::BadSignature => "the token signature is invalid",
            Self::WrongFunction => "the token was issued for another function",
            Self::Expired => "the token has expired",
            Self::MissingCallId => "the request has no call id",
            Self::WrongCallId => "the token was issued for another call",
        })
    }
}

impl std::error::Error for TokenError {}

/// Mints and verifies secure-tool tokens.
///
/// Cheap to share behind an `Arc`; all methods take `&self`.
#[derive(Clone)]
pub struct TokenSigner {
    current: TokenKey,
    previous: Vec<TokenKey>,
    ttl: Duration,
}

impl TokenSigner {
    /// Creates a signer that mints with `current` and also accepts tokens
    /// signed by any key in `previous` (key rotation). Tokens live for `ttl`
    /// (whole seconds; see [`DEFAULT_TOKEN_TTL`]).
    pub fn new(current: TokenKey, previous: Vec<TokenKey>, ttl: Duration) -> Self {
        Self {
            current,
            previous,
            ttl,
        }
    }

    /// The lifetime given to newly minted tokens.
    pub fn token_ttl(&self) -> Duration {
        self.ttl
    }

    /// The kid of the key used for minting. Safe to log.
    pub fn current_kid(&self) -> &str {
        self.current.kid()
    }

    /// Mints a token for `function` in call `call_id`, valid from now for
    /// the signer's TTL, with a random nonce.
    ///
    /// `function` must be a valid tool name (`[A-Za-z_][A-Za-z0-9_]*`, at
    /// most 64 bytes); this is checked in debug builds only, and a token
    /// minted for an invalid name never verifies. A token minted for an
    /// empty `call_id` never verifies either.
    pub fn mint(&self, function: &str, call_id: &str) -> String {
        self.minter(call_id).mint(function)
    }

    /// Prepares minting several tokens for one call: the clock is read, the
    /// call id hashed and a random nonce drawn once, and every token minted
    /// through the [`Minter`] shares them. Tokens of one minter differ by
    /// function name; use one minter per rendered document.
    pub fn minter(&self, call_id: &str) -> Minter<'_> {
        // A clock before 1970 yields tokens that are already expired.
        let now = unix_now().unwrap_or(0);
        self.minter_at(call_id, now, fresh_nonce())
    }

    /// [`minter`](Self::minter) with an explicit clock and nonce, for tests
    /// and reproducible vectors.
    pub fn minter_at(&self, call_id: &str, now_unix: u64, nonce: [u8; NONCE_BYTES]) -> Minter<'_> {
        let expiry = now_unix.saturating_add(self.ttl.as_secs());
        // `.<expiry>.<nonce>.<callhash>`: everything after the function name.
        let mut suffix =
            String::with_capacity(1 + MAX_EXPIRY_DIGITS + 2 + 2 * NONCE_BYTES + CALLHASH_CHARS);
        suffix.push('.');
        suffix.push_str(&expiry.to_string());
        suffix.push('.');
        push_hex(&mut suffix, &nonce);
        suffix.push('.');
        suffix.push_str(&call_hash(call_id));
        Minter {
            key: &self.current,
            suffix,
        }
    }

    /// [`mint`](Self::mint) with an explicit clock and nonce, for tests and
    /// reproducible vectors.
    pub fn mint_at(
        &self,
        function: &str,
        call_id: &str,
        now_unix: u64,
        nonce: [u8; NONCE_BYTES],
    ) -> String {
        self.minter_at(call_id, now_unix, nonce).mint(function)
    }

    /// Verifies `token` (the `__token` query value, if any) for a call of
    /// `function` in the call `call_id` (from the request body), now.
    ///
    /// # Errors
    ///
    /// The first failed check, in this order: [`TokenError::Missing`],
    /// [`TokenError::Empty`], [`TokenError::Malformed`],
    /// [`TokenError::UnknownKey`], [`TokenError::BadSignature`],
    /// [`TokenError::WrongFunction`], [`TokenError::Expired`],
    /// [`TokenError::MissingCallId`], [`TokenError::WrongCallId`].
    pub fn verify(
        &self,
        token: Option<&str>,
        function: &str,
        call_id: Option<&str>,
    ) -> Result<(), TokenError> {
        // A clock before 1970 fails closed: every token counts as expired.
        let now = unix_now().unwrap_or(u64::MAX);
        self.verify_at(token, function, call_id, now)
    }

    /// [`verify`](Self::verify) with an explicit clock (Unix seconds).
    ///
    /// # Errors
    ///
    /// As for [`verify`](Self::verify).
    pub fn verify_at(
        &self,
        token: Option<&str>,
        function: &str,
        call_id: Option<&str>,
        now_unix: u64,
    ) -> Result<(), TokenError> {
        let token = token.ok_or(TokenError::Missing)?;
        if token.is_empty() {
            return Err(TokenError::Empty);
        }
        let parsed = ParsedToken::parse(token)?;

        // The kid is public, so looking it up need not be constant time.
        // Every key with a matching kid is tried, so an (unlikely) kid
        // collision between configured keys cannot lock a key out.
        let mut candidates = core::iter::once(&self.current)
            .chain(self.previous.iter())
            .filter(|key| key.kid.as_bytes() == parsed.kid.as_bytes())
            .peekable();
        if candidates.peek().is_none() {
            return Err(TokenError::UnknownKey);
        }
        if !candidates.any(|key| key.verify_tag(parsed.signed, &parsed.tag)) {
            return Err(TokenError::BadSignature);
        }

        // Everything below is authenticated content.
        if !bool::from(parsed.function.as_bytes().ct_eq(function.as_bytes())) {
            return Err(TokenError::WrongFunction);
        }
        if now_unix > parsed.expiry {
            return Err(TokenError::Expired);
        }
        let call_id = match call_id {
            Some(id) if !id.is_empty() => id,
            _ => return Err(TokenError::MissingCallId),
        };
        let expected = call_hash(call_id);
        if !bool::from(parsed.callhash.as_bytes().ct_eq(expected.as_bytes())) {
            return Err(TokenError::WrongCallId);
        }
        Ok(())
    }
}

/// Mints the tokens of one call (see [`TokenSigner::minter`]).
///
/// Holds no secret of its own (it borrows the signer's key), and its `Debug`
/// shows nothing but its type.
pub struct Minter<'a> {
    key: &'a TokenKey,
    suffix: String,
}

impl Minter<'_> {
    /// Appends the token for `function` to `out`.
    ///
    /// `function` must be a valid tool name (checked in debug builds only; a
    /// token minted for an invalid name never verifies).
    pub fn mint_into(&self, function: &str, out: &mut Vec<u8>) {
        debug_assert!(
            is_valid_function_name(function),
            "secure tool names must match [A-Za-z_][A-Za-z0-9_]* (max {MAX_FUNCTION_NAME_LEN} bytes)"
        );
        let start = out.len();
        out.extend_from_slice(VERSION.as_bytes());
        out.push(b'.');
        out.extend_from_slice(self.key.kid().as_bytes());
        out.push(b'.');
        out.extend_from_slice(function.as_bytes());
        out.extend_from_slice(self.suffix.as_bytes());
        let tag = self.key.tag(out.get(start..).unwrap_or_default());
        let mut encoded = [0u8; TAG_CHARS];
        let written = URL_SAFE_NO_PAD
            .encode_slice(tag.as_slice(), &mut encoded)
            .unwrap_or(0);
        out.push(b'.');
        out.extend_from_slice(encoded.get(..written).unwrap_or_default());
    }

    /// The token for `function`, as a string.
    pub fn mint(&self, function: &str) -> String {
        let mut out = Vec::with_capacity(160);
        self.mint_into(function, &mut out);
        // Every byte written above is ASCII.
        String::from_utf8(out).unwrap_or_default()
    }
}

impl fmt::Debug for Minter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Minter").finish_non_exhaustive()
    }
}

impl fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let previous: Vec<&str> = self.previous.iter().map(TokenKey::kid).collect();
        f.debug_struct("TokenSigner")
            .field("current_kid", &self.current.kid())
            .field("previous_kids", &previous)
            .field("ttl", &self.ttl)
            .finish()
    }
}

/// A token split into its fields; every field has passed its shape check.
struct ParsedToken<'a> {
    kid: &'a str,
    function: &'a str,
    expiry: u64,
    callhash: &'a str,
    /// The exact bytes covered by the tag.
    signed: &'a [u8],
    tag: Vec<u8>,
}

impl<'a> ParsedToken<'a> {
    fn parse(token: &'a str) -> Result<Self, TokenError> {
        const MALFORMED: TokenError = TokenError::Malformed;
        if token.len() > MAX_TOKEN_LEN || !token.bytes().all(is_token_byte) {
            return Err(MALFORMED);
        }
        let (signed, tag_text) = token.rsplit_once('.').ok_or(MALFORMED)?;
        let mut fields = signed.split('.');
        let (
            Some(version),
            Some(kid),
            Some(function),
            Some(expiry),
            Some(nonce),
            Some(callhash),
            None,
        ) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        )
        else {
            return Err(MALFORMED);
        };
        if version != VERSION
            || !is_lower_hex(kid, KID_BYTES * 2)
            || !is_valid_function_name(function)
            || !is_lower_hex(nonce, NONCE_BYTES * 2)
            || callhash.len() != CALLHASH_CHARS
            || tag_text.len() != TAG_CHARS
        {
            return Err(MALFORMED);
        }
        let expiry = parse_expiry(expiry).ok_or(MALFORMED)?;
        // Strict decoding: non-zero trailing bits are rejected, so each tag
        // has exactly one accepted spelling.
        let tag = URL_SAFE_NO_PAD.decode(tag_text).map_err(|_| MALFORMED)?;
        if tag.len() != TAG_BYTES {
            return Err(MALFORMED);
        }
        Ok(Self {
            kid,
            function,
            expiry,
            callhash,
            signed: signed.as_bytes(),
            tag,
        })
    }
}

/// `[A-Za-z0-9_.-]`: the only bytes a token may contain.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `[A-Za-z_][A-Za-z0-9_]*`, 1 to [`MAX_FUNCTION_NAME_LEN`] bytes.
fn is_valid_function_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    match bytes.split_first() {
        Some((first, rest)) => {
            bytes.len() <= MAX_FUNCTION_NAME_LEN
                && (first.is_ascii_alphabetic() || *first == b'_')
                && rest.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        }
        None => false,
    }
}

/// Canonical decimal `u64`: digits only, no leading zero (except "0").
fn parse_expiry(s: &str) -> Option<u64> {
    let bytes = s.as_bytes();
    if bytes.is_empty()
        || bytes.len() > MAX_EXPIRY_DIGITS
        || !bytes.iter().all(u8::is_ascii_digit)
        || (bytes.len() > 1 && bytes.first() == Some(&b'0'))
    {
        return None;
    }
    s.parse().ok()
}

fn push_hex(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        for nibble in [b >> 4, b & 0x0f] {
            // `from_digit` yields lowercase; a nibble is always < 16.
            out.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
}

fn derive_kid(secret: &[u8]) -> String {
    let digest = Sha256::new()
        .chain_update(KID_DOMAIN)
        .chain_update(secret)
        .finalize();
    let mut kid = String::with_capacity(KID_BYTES * 2);
    push_hex(&mut kid, digest.get(..KID_BYTES).unwrap_or_default());
    kid
}

fn call_hash(call_id: &str) -> String {
    let digest = Sha256::new()
        .chain_update(CALL_DOMAIN)
        .chain_update(call_id.as_bytes())
        .finalize();
    URL_SAFE_NO_PAD.encode(digest.get(..CALLHASH_BYTES).unwrap_or_default())
}

fn unix_now() -> Option<u64> {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs())
}

/// Random bytes drawn from the OS per refill of a thread's nonce pool.
const NONCE_POOL_BYTES: usize = 32 * NONCE_BYTES;

std::thread_local! {
    /// Random bytes not handed out yet, and how many of them are used.
    static NONCE_POOL: std::cell::RefCell<([u8; NONCE_POOL_BYTES], usize)> =
        const { std::cell::RefCell::new(([0; NONCE_POOL_BYTES], NONCE_POOL_BYTES)) };
}

/// 8 random bytes. They come from a per-thread pool filled from the OS RNG 32
/// nonces at a time, so minting costs one system call per 32 documents rather
/// than one per token. The nonce only makes tokens distinct (it is not a
/// replay defence, and it is public in the token), so if the RNG ever fails we
/// fall back to a hash of a process-wide counter, the clock and the pid
/// instead of failing to mint.
fn fresh_nonce() -> [u8; NONCE_BYTES] {
    let pooled = NONCE_POOL.try_with(|cell| {
        let (pool, used) = &mut *cell.borrow_mut();
        if *used + NONCE_BYTES > NONCE_POOL_BYTES {
            if getrandom::fill(pool).is_err() {
                return None;
            }
            *used = 0;
        }
        let mut nonce = [0u8; NONCE_BYTES];
        nonce.copy_from_slice(pool.get(*used..*used + NONCE_BYTES)?);
        // Handed-out bytes are not kept around.
        pool.get_mut(*used..*used + NONCE_BYTES)?.fill(0);
        *used += NONCE_BYTES;
        Some(nonce)
    });
    if let Ok(Some(nonce)) = pooled {
        return nonce;
    }
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let digest = Sha256::new()
        .chain_update(NONCE_FALLBACK_DOMAIN)
        .chain_update(count.to_le_bytes())
        .chain_update(nanos.to_le_bytes())
        .chain_update(std::process::id().to_le_bytes())
        .finalize();
    let mut nonce = [0u8; NONCE_BYTES];
    for (dst, src) in nonce.iter_mut().zip(digest.iter()) {
        *dst = *src;
    }
    nonce
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";
    const FUNCTION: &str = "transfer_funds";
    const CALL_ID: &str = "3f8e2a6c-5b1d-4c7e-9a0f-2d4b6c8e1a3f";
    const NOW: u64 = 4_102_441_200;
    const NONCE: [u8; 8] = [0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18];
    const TTL: u64 = 3600;

    /// Computed independently with Python 3's hmac/hashlib/base64:
    ///
    /// ```text
    /// kid = sha256(b"agent-runtime/kid/v1\0" + secret).digest()[:4].hex()
    /// ch  = urlsafe_b64encode(sha256(b"agent-runtime/call/v1\0"
    ///           + call_id.encode()).digest()[:16]).rstrip(b"=")
    /// prefix = ".".join(["v1", kid, fn, str(now + ttl), nonce.hex(), ch])
    /// tag = urlsafe_b64encode(hmac.new(secret, prefix.encode(),
    ///           sha256).digest()).rstrip(b"=")
    /// token = prefix + "." + tag
    /// ```
    const FIXED_VECTOR: &str = "v1.f2bff5e9.transfer_funds.4102444800.a1b2c3d4e5f60718.\
                                X0safhOpu6cjBDivuJ9sNQ.o47In-Co4MWu4x_mhRSbudOZBDTu99bJrZNMwwJIl2c";

    const URL_SAFE_CHARS: &[u8] =
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";

    fn key(secret: &str) -> TokenKey {
        TokenKey::from_secret(secret).expect("test secret is long enough")
    }

    fn signer() -> TokenSigner {
        TokenSigner::new(key(SECRET), Vec::new(), Duration::from_secs(TTL))
    }

    fn valid_token() -> String {
        signer().mint_at(FUNCTION, CALL_ID, NOW, NONCE)
    }

    fn verify(s: &TokenSigner, token: &str) -> Result<(), TokenError> {
        s.verify_at(Some(token), FUNCTION, Some(CALL_ID), NOW)
    }

    /// Small deterministic xorshift PRNG for the garbage tests.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn fixed_vector() {
        assert_eq!(key(SECRET).kid(), "f2bff5e9");
        assert_eq!(valid_token(), FIXED_VECTOR);
        assert_eq!(verify(&signer(), FIXED_VECTOR), Ok(()));
    }

    #[test]
    fn round_trip() {
        let s = signer();
        let token = s.mint_at(FUNCTION, CALL_ID, NOW, NONCE);
        assert_eq!(verify(&s, &token), Ok(()));
        // Within the lifetime.
        assert_eq!(
            s.verify_at(Some(&token), FUNCTION, Some(CALL_ID), NOW - 5),
            Ok(())
        );
        assert_eq!(
            s.verify_at(Some(&token), FUNCTION, Some(CALL_ID), NOW + TTL / 2),
            Ok(())
        );
    }

    #[test]
    fn round_trip_with_real_clock_and_random_nonce() {
        let s = TokenSigner::new(
            TokenKey::random().expect("os rng"),
            Vec::new(),
            DEFAULT_TOKEN_TTL,
        );
        let a = s.mint(FUNCTION, CALL_ID);
        let b = s.mint(FUNCTION, CALL_ID);
        assert_ne!(a, b, "random nonces make tokens distinct");
        assert_eq!(s.verify(Some(&a), FUNCTION, Some(CALL_ID)), Ok(()));
        assert_eq!(s.verify(Some(&b), FUNCTION, Some(CALL_ID)), Ok(()));
        assert_eq!(
            s.verify(Some(&a), FUNCTION, Some("other")),
            Err(TokenError::WrongCallId)
        );
    }

    #[test]
    fn token_is_url_safe_and_bounded() {
        let s = signer();
        let long_name = "a".repeat(MAX_FUNCTION_NAME_LEN);
        let long_call = "x".repeat(10_000);
        for (f, c, now) in [
            (FUNCTION, CALL_ID, NOW),
            (long_name.as_str(), long_call.as_str(), u64::MAX),
            ("_", "é.🦀 dots.and spaces", 0),
        ] {
            let t = s.mint_at(f, c, now, [0xff; 8]);
            assert!(t.bytes().all(|b| URL_SAFE_CHARS.contains(&b)), "{t}");
            assert!(!t.contains('='));
            assert!(t.len() <= MAX_TOKEN_LEN);
            assert_eq!(t.split('.').count(), 7);
        }
    }

    #[test]
    fn call_ids_with_dots_and_unicode_bind() {
        let s = signer();
        let call = "a.b.c-é-🦀";
        let t = s.mint_at(FUNCTION, call, NOW, NONCE);
        assert_eq!(s.verify_at(Some(&t), FUNCTION, Some(call), NOW), Ok(()));
        assert_eq!(
            s.verify_at(Some(&t), FUNCTION, Some("a.b.c-e-🦀"), NOW),
            Err(TokenError::WrongCallId)
        );
    }

    #[test]
    fn missing_and_empty() {
        let s = signer();
        assert_eq!(
            s.verify_at(None, FUNCTION, Some(CALL_ID), NOW),
            Err(TokenError::Missing)
        );
        assert_eq!(
            s.verify_at(Some(""), FUNCTION, Some(CALL_ID), NOW),
            Err(TokenError::Empty)
        );
    }

    #[test]
    fn wrong_function() {
        let s = signer();
        let t = valid_token();
        assert_eq!(
            s.verify_at(Some(&t), "get_balance", Some(CALL_ID), NOW),
            Err(TokenError::WrongFunction)
        );
        // Prefix / case variants of the name are other functions too.
        for other in ["transfer_fund", "transfer_funds_", "Transfer_funds", ""] {
            assert_eq!(
                s.verify_at(Some(&t), other, Some(CALL_ID), NOW),
                Err(TokenError::WrongFunction),
                "{other}"
            );
        }
    }

    #[test]
    fn wrong_call_id() {
        let s = signer();
        let t = valid_token();
        assert_eq!(
            s.verify_at(
                Some(&t),
                FUNCTION,
                Some("00000000-0000-4000-8000-000000000000"),
                NOW
            ),
            Err(TokenError::WrongCallId)
        );
        assert_eq!(
            s.verify_at(Some(&t), FUNCTION, Some(&CALL_ID.to_uppercase()), NOW),
            Err(TokenError::WrongCallId)
        );
    }

    #[test]
    fn missing_call_id() {
        let s = signer();
        let t = valid_token();
        assert_eq!(
            s.verify_at(Some(&t), FUNCTION, None, NOW),
            Err(TokenError::MissingCallId)
        );
        assert_eq!(
            s.verify_at(Some(&t), FUNCTION, Some(""), NOW),
            Err(TokenError::MissingCallId)
        );
        // A token minted for an empty call id can never be used.
        let t = s.mint_at(FUNCTION, "", NOW, NONCE);
        assert_eq!(
            s.verify_at(Some(&t), FUNCTION, Some(""), NOW),
            Err(TokenError::MissingCallId)
        );
    }

    #[test]
    fn expiry_boundary() {
        let s = signer();
        let t = valid_token();
        let expiry = NOW + TTL;
        assert_eq!(
            s.verify_at(Some(&t), FUNCTION, Some(CALL_ID), expiry),
            Ok(())
        );
        assert_eq!(
            s.verify_at(Some(&t), FUNCTION, Some(CALL_ID), expiry + 1),
            Err(TokenError::Expired)
        );
        assert_eq!(
            s.verify_at(Some(&t), FUNCTION, Some(CALL_ID), u64::MAX),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn expiry_saturates_instead_of_overflowing() {
        let s = signer();
        let t = s.mint_at(FUNCTION, CALL_ID, u64::MAX - 10, NONCE);
        assert!(t.contains(&format!(".{}.", u64::MAX)));
        assert_eq!(
            s.verify_at(Some(&t), FUNCTION, Some(CALL_ID), u64::MAX),
            Ok(())
        );
    }

    #[test]
    fn unrelated_key_is_unknown() {
        let other = TokenSigner::new(
            key("another secret that is long enough!!"),
            Vec::new(),
            Duration::from_secs(TTL),
        );
        let t = other.mint_at(FUNCTION, CALL_ID, NOW, NONCE);
        assert_eq!(verify(&signer(), &t), Err(TokenError::UnknownKey));
        let random = TokenSigner::new(
            TokenKey::random().expect("rng"),
            Vec::new(),
            DEFAULT_TOKEN_TTL,
        );
        let t = random.mint_at(FUNCTION, CALL_ID, NOW, NONCE);
        assert_eq!(verify(&signer(), &t), Err(TokenError::UnknownKey));
    }

    #[test]
    fn tampered_tag_is_bad_signature() {
        let s = signer();
        let t = valid_token();
        // Replace the tag by a well-formed tag of other bytes.
        let (prefix, _) = t.rsplit_once('.').expect("has a tag");
        let forged = format!("{prefix}.{}", URL_SAFE_NO_PAD.encode([7u8; 32]));
        assert_eq!(verify(&s, &forged), Err(TokenError::BadSignature));
        // Re-target an authentic token at another function or a later expiry.
        let other_fn = t.replacen(FUNCTION, "get_balance", 1);
        assert_eq!(verify(&s, &other_fn), Err(TokenError::BadSignature));
        let later = t.replacen("4102444800", "4102448400", 1);
        assert_eq!(verify(&s, &later), Err(TokenError::BadSignature));
        // Graft the tag of another call's token.
        let t2 = s.mint_at(FUNCTION, "other-call", NOW, NONCE);
        let (_, tag2) = t2.rsplit_once('.').expect("has a tag");
        assert_eq!(
            verify(&s, &format!("{prefix}.{tag2}")),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn malformed_cases() {
        let s = signer();
        let t = valid_token();
        let f: Vec<&str> = t.split('.').collect();
        let join = |fields: &[&str]| fields.join(".");
        let long_fn = "a".repeat(MAX_FUNCTION_NAME_LEN + 1);
        let cases: Vec<String> = vec![
            "x".repeat(MAX_TOKEN_LEN + 1),
            format!("{t}{}", ".".repeat(MAX_TOKEN_LEN)),
            "garbage".into(),
            ".......".into(),
            "......".into(),
            join(&[&["v2"], &f[1..]].concat()),
            join(&[&["V1"], &f[1..]].concat()),
            join(&f[1..]),
            join(&[&f[..], &["extra"]].concat()),
            join(&[&f[..2], &[f[2], "x"], &f[3..]].concat()),
            join(&[&f[..1], &["F2BFF5E9"], &f[2..]].concat()),
            join(&[&f[..1], &["f2bff5e"], &f[2..]].concat()),
            join(&[&f[..2], &["1transfer"], &f[3..]].concat()),
            join(&[&f[..2], &["transfer-funds"], &f[3..]].concat()),
            join(&[&f[..2], &[""], &f[3..]].concat()),
            join(&[&f[..2], &[long_fn.as_str()], &f[3..]].concat()),
            join(&[&f[..3], &["04102444800"], &f[4..]].concat()),
            join(&[&f[..3], &["18446744073709551616"], &f[4..]].concat()),
            join(&[&f[..3], &["-1"], &f[4..]].concat()),
            join(&[&f[..3], &[""], &f[4..]].concat()),
            join(&[&f[..3], &["1e9"], &f[4..]].concat()),
            join(&[&f[..4], &["A1B2C3D4E5F60718"], &f[5..]].concat()),
            join(&[&f[..4], &["a1b2c3d4e5f607"], &f[5..]].concat()),
            join(&[&f[..5], &["X0safhOpu6cjBDivuJ9sN"], &f[6..]].concat()),
            format!("{t}="),
            format!("{t}A"),
            t.replace('.', "%2E"),
            format!(" {t}"),
            format!("{t}\n"),
            t.replacen('v', "ｖ", 1),
        ];
        for case in cases {
            assert_eq!(verify(&s, &case), Err(TokenError::Malformed), "{case:?}");
        }
    }

    #[test]
    fn check_order() {
        let s = signer();
        let t = valid_token();
        // Wrong function AND expired AND wrong call: function is checked first.
        assert_eq!(
            s.verify_at(Some(&t), "other", Some("x"), u64::MAX),
            Err(TokenError::WrongFunction)
        );
        // Expired AND missing call id: expiry first.
        assert_eq!(
            s.verify_at(Some(&t), FUNCTION, None, u64::MAX),
            Err(TokenError::Expired)
        );
        // Unknown key AND bad tag: kid first.
        let unknown = t.replacen("f2bff5e9", "00000000", 1);
        assert_eq!(verify(&s, &unknown), Err(TokenError::UnknownKey));
        // Malformed AND unknown key: shape first.
        let both = unknown.replacen("v1", "v9", 1);
        assert_eq!(verify(&s, &both), Err(TokenError::Malformed));
        // Missing token AND missing call id: token first.
        assert_eq!(
            s.verify_at(None, FUNCTION, None, NOW),
            Err(TokenError::Missing)
        );
    }

    #[test]
    fn every_byte_flip_is_rejected() {
        let s = signer();
        let t = valid_token();
        let bytes = t.as_bytes();
        let mut tried = 0usize;
        for i in 0..bytes.len() {
            let mut variants: Vec<u8> = URL_SAFE_CHARS
                .iter()
                .copied()
                .filter(|c| *c != bytes[i])
                .collect();
            variants.push(bytes[i] ^ 1);
            for v in variants {
                let mut m = bytes.to_vec();
                m[i] = v;
                let m = String::from_utf8(m).expect("ascii stays utf-8");
                assert!(verify(&s, &m).is_err(), "accepted flip at {i}: {m}");
                tried += 1;
            }
        }
        assert!(tried > bytes.len() * 60);
    }

    #[test]
    fn truncations_and_extensions_are_rejected() {
        let s = signer();
        let t = valid_token();
        for n in 0..t.len() {
            assert!(verify(&s, &t[..n]).is_err(), "prefix {n} accepted");
            assert!(verify(&s, &t[n + 1..]).is_err(), "suffix from {n} accepted");
        }
        for c in URL_SAFE_CHARS {
            let longer = format!("{t}{}", char::from(*c));
            assert!(verify(&s, &longer).is_err());
        }
    }

    #[test]
    fn rotation() {
        let old = key("the old secret, at least 32 bytes long");
        let new = key("the new secret, at least 32 bytes long");
        let before = TokenSigner::new(old.clone(), Vec::new(), Duration::from_secs(TTL));
        let t = before.mint_at(FUNCTION, CALL_ID, NOW, NONCE);

        let rotated = TokenSigner::new(new.clone(), vec![old], Duration::from_secs(TTL));
        assert_eq!(verify(&rotated, &t), Ok(()));
        // Minting always uses the current key.
        let t2 = rotated.mint_at(FUNCTION, CALL_ID, NOW, NONCE);
        assert!(t2.starts_with(&format!("v1.{}.", new.kid())));
        assert_eq!(verify(&rotated, &t2), Ok(()));
        // The old key alone does not accept new tokens.
        assert_eq!(verify(&before, &t2), Err(TokenError::UnknownKey));

        let retired = TokenSigner::new(new, Vec::new(), Duration::from_secs(TTL));
        assert_eq!(verify(&retired, &t), Err(TokenError::UnknownKey));
        assert_eq!(verify(&retired, &t2), Ok(()));
    }

    #[test]
    fn replicas_with_same_secret_agree() {
        // Two independently built signers, as in two processes/restarts.
        let a = TokenSigner::new(key(SECRET), Vec::new(), Duration::from_secs(TTL));
        let b = TokenSigner::new(
            TokenKey::from_bytes(SECRET.as_bytes()).expect("long enough"),
            Vec::new(),
            Duration::from_secs(60),
        );
        assert_eq!(a.current_kid(), b.current_kid());
        let t = a.mint(FUNCTION, CALL_ID);
        assert_eq!(b.verify(Some(&t), FUNCTION, Some(CALL_ID)), Ok(()));
        let t = b.mint(FUNCTION, CALL_ID);
        assert_eq!(a.verify(Some(&t), FUNCTION, Some(CALL_ID)), Ok(()));
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let canary = "CANARY-c4n4ry-SECRET-do-not-log-0123456789";
        let k = key(canary);
        let s = TokenSigner::new(k.clone(), vec![key(SECRET)], DEFAULT_TOKEN_TTL);
        let outputs = [
            format!("{k:?}"),
            format!("{k:#?}"),
            format!("{s:?}"),
            format!("{s:#?}"),
        ];
        for out in &outputs {
            assert!(!out.contains("CANARY"), "{out}");
            assert!(!out.contains(canary), "{out}");
            assert!(!out.contains(SECRET), "{out}");
            assert!(!out.contains("0123456789"), "{out}");
        }
        assert!(outputs[0].contains(k.kid()));
        assert!(outputs[2].contains(k.kid()) && outputs[2].contains("f2bff5e9"));
    }

    #[test]
    fn short_secrets_are_rejected_without_echoing_them() {
        let short = "short-SECRET-value-31-bytes-xyz";
        assert_eq!(short.len(), MIN_SECRET_LEN - 1);
        let err = TokenKey::from_secret(short).expect_err("too short");
        assert_eq!(err, KeyError::TooShort);
        let msg = err.to_string();
        assert!(msg.contains("at least 32 bytes"), "{msg}");
        assert!(!msg.contains("SECRET") && !format!("{err:?}").contains("SECRET"));
        assert_eq!(
            TokenKey::from_secret("").map(|_| ()),
            Err(KeyError::TooShort)
        );
        // Length counts bytes: 11 three-byte chars = 33 bytes.
        assert!(TokenKey::from_secret(&"€".repeat(11)).is_ok());
        assert!(TokenKey::from_secret(&"a".repeat(MIN_SECRET_LEN)).is_ok());
        assert!(TokenKey::from_bytes(&[0u8; 31]).is_err());
    }

    #[test]
    fn random_keys_are_distinct_with_hex_kids() {
        let a = TokenKey::random().expect("rng");
        let b = TokenKey::random().expect("rng");
        assert_ne!(a.kid(), b.kid());
        for k in [&a, &b] {
            assert!(is_lower_hex(k.kid(), 8), "{}", k.kid());
        }
    }

    #[test]
    fn reasons_are_stable_unique_snake_case_and_display_is_generic() {
        let all = [
            TokenError::Missing,
            TokenError::Empty,
            TokenError::Malformed,
            TokenError::UnknownKey,
            TokenError::BadSignature,
            TokenError::WrongFunction,
            TokenError::Expired,
            TokenError::MissingCallId,
            TokenError::WrongCallId,
        ];
        let reasons: Vec<&str> = all.iter().map(TokenError::reason).collect();
        assert_eq!(
            reasons,
            [
                "token_missing",
                "token_empty",
                "token_malformed",
                "token_unknown_key",
                "token_bad_signature",
                "token_wrong_function",
                "token_expired",
                "call_id_missing",
                "token_wrong_call_id",
            ]
        );
        let t = valid_token();
        for e in all {
            let shown = e.to_string();
            assert!(!shown.is_empty());
            assert!(!shown.contains(FUNCTION) && !shown.contains(&t[..10]));
            let _: &dyn std::error::Error = &e;
        }
    }

    #[test]
    fn garbage_never_panics_and_never_verifies() {
        let s = signer();
        let t = valid_token();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let alphabet: Vec<char> = "v1.abcdefABCXYZ0123456789_-=+/% \n\t\0éß漢🦀\u{202e}\u{feff}."
            .chars()
            .collect();
        let fields: Vec<&str> = t.split('.').collect();
        for round in 0..20_000 {
            let candidate: String = match round % 4 {
                // Random characters from a hostile alphabet.
                0 => (0..rng.below(700))
                    .map(|_| alphabet[rng.below(alphabet.len())])
                    .collect(),
                // Random bytes, lossily decoded.
                1 => {
                    let raw: Vec<u8> = (0..rng.below(200)).map(|_| rng.next() as u8).collect();
                    String::from_utf8_lossy(&raw).into_owned()
                }
                // Valid token with one random char inserted or removed.
                2 => {
                    let mut chars: Vec<char> = t.chars().collect();
                    let at = rng.below(chars.len());
                    if rng.next().is_multiple_of(2) {
                        chars.remove(at);
                    } else {
                        chars.insert(at, alphabet[rng.below(alphabet.len())]);
                    }
                    chars.into_iter().collect()
                }
                // Fields of the valid token shuffled, dropped or repeated.
                _ => (0..rng.below(10))
                    .map(|_| fields[rng.below(fields.len())])
                    .collect::<Vec<_>>()
                    .join("."),
            };
            let function: String = (0..rng.below(8))
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect();
            assert!(verify(&s, &candidate).is_err(), "{candidate:?}");
            let _ = s.verify_at(Some(&candidate), &function, Some(&function), rng.next());
            let _ = s.verify_at(Some(&candidate), &function, None, 0);
        }
        // Huge inputs are cut off early.
        let huge = "v1.".repeat(1_000_000);
        assert_eq!(verify(&s, &huge), Err(TokenError::Malformed));
        let huge_unicode = "🦀".repeat(100_000);
        assert_eq!(verify(&s, &huge_unicode), Err(TokenError::Malformed));
        // A valid token with garbage function / call id never panics.
        for junk in ["", "\0", "🦀", "a.b", &"z".repeat(100_000)] {
            assert!(s.verify_at(Some(&t), junk, Some(junk), NOW).is_err());
        }
    }
}
