//! Properties of the request parsers on arbitrary bytes and on generated,
//! near-valid bodies (the fuzz targets in `fuzz/` check the same rules for
//! longer; these run with every `cargo test`).
//!
//! The reference is serde_json itself, plus [`Node`]: the same tokenizer
//! with objects that keep every entry, so a test can say where a key is
//! repeated without going through the `KeySet` it checks.

use std::collections::HashSet;
use std::fmt;

use proptest::prelude::*;
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value, json};

use super::envelope::{Field, SwaigEnvelope, SwmlRequest};
use super::query::query_param;
use super::strict::{Skip, StrictValue};
use super::{check_call_id, parse_object};
use crate::response::{HttpError, bad_request};

const REPEATED: HttpError = HttpError::BadRequest(bad_request::REPEATED_KEY);
const INVALID_JSON: HttpError = HttpError::BadRequest(bad_request::INVALID_JSON);

/// A JSON value whose objects keep every entry, repeats included.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Scalar(Value),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Scalar(Value::Bool(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Scalar(Value::from(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(Node::Scalar(Value::from(v)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Scalar(Value::from(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Scalar(Value::String(v.to_owned())))
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Scalar(Value::Null))
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Node, S::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Node::Array(items))
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Node, M::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Node>()? {
                    entries.push(entry);
                }
                Ok(Node::Object(entries))
            }
        }
        d.deserialize_any(V)
    }
}

impl Node {
    fn has_repeat(&self) -> bool {
        match self {
            Node::Scalar(_) => false,
            Node::Array(items) => items.iter().any(Node::has_repeat),
            Node::Object(entries) => {
                let mut seen = HashSet::new();
                entries.iter().any(|(k, _)| !seen.insert(k.as_str()))
                    || entries.iter().any(|(_, v)| v.has_repeat())
            }
        }
    }
}

/// Any JSON value: keys from a small alphabet (so generated bodies often
/// use the names the parsers look for), strings with escapes and non-ASCII
/// text, integers and floats of every size, nested up to a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("call_id".to_owned()),
        Just("call".to_owned()),
        Just("function".to_owned()),
        Just("argument".to_owned()),
        Just("parsed".to_owned()),
        Just("raw".to_owned()),
        Just("global_data".to_owned()),
        "[a-c\"\\\\é\u{1F600}]{0,3}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from), // NaN and infinities become null
        "\\PC{0,8}".prop_map(Value::String),
        "[\"\\\\\u{0}-\u{1f}]{0,4}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn count_objects(v: &Value) -> usize {
    match v {
        Value::Array(items) => items.iter().map(count_objects).sum(),
        Value::Object(m) => 1 + m.values().map(count_objects).sum::<usize>(),
        _ => 0,
    }
}

/// `v` as JSON text where the object numbered `target` (pre-order) names
/// one of its keys a second time (an empty one gets `"k"` twice);
/// `repeat_value_at` is set to where the repeated key's value starts.
fn with_repeat(
    v: &Value,
    target: usize,
    seen: &mut usize,
    repeat_value_at: &mut usize,
    out: &mut String,
) {
    match v {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                with_repeat(item, target, seen, repeat_value_at, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            let this = *seen;
            *seen += 1;
            out.push('{');
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                with_repeat(item, target, seen, repeat_value_at, out);
            }
            if this == target {
                match m.keys().nth(this % m.len().max(1)) {
                    // The same key, spelled with \u escapes for its first
                    // character half of the time: still the same key.
                    Some(k) => {
                        let spelled = match k.chars().next() {
                            Some(c) if this % 2 == 1 && c.is_ascii_alphanumeric() => {
                                format!(
                                    "\"\\u{:04x}{}",
                                    c as u32,
                                    &Value::from(&k[1..]).to_string()[1..]
                                )
                            }
                            _ => Value::String(k.clone()).to_string(),
                        };
                        out.push_str(&format!(",{spelled}:"));
                        *repeat_value_at = out.len();
                        out.push('0');
                    }
                    None => {
                        out.push_str("\"k\":1,\"k\":");
                        *repeat_value_at = out.len();
                        out.push('2');
                    }
                }
            }
            out.push('}');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// The spoiled text, and where the repeated key's value starts in it.
fn repeat_text(v: &Value, target: usize) -> (String, usize) {
    let mut out = String::new();
    let mut at = 0;
    with_repeat(v, target, &mut 0, &mut at, &mut out);
    (out, at)
}

/// A value with at least one object, and the index of the object to spoil.
fn value_with_object() -> impl Strategy<Value = (Value, usize)> {
    json_value()
        .prop_map(|v| json!({ "wrap": v }))
        .prop_flat_map(|v| {
            let n = count_objects(&v);
            (Just(v), 0..n)
        })
}

fn strict(text: &[u8]) -> serde_json::Result<Value> {
    serde_json::from_slice::<StrictValue>(text).map(|v| v.0)
}

fn swml_call_id(body: &[u8]) -> Result<Option<String>, HttpError> {
    SwmlRequest::parse(body)?.call_id()
}

/// Everything dispatch reads from a SWAIG body, as one comparable value.
type SwaigReading = Result<
    (
        [Option<Field<'static>>; 4],
        Result<Value, HttpError>,
        Result<Map<String, Value>, HttpError>,
        Result<Map<String, Value>, HttpError>,
    ),
    HttpError,
>;

fn swaig_reading(body: &[u8]) -> SwaigReading {
    let env = SwaigEnvelope::parse(body)?;
    let owned = |f: &Option<Field<'_>>| {
        f.clone().map(|f| match f {
            Field::Str(s) => Field::Str(s.into_owned().into()),
            Field::Null => Field::Null,
            Field::Other => Field::Other,
        })
    };
    Ok((
        [
            owned(&env.function),
            owned(&env.call_id),
            owned(&env.caller_id_name),
            owned(&env.caller_id_num),
        ],
        env.arguments(),
        env.global_data(),
        env.meta_data(),
    ))
}

/// A plain lookup of the SWML call id in a tree without repeats.
fn lookup_call_id(v: &Value) -> Option<String> {
    [
        v.get("call_id"),
        v.get("call").and_then(|c| c.get("call_id")),
    ]
    .into_iter()
    .flatten()
    .filter_map(Value::as_str)
    .find(|s| !s.is_empty())
    .map(str::to_owned)
}

proptest! {
    // 512 cases each: the nine properties take about 2.5 s together in a
    // debug build on one core (the fuzz targets are the long runs).
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// No input makes a parser panic, and each reads the same input the
    /// same way twice; a refusal is one of the fixed 400 bodies.
    #[test]
    fn arbitrary_bytes_are_read_the_same_way_twice_without_panicking(
        body in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        prop_assert_eq!(swml_call_id(&body), swml_call_id(&body));
        prop_assert_eq!(swaig_reading(&body), swaig_reading(&body));
        prop_assert_eq!(parse_object(&body), parse_object(&body));
        let strict_twice = (strict(&body).ok(), strict(&body).ok());
        prop_assert_eq!(strict_twice.0, strict_twice.1);
        let _ = serde_json::from_slice::<Skip>(&body);
        if body.trim_ascii_start().starts_with(b"{") {
            prop_assert_eq!(swml_call_id(&body).err(), parse_object(&body).err());
        }
        for refusal in [swml_call_id(&body).err(), swaig_reading(&body).err()].into_iter().flatten() {
            prop_assert!(refusal == INVALID_JSON || refusal == REPEATED, "{refusal:?}");
        }
    }

    /// Valid JSON with one byte changed, removed or inserted: the parsers
    /// agree with serde_json on what is JSON, and on its value when no key
    /// is repeated.
    #[test]
    fn near_valid_bodies_agree_with_serde_json(
        v in json_value(),
        at in any::<prop::sample::Index>(),
        byte in prop_oneof![Just(b'"'), Just(b','), Just(b'{'), Just(b'}'), Just(b'\\'), any::<u8>()],
        edit in 0..3u8,
    ) {
        let mut body = serde_json::to_vec(&json!({"call_id": "c", "vars": v})).expect("serialises");
        let i = at.index(body.len());
        match edit {
            0 => body[i] = byte,
            1 => { body.remove(i); }
            _ => body.insert(i, byte),
        }
        if body.trim_ascii_start().starts_with(b"{") {
            // One reading: the streaming parser of `POST /` and the tree
            // parser of the post-prompt body refuse an object alike.
            prop_assert_eq!(swml_call_id(&body).err(), parse_object(&body).err());
        }
        let reference = serde_json::from_slice::<Node>(&body).ok();
        let repeat = reference.as_ref().is_some_and(Node::has_repeat);
        match (&reference, repeat) {
            (None, _) => {
                prop_assert!(strict(&body).is_err());
                prop_assert!(swml_call_id(&body).is_err());
            }
            (Some(_), true) => {
                prop_assert!(strict(&body).is_err_and(|e| e.is_data()));
            }
            (Some(Node::Object(_)), false) => {
                let plain: Value = serde_json::from_slice(&body).expect("JSON");
                prop_assert_eq!(strict(&body).ok(), Some(plain.clone()));
                prop_assert_eq!(swml_call_id(&body), Ok(lookup_call_id(&plain)));
                prop_assert_eq!(parse_object(&body).map(Value::Object), Ok(plain));
            }
            (Some(_), false) => {
                prop_assert_eq!(swml_call_id(&body), Err(INVALID_JSON));
            }
        }
    }

    /// Without repeated keys the strict parser's value is serde_json's, and
    /// the skipping parser accepts what it accepts.
    #[test]
    fn strict_value_equals_serde_json_without_repeats(v in json_value()) {
        let text = serde_json::to_vec(&v).expect("serialises");
        prop_assert_eq!(strict(&text).ok(), serde_json::from_slice::<Value>(&text).ok());
        prop_assert!(serde_json::from_slice::<Skip>(&text).is_ok());
        prop_assert_eq!(parse_object(&text).is_ok(), v.is_object());
    }

    /// A key named twice in any one object, at any depth, is refused by
    /// every reader of every part of every body.
    #[test]
    fn a_repeated_key_at_any_depth_is_refused(
        (v, target) in value_with_object(),
        cut in any::<prop::sample::Index>(),
    ) {
        let (spoiled, value_at) = repeat_text(&v, target);

        // Cut short anywhere after the repeated key: the repeat comes first
        // in reading order, so every parser refuses it as a repeat.
        let mut cut = value_at + cut.index(spoiled.len() - value_at);
        while !spoiled.is_char_boundary(cut) {
            cut -= 1;
        }
        let truncated = format!(r#"{{"call":{}"#, &spoiled[..cut]);
        prop_assert_eq!(parse_object(truncated.as_bytes()), Err(REPEATED), "{}", truncated);
        prop_assert_eq!(swml_call_id(truncated.as_bytes()), Err(REPEATED), "{}", truncated);
        let truncated = format!(r#"{{"function":"f","x":{}"#, &spoiled[..cut]);
        prop_assert_eq!(SwaigEnvelope::parse(truncated.as_bytes()).err(), Some(REPEATED));

        prop_assert!(strict(spoiled.as_bytes()).is_err_and(|e| e.is_data()), "{spoiled}");
        prop_assert!(serde_json::from_slice::<Skip>(spoiled.as_bytes()).is_err_and(|e| e.is_data()));
        prop_assert_eq!(parse_object(spoiled.as_bytes()), Err(REPEATED));
        prop_assert_eq!(swml_call_id(spoiled.as_bytes()), Err(REPEATED));
        let in_call = format!(r#"{{"call":{spoiled},"call_id":"c"}}"#);
        prop_assert_eq!(swml_call_id(in_call.as_bytes()), Err(REPEATED));

        let skipped = format!(r#"{{"function":"f","other":{spoiled}}}"#);
        prop_assert_eq!(SwaigEnvelope::parse(skipped.as_bytes()).err(), Some(REPEATED));
        for (part, read) in [
            (format!(r#"{{"parsed":[{spoiled}]}}"#), 0),
            (format!(r#"{{"parsed":[],"raw":{}}}"#, Value::String(spoiled.clone())), 0),
            (spoiled.clone(), 0),
            (spoiled.clone(), 1),
            (spoiled.clone(), 2),
        ] {
            let name = ["argument", "global_data", "meta_data"][read];
            let body = format!(r#"{{"function":"f","{name}":{part}}}"#);
            let env = SwaigEnvelope::parse(body.as_bytes());
            prop_assert!(env.is_ok(), "read later, not while parsing: {body}");
            let env = env.expect("checked");
            let got = match read {
                0 => env.arguments().err(),
                1 => env.global_data().err(),
                _ => env.meta_data().err(),
            };
            prop_assert_eq!(got, Some(REPEATED), "{}", body);
        }
    }

    /// The SWML call id is what a plain lookup gives: `call_id`, else
    /// `call.call_id`, strings only, empty counts as absent.
    #[test]
    fn swml_call_id_is_a_plain_lookup(
        top in prop::option::of(json_value()),
        nested in prop::option::of(json_value()),
        call_is_object in any::<bool>(),
        extra in json_value(),
        ids in prop::sample::select(vec!["", "call-1", "é\u{1F600}", "a\"b\\c"]),
    ) {
        let mut body = Map::new();
        body.insert("vars".into(), extra);
        if let Some(top) = top {
            body.insert("call_id".into(), if top.is_null() { json!(ids) } else { top });
        }
        if call_is_object {
            let mut call = Map::new();
            if let Some(nested) = nested {
                call.insert("call_id".into(), if nested.is_boolean() { json!(ids) } else { nested });
            }
            body.insert("call".into(), Value::Object(call));
        } else if let Some(nested) = nested {
            body.insert("call".into(), nested);
        }
        let body = Value::Object(body);
        let text = serde_json::to_vec(&body).expect("serialises");
        let id = swml_call_id(&text);
        prop_assert_eq!(&id, &Ok(lookup_call_id(&body)));
        if let Ok(id) = id {
            match check_call_id(id.clone()) {
                Ok(checked) => prop_assert_eq!(checked, id),
                Err(e) => prop_assert_eq!(e, HttpError::BadRequest(bad_request::INVALID_CALL_ID)),
            }
        }
    }

    /// The SWAIG arguments: the one set in `parsed`, a second set refused,
    /// else `raw` as JSON (`null` when it is not), else `{}`; the envelope
    /// fields are the plain lookups.
    #[test]
    fn swaig_arguments_follow_the_reference(
        sets in prop::collection::vec(json_value(), 0..3),
        parsed_is_array in any::<bool>(),
        raw in prop::option::of(prop_oneof![
            json_value().prop_map(|v| v.to_string()),
            "\\PC{0,12}",
        ]),
        function in json_value(),
        global in json_value(),
    ) {
        let mut argument = Map::new();
        argument.insert(
            "parsed".into(),
            if parsed_is_array { Value::Array(sets.clone()) } else { json!({"sets": sets.clone()}) },
        );
        if let Some(raw) = &raw {
            argument.insert("raw".into(), json!(raw));
        }
        let body = json!({"function": function, "argument": argument, "global_data": global});
        let text = serde_json::to_vec(&body).expect("serialises");
        let env = SwaigEnvelope::parse(&text).expect("an object without repeats");

        let expected = match (parsed_is_array, sets.as_slice()) {
            (true, [one]) => Ok(one.clone()),
            (true, [_, _, ..]) => Err(HttpError::BadRequest(bad_request::EXTRA_ARGUMENT_SET)),
            _ => Ok(match raw.as_deref() {
                Some(r) if !r.trim().is_empty() => {
                    serde_json::from_str::<Value>(r).unwrap_or(Value::Null)
                }
                _ => json!({}),
            }),
        };
        prop_assert_eq!(env.arguments(), expected);
        let expected_global = body["global_data"].as_object().cloned().unwrap_or_default();
        prop_assert_eq!(env.global_data(), Ok(expected_global));
        let expected_function = match &body["function"] {
            Value::String(s) => Field::Str(s.as_str().into()),
            Value::Null => Field::Null,
            _ => Field::Other,
        };
        prop_assert_eq!(env.function, Some(expected_function));
    }

    /// Any JSON text that is not an object is the malformed-JSON 400 for
    /// both body parsers.
    #[test]
    fn bodies_that_are_not_objects_are_refused(v in json_value()) {
        prop_assume!(!v.is_object());
        let text = serde_json::to_vec(&v).expect("serialises");
        prop_assert_eq!(swml_call_id(&text), Err(INVALID_JSON));
        prop_assert_eq!(SwaigEnvelope::parse(&text).err(), Some(INVALID_JSON));
    }

    /// The query reader against counting: no pair named so is `None`, two
    /// or more are the 400, one is its form-decoded value.
    #[test]
    fn query_param_reads_exactly_one_named_pair(
        pairs in prop::collection::vec(
            (
                prop::sample::select(vec!["__token", "call_id", "a", "token", "%5F%5Ftoken", ""]),
                // Raw values: anything but the pair separator.
                prop::option::of("[a-z0-9+%. =-]{0,6}|[^&\\p{C}]{0,4}"),
            ),
            0..5,
        ),
    ) {
        let query = pairs
            .iter()
            .map(|(k, v)| match v {
                Some(v) => format!("{k}={v}"),
                None => (*k).to_owned(),
            })
            .collect::<Vec<_>>()
            .join("&");
        for name in ["__token", "call_id"] {
            let named: Vec<_> = pairs.iter().filter(|(k, _)| *k == name).collect();
            let got = query_param(&query, name);
            match named.as_slice() {
                [] => prop_assert_eq!(got, Ok(None)),
                [(_, v)] => {
                    let text = v.clone().unwrap_or_default().replace('+', " ");
                    let decoded = percent_encoding::percent_decode_str(&text).decode_utf8();
                    match decoded {
                        Ok(d) => prop_assert_eq!(got, Ok(Some(d.into_owned()))),
                        Err(_) => prop_assert_eq!(got, Err(HttpError::BadRequest(bad_request::INVALID_QUERY))),
                    }
                }
                _ => prop_assert_eq!(got, Err(HttpError::BadRequest(bad_request::INVALID_QUERY))),
            }
        }
    }

    /// Arbitrary query text never panics, and is read the same way twice.
    #[test]
    fn arbitrary_query_text_is_read_the_same_way_twice(query in "\\PC{0,64}|[_a-z=&%0-9+]{0,64}") {
        for name in ["__token", "call_id"] {
            prop_assert_eq!(query_param(&query, name), query_param(&query, name));
        }
    }
}
