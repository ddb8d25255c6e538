//! The `{"SWML": document}` action that runs SWML verbs on the call, the
//! [`Verb`] list every call-control helper draws from, and the two helpers
//! that take SWML directly: [`ToolResult::execute_swml`] and
//! [`ToolResult::user_event`].
//!
//! The reference writes the document in two key orders (`version` first for
//! most helpers, `sections` first for `connect` and `user_event`); both are
//! kept so the bytes match (docs/protocol.md section 5).

use serde::Serialize;
use serde_json::{Map, Value};

use super::ToolResult;
use super::conference::ConferenceVerb;
use super::messaging::SmsParams;
use super::pay::PayParams;
use super::recording::RecordCallParams;
use super::rpc::RpcParams;
use super::tap::TapParams;
use super::transfer::{ConnectTarget, SipReferTarget, TransferDest};
use super::wire::bool_str;

const SWML_VERSION: &str = "1.0.0";

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

/// `{"SWML": document}`, with a sibling `"transfer": "true"|"false"` for the
/// helpers that hand the call elsewhere.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(super) struct SwmlAction {
    #[serde(rename = "SWML")]
    document: Document,
    #[serde(skip_serializing_if = "Option::is_none")]
    transfer: Option<&'static str>,
}

impl SwmlAction {
    /// Runs `main` in a `version`-first document.
    pub(super) fn run(main: Vec<Verb>) -> Self {
        SwmlAction::of(Document::VersionFirst {
            version: SWML_VERSION,
            sections: Sections { main },
        })
    }

    /// Runs `main` in a `sections`-first document.
    pub(super) fn run_sections_first(main: Vec<Verb>) -> Self {
        SwmlAction::of(Document::SectionsFirst {
            sections: Sections { main },
            version: SWML_VERSION,
        })
    }

    /// Adds the sibling `transfer` flag: `"true"` when the call leaves the
    /// agent for good.
    pub(super) fn transfer(mut self, is_final: bool) -> Self {
        self.transfer = Some(bool_str(is_final));
        self
    }

    fn of(document: Document) -> Self {
        SwmlAction {
            document,
            transfer: None,
        }
    }
}

/// The document inside `{"SWML": …}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
enum Document {
    VersionFirst {
        version: &'static str,
        sections: Sections,
    },
    SectionsFirst {
        sections: Sections,
        version: &'static str,
    },
    /// Supplied through [`ToolResult::execute_swml`], sent as given.
    Given(Map<String, Value>),
}

/// `{"main": verbs}`: helpers only ever write the main section.
#[derive(Clone, Debug, PartialEq, Serialize)]
struct Sections {
    main: Vec<Verb>,
}

/// Every SWML verb a helper can put in a document, as `{verb: params}`.
/// The parameter types live next to the helper that fills them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(super) enum Verb {
    #[serde(rename = "set")]
    Set(SetAiResponse),
    #[serde(rename = "transfer")]
    Transfer(TransferDest),
    #[serde(rename = "connect")]
    Connect(ConnectTarget),
    #[serde(rename = "sip_refer")]
    SipRefer(SipReferTarget),
    #[serde(rename = "send_sms")]
    SendSms(SmsParams),
    /// Boxed: by far the largest parameter set.
    #[serde(rename = "pay")]
    Pay(Box<PayParams>),
    #[serde(rename = "record_call")]
    RecordCall(RecordCallParams),
    #[serde(rename = "stop_record_call")]
    StopRecordCall(StopParams),
    #[serde(rename = "join_room")]
    JoinRoom(RoomName),
    #[serde(rename = "join_conference")]
    JoinConference(ConferenceVerb),
    #[serde(rename = "tap")]
    Tap(TapParams),
    #[serde(rename = "stop_tap")]
    StopTap(StopParams),
    #[serde(rename = "execute_rpc")]
    ExecuteRpc(RpcParams),
    #[serde(rename = "user_event")]
    UserEvent(UserEvent),
}

/// `{"ai_response": text}` of the `set` verb: what the AI is told when the
/// call comes back. `None` is sent as `null`, as the reference does.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(super) struct SetAiResponse {
    pub(super) ai_response: Option<String>,
}

/// Parameters of `stop_record_call` and `stop_tap`: `{}` stops the one
/// started without a control id.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(super) struct StopParams {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) control_id: Option<String>,
}

/// `{"name": room}` of `join_room`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(super) struct RoomName {
    pub(super) name: String,
}

/// `{"event": value}` of `user_event`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(super) struct UserEvent {
    event: Value,
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
        self.push(SwmlAction::of(Document::Given(document)))
    }

    /// Sends an event to the client: SWML `{"user_event": {"event": event}}`.
    pub fn user_event(self, event: Value) -> Self {
        let verb = Verb::UserEvent(UserEvent { event });
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
