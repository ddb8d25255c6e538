//! Typed, borrowing parsers for the two request bodies on the hot path: the
//! SWML request (only the call id matters) and the SWAIG envelope.
//!
//! Neither builds a JSON tree of the whole body: strings are borrowed from
//! the request bytes where they need no unescaping, fields the runtime does
//! not use are skipped without allocating, and only the parts a tool can see
//! (`argument`, `global_data`, `meta_data`) become `serde_json` values.
//!
//! The rules match what a tree parse followed by lookups would accept, with
//! one deliberate difference: a key that appears twice in the same object
//! (`"function"` twice, say) is refused as malformed JSON instead of letting
//! the last one win, so two readers of the same body can never disagree
//! about which tool or call it names.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::response::{HttpError, bad_request};

/// A field read leniently: a string, `null`, or any other JSON value (which
/// is skipped, not kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Field<'a> {
    /// A string (borrowed when it had no escapes).
    Str(Cow<'a, str>),
    /// `null`.
    Null,
    /// A number, boolean, array or object.
    Other,
}

impl<'a> Field<'a> {
    /// The string, if this is one; other JSON types count as absent.
    pub(crate) fn into_string(self) -> Option<String> {
        match self {
            Field::Str(s) => Some(s.into_owned()),
            Field::Null | Field::Other => None,
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Field<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct FieldVisitor;

        impl<'de> Visitor<'de> for FieldVisitor {
            type Value = Field<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Field::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Field::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Field::Str(Cow::Owned(v)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Field::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Field::Null)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Field::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Field::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Field::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Field::Other)
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Field::Other)
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Field::Other)
            }
        }

        d.deserialize_any(FieldVisitor)
    }
}

/// `Some(field)` for a present key, `None` for an absent one. (`Option<Field>`
/// would turn `null` into `None`.)
fn present<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Option<Field<'a>>, D::Error> {
    Field::deserialize(d).map(Some)
}

/// The body must be a JSON object: serde's derived struct parsers would also
/// accept an array.
fn starts_object(body: &[u8]) -> bool {
    body.trim_ascii_start().first() == Some(&b'{')
}

fn is_object(raw: &RawValue) -> bool {
    raw.get().starts_with('{')
}

/// Parses `body` as a JSON object into `T`, with the fixed 400 on failure.
fn parse_object_as<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, HttpError> {
    if !starts_object(body) {
        return Err(HttpError::BadRequest(bad_request::INVALID_JSON));
    }
    serde_json::from_slice(body).map_err(|_| HttpError::BadRequest(bad_request::INVALID_JSON))
}

/// The parts of a SWML request the runtime reads.
#[derive(Debug, Deserialize)]
pub(crate) struct SwmlRequest<'a> {
    #[serde(default, borrow, deserialize_with = "present")]
    call_id: Option<Field<'a>>,
    #[serde(default, borrow)]
    call: Option<&'a RawValue>,
}

/// `call.call_id` of a SWML request.
#[derive(Debug, Deserialize)]
struct CallPart<'a> {
    #[serde(default, borrow, deserialize_with = "present")]
    call_id: Option<Field<'a>>,
}

impl SwmlRequest<'_> {
    /// Parses a SWML request body (a JSON object).
    pub(crate) fn parse(body: &[u8]) -> Result<SwmlRequest<'_>, HttpError> {
        parse_object_as(body)
    }

    /// The call id: top-level `call_id`, else `call.call_id`; empty strings
    /// and other JSON types count as absent.
    pub(crate) fn call_id(self) -> Result<Option<String>, HttpError> {
        if let Some(Field::Str(id)) = self.call_id
            && !id.is_empty()
        {
            return Ok(Some(id.into_owned()));
        }
        let Some(call) = self.call.filter(|c| is_object(c)) else {
            return Ok(None);
        };
        let part: CallPart<'_> = serde_json::from_str(call.get())
            .map_err(|_| HttpError::BadRequest(bad_request::INVALID_JSON))?;
        Ok(match part.call_id {
            Some(Field::Str(id)) if !id.is_empty() => Some(id.into_owned()),
            _ => None,
        })
    }
}

/// The SWAIG request envelope.
#[derive(Debug, Deserialize)]
pub(crate) struct SwaigEnvelope<'a> {
    /// The function name (`None` when absent).
    #[serde(default, borrow, deserialize_with = "present")]
    pub function: Option<Field<'a>>,
    /// The call id.
    #[serde(default, borrow, deserialize_with = "present")]
    pub call_id: Option<Field<'a>>,
    /// The caller's display name.
    #[serde(default, borrow, deserialize_with = "present")]
    pub caller_id_name: Option<Field<'a>>,
    /// The caller's number.
    #[serde(default, borrow, deserialize_with = "present")]
    pub caller_id_num: Option<Field<'a>>,
    // Kept as raw text and decoded only when the request gets that far: a
    // request refused for its token or rate limit never builds these values.
    #[serde(default, borrow)]
    argument: Option<&'a RawValue>,
    #[serde(default, borrow)]
    global_data: Option<&'a RawValue>,
    #[serde(default, borrow)]
    meta_data: Option<&'a RawValue>,
}

/// Implements `Deserialize` for a type read leniently in one pass: a JSON
/// object goes to the `map` body (or a JSON array to the `seq` body), every
/// other JSON value is skipped and gives `Default::default()`.
macro_rules! lenient {
    ($ty:ty, $lt:lifetime, map: |$map:ident| $on_map:expr) => {
        lenient!(@impl $ty, $lt, |$map| $on_map, |seq| {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(Default::default())
        });
    };
    ($ty:ty, $lt:lifetime, seq: |$seq:ident| $on_seq:expr) => {
        lenient!(@impl $ty, $lt, |map| {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(Default::default())
        }, |$seq| $on_seq);
    };
    (@impl $ty:ty, $lt:lifetime, |$map:ident| $on_map:expr, |$seq:ident| $on_seq:expr) => {
        impl<'de: $lt, $lt> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V<$lt>(std::marker::PhantomData<&$lt ()>);
                impl<'de: $lt, $lt> Visitor<'de> for V<$lt> {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("any JSON value")
                    }
                    fn visit_map<M: MapAccess<'de>>(self, mut $map: M) -> Result<Self::Value, M::Error> {
                        $on_map
                    }
                    fn visit_seq<S: SeqAccess<'de>>(self, mut $seq: S) -> Result<Self::Value, S::Error> {
                        $on_seq
                    }
                    fn visit_borrowed_str<E: de::Error>(self, _: &'de str) -> Result<Self::Value, E> {
                        Ok(Default::default())
                    }
                    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                        Ok(Default::default())
                    }
                    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                        Ok(Default::default())
                    }
                    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                        Ok(Default::default())
                    }
                    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                        Ok(Default::default())
                    }
                    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                        Ok(Default::default())
                    }
                    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                        Ok(Default::default())
                    }
                }
                d.deserialize_any(V(std::marker::PhantomData))
            }
        }
    };
}

/// `global_data` / `meta_data`: the object, or empty for any other value.
#[derive(Debug, Default)]
struct LenientObject(Map<String, Value>);

lenient!(LenientObject, 'a, map: |map| {
    let mut out = Map::new();
    while let Some((k, v)) = map.next_entry::<String, Value>()? {
        out.insert(k, v);
    }
    Ok(LenientObject(out))
});

/// `argument` of a SWAIG request: the first element of `parsed` (when that
/// is a non-empty array) and `raw`. Anything but an object reads as empty.
#[derive(Debug, Default)]
struct Argument<'a> {
    first_parsed: Option<Value>,
    raw: Option<Field<'a>>,
}

lenient!(Argument<'a>, 'a, map: |map| {
    let mut argument = Argument::default();
    let (mut seen_parsed, mut seen_raw) = (false, false);
    while let Some(key) = map.next_key::<Cow<'de, str>>()? {
        match key.as_ref() {
            "parsed" if seen_parsed => return Err(de::Error::duplicate_field("parsed")),
            "raw" if seen_raw => return Err(de::Error::duplicate_field("raw")),
            "parsed" => {
                seen_parsed = true;
                argument.first_parsed = map.next_value::<FirstElement>()?.0;
            }
            "raw" => {
                seen_raw = true;
                argument.raw = Some(map.next_value::<Field<'de>>()?);
            }
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
    }
    Ok(argument)
});

/// The first element of a JSON array, if it is one and has one.
#[derive(Debug, Default)]
struct FirstElement(Option<Value>);

lenient!(FirstElement, 'a, seq: |seq| {
    let first = seq.next_element::<Value>()?;
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(FirstElement(first))
});

impl SwaigEnvelope<'_> {
    /// Parses a SWAIG request body (a JSON object).
    pub(crate) fn parse(body: &[u8]) -> Result<SwaigEnvelope<'_>, HttpError> {
        parse_object_as(body)
    }

    /// The tool arguments: `argument.parsed[0]`, else `argument.raw` parsed
    /// as JSON (`null` when it is not JSON), else `{}`.
    ///
    /// # Errors
    ///
    /// The fixed 400 when `argument` names `parsed` or `raw` twice (the body
    /// itself was checked to be JSON by [`parse`](Self::parse)).
    pub(crate) fn arguments(&self) -> Result<Value, HttpError> {
        let argument = match self.argument {
            Some(raw) => serde_json::from_str::<Argument<'_>>(raw.get())
                .map_err(|_| HttpError::BadRequest(bad_request::INVALID_JSON))?,
            None => Argument::default(),
        };
        if let Some(first) = argument.first_parsed {
            return Ok(first);
        }
        Ok(match argument.raw {
            Some(Field::Str(raw)) if !raw.trim().is_empty() => {
                serde_json::from_str(&raw).unwrap_or(Value::Null)
            }
            _ => Value::Object(Map::new()),
        })
    }

    /// `global_data` when it is an object, else empty.
    pub(crate) fn global_data(&self) -> Map<String, Value> {
        lenient_map(self.global_data)
    }

    /// `meta_data` when it is an object, else empty.
    pub(crate) fn meta_data(&self) -> Map<String, Value> {
        lenient_map(self.meta_data)
    }
}

fn lenient_map(raw: Option<&RawValue>) -> Map<String, Value> {
    raw.and_then(|raw| serde_json::from_str::<LenientObject>(raw.get()).ok())
        .map(|object| object.0)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn swml_call_id(body: &str) -> Result<Option<String>, HttpError> {
        SwmlRequest::parse(body.as_bytes())?.call_id()
    }

    #[test]
    fn swml_call_id_rules() {
        assert_eq!(swml_call_id(r#"{"call_id":"a"}"#), Ok(Some("a".into())));
        assert_eq!(
            swml_call_id(r#"{"call":{"call_id":"b","x":[1,{"y":2}]},"vars":{}}"#),
            Ok(Some("b".into()))
        );
        assert_eq!(
            swml_call_id(r#"{"call_id":"","call":{"call_id":"b"}}"#),
            Ok(Some("b".into()))
        );
        assert_eq!(
            swml_call_id(r#"{"call_id":7,"call":{"call_id":"b"}}"#),
            Ok(Some("b".into()))
        );
        assert_eq!(
            swml_call_id(r#"{"call_id":"a\u0062"}"#),
            Ok(Some("ab".into()))
        );
        assert_eq!(swml_call_id(r#"{"call":"x"}"#), Ok(None));
        assert_eq!(swml_call_id(r#"{"call":[{"call_id":"b"}]}"#), Ok(None));
        assert_eq!(swml_call_id(r#"{"call":{"call_id":null}}"#), Ok(None));
        assert_eq!(swml_call_id(" {} "), Ok(None));
        let bad = Err(HttpError::BadRequest(bad_request::INVALID_JSON));
        for body in [
            "[]",
            r#"["a"]"#,
            "\"x\"",
            "{",
            r#"{"call_id":"a"} x"#,
            r#"{"call_id":"a","call_id":"b"}"#,
            r#"{"call":{"call_id":"a","call_id":"b"}}"#,
        ] {
            assert_eq!(swml_call_id(body), bad, "{body}");
        }
    }

    #[test]
    fn swaig_fields_and_arguments() {
        let body = br#"{"function":"f","call_id":"c","caller_id_num":5,"argument":{"parsed":[{"a":1},{"a":3}],"raw":"{\"a\":2}"},"global_data":{"k":"v"},"meta_data":[1],"other":{"deep":[1,2,{"x":null}]}}"#;
        let env = SwaigEnvelope::parse(body).expect("parses");
        assert_eq!(env.function, Some(Field::Str("f".into())));
        assert_eq!(
            env.call_id.clone().and_then(Field::into_string),
            Some("c".into())
        );
        assert_eq!(env.caller_id_num, Some(Field::Other));
        assert_eq!(env.caller_id_name, None);
        assert_eq!(env.arguments(), Ok(json!({"a":1})));
        assert_eq!(Value::Object(env.global_data()), json!({"k":"v"}));
        assert!(env.meta_data().is_empty());

        let args = |argument: &str| {
            let body = format!(r#"{{"function":"f","argument":{argument}}}"#);
            SwaigEnvelope::parse(body.as_bytes())
                .expect("parses")
                .arguments()
                .expect("arguments")
        };
        assert_eq!(args(r#"{"parsed":[],"raw":"{\"a\":2}"}"#), json!({"a":2}));
        assert_eq!(args(r#"{"parsed":{},"raw":"{\"a\":2}"}"#), json!({"a":2}));
        assert_eq!(args(r#"{"raw":"not json"}"#), Value::Null);
        assert_eq!(args(r#"{"raw":"  "}"#), json!({}));
        assert_eq!(args(r#""text""#), json!({}));
        assert_eq!(args("[1]"), json!({}));
        assert_eq!(args("null"), json!({}));
        assert_eq!(args(r#"{"parsed":[5]}"#), json!(5));
        assert_eq!(args(r#"{"parsed":"x","raw":"[2]"}"#), json!([2]));
        assert_eq!(args(r#"{"raw":7}"#), json!({}));
        assert_eq!(
            args(r#"{"substituted":"","parsed":[{"b":[1,{"c":"d"}]}]}"#),
            json!({"b":[1,{"c":"d"}]})
        );
        assert_eq!(
            SwaigEnvelope::parse(br#"{"function":null}"#)
                .expect("parses")
                .function,
            Some(Field::Null)
        );
    }

    #[test]
    fn a_repeated_argument_key_is_refused_when_the_arguments_are_read() {
        for argument in [
            r#"{"raw":"{}","raw":"{}"}"#,
            r#"{"parsed":[1],"parsed":[2]}"#,
        ] {
            let body = format!(r#"{{"function":"a","argument":{argument}}}"#);
            let env = SwaigEnvelope::parse(body.as_bytes()).expect("the envelope itself parses");
            assert_eq!(
                env.arguments(),
                Err(HttpError::BadRequest(bad_request::INVALID_JSON))
            );
        }
    }

    #[test]
    fn swaig_refuses_what_is_not_one_object() {
        for body in [
            &b"[]"[..],
            b"{\"function\":\"a\",\"function\":\"b\"}",
            b"{\"function\":\"a\",\"argument\":{},\"argument\":{}}",
            b"{\"function\":\"a\"",
            b"null",
            b"",
        ] {
            assert!(SwaigEnvelope::parse(body).is_err());
        }
    }
}
