//! What only this repository's tests need, read from `tests/data/` (see its
//! README): the official SWML schema as an assertion, and the fixtures
//! captured from the Python SDK. Requests, configurations and token reading
//! are `agent_runtime::harness`'s, not this module's. [`redis`] starts a
//! `redis-server` of a test's own, for tests of replicas sharing a store.

#[path = "../../../agent-runtime/src/store/redis/test_server.rs"]
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

/// What each action of a SWAIG result does, in order: its key (`say`,
/// `hangup`, ...), or for an `{"SWML": ..}` action `SWML:` and the verbs of
/// its main section (`SWML:record_call`), after checking that document
/// against the official schema.
pub fn action_kinds(actions: &[Value]) -> Vec<String> {
    actions
        .iter()
        .map(|action| match action.get("SWML") {
            Some(document) => {
                assert_valid_swml(document);
                let verbs: Vec<&str> = document["sections"]["main"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|verb| verb.as_object()?.keys().next().map(String::as_str))
                    .collect();
                format!("SWML:{}", verbs.join(","))
            }
            None => action
                .as_object()
                .and_then(|a| a.keys().next().cloned())
                .unwrap_or_default(),
        })
        .collect()
}

/// The control id of each `record_call` and `stop_record_call` verb the
/// actions run, in order (`None` for one without).
pub fn recording_control_ids(actions: &[Value]) -> Vec<Option<String>> {
    actions
        .iter()
        .filter_map(|action| action.get("SWML")?["sections"]["main"].as_array())
        .flatten()
        .filter_map(|verb| {
            let params = verb
                .get("record_call")
                .or_else(|| verb.get("stop_record_call"))?;
            Some(params["control_id"].as_str().map(str::to_owned))
        })
        .collect()
}

/// The text of an audit record without its clock fields (`time_ms`,
/// `duration_ms`), for canary checks: a short canary such as a four-digit
/// PIN occurs in a millisecond timestamp now and then by chance.
pub fn record_text(record: &agent_runtime::audit::AuditRecord) -> String {
    let mut value = record.to_json();
    if let Some(fields) = value.as_object_mut() {
        fields.remove("time_ms");
        fields.remove("duration_ms");
    }
    value.to_string()
}
