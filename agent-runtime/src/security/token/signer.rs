//! Minting and verifying tokens with a current key and the previous keys of
//! a rotation.

use core::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq;

use super::format::{ParsedToken, call_hash, push_hex};
use super::key::TokenKey;
use super::nonce::{fresh_nonce, unix_now};
use super::{
    CALLHASH_CHARS, MAX_EXPIRY_DIGITS, MAX_FUNCTION_NAME_LEN, NONCE_BYTES, TAG_CHARS, VERSION,
};

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
    /// number, or longer than [`MAX_TOKEN_LEN`](super::MAX_TOKEN_LEN) bytes.
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
    /// (whole seconds; see [`DEFAULT_TOKEN_TTL`](super::DEFAULT_TOKEN_TTL)).
    pub fn new(current: TokenKey, previous: Vec<TokenKey>, ttl: Duration) -> Self {
        Self {
            current,
            previous,
            ttl,
        }
    }

    /// The signer of one agent: every key (current and previous) derived
    /// for the agent's name and route, so a token minted by one agent never
    /// verifies on another, even when several agents in one process (or in
    /// a fleet) share `SIGNALWIRE_SWAIG_SECRET`. Replicas of the same agent
    /// derive the same keys.
    pub fn for_agent(&self, name: &str, route: &str) -> Self {
        let mut context = Vec::with_capacity(name.len() + route.len() + 1);
        context.extend_from_slice(name.as_bytes());
        context.push(0);
        context.extend_from_slice(route.as_bytes());
        Self {
            current: self.current.derive(&context),
            previous: self.previous.iter().map(|k| k.derive(&context)).collect(),
            ttl: self.ttl,
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
            agent_rules::function::is_valid(function),
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
