//! Turning the validator's errors into [`Violation`]s: which field, which
//! [`Rule`].
//!
//! Where a keyword is one half of a rule (`minLength` of "3 to 10 characters
//! long"), the whole rule is read from the schema the keyword sits in, through
//! the same functions the description was written with, so the model is
//! told again exactly what it was told before. This runs only when arguments
//! are refused.

use std::collections::BTreeSet;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::{Location, LocationSegment};
use jsonschema::{JsonType, ValidationError};
use serde_json::{Map, Number, Value};

use super::{ROOT_FIELD, Violation};
use crate::schema::rules::{Bound, Counted, Extent, Interval, Rule};
use crate::schema::stated;

/// Placeholder for an object key that the schema does not declare (the key
/// itself is caller input and is never echoed).
const UNDECLARED_KEY: &str = "*";

/// Describes the errors of one refused set of arguments.
pub(super) struct Describer<'a> {
    /// Every property name the schema declares; only these are echoed.
    pub(super) declared: &'a BTreeSet<String>,
    /// The schema as given (without the validator's additions).
    pub(super) schema: &'a Value,
    /// The arguments that were refused (read for their shape only).
    pub(super) args: &'a Value,
}

/// Which side of a range a bound keyword limits.
#[derive(Clone, Copy)]
enum Side {
    Lower,
    Upper,
}

impl Describer<'_> {
    /// Adds the violations `error` stands for to `out`.
    pub(super) fn describe(&self, error: &ValidationError<'_>, out: &mut Vec<Violation>) {
        let field = self.field_name(error.instance_path());
        match error.kind() {
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
                out.push(Violation::new(field, &Rule::Required));
            }
            ValidationErrorKind::AnyOf { context }
            | ValidationErrorKind::OneOfNotValid { context } => {
                self.describe_union(error, context, field, out);
            }
            kind => out.push(Violation::new(field, &self.rule(kind, error.schema_path()))),
        }
    }

    /// The rule behind an error that concerns one value.
    fn rule(&self, kind: &ValidationErrorKind, schema_path: &Location) -> Rule {
        let keywords = || self.keywords_of(schema_path);
        match kind {
            ValidationErrorKind::AdditionalProperties { .. }
            | ValidationErrorKind::UnevaluatedProperties { .. } => Rule::NoUnknownFields,
            ValidationErrorKind::Type { kind } => Rule::Type(types_of(kind)),
            ValidationErrorKind::Minimum { limit } => range(keywords(), limit, false, Side::Lower),
            ValidationErrorKind::ExclusiveMinimum { limit } => {
                range(keywords(), limit, true, Side::Lower)
            }
            ValidationErrorKind::Maximum { limit } => range(keywords(), limit, false, Side::Upper),
            ValidationErrorKind::ExclusiveMaximum { limit } => {
                range(keywords(), limit, true, Side::Upper)
            }
            ValidationErrorKind::MultipleOf { multiple_of } => keywords()
                .and_then(stated::multiple_of)
                .or_else(|| Number::from_f64(*multiple_of).map(Rule::MultipleOf))
                .unwrap_or(Rule::Invalid),
            ValidationErrorKind::MinLength { limit } => length(keywords(), Some(*limit), None),
            ValidationErrorKind::MaxLength { limit } => length(keywords(), None, Some(*limit)),
            ValidationErrorKind::MinItems { limit } => {
                count(keywords(), Counted::Items, Some(*limit), None)
            }
            ValidationErrorKind::MaxItems { limit } => {
                count(keywords(), Counted::Items, None, Some(*limit))
            }
            ValidationErrorKind::MinProperties { limit } => {
                count(keywords(), Counted::Fields, Some(*limit), None)
            }
            ValidationErrorKind::MaxProperties { limit } => {
                count(keywords(), Counted::Fields, None, Some(*limit))
            }
            ValidationErrorKind::Pattern { pattern } => Rule::Pattern(pattern.clone()),
            ValidationErrorKind::Format { format } => Rule::Format(format.clone()),
            ValidationErrorKind::Enum { options } => Rule::OneOf(values_of(options)),
            ValidationErrorKind::Constant { expected_value } => {
                Rule::OneOf(vec![Value::clone(expected_value)])
            }
            ValidationErrorKind::UniqueItems => Rule::UniqueItems,
            ValidationErrorKind::OneOfMultipleValid { .. } => Rule::AmbiguousForm,
            ValidationErrorKind::FalseSchema | ValidationErrorKind::Not { .. } => Rule::NotAllowed,
            ValidationErrorKind::PropertyNames { .. } => Rule::FieldNameNotAllowed,
            // Kinds the schemas in use do not produce, or whose detail could
            // carry caller input: stated without detail.
            _ => Rule::Invalid,
        }
    }

    /// The schema object that holds the keyword at `schema_path` (a canonical
    /// pointer into the schema as given, `$ref`s already followed).
    fn keywords_of(&self, schema_path: &Location) -> Option<&Map<String, Value>> {
        let (parent, _keyword) = schema_path.as_str().rsplit_once('/')?;
        self.schema.pointer(parent)?.as_object()
    }

    /// Explains a failed `anyOf`/`oneOf`: when exactly one alternative is
    /// plausible (its type fits and no tag constant failed), report its own
    /// errors; otherwise summarise the allowed types or constants.
    fn describe_union(
        &self,
        error: &ValidationError<'_>,
        context: &[Vec<ValidationError<'static>>],
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
                self.describe(e, out);
            }
            return;
        }
        if let Some((location, tags)) = failed_tag(here, context) {
            out.push(Violation::new(
                self.field_name(location),
                &Rule::OneOf(tags),
            ));
            return;
        }
        let rule = if let Some(constants) = constant_alternatives(here, context) {
            Rule::OneOf(constants)
        } else if viable.is_empty() {
            let types: Vec<JsonType> = context
                .iter()
                .flatten()
                .filter(|e| e.instance_path() == here)
                .filter_map(|e| match e.kind() {
                    ValidationErrorKind::Type { kind } => Some(types_of(kind)),
                    _ => None,
                })
                .flatten()
                .collect();
            if types.is_empty() {
                Rule::NoMatchingForm
            } else {
                Rule::Type(types)
            }
        } else {
            Rule::NoMatchingForm
        };
        out.push(Violation::new(field, &rule));
    }

    /// The dotted field name for an instance location, echoing only keys the
    /// schema declares (walks the instance so numeric-looking keys of objects
    /// are not mistaken for array indices).
    fn field_name(&self, location: &Location) -> String {
        let mut name = String::new();
        let mut current = Some(self.args);
        for segment in location.segments() {
            let key = match &segment {
                LocationSegment::Property(p) => p.to_string(),
                LocationSegment::Index(i) => i.to_string(),
            };
            match current {
                Some(Value::Array(items)) => match key.parse::<usize>().ok() {
                    Some(i) if i < items.len() => {
                        name.push_str(&format!("[{i}]"));
                        current = items.get(i);
                    }
                    _ => {
                        name.push_str("[*]");
                        current = None;
                    }
                },
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
}

/// A tagged enum whose tag matches no variant: every alternative fails on a
/// constant at the same (tag) location below `here`. Returns that location
/// and the allowed tags.
fn failed_tag<'e>(
    here: &Location,
    context: &'e [Vec<ValidationError<'static>>],
) -> Option<(&'e Location, Vec<Value>)> {
    let mut location: Option<&Location> = None;
    let mut tags = Vec::new();
    let tagged = !context.is_empty()
        && context.iter().all(|branch| {
            branch.iter().any(|e| match e.kind() {
                ValidationErrorKind::Constant { expected_value }
                    if e.instance_path() != here
                        && location.is_none_or(|t| t == e.instance_path()) =>
                {
                    location = Some(e.instance_path());
                    tags.push(Value::clone(expected_value));
                    true
                }
                _ => false,
            })
        });
    if tagged {
        location.map(|location| (location, tags))
    } else {
        None
    }
}

/// Every alternative is a constant (or a list of them) at `here`: the
/// allowed values.
fn constant_alternatives(
    here: &Location,
    context: &[Vec<ValidationError<'static>>],
) -> Option<Vec<Value>> {
    let mut values = Vec::new();
    let all_constants = !context.is_empty()
        && context.iter().all(|branch| match branch.as_slice() {
            [only] if only.instance_path() == here => match only.kind() {
                ValidationErrorKind::Constant { expected_value } => {
                    values.push(Value::clone(expected_value));
                    true
                }
                ValidationErrorKind::Enum { options } => {
                    values.extend(values_of(options));
                    true
                }
                _ => false,
            },
            _ => false,
        });
    all_constants.then_some(values)
}

/// The range rule behind a broken bound: the range the schema states when it
/// covers the broken bound (so the model hears the rule it was told), else
/// the broken bound alone (a 64-bit width, which descriptions leave out).
fn range(
    keywords: Option<&Map<String, Value>>,
    limit: &Value,
    exclusive: bool,
    side: Side,
) -> Rule {
    let Some(value) = limit.as_number() else {
        return Rule::Invalid;
    };
    let broken = Bound {
        value: value.clone(),
        exclusive,
    };
    if let Some(Rule::Range(stated)) = keywords.and_then(stated::range) {
        let covers = match side {
            Side::Lower => stated
                .lower()
                .is_some_and(|b| b.magnitude() >= broken.magnitude()),
            Side::Upper => stated
                .upper()
                .is_some_and(|b| b.magnitude() <= broken.magnitude()),
        };
        if covers {
            return Rule::Range(stated);
        }
    }
    Rule::Range(match side {
        Side::Lower => Interval::From(broken),
        Side::Upper => Interval::UpTo(broken),
    })
}

/// The length rule behind a broken string length: the schema's whole rule,
/// or the broken bound alone if the schema cannot be read.
fn length(keywords: Option<&Map<String, Value>>, min: Option<u64>, max: Option<u64>) -> Rule {
    keywords
        .and_then(stated::length)
        .or_else(|| Extent::new(min, max).map(Rule::Length))
        .unwrap_or(Rule::Invalid)
}

/// The count rule behind a broken item or field count: the schema's whole
/// count, or the broken bound alone if the schema cannot be read.
fn count(
    keywords: Option<&Map<String, Value>>,
    counted: Counted,
    min: Option<u64>,
    max: Option<u64>,
) -> Rule {
    keywords
        .and_then(|k| stated::count(k, counted))
        .or_else(|| Extent::new(min, max).map(|extent| Rule::Count(extent, counted)))
        .unwrap_or(Rule::Invalid)
}

fn types_of(kind: &TypeKind) -> Vec<JsonType> {
    match kind {
        TypeKind::Single(t) => vec![*t],
        TypeKind::Multiple(set) => set.iter().collect(),
    }
}

fn values_of(options: &Value) -> Vec<Value> {
    match options {
        Value::Array(values) => values.clone(),
        other => vec![other.clone()],
    }
}
