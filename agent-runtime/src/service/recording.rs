//! Keeping the input of unrecorded tools out of the call recording: what
//! [`build`](super::build) adds when the agent records calls and a tool is
//! `#[tool(unrecorded)]`.
//!
//! The caller speaks a tool's input before the tool runs, so the pause must
//! come first, from a step of its own: beside each unrecorded tool the
//! runtime registers a companion function (`prepare_<tool>`, named by
//! `agent_rules::function::recording_companion`) that the AI is told to call
//! right before it asks for the input. Every reply of the companion stops
//! the recording; every 200 reply of the tool (its result, a spoken refusal,
//! an apology for an error, a panic or a timeout) starts it again under the
//! same control id, after the tool's own actions. Both actions are the
//! platform's own `stop_record_call` and `record_call` SWML verbs, built by
//! the public [`ToolResult`] builders and serialised here once.
//!
//! A request refused with an HTTP status instead of a 200 (no credentials,
//! a bad signature or token, a malformed envelope or arguments, the
//! per-address limit) has no SWAIG body, so it carries no action: the
//! recording stays as it was, paused if the companion ran, until a later
//! 200 answer of an unrecorded tool or the end of the call.
//!
//! The companion takes no arguments, carries the tool's `secure` flag (so
//! it gets a token in the document and is withdrawn with the tool in
//! emergency mode or without a call id), has no guard, and runs the same
//! pipeline as any tool, so each call of it is audited.

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::Value;
use serde_json::value::RawValue;

use super::error::BuildError;
use crate::action::ToolResult;
use crate::agent::{RecordingPolicy, ToolDef, ToolFuture};
use crate::context::Call;
use crate::swml::Recording;

/// What the AI reads after the companion ran.
const PAUSED_REPLY: &str = "The call recording is paused. Ask the caller for the details now and pass them to the tool; the recording resumes when it answers.";

/// The description of every companion. The tool's own description names
/// its companion ([`unrecorded_description`]), so the two point at each
/// other.
const COMPANION_DESCRIPTION: &str = "Pauses the call recording so that the private details the caller gives next are not recorded. Call it right before you ask the caller for the details of the tool named after `prepare_` in this function's name; that tool resumes the recording when it answers.";

/// The two actions around an unrecorded tool, serialised once.
pub(super) struct RecordingActions {
    pub(super) pause: Arc<RawValue>,
    pub(super) resume: Arc<RawValue>,
}

impl RecordingActions {
    /// The actions that stop `recording` (started under
    /// [`Recording::CONTROL_ID`]) and start it again with the same settings.
    pub(super) fn new(recording: Recording) -> Result<Self, BuildError> {
        let pause = ToolResult::default().stop_record_call_id(Recording::CONTROL_ID);
        let resume = ToolResult::default().record_call(recording.restarted(Recording::CONTROL_ID));
        Ok(RecordingActions {
            pause: only_action(pause)?,
            resume: only_action(resume)?,
        })
    }
}

/// The single action of `result` as JSON text.
fn only_action(result: ToolResult) -> Result<Arc<RawValue>, BuildError> {
    let action = result
        .into_actions()
        .into_iter()
        .next()
        .unwrap_or(Value::Null);
    serde_json::value::to_raw_value(&action)
        .map(Arc::from)
        .map_err(|e| BuildError::Prompt(format!("a recording action could not be serialised: {e}")))
}

/// The companion of the unrecorded tool `tool`, registered as `name`.
pub(super) fn companion<A>(tool: &ToolDef<A>, name: &'static str) -> ToolDef<A> {
    ToolDef {
        name,
        description: COMPANION_DESCRIPTION,
        secure: tool.secure,
        sensitive: &[],
        rate_limit: None,
        guard: None,
        checked: false,
        recording: RecordingPolicy::Undeclared,
        schema: no_arguments,
        invoke: pause,
    }
}

/// The description of an unrecorded tool on an agent that records: its doc
/// comment, then when to call the companion.
pub(super) fn unrecorded_description(
    description: &'static str,
    companion: &str,
) -> Cow<'static, str> {
    Cow::Owned(format!(
        "{description}\n\nBefore you ask the caller for the details this tool takes, call \
         {companion}: it pauses the call recording so that they are not recorded. The \
         recording resumes when this tool answers."
    ))
}

/// The companion's arguments: none, and nothing else either.
fn no_arguments() -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "properties": {},
        "additionalProperties": false
    })
}

/// The companion's handler: the reply text; the pause is the action the
/// pipeline appends to every reply of the companion.
fn pause<'a, A>(_agent: &'a A, _call: &'a Call, _args: Value) -> ToolFuture<'a> {
    Box::pin(std::future::ready(Ok(ToolResult::new(PAUSED_REPLY))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_actions_name_the_control_id_of_the_agents_recording() {
        let actions = RecordingActions::new(Recording::default()).expect("serialises");
        assert_eq!(
            actions.pause.get(),
            r#"{"SWML":{"version":"1.0.0","sections":{"main":[{"stop_record_call":{"control_id":"agent-call-recording"}}]}}}"#
        );
        assert_eq!(
            actions.resume.get(),
            r#"{"SWML":{"version":"1.0.0","sections":{"main":[{"record_call":{"stereo":true,"format":"mp4","direction":"both","beep":false,"input_sensitivity":44.0,"control_id":"agent-call-recording"}}]}}}"#
        );
    }

    #[test]
    fn the_tools_description_names_its_companion_after_its_own_text() {
        let text = unrecorded_description("Check the PIN.", "prepare_verify_pin");
        assert!(text.starts_with("Check the PIN.\n\nBefore you ask"));
        assert!(text.contains("call prepare_verify_pin:"));
    }
}
