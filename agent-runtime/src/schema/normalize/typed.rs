//! Conversion of a schema whose single type is known: the keywords the
//! dialect carries are kept, and every other rule becomes a [`Rule`] stated
//! in the description.

use std::str::FromStr;

use jsonschema::JsonType;
use serde_json::{Map, Value};

use super::keywords::{
    ARRAY_KEYS, COMMON_KEYS, NUMBER_KEYS, OBJECT_KEYS, OTHER_CHECKED_FORMATS, STRING_KEYS,
    SWML_FORMATS, check_keys,
};
use super::shape::{append_sentence, base_description, constant_values, unsupported};
use super::{Converted, Normaliser};
use crate::schema::SchemaError;
use crate::schema::rules::{Counted, Rule};
use crate::schema::stated;

impl Normaliser<'_> {
    /// Converts a schema whose (single, non-null) type is known.
    pub(super) fn convert_typed(
        &mut self,
        obj: &Map<String, Value>,
        ty: &str,
        path: &str,
    ) -> Result<Converted, SchemaError> {
        let own: &[&str] = match ty {
            "string" => STRING_KEYS,
            "integer" | "number" => NUMBER_KEYS,
            "array" => ARRAY_KEYS,
            "object" => OBJECT_KEYS,
            "boolean" | "null" => &[],
            other => return Err(unsupported(path, &format!("unknown type `{other}`"))),
        };
        check_keys(obj, path, own, COMMON_KEYS)?;
        let mut shape = Map::new();
        shape.insert("type".into(), Value::from(ty));
        let mut rules = Vec::new();

        match ty {
            "string" => string_rules(obj, &mut shape, &mut rules, path)?,
            "integer" | "number" => number_rules(obj, ty, &mut shape, &mut rules, path)?,
            "boolean" => {
                if let Some(values) = constant_values(obj)
                    && let [only @ Value::Bool(_)] = values.as_slice()
                {
                    rules.push(Rule::OneOf(vec![only.clone()]));
                }
                if let Some(d @ Value::Bool(_)) = obj.get("default") {
                    shape.insert("default".into(), d.clone());
                }
            }
            "array" => self.array_rules(obj, &mut shape, &mut rules, path)?,
            "object" => self.object_rules(obj, &mut shape, &mut rules, path)?,
            _ => {
                // "null": the dialect requires a description.
                if base_description(obj).is_empty() {
                    rules.push(Rule::Type(vec![JsonType::Null]));
                }
            }
        }

        let mut description = base_description(obj);
        for rule in &rules {
            append_sentence(&mut description, &rule.sentence());
        }
        if !description.is_empty() {
            shape.insert("description".into(), Value::from(description));
        }
        Ok(Converted { shape, rules })
    }

    fn array_rules(
        &mut self,
        obj: &Map<String, Value>,
        shape: &mut Map<String, Value>,
        rules: &mut Vec<Rule>,
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
        let items = self.convert(items, &format!("{path}[]"))?;
        shape.insert("items".into(), Value::Object(items.shape));
        rules.extend(stated::count(obj, Counted::Items));
        if obj.get("uniqueItems") == Some(&Value::Bool(true)) {
            rules.push(Rule::UniqueItems);
        }
        if let Some(d @ Value::Array(_)) = obj.get("default") {
            shape.insert("default".into(), d.clone());
        }
        Ok(())
    }

    fn object_rules(
        &mut self,
        obj: &Map<String, Value>,
        shape: &mut Map<String, Value>,
        rules: &mut Vec<Rule>,
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
                let converted = self.convert(schema, &child)?;
                properties.insert(name.clone(), Value::Object(converted.shape));
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
            shape.insert("properties".into(), Value::Object(properties));
        }
        if !required.is_empty() {
            shape.insert("required".into(), Value::Array(required));
        }

        let closed = |key: &str| obj.get(key) == Some(&Value::Bool(false));
        if closed("additionalProperties") || closed("unevaluatedProperties") {
            rules.push(Rule::NoUnknownFields);
        } else {
            for key in ["additionalProperties", "unevaluatedProperties"] {
                match obj.get(key) {
                    None | Some(Value::Bool(true)) => {}
                    Some(value_schema) => {
                        rules.push(self.map_values(value_schema, has_properties, path)?);
                    }
                }
            }
        }
        rules.extend(stated::count(obj, Counted::Fields));
        if let Some(d @ Value::Object(_)) = obj.get("default") {
            shape.insert("default".into(), d.clone());
        }
        Ok(())
    }

    /// The rule of an object whose other fields are free but whose values
    /// have a schema (a map). The dialect has no `additionalProperties`, so
    /// only values of a plain type, with rules stated in words, can be
    /// described.
    fn map_values(
        &mut self,
        value_schema: &Value,
        other_fields: bool,
        path: &str,
    ) -> Result<Rule, SchemaError> {
        let value_path = if path.is_empty() {
            "*".to_owned()
        } else {
            format!("{path}.*")
        };
        let value = self.convert(value_schema, &value_path)?;
        let plain = value
            .shape
            .keys()
            .all(|k| k == "type" || k == "description");
        let value_type = value
            .shape
            .get("type")
            .and_then(Value::as_str)
            .filter(|t| *t != "null")
            .and_then(|t| JsonType::from_str(t).ok());
        match value_type {
            Some(value_type) if plain => Ok(Rule::MapValues {
                other_fields,
                value: value_type,
                value_rules: value.rules,
            }),
            _ => Err(unsupported(
                path,
                "a map whose values have rules of their own cannot be described",
            )),
        }
    }
}

fn string_rules(
    obj: &Map<String, Value>,
    shape: &mut Map<String, Value>,
    rules: &mut Vec<Rule>,
    path: &str,
) -> Result<(), SchemaError> {
    if let Some(values) = constant_values(obj) {
        if values.iter().any(|v| !v.is_string()) {
            return Err(unsupported(
                path,
                "a string's allowed values are not all strings",
            ));
        }
        shape.insert("enum".into(), Value::Array(values));
    }
    if let Some(pattern) = obj.get("pattern") {
        if !pattern.is_string() {
            return Err(unsupported(path, "`pattern` is not a string"));
        }
        shape.insert("pattern".into(), pattern.clone());
    }
    if let Some(format) = obj.get("format").and_then(Value::as_str) {
        if let Some((_, swml)) = SWML_FORMATS.iter().find(|(f, _)| *f == format) {
            shape.insert("format".into(), Value::from(*swml));
        } else if OTHER_CHECKED_FORMATS.contains(&format) {
            rules.push(Rule::Format(format.to_owned()));
        }
    }
    rules.extend(stated::length(obj));
    if let Some(d @ Value::String(_)) = obj.get("default") {
        shape.insert("default".into(), d.clone());
    }
    Ok(())
}

fn number_rules(
    obj: &Map<String, Value>,
    ty: &str,
    shape: &mut Map<String, Value>,
    rules: &mut Vec<Rule>,
    path: &str,
) -> Result<(), SchemaError> {
    let fits = |v: &Value| {
        if ty == "integer" {
            v.is_i64() || v.is_u64()
        } else {
            v.is_number()
        }
    };
    if let Some(values) = constant_values(obj) {
        if !values.iter().all(fits) {
            return Err(unsupported(path, "allowed values do not match the type"));
        }
        shape.insert("enum".into(), Value::Array(values));
    }
    rules.extend(stated::range(obj));
    rules.extend(stated::multiple_of(obj));
    if let Some(d) = obj.get("default")
        && fits(d)
    {
        shape.insert("default".into(), d.clone());
    }
    Ok(())
}
