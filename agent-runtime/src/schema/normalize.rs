//! Normalisation of a tool's full JSON Schema (as produced by `schemars`) into
//! the restricted dialect that SignalWire's official SWML schema accepts for a
//! SWAIG function's `parameters` (`$defs.FunctionParameters`).
//!
//! The dialect has no `$ref`, no bounds, no `additionalProperties` and no type
//! arrays, so every rule it cannot carry is stated in plain words in the
//! property's `description`. The full rules are enforced at run time by
//! [`crate::schema::ArgsValidator`], built from the same full schema, so what
//! the model is told matches what is enforced.

use std::fmt;

use serde_json::{Map, Number, Value};

/// Why a schema could not be normalised or compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SchemaError {
    /// The root schema does not describe a JSON object (a struct).
    NotAnObject,
    /// A type refers to itself, which the dialect cannot express; carries the
    /// type's name.
    RecursiveType(String),
    /// A `$ref` points somewhere other than this schema's own definitions.
    UnresolvedRef(String),
    /// A property uses a shape the dialect cannot express at all.
    Unsupported {
        /// Dotted path of the property (`(arguments)` for the root).
        field: String,
        /// What could not be expressed.
        reason: String,
    },
    /// The schema could not be compiled into a validator.
    Invalid(String),
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAnObject => f.write_str(
                "tool arguments must be described by an object schema (a struct with named fields)",
            ),
            Self::RecursiveType(name) => write!(
                f,
                "type `{name}` is recursive, which SWAIG parameters cannot express"
            ),
            Self::UnresolvedRef(target) => write!(
                f,
                "schema reference `{target}` does not point into this schema's definitions"
            ),
            Self::Unsupported { field, reason } => {
                write!(
                    f,
                    "field `{field}` cannot be expressed in SWAIG parameters: {reason}"
                )
            }
            Self::Invalid(detail) => write!(f, "schema could not be compiled: {detail}"),
        }
    }
}

impl std::error::Error for SchemaError {}

/// Formats SWML accepts for string properties, keyed by the JSON Schema
/// spelling; the value is the SWML spelling.
const SWML_FORMATS: &[(&str, &str)] = &[
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
const OTHER_CHECKED_FORMATS: &[&str] = &[
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

const NUMBER_KEYS: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];
const STRING_KEYS: &[&str] = &["minLength", "maxLength", "pattern"];
const ARRAY_KEYS: &[&str] = &[
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
const OBJECT_KEYS: &[&str] = &[
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

/// The range of an integer `format` as emitted by `schemars` (`uint8`,
/// `int32`, ...). The run-time validator enforces these ranges.
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
        Some(f) => format_f64(f),
        None => n.to_string(),
    }
}

fn format_f64(f: f64) -> String {
    // `Display` for f64 already prints `10000` for 10000.0 and `0.01` for 0.01.
    format!("{f}")
}

/// Normalises a full JSON Schema for a tool's arguments into the dialect the
/// official SWML schema accepts for a SWAIG function's `parameters`.
///
/// `$ref`s are inlined, `["T","null"]` and `anyOf [T, null]` become `T` with
/// `nullable: true`, `oneOf`s of constants become `enum`, and every rule the
/// dialect cannot carry (ranges, lengths, item counts, "no other fields") is
/// appended to the property's `description` as a plain-English sentence.
///
/// # Errors
///
/// [`SchemaError::NotAnObject`] when the root does not describe an object,
/// [`SchemaError::RecursiveType`] for self-referential types,
/// [`SchemaError::UnresolvedRef`] for references outside the schema, and
/// [`SchemaError::Unsupported`] for shapes that cannot be expressed at all.
pub fn to_swaig_parameters(full: &Value) -> Result<Value, SchemaError> {
    if !full.is_object() {
        return Err(SchemaError::NotAnObject);
    }
    let mut normaliser = Normaliser::new(full);
    let root = normaliser.convert(full, "")?;
    if root.get("type").and_then(Value::as_str) != Some("object")
        || root.get("nullable") == Some(&Value::Bool(true))
    {
        return Err(SchemaError::NotAnObject);
    }
    let mut out = Map::new();
    out.insert("type".into(), Value::from("object"));
    out.insert(
        "properties".into(),
        root.get("properties")
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new())),
    );
    if let Some(required) = root.get("required") {
        out.insert("required".into(), required.clone());
    }
    Ok(Value::Object(out))
}

struct Normaliser<'a> {
    root: &'a Value,
    /// Names of the definitions currently being inlined, innermost last.
    stack: Vec<String>,
}

impl<'a> Normaliser<'a> {
    fn new(root: &'a Value) -> Self {
        Self {
            root,
            stack: vec![root_name(root)],
        }
    }

    /// Looks up a local reference; returns the definition's name and body.
    fn resolve(&self, target: &str) -> Result<(String, &'a Value), SchemaError> {
        if target == "#" {
            return Ok((root_name(self.root), self.root));
        }
        for prefix in ["#/$defs/", "#/definitions/"] {
            if let Some(encoded) = target.strip_prefix(prefix) {
                let name = encoded.replace("~1", "/").replace("~0", "~");
                let container = &prefix[2..prefix.len() - 1];
                if let Some(def) = self.root.get(container).and_then(|d| d.get(&name)) {
                    return Ok((name, def));
                }
            }
        }
        Err(SchemaError::UnresolvedRef(target.to_owned()))
    }

    /// Converts one (sub)schema into a dialect property shape.
    fn convert(&mut self, schema: &Value, path: &str) -> Result<Map<String, Value>, SchemaError> {
        let obj = match schema {
            Value::Object(obj) => obj,
            Value::Bool(_) => {
                return Err(unsupported(
                    path,
                    "it accepts any value (or none); give it a concrete type",
                ));
            }
            _ => return Err(unsupported(path, "the schema is not a JSON object")),
        };

        if let Some(target) = obj.get("$ref") {
            let target = target
                .as_str()
                .ok_or_else(|| unsupported(path, "`$ref` is not a string"))?;
            let (name, def) = self.resolve(target)?;
            if self.stack.contains(&name) {
                return Err(SchemaError::RecursiveType(name));
            }
            let mut merged = match def {
                Value::Object(def) => def.clone(),
                _ => return Err(unsupported(path, "a definition is not a JSON object")),
            };
            if obj.contains_key("description") || obj.contains_key("title") {
                merged.remove("description");
                merged.remove("title");
            }
            for (key, value) in obj {
                if key != "$ref" {
                    merged.insert(key.clone(), value.clone());
                }
            }
            // The root's own bookkeeping must not leak into an inlined copy.
            merged.remove("$defs");
            merged.remove("definitions");
            self.stack.push(name);
            let result = self.convert(&Value::Object(merged), path);
            self.stack.pop();
            return result;
        }

        let mut obj = obj.clone();
        let mut nullable = matches!(obj.remove("nullable"), Some(Value::Bool(true)));

        // Strip `null` alternatives out of unions; a union left with one
        // branch is merged into this schema.
        for key in ["anyOf", "oneOf", "allOf"] {
            let Some(branches) = obj.get(key) else {
                continue;
            };
            let branches = branches
                .as_array()
                .ok_or_else(|| unsupported(path, &format!("`{key}` is not a list")))?;
            let mut rest = Vec::new();
            for branch in branches {
                if key != "allOf" && is_null_schema(branch) {
                    nullable = true;
                } else {
                    rest.push(branch.clone());
                }
            }
            if rest.len() == 1 {
                obj.remove(key);
                if let Some(Value::Object(only)) = rest.pop() {
                    let mut merged = only;
                    if obj.contains_key("description") || obj.contains_key("title") {
                        merged.remove("description");
                        merged.remove("title");
                    }
                    for (k, v) in obj {
                        merged.insert(k, v);
                    }
                    let mut out = self.convert(&Value::Object(merged), path)?;
                    if nullable {
                        make_nullable(&mut out, path)?;
                    }
                    return Ok(out);
                }
                return Err(unsupported(
                    path,
                    &format!("a `{key}` branch is not a schema"),
                ));
            } else if rest.is_empty() {
                obj.remove(key);
                obj.insert("type".into(), Value::from("null"));
            } else if key == "allOf" {
                return Err(unsupported(
                    path,
                    "it combines several schemas with `allOf`",
                ));
            } else {
                obj.insert(key.into(), Value::Array(rest));
            }
        }

        let union_key = ["oneOf", "anyOf"]
            .into_iter()
            .find(|k| obj.contains_key(*k));

        let ty = match obj.get("type") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Array(types)) => {
                let mut kept = Vec::new();
                for t in types {
                    match t.as_str() {
                        Some("null") => nullable = true,
                        Some(other) => kept.push(other.to_owned()),
                        None => return Err(unsupported(path, "`type` lists a non-string")),
                    }
                }
                match kept.len() {
                    0 => Some("null".to_owned()),
                    1 => kept.pop(),
                    _ => {
                        return Err(unsupported(
                            path,
                            "it allows several types; use an enum with one variant per type",
                        ));
                    }
                }
            }
            Some(_) => return Err(unsupported(path, "`type` is malformed")),
            None => None,
        };

        if let Some(union_key) = union_key {
            if ty.is_some() && ty.as_deref() != Some("null") {
                return Err(unsupported(
                    path,
                    "it mixes a type with alternatives (`oneOf`/`anyOf`)",
                ));
            }
            return self.convert_union(&obj, union_key, nullable, path);
        }

        // Null values inside `enum` mean "nullable".
        if let Some(Value::Array(values)) = obj.get_mut("enum")
            && values.iter().any(Value::is_null)
        {
            values.retain(|v| !v.is_null());
            nullable = true;
        }
        if obj.get("const") == Some(&Value::Null) && ty.as_deref() != Some("null") {
            obj.remove("const");
            obj.insert("type".into(), Value::from("null"));
        }

        let ty = match ty {
            Some(t) => t,
            None => infer_type(&obj)
                .ok_or_else(|| unsupported(path, "it has no `type`; give it a concrete type"))?,
        };

        let mut out = self.convert_typed(&obj, &ty, path)?;
        if nullable && ty != "null" {
            make_nullable(&mut out, path)?;
        }
        Ok(out)
    }

    /// Converts a `oneOf`/`anyOf` with at least two non-null branches.
    fn convert_union(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        nullable: bool,
        path: &str,
    ) -> Result<Map<String, Value>, SchemaError> {
        check_keys(obj, path, &[key, "type"], &[])?;
        let branches = obj
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let description = base_description(obj);

        // Resolve references first so constant variants can be recognised.
        let mut resolved = Vec::with_capacity(branches.len());
        for branch in &branches {
            resolved.push(self.shallow_resolve(branch)?);
        }

        if let Some(mut out) = collapse_constants(&resolved) {
            let mut desc = description;
            if let Some(extra) = out
                .remove("description")
                .and_then(|d| d.as_str().map(str::to_owned))
            {
                append_sentence(&mut desc, &extra);
            }
            if !desc.is_empty() {
                out.insert("description".into(), Value::from(desc));
            }
            if nullable {
                make_nullable(&mut out, path)?;
            }
            return Ok(out);
        }

        let mut converted = Vec::with_capacity(branches.len() + 1);
        for branch in &branches {
            let mut shape = self.convert(branch, path)?;
            if !description.is_empty() {
                attach_description(&mut shape, &description);
            }
            converted.push(Value::Object(shape));
        }
        if nullable {
            converted.push(null_branch());
        }
        let mut out = Map::new();
        out.insert("oneOf".into(), Value::Array(converted));
        Ok(out)
    }

    /// Follows `$ref`s (without converting) so a branch can be inspected.
    fn shallow_resolve(&self, schema: &Value) -> Result<Value, SchemaError> {
        let mut current = schema.clone();
        for _ in 0..32 {
            let Some(target) = current.get("$ref").and_then(Value::as_str) else {
                return Ok(current);
            };
            let (_, def) = self.resolve(target)?;
            let mut merged = def.clone();
            if let (Value::Object(merged), Value::Object(siblings)) = (&mut merged, &current) {
                for (k, v) in siblings {
                    if k != "$ref" {
                        merged.insert(k.clone(), v.clone());
                    }
                }
            }
            current = merged;
        }
        Ok(current)
    }

    /// Converts a schema whose (single, non-null) type is known.
    fn convert_typed(
        &mut self,
        obj: &Map<String, Value>,
        ty: &str,
        path: &str,
    ) -> Result<Map<String, Value>, SchemaError> {
        let mut out = Map::new();
        let mut sentences: Vec<String> = Vec::new();
        let own: &[&str] = match ty {
            "string" => STRING_KEYS,
            "integer" | "number" => NUMBER_KEYS,
            "array" => ARRAY_KEYS,
            "object" => OBJECT_KEYS,
            "boolean" | "null" => &[],
            other => return Err(unsupported(path, &format!("unknown type `{other}`"))),
        };
        check_keys(
            obj,
            path,
            own,
            &["enum", "const", "default", "format", "type"],
        )?;
        out.insert("type".into(), Value::from(ty));

        match ty {
            "string" => {
                self.string_rules(obj, &mut out, &mut sentences, path)?;
            }
            "integer" | "number" => {
                number_rules(obj, ty, &mut out, &mut sentences, path)?;
            }
            "boolean" => {
                let allowed = constant_values(obj);
                if let Some(values) = allowed {
                    match values.as_slice() {
                        [Value::Bool(b)] => sentences.push(format!("Must be {b}.")),
                        [] => {}
                        _ => {}
                    }
                }
                if let Some(d @ Value::Bool(_)) = obj.get("default") {
                    out.insert("default".into(), d.clone());
                }
            }
            "array" => {
                self.array_rules(obj, &mut out, &mut sentences, path)?;
            }
            "object" => {
                self.object_rules(obj, &mut out, &mut sentences, path)?;
            }
            _ => {
                // "null": the dialect requires a description.
                let mut desc = base_description(obj);
                if desc.is_empty() {
                    desc = "Always null.".to_owned();
                }
                out.insert("description".into(), Value::from(desc));
                return Ok(out);
            }
        }

        let mut desc = base_description(obj);
        for sentence in &sentences {
            append_sentence(&mut desc, sentence);
        }
        if !desc.is_empty() {
            out.insert("description".into(), Value::from(desc));
        }
        Ok(out)
    }

    fn string_rules(
        &mut self,
        obj: &Map<String, Value>,
        out: &mut Map<String, Value>,
        sentences: &mut Vec<String>,
        path: &str,
    ) -> Result<(), SchemaError> {
        if let Some(values) = constant_values(obj) {
            if values.iter().any(|v| !v.is_string()) {
                return Err(unsupported(
                    path,
                    "a string's allowed values are not all strings",
                ));
            }
            out.insert("enum".into(), Value::Array(values));
        }
        if let Some(pattern) = obj.get("pattern") {
            if !pattern.is_string() {
                return Err(unsupported(path, "`pattern` is not a string"));
            }
            out.insert("pattern".into(), pattern.clone());
        }
        if let Some(format) = obj.get("format").and_then(Value::as_str) {
            if let Some((_, swml)) = SWML_FORMATS.iter().find(|(f, _)| *f == format) {
                out.insert("format".into(), Value::from(*swml));
            } else if OTHER_CHECKED_FORMATS.contains(&format) {
                sentences.push(format!("Must be a valid {format}."));
            }
        }
        let min = obj
            .get("minLength")
            .and_then(Value::as_u64)
            .filter(|m| *m > 0);
        let max = obj.get("maxLength").and_then(Value::as_u64);
        if let Some(s) = length_sentence(min, max) {
            sentences.push(s);
        }
        if let Some(d @ Value::String(_)) = obj.get("default") {
            out.insert("default".into(), d.clone());
        }
        Ok(())
    }

    fn array_rules(
        &mut self,
        obj: &Map<String, Value>,
        out: &mut Map<String, Value>,
        sentences: &mut Vec<String>,
        path: &str,
    ) -> Result<(), SchemaError> {
        for key in ["prefixItems", "contains", "additionalItems"] {
            if obj.contains_key(key) {
                return Err(unsupported(
                    path,
                    &format!("`{key}` (tuples or positional items) cannot be expressed"),
                ));
            }
        }
        if matches!(obj.get("unevaluatedItems"), Some(v) if v != &Value::Bool(false)) {
            return Err(unsupported(path, "`unevaluatedItems` cannot be expressed"));
        }
        let items = obj
            .get("items")
            .ok_or_else(|| unsupported(path, "a list must say what its items are"))?;
        let item_path = format!("{path}[]");
        let items = self.convert(items, &item_path)?;
        out.insert("items".into(), Value::Object(items));
        let min = obj
            .get("minItems")
            .and_then(Value::as_u64)
            .filter(|m| *m > 0);
        let max = obj.get("maxItems").and_then(Value::as_u64);
        if let Some(s) = count_sentence(min, max, "item", "items") {
            sentences.push(s);
        }
        if obj.get("uniqueItems") == Some(&Value::Bool(true)) {
            sentences.push("Items must be unique.".to_owned());
        }
        if let Some(d @ Value::Array(_)) = obj.get("default") {
            out.insert("default".into(), d.clone());
        }
        Ok(())
    }

    fn object_rules(
        &mut self,
        obj: &Map<String, Value>,
        out: &mut Map<String, Value>,
        sentences: &mut Vec<String>,
        path: &str,
    ) -> Result<(), SchemaError> {
        for key in [
            "patternProperties",
            "propertyNames",
            "dependentRequired",
            "dependentSchemas",
        ] {
            if obj.contains_key(key) {
                return Err(unsupported(path, &format!("`{key}` cannot be expressed")));
            }
        }
        let mut properties = Map::new();
        if let Some(props) = obj.get("properties") {
            let props = props
                .as_object()
                .ok_or_else(|| unsupported(path, "`properties` is not an object"))?;
            for (name, schema) in props {
                let child = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                properties.insert(name.clone(), Value::Object(self.convert(schema, &child)?));
            }
        }
        let required: Vec<Value> = obj
            .get("required")
            .and_then(Value::as_array)
            .map(|names| {
                names
                    .iter()
                    .filter(|n| n.as_str().is_some_and(|n| properties.contains_key(n)))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let has_properties = !properties.is_empty();
        if has_properties || path.is_empty() {
            out.insert("properties".into(), Value::Object(properties));
        }
        if !required.is_empty() {
            out.insert("required".into(), Value::Array(required));
        }

        let closed = |key: &str| obj.get(key) == Some(&Value::Bool(false));
        if closed("additionalProperties") || closed("unevaluatedProperties") {
            sentences.push("No other fields are allowed.".to_owned());
        } else {
            for key in ["additionalProperties", "unevaluatedProperties"] {
                match obj.get(key) {
                    None | Some(Value::Bool(true)) => {}
                    Some(value_schema) => {
                        let value_path = if path.is_empty() {
                            "*".to_owned()
                        } else {
                            format!("{path}.*")
                        };
                        let shape = self.convert(value_schema, &value_path)?;
                        let simple = shape.len() == 1
                            || (shape.len() == 2 && shape.contains_key("description"));
                        match shape.get("type").and_then(Value::as_str) {
                            Some(t) if simple && t != "null" => {
                                sentences.push(format!(
                                    "{} each value must be {}.",
                                    if has_properties {
                                        "Other field names are allowed;"
                                    } else {
                                        "Any field names are allowed;"
                                    },
                                    type_phrase(t)
                                ));
                            }
                            _ => {
                                return Err(unsupported(
                                    path,
                                    "a map whose values have rules of their own cannot be described",
                                ));
                            }
                        }
                    }
                }
            }
        }
        let min = obj
            .get("minProperties")
            .and_then(Value::as_u64)
            .filter(|m| *m > 0);
        let max = obj.get("maxProperties").and_then(Value::as_u64);
        if let Some(s) = count_sentence(min, max, "field", "fields") {
            sentences.push(s);
        }
        if let Some(d @ Value::Object(_)) = obj.get("default") {
            out.insert("default".into(), d.clone());
        }
        Ok(())
    }
}

fn root_name(root: &Value) -> String {
    root.get("title")
        .and_then(Value::as_str)
        .unwrap_or("(root)")
        .to_owned()
}

fn unsupported(path: &str, reason: &str) -> SchemaError {
    SchemaError::Unsupported {
        field: if path.is_empty() {
            "(arguments)".to_owned()
        } else {
            path.to_owned()
        },
        reason: reason.to_owned(),
    }
}

fn is_null_schema(schema: &Value) -> bool {
    match schema {
        Value::Object(obj) => {
            obj.get("type") == Some(&Value::from("null"))
                && obj
                    .keys()
                    .all(|k| k == "type" || k == "description" || k == "title")
        }
        _ => false,
    }
}

fn null_branch() -> Value {
    let mut m = Map::new();
    m.insert("type".into(), Value::from("null"));
    m.insert("description".into(), Value::from("No value."));
    Value::Object(m)
}

/// Marks a converted shape as accepting `null`.
fn make_nullable(out: &mut Map<String, Value>, path: &str) -> Result<(), SchemaError> {
    if let Some(Value::Array(branches)) = out.get_mut("oneOf") {
        if !branches
            .iter()
            .any(|b| b.get("type") == Some(&Value::from("null")))
        {
            branches.push(null_branch());
        }
        return Ok(());
    }
    match out.get("type").and_then(Value::as_str) {
        Some("null") => Ok(()),
        Some(_) => {
            out.insert("nullable".into(), Value::Bool(true));
            Ok(())
        }
        None => Err(unsupported(
            path,
            "an optional constant cannot be expressed",
        )),
    }
}

/// Allowed values from `const` or `enum`, if either is present.
fn constant_values(obj: &Map<String, Value>) -> Option<Vec<Value>> {
    if let Some(c) = obj.get("const") {
        return Some(vec![c.clone()]);
    }
    obj.get("enum").and_then(Value::as_array).cloned()
}

/// The JSON type shared by every value, if they share one the dialect can
/// list in an `enum`.
fn shared_enum_type(values: &[Value]) -> Option<&'static str> {
    if values.is_empty() {
        return None;
    }
    if values.iter().all(Value::is_string) {
        Some("string")
    } else if values.iter().all(|v| v.is_i64() || v.is_u64()) {
        Some("integer")
    } else if values.iter().all(Value::is_number) {
        Some("number")
    } else {
        None
    }
}

fn infer_type(obj: &Map<String, Value>) -> Option<String> {
    if let Some(values) = constant_values(obj) {
        if let Some(t) = shared_enum_type(&values) {
            return Some(t.to_owned());
        }
        if values.iter().all(Value::is_boolean) && !values.is_empty() {
            return Some("boolean".to_owned());
        }
        if values.iter().all(Value::is_null) && !values.is_empty() {
            return Some("null".to_owned());
        }
        return None;
    }
    if obj.contains_key("properties") || obj.contains_key("additionalProperties") {
        return Some("object".to_owned());
    }
    if obj.contains_key("items") {
        return Some("array".to_owned());
    }
    None
}

/// Turns a union whose branches are all single constants of one type into an
/// `enum`, stating the variants' own descriptions.
fn collapse_constants(branches: &[Value]) -> Option<Map<String, Value>> {
    let mut values = Vec::new();
    let mut notes = Vec::new();
    for branch in branches {
        let obj = branch.as_object()?;
        if !obj.keys().all(|k| {
            matches!(
                k.as_str(),
                "const" | "enum" | "type" | "description" | "title" | "$comment" | "examples"
            )
        }) {
            return None;
        }
        let branch_values = constant_values(obj)?;
        let [value] = branch_values.as_slice() else {
            return None;
        };
        if let Some(desc) = obj.get("description").and_then(Value::as_str) {
            let desc = desc.trim().trim_end_matches('.');
            if !desc.is_empty() {
                notes.push(format!("{}: {desc}.", display_value(value)));
            }
        }
        values.push(value.clone());
    }
    let ty = shared_enum_type(&values)?;
    let mut out = Map::new();
    out.insert("type".into(), Value::from(ty));
    out.insert("enum".into(), Value::Array(values));
    if !notes.is_empty() {
        out.insert("description".into(), Value::from(notes.join(" ")));
    }
    Some(out)
}

/// Adds `text` to a converted shape's description, pushing it into every
/// branch of a union (which cannot carry a description itself).
fn attach_description(shape: &mut Map<String, Value>, text: &str) {
    if let Some(Value::Array(branches)) = shape.get_mut("oneOf") {
        for branch in branches {
            if let Value::Object(branch) = branch
                && branch.get("type") != Some(&Value::from("null"))
            {
                attach_description(branch, text);
            }
        }
        return;
    }
    if !shape.contains_key("type") {
        // A bare constant cannot carry a description.
        return;
    }
    let existing = shape
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let mut desc = text.to_owned();
    append_sentence(&mut desc, &existing);
    shape.insert("description".into(), Value::from(desc));
}

/// The schema's own description (trimmed).
fn base_description(obj: &Map<String, Value>) -> String {
    obj.get("description")
        .and_then(Value::as_str)
        .map(|d| d.trim().to_owned())
        .unwrap_or_default()
}

/// Appends a sentence unless the description already says it.
fn append_sentence(desc: &mut String, sentence: &str) {
    let sentence = sentence.trim();
    if sentence.is_empty() || desc.contains(sentence) {
        return;
    }
    if !desc.is_empty() {
        if !desc.ends_with(['.', '!', '?', ':']) {
            desc.push('.');
        }
        desc.push(' ');
    }
    desc.push_str(sentence);
}

/// Rejects keys this module cannot state; returns Ok for keys that are
/// handled (`own`, `extra`), annotations, unions, extensions (`x-...`) and
/// keywords of other types (which do not apply to this one).
fn check_keys(
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
            || matches!(key, "enum" | "const" | "default" | "format" | "type");
        if !known {
            return Err(unsupported(
                path,
                &format!("the keyword `{key}` cannot be expressed"),
            ));
        }
    }
    Ok(())
}

/// A lower or upper numeric bound.
#[derive(Clone, Copy)]
struct Bound {
    value: f64,
    exclusive: bool,
}

fn number_rules(
    obj: &Map<String, Value>,
    ty: &str,
    out: &mut Map<String, Value>,
    sentences: &mut Vec<String>,
    path: &str,
) -> Result<(), SchemaError> {
    if let Some(values) = constant_values(obj) {
        let ok = if ty == "integer" {
            values.iter().all(|v| v.is_i64() || v.is_u64())
        } else {
            values.iter().all(Value::is_number)
        };
        if !ok {
            return Err(unsupported(path, "allowed values do not match the type"));
        }
        out.insert("enum".into(), Value::Array(values));
    }

    let num = |key: &str| obj.get(key).and_then(Value::as_f64);
    let mut lower: Option<Bound> = None;
    let mut upper: Option<Bound> = None;
    let tighten_lower = |b: Bound, lower: &mut Option<Bound>| {
        let tighter = match lower {
            None => true,
            Some(cur) => b.value > cur.value || (b.value == cur.value && b.exclusive),
        };
        if tighter {
            *lower = Some(b);
        }
    };
    if let Some(v) = num("minimum") {
        tighten_lower(
            Bound {
                value: v,
                exclusive: false,
            },
            &mut lower,
        );
    }
    if let Some(v) = num("exclusiveMinimum") {
        tighten_lower(
            Bound {
                value: v,
                exclusive: true,
            },
            &mut lower,
        );
    }
    let tighten_upper = |b: Bound, upper: &mut Option<Bound>| {
        let tighter = match upper {
            None => true,
            Some(cur) => b.value < cur.value || (b.value == cur.value && b.exclusive),
        };
        if tighter {
            *upper = Some(b);
        }
    };
    if let Some(v) = num("maximum") {
        tighten_upper(
            Bound {
                value: v,
                exclusive: false,
            },
            &mut upper,
        );
    }
    if let Some(v) = num("exclusiveMaximum") {
        tighten_upper(
            Bound {
                value: v,
                exclusive: true,
            },
            &mut upper,
        );
    }
    if ty == "integer"
        && let Some((min, max)) = obj
            .get("format")
            .and_then(Value::as_str)
            .and_then(integer_width)
    {
        // Widths of 64 bits and more are stated only as "not negative": the
        // extremes are noise to a caller (and are still enforced).
        let small = max <= i128::from(u32::MAX);
        if small || min == 0 {
            #[allow(clippy::cast_precision_loss)]
            tighten_lower(
                Bound {
                    value: min as f64,
                    exclusive: false,
                },
                &mut lower,
            );
        }
        if small {
            #[allow(clippy::cast_precision_loss)]
            tighten_upper(
                Bound {
                    value: max as f64,
                    exclusive: false,
                },
                &mut upper,
            );
        }
    }
    if let Some(s) = range_sentence(lower, upper) {
        sentences.push(s);
    }
    if let Some(step) = obj.get("multipleOf").and_then(Value::as_number) {
        sentences.push(format!("Must be a multiple of {}.", format_number(step)));
    }
    if let Some(d) = obj.get("default") {
        let fits = if ty == "integer" {
            d.is_i64() || d.is_u64()
        } else {
            d.is_number()
        };
        if fits {
            out.insert("default".into(), d.clone());
        }
    }
    Ok(())
}

fn range_sentence(lower: Option<Bound>, upper: Option<Bound>) -> Option<String> {
    let lower_clause = |b: Bound| {
        if b.exclusive {
            format!("greater than {}", format_f64(b.value))
        } else {
            format!("at least {}", format_f64(b.value))
        }
    };
    let upper_clause = |b: Bound| {
        if b.exclusive {
            format!("less than {}", format_f64(b.value))
        } else {
            format!("at most {}", format_f64(b.value))
        }
    };
    Some(match (lower, upper) {
        (None, None) => return None,
        (Some(l), None) => format!("Must be {}.", lower_clause(l)),
        (None, Some(u)) => format!("Must be {}.", upper_clause(u)),
        (Some(l), Some(u)) if !l.exclusive && !u.exclusive => {
            if l.value == u.value {
                format!("Must be {}.", format_f64(l.value))
            } else {
                format!(
                    "Must be between {} and {}.",
                    format_f64(l.value),
                    format_f64(u.value)
                )
            }
        }
        (Some(l), Some(u)) => format!("Must be {} and {}.", lower_clause(l), upper_clause(u)),
    })
}

fn length_sentence(min: Option<u64>, max: Option<u64>) -> Option<String> {
    let chars = |n: u64| if n == 1 { "character" } else { "characters" };
    Some(match (min, max) {
        (None, None) => return None,
        (Some(1), None) => "Must not be empty.".to_owned(),
        (Some(a), None) => format!("Must be at least {a} {} long.", chars(a)),
        (None, Some(b)) => format!("Must be at most {b} {} long.", chars(b)),
        (Some(a), Some(b)) if a == b => format!("Must be {a} {} long.", chars(a)),
        (Some(a), Some(b)) => format!("Must be {a} to {b} characters long."),
    })
}

fn count_sentence(
    min: Option<u64>,
    max: Option<u64>,
    singular: &str,
    plural: &str,
) -> Option<String> {
    let noun = |n: u64| if n == 1 { singular } else { plural };
    Some(match (min, max) {
        (None, None) => return None,
        (Some(a), None) => format!("At least {a} {}.", noun(a)),
        (None, Some(b)) => format!("At most {b} {}.", noun(b)),
        (Some(a), Some(b)) if a == b => format!("Exactly {a} {}.", noun(a)),
        (Some(a), Some(b)) => format!("{a} to {b} {plural}."),
    })
}

fn type_phrase(ty: &str) -> &'static str {
    match ty {
        "string" => "a string",
        "integer" => "a whole number",
        "number" => "a number",
        "boolean" => "true or false",
        "array" => "a list",
        "object" => "an object",
        _ => "null",
    }
}

/// Renders a schema-defined value (never user input) for a description.
pub(crate) fn display_value(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => format_number(n),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use schemars::{JsonSchema, schema_for};
    use serde::Deserialize;
    use serde_json::{Value, json};

    use super::{SchemaError, to_swaig_parameters};

    /// The official SWML schema, `shared/spec/swml.schema.json` (this file
    /// lives in `agent-runtime/src/`). In the scratch crate this was the
    /// absolute path `/work/shared/spec/swml.schema.json`.
    const SWML_SCHEMA: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/spec/swml.schema.json"
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
                            "description": "1 to 5 items.",
                            "items": {
                                "type": "object",
                                "description": "No other fields are allowed.",
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
                            "description": "Where to ship. No other fields are allowed.",
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
                            "description": "Where to ship. No other fields are allowed.",
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
                        "names": {"type": "array", "description": "At least 2 items.",
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
                      "unevaluatedProperties": false, "maxProperties": 1}
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
                          "description": "Exactly 3 items. Items must be unique."},
                    "d": {"type": "string", "format": "date_time", "description": "Must not be empty."},
                    "e": {"type": "string", "description": "Must be a valid uri-reference."},
                    "f": {"type": "boolean", "nullable": true, "description": "Must be true."},
                    "g": {"type": "object", "properties": {"x": {"type": "string"}},
                          "description": "No other fields are allowed. At most 1 field."}
                },
                "required": ["a"]
            })
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
        let text = std::fs::read_to_string(SWML_SCHEMA).unwrap_or_default();
        let schema: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        match jsonschema::options().build(&schema) {
            Ok(v) => v,
            Err(e) => panic!("official schema did not compile: {e}"),
        }
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
}
