//! The `{"SWML": document}` action: a document of SWML verbs run on the
//! call, which every call-control helper builds.
//!
//! The reference writes the document in two key orders (`version` first for
//! most helpers, `sections` first for `connect` and `user_event`); both are
//! kept so the bytes match (docs/protocol.md section 6).

use serde::ser::SerializeMap as _;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::wire::bool_str;

const SWML_VERSION: &str = "1.0.0";

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

    /// Runs a document given whole (by [`ToolResult::execute_swml`]).
    ///
    /// [`ToolResult::execute_swml`]: super::ToolResult::execute_swml
    pub(super) fn given(document: Map<String, Value>) -> Self {
        SwmlAction::of(Document::Given(document))
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

/// One SWML verb as `{name: params}`. The parameter types live next to
/// the helper that fills them; the verb keeps them as the JSON they
/// serialise to, so this file needs to know none of them.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Verb {
    name: &'static str,
    params: Value,
}

impl Verb {
    /// The verb `name` with these parameters.
    pub(super) fn new(name: &'static str, params: impl Serialize) -> Self {
        Verb {
            name,
            // Parameter types are structs of strings, numbers, booleans and
            // maps with string keys, which always convert.
            params: serde_json::to_value(params).unwrap_or(Value::Null),
        }
    }
}

impl Serialize for Verb {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.name, &self.params)?;
        map.end()
    }
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
    pub(super) event: Value,
}
