//! The key of a chain: a secret [`AuditKey`] with its public key id, or the
//! explicit choice of no key; and the MAC every line carries.

use core::fmt;

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::secret::SecretString;

type HmacSha256 = hmac::Hmac<Sha256>;

/// The shortest accepted audit key, in bytes (the same floor as the token
/// secret's: a key an attacker can guess is no key).
pub const MIN_AUDIT_KEY_LEN: usize = 32;

/// Domain of the key id hash, so the id of a key never equals a hash of it
/// computed for another purpose.
const KEY_ID_DOMAIN: &[u8] = b"agent-runtime/audit-key-id/v2\0";
/// Bytes of the key id (shown as twice as many hex characters).
const KEY_ID_BYTES: usize = 8;
/// The line MAC key is derived from the secret with this label: a secret
/// reused elsewhere (against advice) still gives this chain its own key.
const LINE_KEY_LABEL: &[u8] = b"agent-runtime/audit-chain/v2/line-mac";
/// The "key" of unkeyed chains: public, so it only catches accidents.
const UNKEYED_LINE_KEY: &[u8] = b"agent-runtime/audit-chain/v2/unkeyed";

/// Why a secret could not become an [`AuditKey`]. Never contains the secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditKeyError {
    /// The secret is shorter than [`MIN_AUDIT_KEY_LEN`] bytes.
    TooShort,
    /// The HMAC implementation refused the secret (HMAC accepts every
    /// length, so this is not expected to happen).
    Rejected,
}

impl fmt::Display for AuditKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort => write!(
                f,
                "the audit chain key is too short: it must be at least {MIN_AUDIT_KEY_LEN} bytes"
            ),
            Self::Rejected => f.write_str("the HMAC implementation rejected the audit chain key"),
        }
    }
}

impl std::error::Error for AuditKeyError {}

/// The secret key of a keyed chain, and its public key id.
///
/// Only the derived line-MAC state is kept (wiped on drop with the `hmac`
/// crate's `zeroize` feature); the secret itself is not stored. `Debug`
/// shows the key id and nothing else.
#[derive(Clone)]
pub struct AuditKey {
    mac: HmacSha256,
    key_id: String,
}

impl AuditKey {
    /// A key from a secret read from configuration (an environment variable,
    /// a secrets file). The exact UTF-8 bytes are used, without trimming.
    ///
    /// # Errors
    ///
    /// [`AuditKeyError::TooShort`] under [`MIN_AUDIT_KEY_LEN`] bytes.
    pub fn from_secret(secret: &SecretString) -> Result<Self, AuditKeyError> {
        Self::from_bytes(secret.expose_secret().as_bytes())
    }

    /// A key from raw secret bytes.
    ///
    /// # Errors
    ///
    /// [`AuditKeyError::TooShort`] under [`MIN_AUDIT_KEY_LEN`] bytes.
    pub fn from_bytes(secret: &[u8]) -> Result<Self, AuditKeyError> {
        if secret.len() < MIN_AUDIT_KEY_LEN {
            return Err(AuditKeyError::TooShort);
        }
        let derive =
            <HmacSha256 as KeyInit>::new_from_slice(secret).map_err(|_| AuditKeyError::Rejected)?;
        let line_key = derive.chain_update(LINE_KEY_LABEL).finalize();
        let mut padded = Zeroizing::new([0u8; 64]);
        for (dst, src) in padded.iter_mut().zip(line_key.as_bytes().iter()) {
            *dst = *src;
        }
        let digest = Sha256::new()
            .chain_update(KEY_ID_DOMAIN)
            .chain_update(secret)
            .finalize();
        Ok(AuditKey {
            mac: mac_from_block(&padded),
            key_id: hex(digest.get(..KEY_ID_BYTES).unwrap_or_default()),
        })
    }

    /// The public key id: 16 lower-case hex characters derived from the
    /// secret by a one-way hash. Safe to print and to store in the file; it
    /// tells which key a chain needs without revealing it.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }
}

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditKey")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// How the lines of a chained audit file are authenticated: the choice
/// [`JsonLinesAuditSink::open`](super::JsonLinesAuditSink::open) requires.
#[derive(Clone, Debug)]
pub enum ChainKey {
    /// HMAC-SHA256 with a secret key (keep it apart from the file and the
    /// host's other secrets): someone who can edit the file but does not
    /// hold the key cannot change, remove, reorder or add a line unseen.
    Keyed(AuditKey),
    /// No secret: the lines are chained with a public key, which catches
    /// accidental or careless edits only. Anyone who can write the file can
    /// rewrite the whole chain so that it verifies.
    UnkeyedAccidentalEditsOnly,
}

impl ChainKey {
    /// The key, for a keyed chain.
    pub fn key(&self) -> Option<&AuditKey> {
        match self {
            ChainKey::Keyed(k) => Some(k),
            ChainKey::UnkeyedAccidentalEditsOnly => None,
        }
    }
}

/// An HMAC-SHA256 state from a key of one block (64 bytes, zero-padded, as
/// HMAC pads shorter keys itself): infallible, unlike `new_from_slice`.
fn mac_from_block(block: &[u8; 64]) -> HmacSha256 {
    <HmacSha256 as KeyInit>::new(&(*block).into())
}

/// The MAC of the lines of one chain: keyed, or the public unkeyed one.
#[derive(Clone)]
pub(super) struct LineMac(HmacSha256);

impl LineMac {
    pub(super) fn new(key: Option<&AuditKey>) -> Self {
        match key {
            Some(k) => LineMac(k.mac.clone()),
            None => {
                let mut block = [0u8; 64];
                for (dst, src) in block.iter_mut().zip(UNKEYED_LINE_KEY) {
                    *dst = *src;
                }
                LineMac(mac_from_block(&block))
            }
        }
    }

    /// The tag of a line's body, in lower-case hex.
    pub(super) fn tag_hex(&self, body: &[u8]) -> String {
        hex(self.0.clone().chain_update(body).finalize().as_bytes())
    }

    /// Whether `tag` is the tag of `body`, compared in constant time.
    pub(super) fn verifies(&self, body: &[u8], tag: &str) -> bool {
        let expected = self.tag_hex(body);
        bool::from(subtle::ConstantTimeEq::ct_eq(
            expected.as_bytes(),
            tag.as_bytes(),
        ))
    }
}

/// Lower-case hex of `bytes`.
pub(super) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keys_are_refused_and_the_key_id_is_stable_and_not_the_key() {
        assert_eq!(
            AuditKey::from_bytes(&[7u8; 31]).unwrap_err(),
            AuditKeyError::TooShort
        );
        let secret = "an-audit-key-of-at-least-32-bytes!!";
        let a = AuditKey::from_bytes(secret.as_bytes()).unwrap();
        let b = AuditKey::from_secret(&SecretString::new(secret.into())).unwrap();
        assert_eq!(a.key_id(), b.key_id());
        assert_eq!(a.key_id().len(), 16);
        let other = AuditKey::from_bytes(b"another-audit-key-of-32-bytes-or-more").unwrap();
        assert_ne!(a.key_id(), other.key_id());
        let debug = format!("{a:?} {:?}", ChainKey::Keyed(a.clone()));
        assert!(
            !debug.contains(secret) && debug.contains(a.key_id()),
            "{debug}"
        );
        // Keyed and unkeyed tags differ, and each verifies only itself.
        let keyed = LineMac::new(Some(&a));
        let unkeyed = LineMac::new(None);
        let tag = keyed.tag_hex(b"body");
        assert_ne!(tag, unkeyed.tag_hex(b"body"));
        assert!(keyed.verifies(b"body", &tag));
        assert!(!unkeyed.verifies(b"body", &tag));
        assert!(!keyed.verifies(b"bodY", &tag));
    }
}
