//! Normalisation of a tool's full JSON Schema (as produced by `schemars`) into
//! the restricted dialect that SignalWire's official SWML schema accepts for a
//! SWAIG function's `parameters` (`$defs.FunctionParameters`).
//!
//! The dialect has no `$ref`, no bounds, no `additionalProperties` and no type
//! arrays, so every rule it cannot carry is stated in the property's
//! `description`, worded by [`Rule::sentence`].

mod keywords;
mod shape;
#[cfg(test)]
mod tests;
mod typed;

use serde_json::{Map, Value};

use self::shape::{
    append_sentence, attach_description, base_description, collapse_constants, infer_type,
    is_null_schema, make_nullable, null_branch, root_name, unsupported,
};
use super::SchemaError;
use super::rules::Rule;

/// Normalises a full JSON Schema for a tool's arguments into the dialect the
/// official SWML schema accepts for a SWAIG function's `parameters`.
///
/// `$ref`s are inlined, `["T","null"]` and `anyOf [T, null]` become `T` with
/// `nullable: true`, `oneOf`s of constants become `enum`, and every rule the
/// dialect cannot carry (ranges, lengths, item counts, unknown fields) is
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
    let root = normaliser.convert(full, "")?.shape;
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

/// A (sub)schema converted into the dialect.
struct Converted {
    /// The property as the model sees it (`type`, `description`, `enum`, ...).
    shape: Map<String, Value>,
    /// The rules its description states; a map restates its values' rules in
    /// its own description.
    rules: Vec<Rule>,
}

impl Converted {
    /// A shape whose description states no rules of its own.
    fn plain(shape: Map<String, Value>) -> Self {
        Self {
            shape,
            rules: Vec::new(),
        }
    }
}

/// Converts one tool's schema, inlining its definitions.
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
    fn convert(&mut self, schema: &Value, path: &str) -> Result<Converted, SchemaError> {
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
            return self.convert_ref(obj, target, path);
        }

        let mut obj = obj.clone();
        let mut nullable = matches!(obj.remove("nullable"), Some(Value::Bool(true)));
        if let Some(merged) = take_single_alternative(&mut obj, &mut nullable, path)? {
            let mut out = self.convert(&Value::Object(merged), path)?;
            if nullable {
                make_nullable(&mut out.shape, path)?;
            }
            return Ok(out);
        }

        let union_key = ["oneOf", "anyOf"]
            .into_iter()
            .find(|k| obj.contains_key(*k));
        let ty = declared_type(&obj, &mut nullable, path)?;
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
            make_nullable(&mut out.shape, path)?;
        }
        Ok(out)
    }

    /// Inlines the definition `target` points to, with the referring
    /// schema's own keywords (a field's description wins over the type's).
    fn convert_ref(
        &mut self,
        obj: &Map<String, Value>,
        target: &Value,
        path: &str,
    ) -> Result<Converted, SchemaError> {
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
        result
    }

    /// Converts a `oneOf`/`anyOf` with at least two non-null branches.
    fn convert_union(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        nullable: bool,
        path: &str,
    ) -> Result<Converted, SchemaError> {
        keywords::check_keys(obj, path, &[key, "type"], &[])?;
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
            return Ok(Converted::plain(out));
        }

        let mut converted = Vec::with_capacity(branches.len() + 1);
        for branch in &branches {
            let mut shape = self.convert(branch, path)?.shape;
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
        Ok(Converted::plain(out))
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
}

/// Strips `null` alternatives out of `anyOf`/`oneOf`/`allOf` (setting
/// `nullable`). A union left with one branch is merged with the rest of this
/// schema and returned, to be converted in its place.
fn take_single_alternative(
    obj: &mut Map<String, Value>,
    nullable: &mut bool,
    path: &str,
) -> Result<Option<Map<String, Value>>, SchemaError> {
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
                *nullable = true;
            } else {
                rest.push(branch.clone());
            }
        }
        if rest.len() == 1 {
            obj.remove(key);
            let Some(Value::Object(mut merged)) = rest.pop() else {
                return Err(unsupported(
                    path,
                    &format!("a `{key}` branch is not a schema"),
                ));
            };
            if obj.contains_key("description") || obj.contains_key("title") {
                merged.remove("description");
                merged.remove("title");
            }
            for (k, v) in std::mem::take(obj) {
                merged.insert(k, v);
            }
            return Ok(Some(merged));
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
    Ok(None)
}

/// The schema's one non-null `type`, if it names one; a `null` in a type list
/// sets `nullable`.
fn declared_type(
    obj: &Map<String, Value>,
    nullable: &mut bool,
    path: &str,
) -> Result<Option<String>, SchemaError> {
    match obj.get("type") {
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Array(types)) => {
            let mut kept = Vec::new();
            for t in types {
                match t.as_str() {
                    Some("null") => *nullable = true,
                    Some(other) => kept.push(other.to_owned()),
                    None => return Err(unsupported(path, "`type` lists a non-string")),
                }
            }
            match kept.len() {
                0 => Ok(Some("null".to_owned())),
                1 => Ok(kept.pop()),
                _ => Err(unsupported(
                    path,
                    "it allows several types; use an enum with one variant per type",
                )),
            }
        }
        Some(_) => Err(unsupported(path, "`type` is malformed")),
        None => Ok(None),
    }
}
