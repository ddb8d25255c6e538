//! The text form of a token: parsing (every field shape-checked before any
//! cryptography runs) and the encodings minting shares.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::signer::TokenError;
use super::{
    CALL_DOMAIN, CALLHASH_BYTES, CALLHASH_CHARS, KID_BYTES, MAX_EXPIRY_DIGITS, MAX_TOKEN_LEN,
    NONCE_BYTES, TAG_BYTES, TAG_CHARS, VERSION,
};

/// A token split into its fields; every field has passed its shape check.
pub(super) struct ParsedToken<'a> {
    pub(super) kid: &'a str,
    pub(super) function: &'a str,
    pub(super) expiry: u64,
    pub(super) callhash: &'a str,
    /// The exact bytes covered by the tag.
    pub(super) signed: &'a [u8],
    pub(super) tag: Vec<u8>,
}

impl<'a> ParsedToken<'a> {
    pub(super) fn parse(token: &'a str) -> Result<Self, TokenError> {
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
            || !agent_rules::function::is_valid(function)
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

pub(super) fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
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

pub(super) fn push_hex(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        for nibble in [b >> 4, b & 0x0f] {
            // `from_digit` yields lowercase; a nibble is always < 16.
            out.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
}
pub(super) fn call_hash(call_id: &str) -> String {
    let digest = Sha256::new()
        .chain_update(CALL_DOMAIN)
        .chain_update(call_id.as_bytes())
        .finalize();
    URL_SAFE_NO_PAD.encode(digest.get(..CALLHASH_BYTES).unwrap_or_default())
}
