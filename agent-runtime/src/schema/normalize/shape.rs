//! Small operations on converted property shapes and on schema objects that
//! the normaliser needs in several places.

use serde_json::{Map, Value};

use crate::schema::SchemaError;
use crate::schema::rules::display_value;

/// The name of the root type, for recursion errors.
pub(super) fn root_name(root: &Value) -> String {
    root.get("title")
        .and_then(Value::as_str)
        .unwrap_or("(root)")
        .to_owned()
}

/// [`SchemaError::Unsupported`] for the property at `path`.
pub(super) fn unsupported(path: &str, reason: &str) -> SchemaError {
    SchemaError::Unsupported {
        field: if path.is_empty() {
            "(arguments)".to_owned()
        } else {
            path.to_owned()
        },
        reason: reason.to_owned(),
    }
}

/// A union branch that only says "null".
pub(super) fn is_null_schema(schema: &Value) -> bool {
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

/// The `null` alternative of a `oneOf` (the dialect requires a description).
pub(super) fn null_branch() -> Value {
    let mut m = Map::new();
    m.insert("type".into(), Value::from("null"));
    m.insert("description".into(), Value::from("No value."));
    Value::Object(m)
}

/// Marks a converted shape as accepting `null`.
pub(super) fn make_nullable(out: &mut Map<String, Value>, path: &str) -> Result<(), SchemaError> {
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
pub(super) fn constant_values(obj: &Map<String, Value>) -> Option<Vec<Value>> {
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

/// The type of a schema that does not say it, from its allowed values or its
/// keywords.
pub(super) fn infer_type(obj: &Map<String, Value>) -> Option<String> {
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
pub(super) fn collapse_constants(branches: &[Value]) -> Option<Map<String, Value>> {
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
pub(super) fn attach_description(shape: &mut Map<String, Value>, text: &str) {
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
pub(super) fn base_description(obj: &Map<String, Value>) -> String {
    obj.get("description")
        .and_then(Value::as_str)
        .map(|d| d.trim().to_owned())
        .unwrap_or_default()
}

/// Appends a sentence unless the description already says it.
pub(super) fn append_sentence(desc: &mut String, sentence: &str) {
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
