//! Run-time enforcement of a tool's full argument schema.
//!
//! [`ArgsValidator`] is compiled once, at start-up, from the full JSON Schema
//! of the Rust argument type (the same schema that
//! [`to_swaig_parameters`](super::to_swaig_parameters) normalises for the
//! model). A failed validation yields [`Violations`]: which field broke which
//! rule, worded by [`Rule::phrase`] from the schema and the error kind —
//! never from the offending value, and never naming fields the caller
//! invented.

mod describe;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::fmt;

use jsonschema::JsonType;
use serde_json::{Map, Value};

use self::describe::Describer;
use super::SchemaError;
use super::rules::Rule;
use super::stated::{declared_integer_width, integer_number};

/// At most this many violations are reported to the model.
pub(crate) const MAX_REPORTED: usize = 5;

/// Rules longer than this many characters (long patterns or enum lists) are
/// shortened.
const MAX_RULE_CHARS: usize = 160;

/// Field name used for the arguments object itself.
const ROOT_FIELD: &str = "(arguments)";

/// Keywords whose values are data, not subschemas.
const DATA_KEYWORDS: &[&str] = &["const", "enum", "default", "examples"];

/// Validates tool arguments against the full schema of their Rust type.
///
/// Built once per tool at start-up; [`validate`](Self::validate) runs per
/// request.
pub struct ArgsValidator {
    validator: jsonschema::Validator,
    /// Every property name the schema declares; only these are ever echoed.
    declared: BTreeSet<String>,
    /// The schema as given, where the whole rule behind a broken keyword is
    /// read, from the same keywords its description was written from.
    schema: Value,
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
pub(crate) struct Violation {
    /// Dotted path of the field (`to_account`, `items[2].qty`), or
    /// `(arguments)` for the arguments object itself. Undeclared object keys
    /// appear as `*`.
    pub(crate) field: String,
    /// The rule in plain words, e.g. `must be at most 10000`.
    pub(crate) rule: String,
}

impl Violation {
    /// A violation of `rule` by `field`.
    pub(crate) fn new(field: impl Into<String>, rule: &Rule) -> Self {
        Violation {
            field: field.into(),
            rule: shorten(rule.phrase()),
        }
    }
}

/// The rules a set of arguments broke (at most five of them), as reported
/// to the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violations {
    items: Vec<Violation>,
    omitted: usize,
}

impl Violations {
    /// The names of the fields at fault (schema-declared names only), for
    /// audit records.
    #[must_use]
    pub(crate) fn fields(&self) -> Vec<String> {
        self.items.iter().map(|v| v.field.clone()).collect()
    }

    /// The reported violations, in schema order.
    #[cfg(test)]
    pub(crate) fn violations(&self) -> &[Violation] {
        &self.items
    }

    /// How many further violations were found but not reported.
    #[cfg(test)]
    pub(crate) fn omitted(&self) -> usize {
        self.omitted
    }

    /// The text handed back to the model as the SWAIG `response`, e.g.
    /// "The arguments were not accepted: `amount` must be between 0.01 and
    /// 10000. Ask the caller for the correct values and try again."
    #[must_use]
    pub(crate) fn to_model_message(&self) -> String {
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

impl From<Vec<Violation>> for Violations {
    fn from(items: Vec<Violation>) -> Self {
        Violations { items, omitted: 0 }
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
            schema: full.clone(),
        })
    }

    /// Checks `args` against every rule of the schema.
    ///
    /// # Errors
    ///
    /// [`Violations`] listing which field broke which rule (never the value).
    pub fn validate(&self, args: &Value) -> Result<(), Violations> {
        if !args.is_object() {
            let rule = Rule::Type(vec![JsonType::Object]);
            return Err(Violations::from_list(vec![Violation::new(
                ROOT_FIELD, &rule,
            )]));
        }
        if self.validator.is_valid(args) {
            return Ok(());
        }
        let describer = Describer {
            declared: &self.declared,
            schema: &self.schema,
            args,
        };
        let mut list = Vec::new();
        for error in self.validator.iter_errors(args) {
            describer.describe(&error, &mut list);
        }
        if list.is_empty() {
            list.push(Violation::new(ROOT_FIELD, &Rule::Invalid));
        }
        Err(Violations::from_list(list))
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

/// Adds the ranges implied by integer `format`s (`uint8`, ...) as explicit
/// `minimum`/`maximum` where the schema does not already say something
/// tighter.
fn enforce_integer_widths(schema: &mut Value) {
    match schema {
        Value::Object(obj) => {
            if let Some((min, max)) = declared_integer_width(obj) {
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
    let Some(number) = integer_number(bound) else {
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
