//! JSON read in the same single pass the runtime already makes, with one
//! extra rule: no object, at any depth, names the same key twice.
//!
//! A repeated key is ambiguous: one JSON reader keeps the first value,
//! another the last, so the tool, the token check, the audit record and a
//! reviewer of the log could each act on a different value. Refusing it
//! costs nothing extra for bodies without repeats: the keys of each object
//! are compared while the object is read (on the stack for objects of up to
//! [`INLINE_KEYS`] keys), and values are built or skipped exactly as before.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// The error message of a repeated key (classified by serde_json as a data
/// error, not a syntax error).
pub(crate) const REPEATED_KEY: &str = "an object names the same key twice";

/// Objects with up to this many keys are checked without allocating.
const INLINE_KEYS: usize = 16;

/// An object key, borrowed from the body when it has no escapes.
pub(crate) struct Key<'de>(pub Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// The keys of one object seen so far.
pub(crate) struct KeySet<'de> {
    inline: [Option<Cow<'de, str>>; INLINE_KEYS],
    len: usize,
    spilled: Option<HashSet<Cow<'de, str>>>,
}

impl<'de> KeySet<'de> {
    pub(crate) fn new() -> Self {
        KeySet {
            inline: Default::default(),
            len: 0,
            spilled: None,
        }
    }

    /// Records `key`; an error when it was seen before in this object.
    pub(crate) fn insert<E: de::Error>(&mut self, key: Cow<'de, str>) -> Result<(), E> {
        if let Some(set) = &mut self.spilled {
            return if set.insert(key) {
                Ok(())
            } else {
                Err(E::custom(REPEATED_KEY))
            };
        }
        if self.inline[..self.len].iter().flatten().any(|k| *k == key) {
            return Err(E::custom(REPEATED_KEY));
        }
        if self.len < INLINE_KEYS {
            self.inline[self.len] = Some(key);
            self.len += 1;
        } else {
            let mut set: HashSet<Cow<'de, str>> =
                self.inline.iter_mut().filter_map(Option::take).collect();
            set.insert(key);
            self.spilled = Some(set);
        }
        Ok(())
    }
}

/// Any JSON value, skipped without being kept, whose objects (at any depth)
/// must not repeat a key.
pub(crate) struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_unit<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Skip, S::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }
    fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Skip, M::Error> {
        Skip::visit_entries(map)?;
        Ok(Skip)
    }
}

impl Skip {
    /// Skips the entries of an object, checking its keys.
    pub(crate) fn visit_entries<'de, M: MapAccess<'de>>(mut map: M) -> Result<(), M::Error> {
        let mut keys = KeySet::new();
        while let Some(Key(key)) = map.next_key()? {
            keys.insert(key)?;
            map.next_value::<Skip>()?;
        }
        Ok(())
    }
}

/// A JSON value whose objects (at any depth) name every key once.
pub(crate) struct StrictValue(pub Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor).map(StrictValue)
    }
}

/// Builds a [`Value`] as serde_json's own visitor does, but an object that
/// repeats a key is an error instead of keeping the last value.
struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Value, S::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Value, M::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            match object.entry(key) {
                serde_json::map::Entry::Occupied(_) => {
                    return Err(de::Error::custom(REPEATED_KEY));
                }
                serde_json::map::Entry::Vacant(slot) => {
                    slot.insert(map.next_value::<StrictValue>()?.0);
                }
            }
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict(text: &str) -> serde_json::Result<Value> {
        serde_json::from_str::<StrictValue>(text).map(|v| v.0)
    }

    fn skip(text: &str) -> serde_json::Result<()> {
        serde_json::from_str::<Skip>(text).map(|_| ())
    }

    #[test]
    fn repeated_keys_are_refused_at_any_depth() {
        for text in [
            r#"{"a":1,"a":2}"#,
            r#"{"a":{"b":1,"b":1}}"#,
            r#"[{"x":[{"y":1,"z":2,"y":3}]}]"#,
            // The same key spelled with an escape is the same key.
            r#"{"ab":1,"a\u0062":2}"#,
        ] {
            let e = strict(text).expect_err(text);
            assert!(e.is_data(), "{text}: {e}");
            assert!(skip(text).expect_err(text).is_data(), "{text}");
        }
    }

    #[test]
    fn objects_without_repeats_read_as_before() {
        let text = r#"{"a":[1,2.5,{"b":null,"c":"\u00e9"}],"d":{"e":true},"f":-3}"#;
        assert_eq!(
            strict(text).unwrap(),
            serde_json::from_str::<Value>(text).unwrap()
        );
        skip(text).unwrap();
        // Key order is kept (the workspace builds serde_json with
        // `preserve_order`).
        let keys: Vec<String> = strict(r#"{"z":1,"a":2,"m":3}"#)
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(keys, ["z", "a", "m"]);
    }

    #[test]
    fn large_objects_spill_to_a_set_and_still_find_repeats() {
        let keys: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
        let fine = format!("{{{}}}", keys.join(","));
        strict(&fine).unwrap();
        skip(&fine).unwrap();
        let repeated = format!("{{{},\"k3\":0}}", keys.join(","));
        assert!(strict(&repeated).unwrap_err().is_data());
        assert!(skip(&repeated).unwrap_err().is_data());
        let early = format!("{{\"k39\":0,{}}}", keys.join(","));
        assert!(skip(&early).unwrap_err().is_data());
    }

    #[test]
    fn syntax_errors_stay_syntax_errors() {
        for text in ["{", "[1,", "{\"a\" 1}", "nul"] {
            assert!(!strict(text).unwrap_err().is_data(), "{text}");
        }
    }
}
