//! Which JSON Schema keywords the normaliser understands, and how formats are
//! spelled in the SWML dialect.

use serde_json::{Map, Value};

use super::shape::unsupported;
use crate::schema::SchemaError;

/// Formats SWML accepts for string properties, keyed by the JSON Schema
/// spelling; the value is the SWML spelling.
pub(super) const SWML_FORMATS: &[(&str, &str)] = &[
    ("date-time", "date_time"),
    ("date_time", "date_time"),
    ("time", "time"),
    ("date", "date"),
    ("duration", "duration"),
    ("email", "email"),
    ("hostname", "hostname"),
    ("ipv4", "ipv4"),
    ("ipv6", "ipv6"),
    ("uri", "uri"),
    ("uuid", "uuid"),
];

/// Other standard string formats that the run-time validator checks; they are
/// dropped from the emitted schema but stated in the description.
pub(super) const OTHER_CHECKED_FORMATS: &[&str] = &[
    "idn-email",
    "idn-hostname",
    "uri-reference",
    "iri",
    "iri-reference",
    "uri-template",
    "json-pointer",
    "relative-json-pointer",
    "regex",
];

/// Keys that only annotate a schema; dropped without comment.
const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$id",
    "$anchor",
    "$dynamicAnchor",
    "$comment",
    "$defs",
    "definitions",
    "title",
    "examples",
    "readOnly",
    "writeOnly",
    "deprecated",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
];

/// Keywords of number schemas.
pub(super) const NUMBER_KEYS: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];
/// Keywords of string schemas.
pub(super) const STRING_KEYS: &[&str] = &["minLength", "maxLength", "pattern"];
/// Keywords of array schemas.
pub(super) const ARRAY_KEYS: &[&str] = &[
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "prefixItems",
    "contains",
    "minContains",
    "maxContains",
    "unevaluatedItems",
    "additionalItems",
];
/// Keywords of object schemas.
pub(super) const OBJECT_KEYS: &[&str] = &[
    "properties",
    "required",
    "additionalProperties",
    "unevaluatedProperties",
    "minProperties",
    "maxProperties",
    "patternProperties",
    "propertyNames",
    "dependentRequired",
    "dependentSchemas",
];

/// Keywords every type may carry.
pub(super) const COMMON_KEYS: &[&str] = &["enum", "const", "default", "format", "type"];

/// Rejects keys this module cannot state; returns Ok for keys that are
/// handled (`own`, `extra`), annotations, unions, extensions (`x-...`) and
/// keywords of other types (which do not apply to this one).
pub(super) fn check_keys(
    obj: &Map<String, Value>,
    path: &str,
    own: &[&str],
    extra: &[&str],
) -> Result<(), SchemaError> {
    for key in obj.keys() {
        let key = key.as_str();
        let known = own.contains(&key)
            || extra.contains(&key)
            || ANNOTATIONS.contains(&key)
            || key == "description"
            || key.starts_with("x-")
            || NUMBER_KEYS.contains(&key)
            || STRING_KEYS.contains(&key)
            || ARRAY_KEYS.contains(&key)
            || OBJECT_KEYS.contains(&key)
            || COMMON_KEYS.contains(&key);
        if !known {
            return Err(unsupported(
                path,
                &format!("the keyword `{key}` cannot be expressed"),
            ));
        }
    }
    Ok(())
}
