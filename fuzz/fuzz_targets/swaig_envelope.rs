//! The SWAIG request body: the envelope parser, then `arguments()`,
//! `global_data()` and `meta_data()` as dispatch decodes them, and the call
//! id check.
//!
//! Asserts, beyond "no panic":
//! - parsing and every decoding step are deterministic;
//! - the envelope is accepted exactly when the body is a JSON object that
//!   names no key twice outside `argument`, `global_data` and `meta_data`
//!   (those are kept as raw text and checked when decoded); a refusal is
//!   the repeated-key 400 for such an object and the malformed-JSON 400
//!   otherwise;
//! - `function`, `call_id`, `caller_id_name` and `caller_id_num` are what a
//!   plain lookup gives (string, null, other type, absent);
//! - `arguments()` is the reference reading: any repeat inside `argument`
//!   is a repeated-key (or, when the second set comes first, second-set)
//!   400; otherwise the only element of `parsed`, a second element being
//!   the second-set 400, else `raw` read as JSON (a repeat in it is the
//!   repeated-key 400; text that is not JSON gives `null`, or the
//!   repeated-key 400 when a repeat comes before the syntax error), else
//!   `{}`;
//! - what the envelope accepts although serde_json refuses it (a number
//!   out of range or a lone surrogate inside the raw parts) is refused when
//!   those parts are decoded;
//! - `global_data()` / `meta_data()` are the object when it is one (equal
//!   to serde_json's reading), empty otherwise, the repeated-key 400 for a
//!   repeat anywhere inside.

#![no_main]

use agent_runtime::__fuzz::{self as rt, Field};
use fuzz_support::Node;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

/// The parts the envelope keeps as raw text and decodes later.
const LATER: [&str; 3] = ["argument", "global_data", "meta_data"];

/// What the envelope should hold for a field, read from the reference.
fn expected_field(node: Option<&Node>) -> Option<Field<'static>> {
    node.map(|n| match n {
        Node::Scalar(Value::String(s)) => Field::Str(s.clone().into()),
        Node::Scalar(Value::Null) => Field::Null,
        _ => Field::Other,
    })
}

/// The reference of `arguments()` for an `argument` without repeats.
fn expected_arguments(argument: Option<&Node>) -> Result<Value, &'static str> {
    let Some(argument @ Node::Object(_)) = argument else {
        return Ok(Value::Object(Map::new()));
    };
    match argument.get("parsed") {
        Some(Node::Array(sets)) if sets.len() > 1 => return Err(rt::EXTRA_ARGUMENT_SET),
        Some(Node::Array(sets)) if sets.len() == 1 => return Ok(sets[0].to_value()),
        _ => {}
    }
    match argument.get("raw").and_then(Node::as_str) {
        Some(raw) if !raw.trim().is_empty() => match Node::parse(raw.as_bytes()) {
            Some(node) if node.has_repeat() => Err(rt::REPEATED_KEY),
            Some(node) => Ok(node.to_value()),
            None => Ok(Value::Null),
        },
        _ => Ok(Value::Object(Map::new())),
    }
}

/// The reference of `global_data()` / `meta_data()`.
fn expected_map(part: Option<&Node>) -> Result<Map<String, Value>, &'static str> {
    match part {
        Some(node) if node.has_repeat() => Err(rt::REPEATED_KEY),
        Some(node @ Node::Object(_)) => match node.to_value() {
            Value::Object(map) => Ok(map),
            _ => unreachable!("an object node reads as an object"),
        },
        _ => Ok(Map::new()),
    }
}

fuzz_target!(|body: &[u8]| {
    let parsed = rt::SwaigEnvelope::parse(body);
    assert_eq!(
        parsed.as_ref().err(),
        rt::SwaigEnvelope::parse(body).as_ref().err(),
        "deterministic"
    );
    let node = Node::parse(body);
    let env = match parsed {
        Err(refusal) => {
            assert!([rt::INVALID_JSON, rt::REPEATED_KEY].contains(&refusal));
            match &node {
                Some(n @ Node::Object(_)) => {
                    assert!(
                        n.has_repeat_outside(&LATER),
                        "object refused without a repeat"
                    );
                    assert_eq!(refusal, rt::REPEATED_KEY);
                }
                Some(_) => assert_eq!(refusal, rt::INVALID_JSON),
                None => {}
            }
            return;
        }
        Ok(env) => env,
    };
    let Some(node) = node else {
        // The parts kept as raw text are only checked for syntax while the
        // envelope is read; a number out of range or a lone surrogate in
        // them is found when they are decoded, which must then refuse
        // (as malformed, or for a repeat or second set that comes first).
        let decoded = [
            env.arguments().err(),
            env.global_data().err(),
            env.meta_data().err(),
        ];
        assert!(
            decoded.iter().any(Option::is_some),
            "accepted a body that is not JSON, and decoded all of it"
        );
        return;
    };
    assert!(
        matches!(node, Node::Object(_)),
        "accepted a body that is not an object"
    );
    assert!(!node.has_repeat_outside(&LATER), "accepted a repeat");

    assert_eq!(
        env.function(),
        expected_field(node.get("function")).as_ref()
    );
    assert_eq!(env.call_id(), expected_field(node.get("call_id")).as_ref());
    assert_eq!(
        env.caller_id_name(),
        expected_field(node.get("caller_id_name")).as_ref()
    );
    assert_eq!(
        env.caller_id_num(),
        expected_field(node.get("caller_id_num")).as_ref()
    );

    let arguments = env.arguments();
    assert_eq!(arguments, env.arguments(), "deterministic");
    let argument = node.get("argument");
    if argument.is_some_and(Node::has_repeat) {
        let refusal = arguments.expect_err("a repeat inside argument is refused");
        assert!([rt::REPEATED_KEY, rt::EXTRA_ARGUMENT_SET].contains(&refusal));
    } else {
        match (&arguments, expected_arguments(argument)) {
            // Raw text that is not JSON: a repeat before the syntax error
            // is still a repeat.
            (Err(got), Ok(Value::Null)) => assert_eq!(*got, rt::REPEATED_KEY),
            (got, want) => assert_eq!(*got, want),
        }
    }

    for (got, name) in [
        (env.global_data(), "global_data"),
        (env.meta_data(), "meta_data"),
    ] {
        assert_eq!(got, expected_map(node.get(name)), "{name}");
    }

    // What dispatch does with the call id next.
    if let Some(id) = env.call_id().cloned().and_then(Field::into_string) {
        let _ = rt::check_call_id(Some(id));
    }
});
