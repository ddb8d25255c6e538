//! Token keys: one secret, its key id, and the keyed HMAC state.

use core::fmt;

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::format::push_hex;
use super::{HmacSha256, KID_BYTES, KID_DOMAIN, MIN_SECRET_LEN, RANDOM_KEY_LEN, TAG_BYTES};

/// Domain separation for keys derived per agent.
const DERIVE_DOMAIN: &[u8] = b"agent-runtime/agent-key/v1\0";

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
    pub(super) kid: String,
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

    /// A key derived from this one for `context`: HMAC-SHA256 of a domain
    /// string and the context under this key, so keys for different
    /// contexts are unrelated and anyone holding the same secret derives the
    /// same key.
    pub(super) fn derive(&self, context: &[u8]) -> TokenKey {
        let mut message = Vec::with_capacity(DERIVE_DOMAIN.len() + context.len());
        message.extend_from_slice(DERIVE_DOMAIN);
        message.extend_from_slice(context);
        let secret = self.tag(&message);
        // 32 bytes is the minimum length, so this cannot fail; if it ever
        // did, the derived key would be this one, never no key.
        TokenKey::from_bytes(secret.as_ref()).unwrap_or_else(|_| self.clone())
    }

    pub(super) fn tag(&self, message: &[u8]) -> Zeroizing<[u8; TAG_BYTES]> {
        let tag = self.mac.clone().chain_update(message).finalize();
        let mut out = Zeroizing::new([0u8; TAG_BYTES]);
        for (dst, src) in out.iter_mut().zip(tag.as_bytes().iter()) {
            *dst = *src;
        }
        out
    }

    pub(super) fn verify_tag(&self, message: &[u8], tag: &[u8]) -> bool {
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

/// The public key id of a secret: the first bytes of a domain-separated
/// SHA-256, in hex.
fn derive_kid(secret: &[u8]) -> String {
    let digest = Sha256::new()
        .chain_update(KID_DOMAIN)
        .chain_update(secret)
        .finalize();
    let mut kid = String::with_capacity(KID_BYTES * 2);
    push_hex(&mut kid, digest.get(..KID_BYTES).unwrap_or_default());
    kid
}
