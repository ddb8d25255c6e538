//! The one wording of every rule a tool's arguments can break.
//!
//! The normaliser states rules in a property's `description` ("Must be 3 to
//! 10 characters long.") and the validator reports the rule a value broke
//! ("`name` must be 3 to 10 characters long"). Both sides build a [`Rule`] and
//! render it here, so the model is told, in the same words, exactly what is
//! enforced. The values shown in a rule come from the schema (bounds, allowed
//! values, patterns), never from the arguments being checked.

use jsonschema::JsonType;
use serde_json::{Number, Value};

/// One rule of a tool's argument schema, as stated to the model and as
/// reported when broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rule {
    /// A required field is missing.
    Required,
    /// The value must have one of these JSON types.
    Type(Vec<JsonType>),
    /// A string's length in characters.
    Length(Extent),
    /// How many items a list, or fields an object, has.
    Count(Extent, Counted),
    /// A number's bounds.
    Range(Interval),
    /// A number must be a multiple of this step.
    MultipleOf(Number),
    /// A string must match this regular expression.
    Pattern(String),
    /// A string must be valid in this format (`email`, `uri-reference`, ...).
    Format(String),
    /// The value must be one of these (one value: exactly this one).
    OneOf(Vec<Value>),
    /// A list must not hold the same item twice.
    UniqueItems,
    /// An object must not have fields beyond those declared.
    NoUnknownFields,
    /// A map: field names are free, values must have `value` type and obey
    /// `value_rules`.
    MapValues {
        /// The object also declares fields of its own.
        other_fields: bool,
        /// The type of every value.
        value: JsonType,
        /// The rules every value obeys besides its type.
        value_rules: Vec<Rule>,
    },
    /// The value fits more than one alternative of a `oneOf`.
    AmbiguousForm,
    /// The value fits none of the alternatives.
    NoMatchingForm,
    /// Nothing is allowed here.
    NotAllowed,
    /// An object has a field name its schema forbids.
    FieldNameNotAllowed,
    /// Broken in a way that is stated without detail.
    Invalid,
    /// A rule the argument's Rust type states itself (fixed text).
    Stated(&'static str),
}

/// A count with a lower bound, an upper bound, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extent {
    /// At least this many.
    AtLeast(u64),
    /// At most this many.
    AtMost(u64),
    /// From the first to the second, inclusive.
    Between(u64, u64),
}

impl Extent {
    /// The extent of `min` and `max` keywords; a minimum of zero says
    /// nothing, and `None` means no bound at all.
    pub(crate) fn new(min: Option<u64>, max: Option<u64>) -> Option<Self> {
        match (min.filter(|m| *m > 0), max) {
            (None, None) => None,
            (Some(min), None) => Some(Self::AtLeast(min)),
            (None, Some(max)) => Some(Self::AtMost(max)),
            (Some(min), Some(max)) => Some(Self::Between(min, max)),
        }
    }
}

/// What a [`Rule::Count`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counted {
    /// The items of a list.
    Items,
    /// The fields of an object.
    Fields,
}

impl Counted {
    fn noun(self, n: u64) -> &'static str {
        match (self, n) {
            (Self::Items, 1) => "item",
            (Self::Items, _) => "items",
            (Self::Fields, 1) => "field",
            (Self::Fields, _) => "fields",
        }
    }
}

/// One end of a numeric range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bound {
    /// The limit, as the schema spells it.
    pub(crate) value: Number,
    /// The limit itself is outside the range.
    pub(crate) exclusive: bool,
}

impl Bound {
    /// The limit as a float, for comparing bounds.
    pub(crate) fn magnitude(&self) -> f64 {
        self.value.as_f64().unwrap_or(f64::NAN)
    }
}

/// A numeric range with a lower bound, an upper bound, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Interval {
    /// Bounded below only.
    From(Bound),
    /// Bounded above only.
    UpTo(Bound),
    /// Bounded on both sides (lower, upper).
    Between(Bound, Bound),
}

impl Interval {
    /// The interval of a lower and an upper bound; `None` without either.
    pub(crate) fn new(lower: Option<Bound>, upper: Option<Bound>) -> Option<Self> {
        match (lower, upper) {
            (None, None) => None,
            (Some(lower), None) => Some(Self::From(lower)),
            (None, Some(upper)) => Some(Self::UpTo(upper)),
            (Some(lower), Some(upper)) => Some(Self::Between(lower, upper)),
        }
    }

    /// The lower bound, if any.
    pub(crate) fn lower(&self) -> Option<&Bound> {
        match self {
            Self::From(lower) | Self::Between(lower, _) => Some(lower),
            Self::UpTo(_) => None,
        }
    }

    /// The upper bound, if any.
    pub(crate) fn upper(&self) -> Option<&Bound> {
        match self {
            Self::UpTo(upper) | Self::Between(_, upper) => Some(upper),
            Self::From(_) => None,
        }
    }
}

impl Rule {
    /// The rule as a predicate of the field it applies to, lower case and
    /// without a full stop: "must be at least 3 characters long", "is
    /// required". The validator prints it after the field's name.
    pub(crate) fn phrase(&self) -> String {
        match self {
            Self::Required => "is required".to_owned(),
            Self::Type(types) => format!("must be {}", type_list(types)),
            Self::Length(extent) => length_phrase(*extent),
            Self::Count(extent, counted) => count_phrase(*extent, *counted),
            Self::Range(interval) => range_phrase(interval),
            Self::MultipleOf(step) => format!("must be a multiple of {}", format_number(step)),
            Self::Pattern(pattern) => format!("must match the pattern {pattern}"),
            Self::Format(format) => format!("must be a valid {format}"),
            Self::OneOf(values) => match values.as_slice() {
                [only] => format!("must be {}", display_value(only)),
                _ => format!("must be one of: {}", display_list(values)),
            },
            Self::UniqueItems => "must not contain duplicate items".to_owned(),
            Self::NoUnknownFields => "must not contain unknown fields".to_owned(),
            Self::MapValues {
                other_fields,
                value,
                value_rules,
            } => {
                let names = if *other_fields { "other" } else { "any" };
                let mut value_phrases = vec![Self::Type(vec![*value]).phrase()];
                value_phrases.extend(value_rules.iter().map(Self::phrase));
                format!(
                    "{names} field names are allowed; each value {}",
                    value_phrases.join(" and ")
                )
            }
            Self::AmbiguousForm => "matches more than one of the allowed forms".to_owned(),
            Self::NoMatchingForm => "does not match any of the allowed forms".to_owned(),
            Self::NotAllowed => "is not allowed".to_owned(),
            Self::FieldNameNotAllowed => "has a field name that is not allowed".to_owned(),
            Self::Invalid => "is not valid".to_owned(),
            Self::Stated(rule) => (*rule).to_owned(),
        }
    }

    /// The rule as a sentence for a property's description: the phrase,
    /// capitalised, with a full stop ("Must be at least 3 characters long.").
    pub(crate) fn sentence(&self) -> String {
        let phrase = self.phrase();
        let mut chars = phrase.chars();
        let mut sentence: String = match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        };
        sentence.push('.');
        sentence
    }
}

fn length_phrase(extent: Extent) -> String {
    let characters = |n: u64| if n == 1 { "character" } else { "characters" };
    match extent {
        Extent::AtLeast(1) => "must not be empty".to_owned(),
        Extent::AtLeast(min) => format!("must be at least {min} {} long", characters(min)),
        Extent::AtMost(max) => format!("must be at most {max} {} long", characters(max)),
        Extent::Between(min, max) if min == max => {
            format!("must be {min} {} long", characters(min))
        }
        Extent::Between(min, max) => format!("must be {min} to {max} characters long"),
    }
}

fn count_phrase(extent: Extent, counted: Counted) -> String {
    match extent {
        Extent::AtLeast(min) => format!("must have at least {min} {}", counted.noun(min)),
        Extent::AtMost(max) => format!("must have at most {max} {}", counted.noun(max)),
        Extent::Between(min, max) if min == max => {
            format!("must have exactly {min} {}", counted.noun(min))
        }
        Extent::Between(min, max) => format!("must have {min} to {max} {}", counted.noun(max)),
    }
}

fn range_phrase(interval: &Interval) -> String {
    let lower = |b: &Bound| {
        let relation = if b.exclusive {
            "greater than"
        } else {
            "at least"
        };
        format!("{relation} {}", format_number(&b.value))
    };
    let upper = |b: &Bound| {
        let relation = if b.exclusive { "less than" } else { "at most" };
        format!("{relation} {}", format_number(&b.value))
    };
    match interval {
        Interval::From(b) => format!("must be {}", lower(b)),
        Interval::UpTo(b) => format!("must be {}", upper(b)),
        Interval::Between(l, u) if !l.exclusive && !u.exclusive => {
            if l.magnitude() == u.magnitude() {
                format!("must be {}", format_number(&l.value))
            } else {
                format!(
                    "must be between {} and {}",
                    format_number(&l.value),
                    format_number(&u.value)
                )
            }
        }
        Interval::Between(l, u) => format!("must be {} and {}", lower(l), upper(u)),
    }
}

/// "a string", "a whole number or null": the types in a fixed order, null
/// last, and "a whole number" left out where "a number" already covers it.
fn type_list(types: &[JsonType]) -> String {
    let mut types = types.to_vec();
    types.sort();
    types.dedup();
    if types.contains(&JsonType::Number) {
        types.retain(|t| *t != JsonType::Integer);
    }
    types.sort_by_key(|t| *t == JsonType::Null);
    types
        .iter()
        .map(|t| type_phrase(*t))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// How a JSON type is named to the model.
pub(crate) fn type_phrase(ty: JsonType) -> &'static str {
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

/// Formats a JSON number without a spurious fractional part (`10000`, not
/// `10000.0`).
pub(crate) fn format_number(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    match n.as_f64() {
        // `Display` for f64 prints `10000` for 10000.0 and `0.01` for 0.01.
        Some(f) => f.to_string(),
        None => n.to_string(),
    }
}

/// Renders a schema-defined value (never caller input) inside a rule:
/// strings without quotes, numbers without a spurious fraction.
pub(crate) fn display_value(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => format_number(n),
        other => other.to_string(),
    }
}

fn display_list(values: &[Value]) -> String {
    values
        .iter()
        .map(display_value)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use jsonschema::JsonType;
    use serde_json::{Number, json};

    use super::{Bound, Counted, Extent, Interval, Rule};

    fn bound(value: impl Into<Number>, exclusive: bool) -> Option<Bound> {
        Some(Bound {
            value: value.into(),
            exclusive,
        })
    }

    fn range(lower: Option<Bound>, upper: Option<Bound>) -> Rule {
        match Interval::new(lower, upper) {
            Some(interval) => Rule::Range(interval),
            None => panic!("no bounds"),
        }
    }

    fn extent(min: Option<u64>, max: Option<u64>) -> Extent {
        match Extent::new(min, max) {
            Some(extent) => extent,
            None => panic!("no extent"),
        }
    }

    fn decimal(f: f64) -> Number {
        Number::from_f64(f).unwrap_or_else(|| Number::from(0))
    }

    #[test]
    fn every_rule_has_one_phrase_and_the_sentence_is_built_from_it() {
        let cases: Vec<(Rule, &str)> = vec![
            (Rule::Required, "is required"),
            (Rule::Type(vec![JsonType::String]), "must be a string"),
            (
                Rule::Type(vec![JsonType::Null, JsonType::Object]),
                "must be an object or null",
            ),
            (
                Rule::Type(vec![JsonType::Integer, JsonType::Number]),
                "must be a number",
            ),
            (Rule::Length(extent(Some(1), None)), "must not be empty"),
            (
                Rule::Length(extent(Some(3), None)),
                "must be at least 3 characters long",
            ),
            (
                Rule::Length(extent(None, Some(1))),
                "must be at most 1 character long",
            ),
            (
                Rule::Length(extent(Some(10), Some(10))),
                "must be 10 characters long",
            ),
            (
                Rule::Length(extent(Some(3), Some(10))),
                "must be 3 to 10 characters long",
            ),
            (
                Rule::Count(extent(Some(2), None), Counted::Items),
                "must have at least 2 items",
            ),
            (
                Rule::Count(extent(None, Some(1)), Counted::Fields),
                "must have at most 1 field",
            ),
            (
                Rule::Count(extent(Some(3), Some(3)), Counted::Items),
                "must have exactly 3 items",
            ),
            (
                Rule::Count(extent(Some(1), Some(5)), Counted::Items),
                "must have 1 to 5 items",
            ),
            (
                range(bound(decimal(0.01), false), bound(10000, false)),
                "must be between 0.01 and 10000",
            ),
            (range(bound(5, false), bound(5, false)), "must be 5"),
            (range(bound(0, true), None), "must be greater than 0"),
            (range(None, bound(255, false)), "must be at most 255"),
            (
                range(bound(1, false), bound(10, true)),
                "must be at least 1 and less than 10",
            ),
            (
                range(None, bound(u64::MAX, false)),
                "must be at most 18446744073709551615",
            ),
            (Rule::MultipleOf(decimal(0.5)), "must be a multiple of 0.5"),
            (
                Rule::Pattern("^[0-9]{4}$".into()),
                "must match the pattern ^[0-9]{4}$",
            ),
            (Rule::Format("email".into()), "must be a valid email"),
            (
                Rule::OneOf(vec![json!("checking"), json!("savings")]),
                "must be one of: checking, savings",
            ),
            (Rule::OneOf(vec![json!(true)]), "must be true"),
            (Rule::UniqueItems, "must not contain duplicate items"),
            (Rule::NoUnknownFields, "must not contain unknown fields"),
            (
                Rule::MapValues {
                    other_fields: false,
                    value: JsonType::String,
                    value_rules: Vec::new(),
                },
                "any field names are allowed; each value must be a string",
            ),
            (
                Rule::MapValues {
                    other_fields: true,
                    value: JsonType::Integer,
                    value_rules: vec![range(bound(0, false), bound(255, false))],
                },
                "other field names are allowed; each value must be a whole number \
                 and must be between 0 and 255",
            ),
            (
                Rule::AmbiguousForm,
                "matches more than one of the allowed forms",
            ),
            (
                Rule::NoMatchingForm,
                "does not match any of the allowed forms",
            ),
            (Rule::NotAllowed, "is not allowed"),
            (
                Rule::FieldNameNotAllowed,
                "has a field name that is not allowed",
            ),
            (Rule::Invalid, "is not valid"),
        ];
        for (rule, phrase) in cases {
            assert_eq!(rule.phrase(), phrase, "{rule:?}");
            let sentence = rule.sentence();
            assert!(sentence.ends_with('.'), "{sentence}");
            assert_eq!(sentence[..1], phrase[..1].to_uppercase(), "{sentence}");
            assert_eq!(sentence[1..sentence.len() - 1], phrase[1..], "{sentence}");
        }
    }

    #[test]
    fn numbers_and_values_are_shown_as_the_schema_spells_them() {
        assert_eq!(super::format_number(&decimal(10000.0)), "10000");
        assert_eq!(
            super::format_number(&Number::from(-2_147_483_648_i64)),
            "-2147483648"
        );
        assert_eq!(super::display_value(&json!("a b")), "a b");
        assert_eq!(super::display_value(&json!(null)), "null");
    }
}
