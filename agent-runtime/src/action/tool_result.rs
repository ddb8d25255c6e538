//! [`ToolResult`] itself: the response text, the ordered action list, the
//! body rules of the reference SDK, and the escape hatches that append raw
//! JSON. The typed actions are added by the `impl ToolResult` blocks in the
//! sibling files, next to the option types they take.

use serde::ser::SerializeSeq as _;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// Response text sent when a result has neither response text nor actions.
pub const DEFAULT_RESPONSE: &str = "Action completed.";

/// Body used if serialisation ever failed; see [`ToolResult::to_json_vec`].
const FALLBACK_BODY: &[u8] = br#"{"response":"Action completed."}"#;

/// What a SWAIG tool handler returns: response text for the model plus
/// actions for the platform.
///
/// Build it fluently; every action method appends one action, in call order.
/// Serialise it with [`ToolResult::to_json_vec`] or through
/// [`serde::Serialize`]:
///
/// * `response` is omitted when empty, `action` when there are no actions;
/// * `post_process` is sent only when set **and** there is an action;
/// * with nothing left the body is `{"response":"Action completed."}`.
///
/// ```
/// use agent_runtime::action::{Connect, ToolResult};
/// use serde_json::json;
///
/// let result = ToolResult::new("Transferring you now")
///     .update_global_data(json!({"transferred": true}))
///     .connect(Connect::new("+15551234567").final_(false))
///     .post_process(true);
///
/// let body: serde_json::Value = serde_json::from_slice(&result.to_json_vec()).unwrap();
/// assert_eq!(body["response"], "Transferring you now");
/// assert_eq!(body["action"][0], json!({"set_global_data": {"transferred": true}}));
/// assert_eq!(body["action"][1]["transfer"], "false");
/// assert_eq!(body["post_process"], true);
///
/// assert_eq!(ToolResult::default().to_json_vec(), br#"{"response":"Action completed."}"#);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[must_use = "a tool result does nothing unless returned"]
pub struct ToolResult {
    response: String,
    /// Each action as the JSON object it is sent as (`{key: value}`),
    /// serialised from its typed form when it is added.
    actions: Vec<Value>,
    post_process: bool,
}

/// The body as sent: which keys appear depends on the other fields, so the
/// decision is made once in [`ToolResult::body`] and this struct only writes
/// what was decided, in the reference's key order.
#[derive(Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    response: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    action: Option<Actions<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    post_process: Option<bool>,
}

/// The action list as sent: the result's own actions, then the one the
/// runtime appends last, if any (already JSON text, serialised once at
/// start-up).
struct Actions<'a> {
    own: &'a [Value],
    last: Option<&'a RawValue>,
}

impl Serialize for Actions<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = self.own.len() + usize::from(self.last.is_some());
        let mut seq = serializer.serialize_seq(Some(len))?;
        for action in self.own {
            seq.serialize_element(action)?;
        }
        if let Some(last) = self.last {
            seq.serialize_element(last)?;
        }
        seq.end()
    }
}

impl ToolResult {
    /// A result whose response text is `response` and with no actions.
    pub fn new(response: impl Into<String>) -> Self {
        ToolResult {
            response: response.into(),
            ..ToolResult::default()
        }
    }

    /// Replaces the response text.
    pub fn with_response(mut self, response: impl Into<String>) -> Self {
        self.response = response.into();
        self
    }

    /// With `true`, the AI speaks its reply before the actions run.
    pub fn post_process(mut self, post_process: bool) -> Self {
        self.post_process = post_process;
        self
    }

    /// The response text as set (possibly empty; the serialised default
    /// `"Action completed."` is not applied here).
    #[must_use]
    pub fn response_text(&self) -> &str {
        &self.response
    }

    /// Whether `post_process` was requested.
    #[must_use]
    pub fn is_post_process(&self) -> bool {
        self.post_process
    }

    /// Number of actions added so far.
    #[must_use]
    pub fn action_count(&self) -> usize {
        self.actions.len()
    }

    /// The JSON body as bytes.
    ///
    /// This cannot fail: every key is a string and the writer is a `Vec`.
    /// Should `serde_json` still report an error, the body falls back to
    /// `{"response":"Action completed."}` rather than panicking.
    #[must_use]
    pub fn to_json_vec(&self) -> Vec<u8> {
        self.to_json_vec_ending_with(None)
    }

    /// The JSON body with `last` (one action's JSON text) after every
    /// action of the result, as if it had been added last; the body rules
    /// count it as an action. The runtime ends the results of unrecorded
    /// tools and their companions this way.
    pub(crate) fn to_json_vec_ending_with(&self, last: Option<&RawValue>) -> Vec<u8> {
        serde_json::to_vec(&self.body(last)).unwrap_or_else(|_| FALLBACK_BODY.to_vec())
    }

    /// The actions added so far, in order.
    pub(crate) fn into_actions(self) -> Vec<Value> {
        self.actions
    }

    /// Appends `{name: data}` verbatim.
    pub fn add_action(mut self, name: impl Into<String>, data: Value) -> Self {
        // The key is chosen by the caller, so this one action is built as a
        // JSON map rather than a typed struct.
        let mut action = Map::new();
        action.insert(name.into(), data);
        self.actions.push(Value::Object(action));
        self
    }

    /// Appends each value verbatim as one action.
    pub fn add_actions(mut self, actions: impl IntoIterator<Item = Value>) -> Self {
        self.actions.extend(actions);
        self
    }

    /// Appends one typed action; every builder method ends here.
    pub(super) fn push(mut self, action: impl Serialize) -> Self {
        // The typed actions are maps with string keys, numbers, strings and
        // booleans, which always convert; `null` would only stand in for a
        // bug, never for caller data.
        self.actions
            .push(serde_json::to_value(action).unwrap_or(Value::Null));
        self
    }

    /// Applies the reference's body rules: the default response only when
    /// there is nothing else to send, `post_process` only with actions.
    fn body<'a>(&'a self, last: Option<&'a RawValue>) -> Body<'a> {
        let has_actions = !self.actions.is_empty() || last.is_some();
        let response = if !self.response.is_empty() {
            Some(self.response.as_str())
        } else if has_actions {
            None
        } else {
            Some(DEFAULT_RESPONSE)
        };
        Body {
            response,
            action: has_actions.then_some(Actions {
                own: &self.actions,
                last,
            }),
            post_process: (has_actions && self.post_process).then_some(true),
        }
    }
}

impl Serialize for ToolResult {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.body(None).serialize(serializer)
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
    fn envelope_rules() {
        let no_text = ToolResult::new("").post_process(true);
        assert_eq!(body_text(&no_text), r#"{"response":"Action completed."}"#);
        let actions_no_pp = ToolResult::new("x").post_process(false).stop();
        assert_eq!(
            body_text(&actions_no_pp),
            r#"{"response":"x","action":[{"stop":true}]}"#
        );
        let replaced = ToolResult::new("a").with_response("b");
        assert_eq!(replaced.response_text(), "b");
        assert!(ToolResult::new("x").post_process(true).is_post_process());
        assert_eq!(ToolResult::new("x").say("1").say("2").action_count(), 2);
        assert_eq!(ToolResult::default().action_count(), 0);
    }

    #[test]
    fn an_action_appended_last_follows_every_other_and_counts_as_one() {
        let last = serde_json::value::to_raw_value(&json!({"stop": true})).expect("JSON");
        let with_actions = ToolResult::new("x").say("a").hangup();
        assert_eq!(
            String::from_utf8(with_actions.to_json_vec_ending_with(Some(&last))).expect("UTF-8"),
            r#"{"response":"x","action":[{"say":"a"},{"hangup":true},{"stop":true}]}"#
        );
        // An empty response stays out and `post_process` is kept, as for a
        // result whose only action was added by the handler.
        let alone = ToolResult::new("").post_process(true);
        assert_eq!(
            String::from_utf8(alone.to_json_vec_ending_with(Some(&last))).expect("UTF-8"),
            r#"{"action":[{"stop":true}],"post_process":true}"#
        );
        assert_eq!(alone.to_json_vec_ending_with(None), alone.to_json_vec());
        assert_eq!(
            ToolResult::new("x").say("a").into_actions(),
            [json!({"say": "a"})]
        );
    }

    #[test]
    fn verbatim_actions_keep_their_key_order() {
        let result = ToolResult::new("")
            .add_action("custom", json!({"z": 1, "a": 2}))
            .add_actions([json!({"say": "a"}), json!({"hold": 60})])
            .post_process(true);
        assert_eq!(
            body_text(&result),
            r#"{"action":[{"custom":{"z":1,"a":2}},{"say":"a"},{"hold":60}],"post_process":true}"#
        );
        let via_serde = serde_json::to_string(&result).expect("serialises");
        assert_eq!(via_serde, body_text(&result));
    }
}
