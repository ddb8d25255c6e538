//! The rules a schema's own keywords state (bounds, lengths, counts, steps).
//!
//! The normaliser writes these rules into a property's description, and the
//! validator, when a value breaks one of the keywords, looks up the same
//! schema and reports the whole rule from here ("must be 3 to 10 characters
//! long", not just the `minLength` half of it). Reading the keywords in one
//! place is what keeps the two statements of a rule identical.

use serde_json::{Map, Number, Value};

use super::rules::{Bound, Counted, Extent, Interval, Rule};

/// The range of an integer `format` as emitted by `schemars` (`uint8`,
/// `int32`, ...). The validator enforces these ranges as bounds.
pub(crate) fn integer_width(format: &str) -> Option<(i128, i128)> {
    Some(match format {
        "int8" => (i8::MIN.into(), i8::MAX.into()),
        "int16" => (i16::MIN.into(), i16::MAX.into()),
        "int32" => (i32::MIN.into(), i32::MAX.into()),
        "int64" | "int" => (i64::MIN.into(), i64::MAX.into()),
        "uint8" => (0, u8::MAX.into()),
        "uint16" => (0, u16::MAX.into()),
        "uint32" => (0, u32::MAX.into()),
        "uint64" | "uint" => (0, u64::MAX.into()),
        _ => return None,
    })
}

/// The width of `schema`'s integer `format`, when its type includes
/// `integer`.
pub(crate) fn declared_integer_width(schema: &Map<String, Value>) -> Option<(i128, i128)> {
    let is_integer = match schema.get("type") {
        Some(Value::String(t)) => t == "integer",
        Some(Value::Array(types)) => types.iter().any(|t| t == "integer"),
        _ => false,
    };
    if !is_integer {
        return None;
    }
    schema
        .get("format")
        .and_then(Value::as_str)
        .and_then(integer_width)
}

/// A JSON number for an integer bound, if JSON can carry it.
pub(crate) fn integer_number(n: i128) -> Option<Number> {
    if let Ok(i) = i64::try_from(n) {
        Some(Number::from(i))
    } else {
        u64::try_from(n).ok().map(Number::from)
    }
}

/// `minLength`/`maxLength`.
pub(crate) fn length(schema: &Map<String, Value>) -> Option<Rule> {
    Extent::new(
        count_keyword(schema, "minLength"),
        count_keyword(schema, "maxLength"),
    )
    .map(Rule::Length)
}

/// `minItems`/`maxItems` or `minProperties`/`maxProperties`.
pub(crate) fn count(schema: &Map<String, Value>, counted: Counted) -> Option<Rule> {
    let (min, max) = match counted {
        Counted::Items => ("minItems", "maxItems"),
        Counted::Fields => ("minProperties", "maxProperties"),
    };
    Extent::new(count_keyword(schema, min), count_keyword(schema, max))
        .map(|extent| Rule::Count(extent, counted))
}

/// `multipleOf`.
pub(crate) fn multiple_of(schema: &Map<String, Value>) -> Option<Rule> {
    schema
        .get("multipleOf")
        .and_then(Value::as_number)
        .map(|step| Rule::MultipleOf(step.clone()))
}

/// The tightest of `minimum`, `exclusiveMinimum`, `maximum`,
/// `exclusiveMaximum` and the width of an integer `format`.
///
/// Widths of 64 bits and more are stated only as "not negative": their
/// extremes are noise to a caller. They are still enforced, and a value
/// beyond them is reported with the bound it broke.
pub(crate) fn range(schema: &Map<String, Value>) -> Option<Rule> {
    let mut lower: Option<Bound> = None;
    let mut upper: Option<Bound> = None;
    for (key, exclusive) in [("minimum", false), ("exclusiveMinimum", true)] {
        if let Some(value) = schema.get(key).and_then(Value::as_number) {
            tighten(&mut lower, bound(value.clone(), exclusive), |new, old| {
                new > old
            });
        }
    }
    for (key, exclusive) in [("maximum", false), ("exclusiveMaximum", true)] {
        if let Some(value) = schema.get(key).and_then(Value::as_number) {
            tighten(&mut upper, bound(value.clone(), exclusive), |new, old| {
                new < old
            });
        }
    }
    if let Some((min, max)) = declared_integer_width(schema) {
        let small = max <= i128::from(u32::MAX);
        if let Some(min) = integer_number(min).filter(|_| small || min == 0) {
            tighten(&mut lower, bound(min, false), |new, old| new > old);
        }
        if let Some(max) = integer_number(max).filter(|_| small) {
            tighten(&mut upper, bound(max, false), |new, old| new < old);
        }
    }
    Interval::new(lower, upper).map(Rule::Range)
}

fn count_keyword(schema: &Map<String, Value>, key: &str) -> Option<u64> {
    schema.get(key).and_then(Value::as_u64)
}

fn bound(value: Number, exclusive: bool) -> Bound {
    Bound { value, exclusive }
}

/// Keeps the tighter of two bounds on one side; at the same value the
/// exclusive one is tighter.
fn tighten(current: &mut Option<Bound>, new: Bound, tighter: fn(f64, f64) -> bool) {
    let replace = match current {
        None => true,
        Some(old) => {
            tighter(new.magnitude(), old.magnitude())
                || (new.magnitude() == old.magnitude() && new.exclusive && !old.exclusive)
        }
    };
    if replace {
        *current = Some(new);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    use super::{count, length, range};
    use crate::schema::rules::Counted;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    fn phrase(rule: Option<crate::schema::rules::Rule>) -> String {
        rule.map(|r| r.phrase()).unwrap_or_default()
    }

    #[test]
    fn the_tightest_bounds_and_integer_widths_make_the_range() {
        let cases = [
            (
                json!({"type": "integer", "format": "uint8"}),
                "must be between 0 and 255",
            ),
            (
                json!({"type": ["integer", "null"], "format": "uint8", "minimum": 1}),
                "must be between 1 and 255",
            ),
            (
                json!({"type": "integer", "format": "uint64"}),
                "must be at least 0",
            ),
            (
                json!({"type": "integer", "format": "int64", "exclusiveMinimum": 0}),
                "must be greater than 0",
            ),
            (
                json!({"type": "number", "minimum": 0, "exclusiveMinimum": 0, "maximum": 2}),
                "must be greater than 0 and at most 2",
            ),
            (
                json!({"type": "integer", "format": "int32"}),
                "must be between -2147483648 and 2147483647",
            ),
            // A width only applies to integers.
            (json!({"type": "string", "format": "uint8"}), ""),
        ];
        for (schema, want) in cases {
            assert_eq!(phrase(range(&object(schema.clone()))), want, "{schema}");
        }
    }

    #[test]
    fn lengths_and_counts_ignore_a_zero_minimum() {
        let schema =
            object(json!({"minLength": 0, "maxLength": 4, "minItems": 2, "maxProperties": 1}));
        assert_eq!(phrase(length(&schema)), "must be at most 4 characters long");
        assert_eq!(
            phrase(count(&schema, Counted::Items)),
            "must have at least 2 items"
        );
        assert_eq!(
            phrase(count(&schema, Counted::Fields)),
            "must have at most 1 field"
        );
        assert_eq!(length(&object(json!({"minLength": 0}))), None);
    }
}
