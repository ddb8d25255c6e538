//! The SWML request body: the streaming parser with its call id lookup
//! (`POST /`), then the call id check, with the strict tree parser (the
//! post-prompt body) run on the same bytes.
//!
//! Asserts, beyond "no panic":
//! - both parsers are deterministic and accept exactly the same bodies (a
//!   JSON object that names no key twice at any depth), and refuse a body
//!   that starts as an object with the same 400 (the first problem in
//!   reading order decides);
//! - on a JSON text, the verdict matches the reference reading: an object
//!   without repeats is accepted, with the call id a plain lookup gives
//!   (`call_id`, else `call.call_id`; empty strings and other types count
//!   as absent), and the tree parser's map equals serde_json's; an object
//!   with a repeat is the repeated-key 400; anything else is the
//!   malformed-JSON 400;
//! - every refusal is one of those two fixed bodies;
//! - an accepted call id is either refused with the call-id 400 or is at
//!   most 256 bytes without control characters.

#![no_main]

use agent_runtime::__fuzz as rt;
use fuzz_support::Node;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// `call_id`, else `call.call_id`, read from the reference tree.
fn reference_call_id(node: &Node) -> Option<String> {
    let top = node.get("call_id").and_then(Node::as_str);
    let nested = node
        .get("call")
        .and_then(|c| c.get("call_id"))
        .and_then(Node::as_str);
    [top, nested]
        .into_iter()
        .flatten()
        .find(|s| !s.is_empty())
        .map(str::to_owned)
}

fuzz_target!(|body: &[u8]| {
    let streamed = rt::swml_call_id(body);
    let tree = rt::parse_object(body);
    assert_eq!(streamed, rt::swml_call_id(body), "deterministic");
    assert_eq!(tree, rt::parse_object(body), "deterministic");
    assert_eq!(
        streamed.is_ok(),
        tree.is_ok(),
        "the streaming and the tree parser accept the same bodies"
    );
    if body.trim_ascii_start().starts_with(b"{") {
        // One reading: an object is refused alike by both, the first
        // problem in reading order deciding which refusal it is.
        assert_eq!(
            streamed.as_ref().err(),
            tree.as_ref().err(),
            "refused differently"
        );
    }
    for refusal in [streamed.as_ref().err(), tree.as_ref().err()]
        .into_iter()
        .flatten()
    {
        assert!(
            [rt::INVALID_JSON, rt::REPEATED_KEY].contains(refusal),
            "unexpected refusal {refusal}"
        );
    }

    if let Some(node) = Node::parse(body) {
        let object = matches!(node, Node::Object(_));
        let repeat = node.has_repeat();
        match (&streamed, object, repeat) {
            (Ok(id), true, false) => assert_eq!(*id, reference_call_id(&node)),
            (Err(refusal), true, true) => assert_eq!(*refusal, rt::REPEATED_KEY),
            (Err(refusal), false, _) => assert_eq!(*refusal, rt::INVALID_JSON),
            (verdict, _, _) => {
                panic!("verdict {verdict:?} for an object={object}, repeat={repeat} body")
            }
        }
        match (&tree, object, repeat) {
            (Ok(map), true, false) => assert_eq!(Value::Object(map.clone()), node.to_value()),
            (Err(refusal), _, true) => assert_eq!(*refusal, rt::REPEATED_KEY),
            (Err(refusal), false, false) => assert_eq!(*refusal, rt::INVALID_JSON),
            (verdict, _, _) => {
                panic!("tree verdict {verdict:?} for an object={object}, repeat={repeat} body")
            }
        }
    } else {
        assert!(streamed.is_err(), "not JSON, yet accepted");
    }

    if let Ok(id) = streamed {
        match rt::check_call_id(id.clone()) {
            Ok(Some(checked)) => {
                assert_eq!(Some(&checked), id.as_ref());
                assert!(checked.len() <= 256 && !checked.chars().any(char::is_control));
            }
            Ok(None) => assert_eq!(id, None, "a non-empty id is never dropped"),
            Err(refusal) => {
                assert_eq!(refusal, rt::INVALID_CALL_ID);
                let id = id.unwrap_or_default();
                assert!(id.len() > 256 || id.chars().any(char::is_control));
            }
        }
    }
});
