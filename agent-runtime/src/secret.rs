//! A wrapper for secret values: redacted when printed, wiped from memory on drop,
//! readable only through an explicit call.

use std::fmt;
use zeroize::Zeroize;

/// The text every secret prints as.
pub const REDACTED: &str = "[REDACTED]";

/// The JSON Schema keyword that says "the value described here is secret".
///
/// `Secret<T>`, `#[sensitive]` types, and `#[sensitive]` fields and tool
/// parameters carry it, set to `true`, in their schema, so that sensitivity
/// goes wherever the type goes: the runtime reads a tool's full argument
/// schema once at start-up and redacts every value under the marker in the
/// audit copy of the arguments, inside an `Option`, a list, a map or a
/// nested struct.
///
/// It is an `x-` extension rather than the standard `writeOnly` because
/// `writeOnly` already has a meaning that is not "secret" (`schemars` sets
/// it on every field with `#[serde(skip_serializing)]`), so it would redact
/// values that are not secret and could not tell the two apart. Validators
/// ignore unknown keywords, and the normaliser that writes the parameters
/// sent to the model drops every `x-` key, so the model never sees it.
pub const SENSITIVE_MARKER: &str = "x-sensitive";

/// The value of [`SENSITIVE_MARKER`] for a value kept by its last four
/// characters (`#[sensitive(last_four)]`): audit records show `******7890`
/// (see [`crate::redact::mask_last_four`]); `Debug` shows the same.
pub const LAST_FOUR_MARK: &str = "last_four";

/// Marks a schema as describing a value whose audit copy keeps only its last
/// four characters (see [`LAST_FOUR_MARK`]). A schema already marked secret
/// stays secret.
pub fn mark_last_four(schema: &mut schemars::Schema) {
    if schema.get(SENSITIVE_MARKER) != Some(&serde_json::Value::Bool(true)) {
        schema.insert(
            SENSITIVE_MARKER.to_owned(),
            serde_json::Value::String(LAST_FOUR_MARK.to_owned()),
        );
    }
}

/// Marks a schema as describing a secret value (see [`SENSITIVE_MARKER`]).
///
/// `#[sensitive]` and `#[tool_args]` apply it through
/// `#[schemars(transform = ..)]`; a hand-written `JsonSchema` impl of a
/// secret type should call it on the schema it returns:
///
/// ```
/// use agent_runtime::secret::{SENSITIVE_MARKER, mark_sensitive};
/// let mut schema = schemars::json_schema!({"type": "string"});
/// mark_sensitive(&mut schema);
/// assert_eq!(schema.get(SENSITIVE_MARKER), Some(&serde_json::Value::Bool(true)));
/// ```
pub fn mark_sensitive(schema: &mut schemars::Schema) {
    schema.insert(SENSITIVE_MARKER.to_owned(), serde_json::Value::Bool(true));
}

/// A secret value (password, PIN, key, token).
///
/// * `Debug` prints `[REDACTED]`; there is no `Display`, so a secret cannot end
///   up in a `format!` by accident.
/// * The memory is overwritten with zeros when the value is dropped
///   ([`zeroize`]).
/// * The value is read only through [`Secret::expose_secret`], which makes every
///   read visible in code review.
///
/// ```
/// use agent_runtime::Secret;
/// let pin = Secret::new(String::from("4321"));
/// assert_eq!(format!("{pin:?}"), "[REDACTED]");
/// assert_eq!(pin.expose_secret(), "4321");
/// ```
#[derive(Clone, Default)]
pub struct Secret<T: Zeroize>(T);

impl<T: Zeroize> Secret<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Secret(value)
    }

    /// Reads the secret. Every call is a place where the secret leaves its box.
    pub fn expose_secret(&self) -> &T {
        &self.0
    }
}

impl<T: Zeroize> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Secret(value)
    }
}

impl<T: Zeroize> Drop for Secret<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// A secret string.
pub type SecretString = Secret<String>;

/// A secret arrives as a tool argument like the value it wraps: the schema is
/// that of `T`, so the model is told the same rules, with the
/// [`SENSITIVE_MARKER`] added so the value is redacted wherever the secret
/// sits in the arguments.
impl<'de, T: Zeroize + serde::Deserialize<'de>> serde::Deserialize<'de> for Secret<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Secret)
    }
}

impl<T: Zeroize + schemars::JsonSchema> schemars::JsonSchema for Secret<T> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut schema = T::json_schema(generator);
        mark_sensitive(&mut schema);
        schema
    }
}

/// Serialises as `[REDACTED]`: a secret never reaches a log or record through
/// serde.
impl<T: Zeroize> serde::Serialize for Secret<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(REDACTED)
    }
}

/// A salted SHA-256 digest of a short secret such as a PIN, for storing the
/// expected value without keeping the secret itself. For passwords use a slow
/// password hash (argon2, scrypt) instead: a PIN's digest can be brute-forced
/// offline, so keep digests and salts server-side only.
pub fn salted_digest(salt: &[u8], secret: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update((salt.len() as u64).to_be_bytes());
    h.update(salt);
    h.update(secret);
    h.finalize().into()
}

/// Compares two byte strings in constant time (for equal lengths; unequal
/// lengths are unequal).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = SecretString::new("canary-pass-0001".into());
        let shown = format!("{s:?} {:?}", Some(&s));
        assert!(!shown.contains("canary"), "{shown}");
        assert!(shown.contains(REDACTED));
    }

    #[test]
    fn deserialises_like_the_inner_type_and_serialises_redacted() {
        let s: SecretString = serde_json::from_str("\"4931\"").unwrap();
        assert_eq!(s.expose_secret(), "4931");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"[REDACTED]\"");
        let schema = schemars::schema_for!(Secret<String>);
        assert_eq!(schema.get("type"), Some(&serde_json::json!("string")));
        assert_eq!(schema.get(SENSITIVE_MARKER), Some(&serde_json::json!(true)));
        // Inside an `Option` the marker stays on the (nullable) value.
        let optional = schemars::schema_for!(Option<Secret<String>>);
        assert_eq!(
            optional.get("type"),
            Some(&serde_json::json!(["string", "null"]))
        );
        assert_eq!(
            optional.get(SENSITIVE_MARKER),
            Some(&serde_json::json!(true))
        );
    }

    /// A value whose wiping is observable: `zeroize` clears its bytes and
    /// reports what it saw, so the test sees that dropping the `Secret` wiped
    /// the real buffer (not a copy).
    struct Probe {
        bytes: Vec<u8>,
        seen: std::sync::Arc<std::sync::Mutex<Option<Vec<u8>>>>,
    }

    impl Zeroize for Probe {
        fn zeroize(&mut self) {
            self.bytes.zeroize();
            // After zeroize the buffer is cleared (and its old contents were
            // overwritten with zeros by the zeroize crate before truncation).
            *self.seen.lock().unwrap() = Some(self.bytes.clone());
        }
    }

    #[test]
    fn dropping_a_secret_wipes_its_memory() {
        let seen = std::sync::Arc::new(std::sync::Mutex::new(None));
        let secret = Secret::new(Probe {
            bytes: b"4931-canary".to_vec(),
            seen: seen.clone(),
        });
        assert!(seen.lock().unwrap().is_none());
        drop(secret);
        assert_eq!(
            seen.lock().unwrap().as_deref(),
            Some(&[][..]),
            "drop ran zeroize on the held value"
        );
    }

    #[test]
    fn zeroize_clears_the_value() {
        // What Drop runs: after it the buffer holds no trace of the secret.
        let mut s = SecretString::new("wipe-me-please".into());
        s.0.zeroize();
        assert!(s.expose_secret().is_empty());
        let mut bytes = Secret::new([7u8; 16]);
        bytes.0.zeroize();
        assert_eq!(bytes.expose_secret(), &[0u8; 16]);
    }

    #[test]
    fn salted_digests_compare_in_constant_time() {
        let stored = salted_digest(b"user-1", b"4931");
        assert!(constant_time_eq(
            &stored,
            &salted_digest(b"user-1", b"4931")
        ));
        assert!(!constant_time_eq(
            &stored,
            &salted_digest(b"user-1", b"4932")
        ));
        assert!(!constant_time_eq(
            &stored,
            &salted_digest(b"user-2", b"4931")
        ));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }

    #[test]
    fn exposes_value_explicitly() {
        let s = Secret::new(vec![1u8, 2, 3]);
        assert_eq!(s.expose_secret(), &[1, 2, 3]);
    }
}
