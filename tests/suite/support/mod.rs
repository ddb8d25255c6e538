//! What only this repository's tests need, read from `tests/data/` (see its
//! README): the official SWML schema as an assertion, and the fixtures
//! captured from the Python SDK. Requests, configurations and token reading
//! are `agent_runtime::harness`'s, not this module's. [`redis`] starts a
//! `redis-server` of a test's own, for tests of replicas sharing a store.

pub mod redis;

use std::sync::OnceLock;

use agent_runtime::Value;

/// `tests/data/`, inside the repository.
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

/// The official SWML schema (`tests/data/swml.schema.json`), compiled once
/// for the whole suite.
fn swml_validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let path = format!("{DATA}/swml.schema.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let schema: Value = serde_json::from_str(&text).expect("the SWML schema is JSON");
        jsonschema::validator_for(&schema).expect("the official SWML schema compiles")
    })
}

/// Fails, listing the first errors, unless `doc` is valid against the
/// official SWML schema.
pub fn assert_valid_swml(doc: &Value) {
    let errors: Vec<String> = swml_validator()
        .iter_errors(doc)
        .map(|e| e.to_string())
        .take(5)
        .collect();
    assert!(
        errors.is_empty(),
        "SWML rejected by the official schema: {errors:#?}"
    );
}

/// The text of the captured fixture `name` (`tests/data/fixtures/<name>.json`).
pub fn fixture_text(name: &str) -> String {
    let path = format!("{DATA}/fixtures/{name}.json");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

/// The captured fixture `name`, parsed.
pub fn fixture(name: &str) -> Value {
    serde_json::from_str(&fixture_text(name))
        .unwrap_or_else(|e| panic!("fixture {name} is not JSON: {e}"))
}
