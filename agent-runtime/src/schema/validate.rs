//! Run-time enforcement of a tool's full argument schema.
//!
//! [`ArgsValidator`] is compiled once, at start-up, from the full JSON Schema
//! of the Rust argument type (the same schema that
//! [`crate::schema::to_swaig_parameters`] normalises for the model). A failed
//! validation yields [`Violations`]: which field broke which rule, in words
//! built only from the schema and the error kind — never from the offending
//! value, and never naming fields the caller invented.

use std::collections::BTreeSet;
use std::fmt;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::{Location, LocationSegment};
use jsonschema::{JsonType, ValidationError};
use serde_json::{Map, Number, Value};

use crate::schema::{SchemaError, display_value, format_number, integer_width};

/// At most this many violations are reported to the model.
pub const MAX_REPORTED: usize = 5;

/// Rules longer than this many characters (long patterns or enum lists) are
/// shortened.
const MAX_RULE_CHARS: usize = 160;

/// Field name used for the arguments object itself.
const ROOT_FIELD: &str = "(arguments)";

/// Placeholder for an object key that the schema does not declare (the key
/// itself is caller input and is never echoed).
const UNDECLARED_KEY: &str = "*";

/// Validates tool arguments against the full schema of their Rust type.
pub struct ArgsValidator {
    validator: jsonschema::Validator,
    /// Every property name the schema declares; only these are ever echoed.
    declared: BTreeSet<String>,
}

impl fmt::Debug for ArgsValidator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArgsValidator")
            .field("declared", &self.declared)
            .finish_non_exhaustive()
    }
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Dotted path of the field (`to_account`, `items[2].qty`), or
    /// `(arguments)` for the arguments object itself. Undeclared object keys
    /// appear as `*`.
    pub field: String,
    /// The rule in plain words, e.g. `must be at most 10000`.
    pub rule: String,
}

/// The rules a set of arguments broke (at most [`MAX_REPORTED`] of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violations {
    items: Vec<Violation>,
    omitted: usize,
}

impl Violations {
    /// The names of the fields at fault (schema-declared names only), for
    /// audit records.
    #[must_use]
    pub fn fields(&self) -> Vec<String> {
        self.items.iter().map(|v| v.field.clone()).collect()
    }

    /// The reported violations, in schema order.
    #[must_use]
    pub fn violations(&self) -> &[Violation] {
        &self.items
    }

    /// How many further violations were found but not reported.
    #[must_use]
    pub fn omitted(&self) -> usize {
        self.omitted
    }

    /// The text handed back to the model as the SWAIG `response`, e.g.
    /// "The arguments were not accepted: `amount` must be at most 10000. Ask
    /// the caller for the correct values and try again."
    #[must_use]
    pub fn to_model_message(&self) -> String {
        let parts: Vec<String> = self
            .items
            .iter()
            .map(|v| format!("`{}` {}", v.field, v.rule))
            .collect();
        let mut msg = String::from("The arguments were not accepted: ");
        msg.push_str(&parts.join("; "));
        match self.omitted {
            0 => {}
            1 => msg.push_str("; and 1 more problem"),
            n => msg.push_str(&format!("; and {n} more problems")),
        }
        msg.push_str(". Ask the caller for the correct values and try again.");
        msg
    }

    fn from_list(list: Vec<Violation>) -> Self {
        let mut items: Vec<Violation> = Vec::new();
        for v in list {
            if !items.contains(&v) {
                items.push(v);
            }
        }
        let omitted = items.len().saturating_sub(MAX_REPORTED);
        items.truncate(MAX_REPORTED);
        Self { items, omitted }
    }
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_model_message())
    }
}

impl std::error::Error for Violations {}

impl ArgsValidator {
    /// Compiles the validator from the FULL schema of the argument type
    /// (`schemars` output, with `$defs`). Integer widths given only as
    /// `format` (`uint8`, `int32`, ...) are enforced as ranges, formats are
    /// checked, and unknown top-level fields are rejected even when the type
    /// does not say `deny_unknown_fields`.
    ///
    /// # Errors
    ///
    /// [`SchemaError::NotAnObject`] when the schema does not describe an
    /// object, [`SchemaError::Invalid`] when it does not compile.
    pub fn new(full: &Value) -> Result<Self, SchemaError> {
        let Value::Object(root) = full else {
            return Err(SchemaError::NotAnObject);
        };
        match root.get("type") {
            None => {}
            Some(Value::String(t)) if t == "object" => {}
            Some(_) => return Err(SchemaError::NotAnObject),
        }
        let mut schema = full.clone();
        enforce_integer_widths(&mut schema);
        if let Value::Object(root) = &mut schema
            && !root.contains_key("additionalProperties")
            && !root.contains_key("unevaluatedProperties")
        {
            root.insert("unevaluatedProperties".into(), Value::Bool(false));
        }
        let mut declared = BTreeSet::new();
        collect_declared_names(&schema, &mut declared);

        let mut options = jsonschema::options().should_validate_formats(true);
        if !root.contains_key("$schema") {
            options = options.with_draft(jsonschema::Draft::Draft202012);
        }
        let validator = options.build(&schema).map_err(|e| {
            SchemaError::Invalid(format!("{} at {}", e.kind().keyword(), e.schema_path()))
        })?;
        Ok(Self {
            validator,
            declared,
        })
    }

    /// Checks `args` against every rule of the schema.
    ///
    /// # Errors
    ///
    /// [`Violations`] listing which field broke which rule (never the value).
    pub fn validate(&self, args: &Value) -> Result<(), Violations> {
        if !args.is_object() {
            return Err(Violations::from_list(vec![Violation {
                field: ROOT_FIELD.to_owned(),
                rule: "must be an object".to_owned(),
            }]));
        }
        if self.validator.is_valid(args) {
            return Ok(());
        }
        let mut list = Vec::new();
        for error in self.validator.iter_errors(args) {
            self.describe(&error, args, &mut list);
        }
        if list.is_empty() {
            list.push(Violation {
                field: ROOT_FIELD.to_owned(),
                rule: "are not valid".to_owned(),
            });
        }
        Err(Violations::from_list(list))
    }

    /// The dotted field name for an instance location, echoing only keys the
    /// schema declares (walks the instance so numeric-looking keys of objects
    /// are not mistaken for array indices).
    fn field_name(&self, location: &Location, args: &Value) -> String {
        let mut name = String::new();
        let mut current = Some(args);
        for segment in location.segments() {
            let key = match &segment {
                LocationSegment::Property(p) => p.to_string(),
                LocationSegment::Index(i) => i.to_string(),
            };
            match current {
                Some(Value::Array(items)) => {
                    let index = key.parse::<usize>().ok();
                    match index {
                        Some(i) if i < items.len() => {
                            name.push_str(&format!("[{i}]"));
                            current = items.get(i);
                        }
                        _ => {
                            name.push_str("[*]");
                            current = None;
                        }
                    }
                }
                _ => {
                    if !name.is_empty() {
                        name.push('.');
                    }
                    if self.declared.contains(&key) {
                        name.push_str(&key);
                    } else {
                        name.push_str(UNDECLARED_KEY);
                    }
                    current = current.and_then(|c| c.get(&key));
                }
            }
        }
        if name.is_empty() {
            ROOT_FIELD.to_owned()
        } else {
            name
        }
    }

    fn describe(&self, error: &ValidationError<'_>, args: &Value, out: &mut Vec<Violation>) {
        let field = self.field_name(error.instance_path(), args);
        let rule = match error.kind() {
            ValidationErrorKind::Required { property } => {
                let prop = property.as_str().unwrap_or_default();
                let name = if self.declared.contains(prop) {
                    prop
                } else {
                    UNDECLARED_KEY
                };
                let field = if field == ROOT_FIELD {
                    name.to_owned()
                } else {
                    format!("{field}.{name}")
                };
                out.push(Violation {
                    field,
                    rule: "is required".to_owned(),
                });
                return;
            }
            ValidationErrorKind::AnyOf { context }
            | ValidationErrorKind::OneOfNotValid { context } => {
                self.describe_union(error, context, args, field, out);
                return;
            }
            ValidationErrorKind::AdditionalProperties { .. }
            | ValidationErrorKind::UnevaluatedProperties { .. } => {
                "must not contain unknown fields".to_owned()
            }
            ValidationErrorKind::Type { kind } => format!("must be {}", type_kind_phrase(kind)),
            ValidationErrorKind::Minimum { limit } => format!("must be at least {}", num(limit)),
            ValidationErrorKind::Maximum { limit } => format!("must be at most {}", num(limit)),
            ValidationErrorKind::ExclusiveMinimum { limit } => {
                format!("must be greater than {}", num(limit))
            }
            ValidationErrorKind::ExclusiveMaximum { limit } => {
                format!("must be less than {}", num(limit))
            }
            ValidationErrorKind::MultipleOf { multiple_of } => {
                format!("must be a multiple of {multiple_of}")
            }
            ValidationErrorKind::MinLength { limit } => {
                format!(
                    "must be at least {limit} {} long",
                    plural(*limit, "character")
                )
            }
            ValidationErrorKind::MaxLength { limit } => {
                format!(
                    "must be at most {limit} {} long",
                    plural(*limit, "character")
                )
            }
            ValidationErrorKind::Pattern { pattern } => {
                format!("must match the pattern {pattern}")
            }
            ValidationErrorKind::Format { format } => format!("must be a valid {format}"),
            ValidationErrorKind::Enum { options } => {
                format!("must be one of: {}", list_values(options))
            }
            ValidationErrorKind::Constant { expected_value } => {
                format!("must be exactly {}", display_value(expected_value))
            }
            ValidationErrorKind::MinItems { limit } => {
                format!("must have at least {limit} {}", plural(*limit, "item"))
            }
            ValidationErrorKind::MaxItems { limit } => {
                format!("must have at most {limit} {}", plural(*limit, "item"))
            }
            ValidationErrorKind::UniqueItems => "must not contain duplicate items".to_owned(),
            ValidationErrorKind::MinProperties { limit } => {
                format!("must have at least {limit} {}", plural(*limit, "field"))
            }
            ValidationErrorKind::MaxProperties { limit } => {
                format!("must have at most {limit} {}", plural(*limit, "field"))
            }
            ValidationErrorKind::OneOfMultipleValid { .. } => {
                "matches more than one of the allowed forms".to_owned()
            }
            ValidationErrorKind::FalseSchema | ValidationErrorKind::Not { .. } => {
                "is not allowed".to_owned()
            }
            ValidationErrorKind::PropertyNames { .. } => {
                "has a field name that is not allowed".to_owned()
            }
            // Kinds the schemas in use do not produce, or whose detail could
            // carry caller input: stated without detail.
            _ => "is not valid".to_owned(),
        };
        out.push(Violation {
            field,
            rule: shorten(rule),
        });
    }

    /// Explains a failed `anyOf`/`oneOf`: when exactly one alternative is
    /// plausible (its type fits and no tag constant failed), report its own
    /// errors; otherwise summarise the allowed types or constants.
    fn describe_union(
        &self,
        error: &ValidationError<'_>,
        context: &[Vec<ValidationError<'static>>],
        args: &Value,
        field: String,
        out: &mut Vec<Violation>,
    ) {
        let here = error.instance_path();
        let type_mismatch = |branch: &Vec<ValidationError<'static>>| {
            branch.iter().any(|e| {
                e.instance_path() == here && matches!(e.kind(), ValidationErrorKind::Type { .. })
            })
        };
        let viable: Vec<&Vec<ValidationError<'static>>> =
            context.iter().filter(|b| !type_mismatch(b)).collect();
        let untagged: Vec<&&Vec<ValidationError<'static>>> = viable
            .iter()
            .filter(|b| {
                !b.iter()
                    .any(|e| matches!(e.kind(), ValidationErrorKind::Constant { .. }))
            })
            .collect();
        let chosen = match (viable.as_slice(), untagged.as_slice()) {
            ([only], _) => Some(*only),
            (_, [only]) => Some(**only),
            _ => None,
        };
        if let Some(branch) = chosen {
            for e in branch {
                self.describe(e, args, out);
            }
            return;
        }

        // A tagged enum whose tag matches no variant: every alternative fails
        // on a constant at the same (tag) location.
        let mut tag_location: Option<&Location> = None;
        let mut tag_values: Vec<String> = Vec::new();
        let tagged = !context.is_empty()
            && context.iter().all(|branch| {
                branch.iter().any(|e| match e.kind() {
                    ValidationErrorKind::Constant { expected_value }
                        if e.instance_path() != here
                            && tag_location.is_none_or(|t| t == e.instance_path()) =>
                    {
                        tag_location = Some(e.instance_path());
                        tag_values.push(display_value(expected_value));
                        true
                    }
                    _ => false,
                })
            });
        if let (true, Some(location)) = (tagged, tag_location) {
            out.push(Violation {
                field: self.field_name(location, args),
                rule: shorten(format!("must be one of: {}", tag_values.join(", "))),
            });
            return;
        }

        // Every alternative is a constant at this location: list them.
        let mut constants = Vec::new();
        let all_constants = !context.is_empty()
            && context.iter().all(|b| match b.as_slice() {
                [only] if only.instance_path() == here => match only.kind() {
                    ValidationErrorKind::Constant { expected_value } => {
                        constants.push(display_value(expected_value));
                        true
                    }
                    ValidationErrorKind::Enum { options } => {
                        constants.push(list_values(options));
                        true
                    }
                    _ => false,
                },
                _ => false,
            });
        let rule = if all_constants {
            format!("must be one of: {}", constants.join(", "))
        } else if viable.is_empty() {
            let mut phrases: Vec<String> = Vec::new();
            for branch in context {
                for e in branch {
                    if let ValidationErrorKind::Type { kind } = e.kind()
                        && e.instance_path() == here
                    {
                        let phrase = type_kind_phrase(kind);
                        if !phrases.contains(&phrase) {
                            phrases.push(phrase);
                        }
                    }
                }
            }
            if phrases.is_empty() {
                "does not match any of the allowed forms".to_owned()
            } else {
                format!("must be {}", phrases.join(" or "))
            }
        } else {
            "does not match any of the allowed forms".to_owned()
        };
        out.push(Violation {
            field,
            rule: shorten(rule),
        });
    }
}

fn num(limit: &Value) -> String {
    match limit {
        Value::Number(n) => format_number(n),
        other => display_value(other),
    }
}

fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        noun.to_owned()
    } else {
        format!("{noun}s")
    }
}

fn list_values(options: &Value) -> String {
    match options {
        Value::Array(values) => values
            .iter()
            .map(display_value)
            .collect::<Vec<_>>()
            .join(", "),
        other => display_value(other),
    }
}

fn type_phrase(ty: JsonType) -> &'static str {
    match ty {
        JsonType::Null => "null",
        JsonType::Boolean => "true or false",
        JsonType::Integer => "a whole number",
        JsonType::Number => "a number",
        JsonType::String => "a string",
        JsonType::Array => "a list",
        JsonType::Object => "an object",
    }
}

fn type_kind_phrase(kind: &TypeKind) -> String {
    match kind {
        TypeKind::Single(t) => type_phrase(*t).to_owned(),
        TypeKind::Multiple(set) => {
            let mut phrases: Vec<&str> = set.iter().map(type_phrase).collect();
            // "a number" already covers "a whole number".
            if phrases.contains(&"a number") {
                phrases.retain(|p| *p != "a whole number");
            }
            // Put null last: "a string or null".
            phrases.sort_by_key(|p| *p == "null");
            phrases.join(" or ")
        }
    }
}

/// Shortens a rule on a character boundary.
fn shorten(rule: String) -> String {
    if rule.chars().count() <= MAX_RULE_CHARS {
        return rule;
    }
    let mut short: String = rule.chars().take(MAX_RULE_CHARS - 1).collect();
    short.push('…');
    short
}

/// Keywords whose values are data, not subschemas.
const DATA_KEYWORDS: &[&str] = &["const", "enum", "default", "examples"];

/// Adds the ranges implied by integer `format`s (`uint8`, ...) as explicit
/// `minimum`/`maximum` where the schema does not already say something
/// tighter.
fn enforce_integer_widths(schema: &mut Value) {
    match schema {
        Value::Object(obj) => {
            let is_integer = match obj.get("type") {
                Some(Value::String(t)) => t == "integer",
                Some(Value::Array(ts)) => ts.iter().any(|t| t == "integer"),
                _ => false,
            };
            let width = obj
                .get("format")
                .and_then(Value::as_str)
                .and_then(integer_width);
            if let (true, Some((min, max))) = (is_integer, width) {
                tighten(obj, "minimum", min, |new, old| new > old);
                tighten(obj, "maximum", max, |new, old| new < old);
            }
            for (key, value) in obj.iter_mut() {
                if key == "properties" || key == "$defs" || key == "definitions" {
                    if let Value::Object(children) = value {
                        for child in children.values_mut() {
                            enforce_integer_widths(child);
                        }
                    }
                } else if !DATA_KEYWORDS.contains(&key.as_str()) {
                    enforce_integer_widths(value);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                enforce_integer_widths(item);
            }
        }
        _ => {}
    }
}

fn tighten(obj: &mut Map<String, Value>, key: &str, bound: i128, tighter: fn(f64, f64) -> bool) {
    let number = if let Ok(i) = i64::try_from(bound) {
        Number::from(i)
    } else if let Ok(u) = u64::try_from(bound) {
        Number::from(u)
    } else {
        return;
    };
    #[allow(clippy::cast_precision_loss)]
    let new = bound as f64;
    let replace = match obj.get(key).and_then(Value::as_f64) {
        None => true,
        Some(old) => tighter(new, old),
    };
    if replace {
        obj.insert(key.to_owned(), Value::Number(number));
    }
}

/// Collects every property name the schema declares (`properties` keys and
/// `required` entries).
fn collect_declared_names(schema: &Value, names: &mut BTreeSet<String>) {
    match schema {
        Value::Object(obj) => {
            for (key, value) in obj {
                match (key.as_str(), value) {
                    ("properties", Value::Object(props)) => {
                        for (name, child) in props {
                            names.insert(name.clone());
                            collect_declared_names(child, names);
                        }
                    }
                    ("required", Value::Array(required)) => {
                        names.extend(required.iter().filter_map(Value::as_str).map(str::to_owned));
                    }
                    (k, _) if DATA_KEYWORDS.contains(&k) => {}
                    _ => collect_declared_names(value, names),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_declared_names(item, names);
            }
        }
        _ => {}
    }
}

impl From<Vec<Violation>> for Violations {
    fn from(items: Vec<Violation>) -> Self {
        Violations { items, omitted: 0 }
    }
}

impl Violation {
    /// A violation of `rule` by `field`.
    pub fn new(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Violation {
            field: field.into(),
            rule: rule.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use schemars::{JsonSchema, schema_for};
    use serde::Deserialize;
    use serde_json::{Value, json};

    use super::{ArgsValidator, MAX_REPORTED, Violation};

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
                "must be at most 10000",
            ),
            (
                with(&["amount"], json!(0)),
                "amount",
                "must be at least 0.01",
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
                "must be at most 10 characters long",
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
                "must have at least 1 item",
            ),
            (
                with(
                    &["items"],
                    json!([{"sku": "abc", "qty": 1}, {"sku": "abc", "qty": 1},
                    {"sku": "abc", "qty": 1}, {"sku": "abc", "qty": 1}]),
                ),
                "items",
                "must have at most 3 items",
            ),
            (
                with(&["items", "0", "qty"], json!(0)),
                "items[0].qty",
                "must be at least 1",
            ),
            (
                with(
                    &["items", "0", "sku"],
                    json!("SECRET-CANARY-0123456789-0123456789-0123456789"),
                ),
                "items[0].sku",
                "must be at most 40 characters long",
            ),
            (with(&["level"], json!(300)), "level", "must be at most 255"),
            (with(&["level"], json!(-1)), "level", "must be at least 0"),
            (
                with(&["level"], json!(1.5)),
                "level",
                "must be a whole number",
            ),
            (
                with(&["code"], json!(4_111_111_111_111_111_i64)),
                "code",
                "must be at most 2147483647",
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
                "must be at most 255",
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
            message
                .ends_with("more problems. Ask the caller for the correct values and try again."),
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
            "The arguments were not accepted: `amount` must be at most 10000. \
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
    fn validator_is_shareable() {
        fn shareable<T: Send + Sync + 'static>() {}
        shareable::<ArgsValidator>();
        shareable::<super::Violations>();
    }
}
