//! The `{"SWML": document}` action that runs SWML verbs on the call, the
//! [`Verb`] list every call-control helper draws from, and the two helpers
//! that take SWML directly: [`ToolResult::execute_swml`] and
//! [`ToolResult::user_event`].
//!
//! The reference writes the document in two key orders (`version` first for
//! most helpers, `sections` first for `connect` and `user_event`); both are
//! kept so the bytes match (docs/protocol.md section 5).

use serde_json::{Map, Value};

use super::ToolResult;
use super::document::{SwmlAction, UserEvent, Verb};
use super::wire::bool_str;

/// A SWML document for [`ToolResult::execute_swml`].
///
/// From JSON text the key order of the text is kept; text that is not a JSON
/// object is sent as `{"raw_swml": text}` (the reference does this for text
/// that does not parse; here it also covers text parsing to a non-object, as
/// SWML is always an object). A [`serde_json::Value`] object is used as is,
/// in the order of its map (insertion order, as this workspace builds
/// `serde_json` with `preserve_order`); a `Value::String` is treated as
/// text, and any other value as raw SWML.
#[derive(Clone, Debug, PartialEq)]
pub struct SwmlDocument(Map<String, Value>);

impl SwmlDocument {
    fn raw(text: String) -> Self {
        let mut document = Map::new();
        document.insert("raw_swml".to_owned(), Value::String(text));
        SwmlDocument(document)
    }

    /// Parsing into an order-preserving map keeps the text's key order; a
    /// repeated key keeps its first position and its last value, as a Python
    /// `dict` does.
    fn parse(text: String) -> Self {
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(document)) => SwmlDocument(document),
            _ => SwmlDocument::raw(text),
        }
    }
}

impl From<&str> for SwmlDocument {
    fn from(text: &str) -> Self {
        SwmlDocument::parse(text.to_owned())
    }
}

impl From<String> for SwmlDocument {
    fn from(text: String) -> Self {
        SwmlDocument::parse(text)
    }
}

impl From<Value> for SwmlDocument {
    fn from(value: Value) -> Self {
        match value {
            Value::Object(document) => SwmlDocument(document),
            Value::String(text) => SwmlDocument::parse(text),
            other => SwmlDocument::raw(other.to_string()),
        }
    }
}

impl ToolResult {
    /// Runs a SWML document: `{"SWML": doc}`; with `transfer`, the key
    /// `"transfer": "true"` is set inside the document.
    pub fn execute_swml(self, doc: impl Into<SwmlDocument>, transfer: bool) -> Self {
        let SwmlDocument(mut document) = doc.into();
        if transfer {
            // An existing `transfer` key keeps its place; a new one goes last.
            document.insert("transfer".to_owned(), Value::from(bool_str(true)));
        }
        self.push(SwmlAction::given(document))
    }

    /// Sends an event to the client: SWML `{"user_event": {"event": event}}`.
    pub fn user_event(self, event: Value) -> Self {
        let verb = Verb::new("user_event", UserEvent { event });
        self.push(SwmlAction::run_sections_first(vec![verb]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body_text(result: &ToolResult) -> String {
        String::from_utf8(result.to_json_vec()).expect("serde_json writes UTF-8")
    }

    #[test]
    fn execute_swml_forms() {
        let x = || ToolResult::new("x");
        let doc = json!({"version": "1.0.0", "sections": {"main": [{"hangup": {}}]}});
        let from_value = x().execute_swml(doc, true);
        assert_eq!(
            body_text(&from_value),
            r#"{"response":"x","action":[{"SWML":{"version":"1.0.0","sections":{"main":[{"hangup":{}}]},"transfer":"true"}}]}"#
        );
        let non_object = x().execute_swml("[1, 2]", true);
        assert_eq!(
            body_text(&non_object),
            r#"{"response":"x","action":[{"SWML":{"raw_swml":"[1, 2]","transfer":"true"}}]}"#
        );
        let existing_transfer = x().execute_swml(r#"{"transfer":"false","version":"1.0.0"}"#, true);
        assert_eq!(
            body_text(&existing_transfer),
            r#"{"response":"x","action":[{"SWML":{"transfer":"true","version":"1.0.0"}}]}"#
        );
        let number = x().execute_swml(json!(5), false);
        assert_eq!(
            body_text(&number),
            r#"{"response":"x","action":[{"SWML":{"raw_swml":"5"}}]}"#
        );
    }

    #[test]
    fn text_documents_keep_key_order_and_the_last_repeated_value() {
        let result = ToolResult::new("x").execute_swml(r#"{"b":{"z":1,"a":2},"a":1,"b":3}"#, false);
        assert_eq!(
            body_text(&result),
            r#"{"response":"x","action":[{"SWML":{"b":3,"a":1}}]}"#
        );
    }

    #[test]
    fn user_event_lists_sections_first() {
        let result = ToolResult::new("x").user_event(json!({"type": "x"}));
        assert_eq!(
            body_text(&result),
            r#"{"response":"x","action":[{"SWML":{"sections":{"main":[{"user_event":{"event":{"type":"x"}}}]},"version":"1.0.0"}}]}"#
        );
    }
}
