//! The promise, tested across both halves: for every kind of rule, what the
//! validator says when a value breaks it is what the model was told about
//! that field.

use std::collections::{BTreeSet, HashMap};

use schemars::{JsonSchema, schema_for};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::rules::Rule;
use super::{ArgsValidator, to_swaig_parameters};

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum Kind {
    Checking,
    Savings,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Address {
    street: String,
}

/// One field for each kind of rule.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct EveryRule {
    /// Length.
    #[schemars(length(min = 3, max = 10))]
    name: String,
    /// Count.
    #[schemars(length(min = 1, max = 3))]
    tags: Vec<String>,
    /// Range.
    #[schemars(range(min = 1, max = 99))]
    quantity: u32,
    /// Exclusive range.
    #[schemars(extend("exclusiveMinimum" = 0, "exclusiveMaximum" = 1))]
    ratio: f64,
    /// Multiple of.
    #[schemars(extend("multipleOf" = 5))]
    step: u32,
    /// Pattern.
    #[schemars(regex(pattern = r"^[0-9]{4}$"))]
    pin: String,
    /// Format.
    #[schemars(email)]
    contact: String,
    /// Enum.
    kind: Kind,
    /// Const.
    #[schemars(extend("const" = true))]
    confirmed: bool,
    /// Unique items.
    codes: BTreeSet<String>,
    /// Closed object.
    address: Address,
    /// Map values.
    limits: HashMap<String, u8>,
}

fn valid() -> Value {
    json!({
        "name": "Ada",
        "tags": ["a"],
        "quantity": 5,
        "ratio": 0.5,
        "step": 10,
        "pin": "1234",
        "contact": "ada@example.com",
        "kind": "checking",
        "confirmed": true,
        "codes": ["x", "y"],
        "address": {"street": "Main St"},
        "limits": {"kitchen": 3}
    })
}

/// Everything the model was told about one property: its description, and
/// the rules the dialect carries in keywords of its own (`enum`, `pattern`,
/// `format`), worded as the description would word them.
fn told(property: &Map<String, Value>) -> String {
    let mut told = property
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if let Some(Value::Array(values)) = property.get("enum") {
        told.push(' ');
        told.push_str(&Rule::OneOf(values.clone()).sentence());
    }
    if let Some(Value::String(pattern)) = property.get("pattern") {
        told.push(' ');
        told.push_str(&Rule::Pattern(pattern.clone()).sentence());
    }
    if let Some(Value::String(format)) = property.get("format") {
        told.push(' ');
        told.push_str(&Rule::Format(format.clone()).sentence());
    }
    told.to_lowercase()
}

#[test]
fn what_the_validator_reports_is_what_the_model_was_told() {
    let full = serde_json::to_value(schema_for!(EveryRule)).unwrap_or(Value::Null);
    let parameters = match to_swaig_parameters(&full) {
        Ok(p) => p,
        Err(e) => panic!("not expressible: {e}"),
    };
    let validator = match ArgsValidator::new(&full) {
        Ok(v) => v,
        Err(e) => panic!("did not compile: {e}"),
    };
    assert_eq!(validator.validate(&valid()), Ok(()));

    let cases: Vec<(&str, Value)> = vec![
        ("name", json!("Al")),
        ("name", json!("Ada Lovelace")),
        ("tags", json!([])),
        ("tags", json!(["a", "b", "c", "d"])),
        ("quantity", json!(0)),
        ("quantity", json!(100)),
        ("ratio", json!(0)),
        ("ratio", json!(1)),
        ("step", json!(7)),
        ("pin", json!("12a4")),
        ("contact", json!("not an address")),
        ("kind", json!("brokerage")),
        ("confirmed", json!(false)),
        ("codes", json!(["x", "x"])),
        ("address", json!({"street": "Main St", "floor": 2})),
        ("limits", json!({"kitchen": 300})),
        ("limits", json!({"kitchen": "loud"})),
    ];
    let mut kinds_seen = BTreeSet::new();
    for (field, bad) in cases {
        let mut args = valid();
        args[field] = bad.clone();
        let violations = match validator.validate(&args) {
            Ok(()) => panic!("{field} = {bad} was accepted"),
            Err(v) => v,
        };
        let [violation] = violations.violations() else {
            panic!("{field} = {bad}: {:?}", violations.violations());
        };
        // A map's values are reported as `limits.*`.
        assert!(
            violation.field == field || violation.field.starts_with(&format!("{field}.")),
            "{field} = {bad}: reported as {violation:?}"
        );
        let property = parameters["properties"][field]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let told = told(&property);
        assert!(
            told.contains(&violation.rule.to_lowercase()),
            "{field} = {bad}: the validator says `{}`, the model was told `{told}`",
            violation.rule
        );
        kinds_seen.insert(field);
    }
    assert_eq!(kinds_seen.len(), 12, "one field per kind of rule");
}
