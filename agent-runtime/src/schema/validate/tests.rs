use std::collections::HashMap;

use schemars::{JsonSchema, schema_for};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ArgsValidator, MAX_REPORTED, Violation};
use crate::schema::Rule;

const CANARIES: &[&str] = &["SECRET-CANARY", "4111111111111111", "canary"];

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum AccountKind {
    Checking,
    Savings,
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
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct LineItem {
    #[schemars(length(min = 3, max = 40))]
    sku: String,
    #[schemars(range(min = 1))]
    qty: u16,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Address {
    street: String,
    #[schemars(regex(pattern = r"^[0-9]{5}$"))]
    zip: String,
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
struct Ticket(#[schemars(extend("exclusiveMinimum" = 0))] i64);

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Transfer {
    /// Amount in dollars.
    #[schemars(range(min = 0.01, max = 10000))]
    amount: f64,
    #[schemars(length(min = 10, max = 10), regex(pattern = r"^[0-9]{10}$"))]
    to_account: String,
    kind: AccountKind,
    speed: Speed,
    #[schemars(length(max = 20))]
    memo: Option<String>,
    ticket: Ticket,
    level: u8,
    code: i32,
    #[schemars(length(min = 1, max = 3))]
    items: Vec<LineItem>,
    address: Option<Address>,
    tags: HashMap<String, u8>,
    payment: Payment,
    #[schemars(email)]
    contact: Option<String>,
}

/// Does not deny unknown fields itself.
#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Lenient {
    name: String,
}

fn validator<T: JsonSchema>() -> ArgsValidator {
    let full = serde_json::to_value(schema_for!(T)).unwrap_or(Value::Null);
    match ArgsValidator::new(&full) {
        Ok(v) => v,
        Err(e) => panic!("validator did not build: {e}"),
    }
}

/// A valid set of arguments that carries a canary in a valid field.
fn valid() -> Value {
    json!({
        "amount": 12.5,
        "to_account": "0123456789",
        "kind": "checking",
        "speed": "Express",
        "memo": "SECRET-CANARY-123",
        "ticket": 7,
        "level": 3,
        "code": -5,
        "items": [{"sku": "abc", "qty": 1}],
        "address": {"street": "Main St", "zip": "12345"},
        "tags": {"SECRET-CANARY-key": 4},
        "payment": {"method": "card", "last4": "1234"},
        "contact": "someone@example.com"
    })
}

fn with(path: &[&str], value: Value) -> Value {
    let mut args = valid();
    let mut slot = &mut args;
    for key in path {
        slot = match (slot.is_array(), key.parse::<usize>()) {
            (true, Ok(i)) => &mut slot[i],
            _ => &mut slot[*key],
        };
    }
    *slot = value;
    args
}

fn without(field: &str) -> Value {
    let mut args = valid();
    if let Some(obj) = args.as_object_mut() {
        obj.remove(field);
    }
    args
}

fn assert_no_canary(text: &str) {
    for canary in CANARIES {
        assert!(!text.contains(canary), "leaked {canary:?} in {text}");
    }
}

#[test]
fn valid_arguments_pass() {
    let v = validator::<Transfer>();
    assert_eq!(v.validate(&valid()), Ok(()));
    assert_eq!(v.validate(&with(&["address"], Value::Null)), Ok(()));
    assert_eq!(v.validate(&without("memo")), Ok(()));
    assert_eq!(v.validate(&without("contact")), Ok(()));
    assert_eq!(
        v.validate(&with(&["payment"], json!({"method": "cash"}))),
        Ok(())
    );
    assert_eq!(v.validate(&with(&["level"], json!(255))), Ok(()));
    assert_eq!(v.validate(&with(&["amount"], json!(10000))), Ok(()));
}

#[test]
fn each_kind_of_rule_is_reported_without_the_value() {
    let canary = json!("SECRET-CANARY-123");
    let card = json!("4111111111111111");
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            with(&["amount"], json!(20000)),
            "amount",
            "must be between 0.01 and 10000",
        ),
        (
            with(&["amount"], json!(0)),
            "amount",
            "must be between 0.01 and 10000",
        ),
        (
            with(&["amount"], canary.clone()),
            "amount",
            "must be a number",
        ),
        (
            with(&["ticket"], json!(0)),
            "ticket",
            "must be greater than 0",
        ),
        (
            with(&["to_account"], card.clone()),
            "to_account",
            "must be 10 characters long",
        ),
        (
            with(&["to_account"], json!("SECRET-CAN")),
            "to_account",
            "must match the pattern ^[0-9]{10}$",
        ),
        (
            with(&["kind"], canary.clone()),
            "kind",
            "must be one of: checking, savings",
        ),
        (
            with(&["speed"], canary.clone()),
            "speed",
            "must be one of: Express, Standard",
        ),
        (without("to_account"), "to_account", "is required"),
        (
            with(&["SECRET-CANARY-field"], json!(1)),
            "(arguments)",
            "must not contain unknown fields",
        ),
        (
            with(&["address", "SECRET-CANARY-field"], json!(1)),
            "address",
            "must not contain unknown fields",
        ),
        (
            with(&["items", "0", "4111111111111111"], json!(1)),
            "items[0]",
            "must not contain unknown fields",
        ),
        (
            with(&["items"], json!([])),
            "items",
            "must have 1 to 3 items",
        ),
        (
            with(
                &["items"],
                json!([{"sku": "abc", "qty": 1}, {"sku": "abc", "qty": 1},
                {"sku": "abc", "qty": 1}, {"sku": "abc", "qty": 1}]),
            ),
            "items",
            "must have 1 to 3 items",
        ),
        (
            with(&["items", "0", "qty"], json!(0)),
            "items[0].qty",
            "must be between 1 and 65535",
        ),
        (
            with(
                &["items", "0", "sku"],
                json!("SECRET-CANARY-0123456789-0123456789-0123456789"),
            ),
            "items[0].sku",
            "must be 3 to 40 characters long",
        ),
        (
            with(&["level"], json!(300)),
            "level",
            "must be between 0 and 255",
        ),
        (
            with(&["level"], json!(-1)),
            "level",
            "must be between 0 and 255",
        ),
        (
            with(&["level"], json!(1.5)),
            "level",
            "must be a whole number",
        ),
        (
            with(&["code"], json!(4_111_111_111_111_111_i64)),
            "code",
            "must be between -2147483648 and 2147483647",
        ),
        (
            with(&["address"], canary.clone()),
            "address",
            "must be an object or null",
        ),
        (
            with(&["address", "zip"], canary.clone()),
            "address.zip",
            "must match the pattern ^[0-9]{5}$",
        ),
        (
            with(
                &["tags", "SECRET-CANARY-key"],
                json!(4_111_111_111_111_111_i64),
            ),
            "tags.*",
            "must be between 0 and 255",
        ),
        (
            with(&["payment"], json!({"method": "card"})),
            "payment.last4",
            "is required",
        ),
        (
            with(&["payment", "method"], canary.clone()),
            "payment.method",
            "must be one of: card, cash",
        ),
        (
            with(&["contact"], canary.clone()),
            "contact",
            "must be a valid email",
        ),
        (canary.clone(), "(arguments)", "must be an object"),
        (json!([card.clone()]), "(arguments)", "must be an object"),
    ];
    let v = validator::<Transfer>();
    for (args, field, rule) in cases {
        let err = match v.validate(&args) {
            Ok(()) => panic!("accepted: {field} {rule}"),
            Err(e) => e,
        };
        let expected = Violation {
            field: field.to_owned(),
            rule: rule.to_owned(),
        };
        assert!(
            err.violations().contains(&expected),
            "expected `{field}` {rule}; got {:?}",
            err.violations()
        );
        let message = err.to_model_message();
        assert!(message.contains(&format!("`{field}` {rule}")), "{message}");
        assert_no_canary(&message);
        assert_no_canary(&format!("{err}"));
        assert_no_canary(&format!("{err:?}"));
    }
}

#[test]
fn message_is_capped_and_readable() {
    let v = validator::<Transfer>();
    let args = json!({"SECRET-CANARY-a": 1, "amount": "SECRET-CANARY-b"});
    let err = match v.validate(&args) {
        Ok(()) => panic!("accepted"),
        Err(e) => e,
    };
    assert_eq!(err.violations().len(), MAX_REPORTED);
    assert!(err.omitted() > 0);
    let message = err.to_model_message();
    assert!(
        message.starts_with("The arguments were not accepted: `"),
        "{message}"
    );
    assert!(
        message.ends_with("more problems. Ask the caller for the correct values and try again."),
        "{message}"
    );
    assert!(message.len() < 1200, "{message}");
    assert_no_canary(&message);

    let err = match v.validate(&with(&["amount"], json!(20000))) {
        Ok(()) => panic!("accepted"),
        Err(e) => e,
    };
    assert_eq!(
        err.to_model_message(),
        "The arguments were not accepted: `amount` must be between 0.01 and 10000. \
         Ask the caller for the correct values and try again."
    );
}

#[test]
fn unknown_top_level_fields_are_rejected_even_when_the_type_allows_them() {
    let v = validator::<Lenient>();
    assert_eq!(v.validate(&json!({"name": "x"})), Ok(()));
    let err = v.validate(&json!({"name": "x", "SECRET-CANARY": 1}));
    assert_eq!(
        err.map_err(|e| e.violations().to_vec()),
        Err(vec![Violation {
            field: "(arguments)".into(),
            rule: "must not contain unknown fields".into()
        }])
    );
}

#[test]
fn schema_must_describe_an_object() {
    let full = serde_json::to_value(schema_for!(u8)).unwrap_or(Value::Null);
    assert!(ArgsValidator::new(&full).is_err());
    assert!(ArgsValidator::new(&json!("x")).is_err());
}

#[test]
fn long_rules_are_shortened_on_a_character_boundary() {
    let values = (0..100).map(|i| json!(format!("option-{i}"))).collect();
    let violation = Violation::new("choice", &Rule::OneOf(values));
    assert_eq!(violation.rule.chars().count(), 160);
    assert!(
        violation
            .rule
            .starts_with("must be one of: option-0, option-1")
    );
    assert!(violation.rule.ends_with('…'));
}

#[test]
fn validator_is_shareable() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<ArgsValidator>();
    shareable::<super::Violations>();
}
