use std::collections::HashMap;

use schemars::{JsonSchema, schema_for};
use serde::Deserialize;
use serde_json::{Value, json};

use super::to_swaig_parameters;
use crate::schema::SchemaError;

/// The official SWML schema, carried in the repository's `tests/data`.
const SWML_SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/data/swml.schema.json"
);

/// Account kind.
#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum AccountKind {
    Checking,
    Savings,
}

/// A ten-digit account number.
#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)]
struct AccountNumber(#[schemars(regex(pattern = r"^[0-9]{10}$"))] String);

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Transfer {
    /// Amount in dollars.
    #[schemars(range(min = 0.01, max = 10000))]
    amount: f64,
    #[schemars(length(min = 10, max = 10), regex(pattern = r"^[0-9]{10}$"))]
    to_account: String,
    from_kind: AccountKind,
    /// Optional memo
    #[schemars(length(max = 140))]
    memo: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct LineItem {
    #[schemars(length(min = 3, max = 40))]
    sku: String,
    #[schemars(range(min = 1))]
    qty: u16,
}

/// Where to ship.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Address {
    #[schemars(length(min = 1, max = 80))]
    street: String,
    #[schemars(length(min = 5, max = 5), regex(pattern = r"^[0-9]{5}$"))]
    zip: String,
}

#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Order {
    #[schemars(length(min = 1, max = 5))]
    items: Vec<LineItem>,
    address: Address,
    billing: Option<Address>,
    /// Priority. Must be between 0 and 255.
    priority: Option<u8>,
    level: i32,
    #[schemars(extend("exclusiveMinimum" = 0))]
    ticket: i64,
    big: u64,
    #[serde(default)]
    gift: bool,
    #[schemars(email)]
    contact: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)]
enum Speed {
    /// Same day.
    Express,
    /// Three to five days.
    Standard,
}

#[derive(Deserialize, JsonSchema)]
#[serde(tag = "method", rename_all = "snake_case")]
#[allow(dead_code)]
enum Payment {
    Card {
        #[schemars(length(min = 4, max = 4))]
        last4: String,
    },
    Cash,
}

#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Misc {
    speed: Speed,
    /// How to pay.
    payment: Payment,
    /// The destination account.
    account: AccountNumber,
    tags: HashMap<String, String>,
    #[schemars(range(min = 0.5, max = 2.5))]
    ratio: Option<f32>,
    #[schemars(length(min = 2), inner(length(min = 1)))]
    names: Vec<String>,
    other_kind: Option<AccountKind>,
}

#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Empty {}

/// Secrets in every shape, each carrying the sensitivity marker in the full
/// schema.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Secrets {
    /// One secret.
    one: crate::Secret<String>,
    /// Maybe a secret.
    maybe: Option<crate::Secret<String>>,
    /// Several.
    #[schemars(length(max = 3))]
    many: Vec<crate::Secret<String>>,
    /// By name.
    named: HashMap<String, crate::Secret<String>>,
    /// Marked on the field, with a rule.
    #[schemars(length(min = 4), transform = crate::secret::mark_sensitive)]
    marked: String,
    /// A nested secret.
    account: Option<LockedAccount>,
}

/// An account with a secret inside.
#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)]
struct LockedAccount {
    /// The account.
    number: AccountNumber,
    /// The word that unlocks it.
    word: crate::Secret<String>,
}

#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Node {
    next: Option<Box<Node>>,
}

#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Tree {
    children: Vec<Branch>,
}

#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Branch {
    sub: Option<Box<Branch>>,
}

#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Anything {
    value: Value,
}

fn full<T: JsonSchema>() -> Value {
    serde_json::to_value(schema_for!(T)).unwrap_or(Value::Null)
}

fn params<T: JsonSchema>() -> Value {
    match to_swaig_parameters(&full::<T>()) {
        Ok(p) => p,
        Err(e) => panic!("normalisation failed: {e}"),
    }
}

#[test]
fn normalised_parameters_are_exact() {
    let cases: Vec<(&str, Value, Value)> = vec![
        (
            "Transfer",
            params::<Transfer>(),
            json!({
                "type": "object",
                "properties": {
                    "amount": {"type": "number",
                        "description": "Amount in dollars. Must be between 0.01 and 10000."},
                    "to_account": {"type": "string", "pattern": "^[0-9]{10}$",
                        "description": "Must be 10 characters long."},
                    "from_kind": {"type": "string", "enum": ["checking", "savings"],
                        "description": "Account kind."},
                    "memo": {"type": "string", "nullable": true,
                        "description": "Optional memo. Must be at most 140 characters long."}
                },
                "required": ["amount", "to_account", "from_kind"]
            }),
        ),
        (
            "Order",
            params::<Order>(),
            json!({
                "type": "object",
                "properties": {
                    "items": {
                        "type": "array",
                        "description": "Must have 1 to 5 items.",
                        "items": {
                            "type": "object",
                            "description": "Must not contain unknown fields.",
                            "properties": {
                                "sku": {"type": "string",
                                    "description": "Must be 3 to 40 characters long."},
                                "qty": {"type": "integer",
                                    "description": "Must be between 1 and 65535."}
                            },
                            "required": ["sku", "qty"]
                        }
                    },
                    "address": {
                        "type": "object",
                        "description": "Where to ship. Must not contain unknown fields.",
                        "properties": {
                            "street": {"type": "string",
                                "description": "Must be 1 to 80 characters long."},
                            "zip": {"type": "string", "pattern": "^[0-9]{5}$",
                                "description": "Must be 5 characters long."}
                        },
                        "required": ["street", "zip"]
                    },
                    "billing": {
                        "type": "object",
                        "nullable": true,
                        "description": "Where to ship. Must not contain unknown fields.",
                        "properties": {
                            "street": {"type": "string",
                                "description": "Must be 1 to 80 characters long."},
                            "zip": {"type": "string", "pattern": "^[0-9]{5}$",
                                "description": "Must be 5 characters long."}
                        },
                        "required": ["street", "zip"]
                    },
                    "priority": {"type": "integer", "nullable": true,
                        "description": "Priority. Must be between 0 and 255."},
                    "level": {"type": "integer",
                        "description": "Must be between -2147483648 and 2147483647."},
                    "ticket": {"type": "integer", "description": "Must be greater than 0."},
                    "big": {"type": "integer", "description": "Must be at least 0."},
                    "gift": {"type": "boolean", "default": false},
                    "contact": {"type": "string", "format": "email", "nullable": true}
                },
                "required": ["items", "address", "level", "ticket", "big"]
            }),
        ),
        (
            "Misc",
            params::<Misc>(),
            json!({
                "type": "object",
                "properties": {
                    "speed": {"type": "string", "enum": ["Express", "Standard"],
                        "description": "Express: Same day. Standard: Three to five days."},
                    "payment": {"oneOf": [
                        {"type": "object", "description": "How to pay.",
                         "properties": {
                            "method": {"type": "string", "enum": ["card"]},
                            "last4": {"type": "string",
                                "description": "Must be 4 characters long."}
                         },
                         "required": ["method", "last4"]},
                        {"type": "object", "description": "How to pay.",
                         "properties": {"method": {"type": "string", "enum": ["cash"]}},
                         "required": ["method"]}
                    ]},
                    "account": {"type": "string", "pattern": "^[0-9]{10}$",
                        "description": "The destination account."},
                    "tags": {"type": "object",
                        "description": "Any field names are allowed; each value must be a string."},
                    "ratio": {"type": "number", "nullable": true,
                        "description": "Must be between 0.5 and 2.5."},
                    "names": {"type": "array", "description": "Must have at least 2 items.",
                        "items": {"type": "string", "description": "Must not be empty."}},
                    "other_kind": {"type": "string", "enum": ["checking", "savings"],
                        "nullable": true, "description": "Account kind."}
                },
                "required": ["speed", "payment", "account", "tags", "names"]
            }),
        ),
        (
            "Empty",
            params::<Empty>(),
            json!({"type": "object", "properties": {}}),
        ),
    ];
    for (name, got, want) in cases {
        assert_eq!(
            got,
            want,
            "{name}: {}",
            serde_json::to_string_pretty(&got).unwrap_or_default()
        );
    }
}

#[test]
fn newtype_without_field_doc_keeps_the_type_doc() {
    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Args {
        account: AccountNumber,
    }
    assert_eq!(
        params::<Args>()["properties"]["account"],
        json!({"type": "string", "pattern": "^[0-9]{10}$",
               "description": "A ten-digit account number."})
    );
}

#[test]
fn sentences_are_not_duplicated() {
    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Args {
        /// Volume. Must be between 0 and 255.
        volume: u8,
        /// Must be at least 0.
        count: u64,
    }
    let p = params::<Args>();
    assert_eq!(
        p["properties"]["volume"]["description"],
        "Volume. Must be between 0 and 255."
    );
    assert_eq!(
        p["properties"]["count"]["description"],
        "Must be at least 0."
    );
}

#[test]
fn hand_written_bounds_are_stated() {
    let full = json!({
        "type": "object",
        "properties": {
            "a": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1.5},
            "b": {"type": "integer", "minimum": 1, "exclusiveMaximum": 10, "multipleOf": 2},
            "c": {"type": "array", "items": {"type": "integer", "enum": [1, 2]},
                  "minItems": 3, "maxItems": 3, "uniqueItems": true},
            "d": {"type": "string", "format": "date-time", "minLength": 1},
            "e": {"type": "string", "format": "uri-reference"},
            "f": {"type": ["boolean", "null"], "const": true},
            "g": {"type": "object", "properties": {"x": {"type": "string"}},
                  "unevaluatedProperties": false, "maxProperties": 1},
            "h": {"type": "null"}
        },
        "required": ["a", "missing"]
    });
    let p = to_swaig_parameters(&full).unwrap_or(Value::Null);
    assert_eq!(
        p,
        json!({
            "type": "object",
            "properties": {
                "a": {"type": "number", "description": "Must be greater than 0 and less than 1.5."},
                "b": {"type": "integer",
                      "description": "Must be at least 1 and less than 10. Must be a multiple of 2."},
                "c": {"type": "array", "items": {"type": "integer", "enum": [1, 2]},
                      "description": "Must have exactly 3 items. Must not contain duplicate items."},
                "d": {"type": "string", "format": "date_time", "description": "Must not be empty."},
                "e": {"type": "string", "description": "Must be a valid uri-reference."},
                "f": {"type": "boolean", "nullable": true, "description": "Must be true."},
                "g": {"type": "object", "properties": {"x": {"type": "string"}},
                      "description": "Must not contain unknown fields. Must have at most 1 field."},
                "h": {"type": "null", "description": "Must be null."}
            },
            "required": ["a"]
        })
    );
}

#[test]
fn a_map_states_the_rules_of_its_values() {
    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Args {
        /// Volume per room.
        volumes: HashMap<String, u8>,
    }
    assert_eq!(
        params::<Args>()["properties"]["volumes"],
        json!({"type": "object", "description": "Volume per room. Any field names are allowed; \
            each value must be a whole number and must be between 0 and 255."})
    );
    let full = json!({"type": "object", "properties": {"labels": {
        "type": "object",
        "properties": {"main": {"type": "string"}},
        "additionalProperties": {"type": "string", "minLength": 1, "description": "A label."}
    }}});
    assert_eq!(
        to_swaig_parameters(&full).unwrap_or(Value::Null)["properties"]["labels"]["description"],
        "Other field names are allowed; each value must be a string and must not be empty."
    );
}

#[test]
fn inexpressible_schemas_are_errors() {
    assert_eq!(
        to_swaig_parameters(&full::<Node>()),
        Err(SchemaError::RecursiveType("Node".into()))
    );
    assert_eq!(
        to_swaig_parameters(&full::<Tree>()),
        Err(SchemaError::RecursiveType("Branch".into()))
    );
    assert_eq!(
        to_swaig_parameters(&full::<u8>()),
        Err(SchemaError::NotAnObject)
    );
    assert_eq!(
        to_swaig_parameters(&full::<AccountKind>()),
        Err(SchemaError::NotAnObject)
    );
    assert_eq!(
        to_swaig_parameters(&json!(true)),
        Err(SchemaError::NotAnObject)
    );
    assert_eq!(
        to_swaig_parameters(&json!({"type": ["object", "null"], "properties": {}})),
        Err(SchemaError::NotAnObject)
    );
    let err = to_swaig_parameters(&full::<Anything>());
    assert!(
        matches!(&err, Err(SchemaError::Unsupported { field, .. }) if field == "value"),
        "{err:?}"
    );
    let err = to_swaig_parameters(&json!({"type": "object", "properties": {
        "t": {"type": "array", "prefixItems": [{"type": "string"}], "items": false}}}));
    assert!(
        matches!(err, Err(SchemaError::Unsupported { .. })),
        "{err:?}"
    );
    let err = to_swaig_parameters(&json!({"type": "object", "properties": {
        "n": {"type": "string", "not": {"const": "x"}}}}));
    assert!(
        matches!(err, Err(SchemaError::Unsupported { .. })),
        "{err:?}"
    );
    let err = to_swaig_parameters(&json!({"type": "object", "properties": {
        "r": {"$ref": "https://example.com/x.json"}}}));
    assert!(matches!(err, Err(SchemaError::UnresolvedRef(_))), "{err:?}");
    // Display never panics and names the problem.
    let shown = SchemaError::RecursiveType("Node".into()).to_string();
    assert!(shown.contains("Node"));
}

/// Validates a `parameters` object against the official SWML schema by
/// embedding it in a minimal SWML document.
fn official_check(validator: &jsonschema::Validator, params: &Value) -> bool {
    let doc = json!({
        "version": "1.0.0",
        "sections": {"main": [{"ai": {
            "prompt": {"text": "x"},
            "SWAIG": {"functions": [{
                "function": "f",
                "description": "d",
                "parameters": params
            }]}
        }}]}
    });
    validator.is_valid(&doc)
}

fn official_validator() -> jsonschema::Validator {
    let text = match std::fs::read_to_string(SWML_SCHEMA) {
        Ok(text) => text,
        Err(e) => panic!("cannot read {SWML_SCHEMA}: {e}"),
    };
    let schema: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    match jsonschema::options().build(&schema) {
        Ok(v) => v,
        Err(e) => panic!("official schema did not compile: {e}"),
    }
}

/// The marker is in the full schema at every secret position and nowhere
/// in what the model is told, which says the same as without it.
#[test]
fn the_sensitivity_marker_stays_out_of_the_parameters() {
    let marker = crate::secret::SENSITIVE_MARKER;
    let raw = full::<Secrets>();
    assert_eq!(raw.to_string().matches(marker).count(), 6, "{raw}");
    let told = params::<Secrets>();
    assert!(!told.to_string().contains(marker), "{told}");
    assert_eq!(
        told["properties"]["maybe"],
        json!({"type": "string", "nullable": true, "description": "Maybe a secret."})
    );
    assert_eq!(
        told["properties"]["marked"],
        json!({"type": "string", "description": "Marked on the field, with a rule. Must be at least 4 characters long."})
    );
    assert_eq!(
        told["properties"]["account"]["properties"]["word"],
        json!({"type": "string", "description": "The word that unlocks it."})
    );
}

#[test]
fn every_normalised_output_passes_the_official_schema() {
    let validator = official_validator();
    // Sanity: the harness accepts a known-good minimal document and
    // rejects a known-bad one.
    assert!(official_check(
        &validator,
        &json!({"type": "object", "properties": {}})
    ));
    assert!(!official_check(
        &validator,
        &json!({"type": "object", "properties": {"a": {"type": "integer", "minimum": 0}}})
    ));

    let fulls = [
        full::<Transfer>(),
        full::<Order>(),
        full::<Misc>(),
        full::<Empty>(),
        full::<LineItem>(),
        full::<Address>(),
        full::<Secrets>(),
    ];
    let empty = full::<Empty>();
    for raw in &fulls {
        let params = to_swaig_parameters(raw).unwrap_or(Value::Null);
        assert!(
            official_check(&validator, &params),
            "normalised output rejected: {params}"
        );
        // The raw schemars output is rejected, so this check has teeth.
        if raw != &empty {
            assert!(
                !official_check(&validator, raw),
                "raw output accepted: {raw}"
            );
        }
    }
}
