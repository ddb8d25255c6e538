//! Actions that steer the conversation: speaking, holding, waiting, ending
//! the call, switching contexts and steps, rewriting history, and changing
//! which functions and settings the AI uses.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use super::ToolResult;
use super::wire::{is_false, non_empty};

/// Longest hold accepted by [`ToolResult::hold`], in seconds.
pub const MAX_HOLD_SECS: u32 = 900;

/// Hold used by [`HoldTimeout::default`], in seconds (the reference's).
const DEFAULT_HOLD_SECS: u32 = 300;

/// Hold duration for [`ToolResult::hold`], clamped to `0..=900` seconds like
/// the reference. Converts from integer seconds and from [`Duration`]
/// (sub-second parts are dropped). The default is 300 seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HoldTimeout(u32);

impl HoldTimeout {
    /// A hold of `secs` seconds, clamped to `0..=900`.
    #[must_use]
    pub fn from_secs(secs: u64) -> Self {
        let clamped = secs.min(u64::from(MAX_HOLD_SECS));
        HoldTimeout(u32::try_from(clamped).unwrap_or(MAX_HOLD_SECS))
    }

    /// The (clamped) number of seconds.
    #[must_use]
    pub fn secs(self) -> u32 {
        self.0
    }
}

impl Default for HoldTimeout {
    fn default() -> Self {
        HoldTimeout(DEFAULT_HOLD_SECS)
    }
}

impl From<u32> for HoldTimeout {
    fn from(secs: u32) -> Self {
        HoldTimeout::from_secs(u64::from(secs))
    }
}

impl From<u64> for HoldTimeout {
    fn from(secs: u64) -> Self {
        HoldTimeout::from_secs(secs)
    }
}

/// Negative values clamp to 0.
impl From<i32> for HoldTimeout {
    fn from(secs: i32) -> Self {
        HoldTimeout::from(i64::from(secs))
    }
}

/// Negative values clamp to 0.
impl From<i64> for HoldTimeout {
    fn from(secs: i64) -> Self {
        HoldTimeout::from_secs(u64::try_from(secs).unwrap_or(0))
    }
}

impl From<Duration> for HoldTimeout {
    fn from(duration: Duration) -> Self {
        HoldTimeout::from_secs(duration.as_secs())
    }
}

/// How the AI waits for the caller ([`ToolResult::wait_for_user`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum WaitForUser {
    /// Wait for the caller to speak: `true` (default).
    #[default]
    Enabled,
    /// Stop waiting: `false`.
    Disabled,
    /// Wait at most this many seconds: an integer.
    Timeout(u32),
    /// Wait only for the first answer: `"answer_first"`.
    AnswerFirst,
}

/// What replaces this tool call in the conversation history
/// ([`ToolResult::replace_in_history`]). Converts from `bool` and from text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum HistoryReplacement {
    /// `true` drops the tool call and its result from the history.
    Flag(bool),
    /// Replaces the tool call with this assistant text.
    Text(String),
}

impl From<bool> for HistoryReplacement {
    fn from(flag: bool) -> Self {
        HistoryReplacement::Flag(flag)
    }
}

impl From<&str> for HistoryReplacement {
    fn from(text: &str) -> Self {
        HistoryReplacement::Text(text.to_owned())
    }
}

impl From<String> for HistoryReplacement {
    fn from(text: String) -> Self {
        HistoryReplacement::Text(text)
    }
}

/// A context switch ([`ToolResult::switch_context`]). A system prompt alone
/// is sent as a bare string; anything else as an object holding only the
/// options that are set. Converts from a system prompt string.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[must_use = "builders do nothing unless passed on"]
pub struct ContextSwitch {
    system_prompt: Option<String>,
    user_prompt: Option<String>,
    consolidate: bool,
    full_reset: bool,
}

impl ContextSwitch {
    /// An empty switch; add prompts and flags with the setters.
    pub fn new() -> Self {
        ContextSwitch::default()
    }

    /// Sets the new system prompt.
    pub fn system_prompt(mut self, prompt: impl Into<String>) -> Self {
        self.system_prompt = Some(prompt.into());
        self
    }

    /// Sets a user prompt to inject.
    pub fn user_prompt(mut self, prompt: impl Into<String>) -> Self {
        self.user_prompt = Some(prompt.into());
        self
    }

    /// Summarises the conversation so far into the new context.
    pub fn consolidate(mut self, consolidate: bool) -> Self {
        self.consolidate = consolidate;
        self
    }

    /// Discards the conversation so far.
    pub fn full_reset(mut self, full_reset: bool) -> Self {
        self.full_reset = full_reset;
        self
    }

    fn into_wire(self) -> ContextSwitchValue {
        let options = ContextSwitchOptions {
            system_prompt: non_empty(self.system_prompt),
            user_prompt: non_empty(self.user_prompt),
            consolidate: self.consolidate,
            full_reset: self.full_reset,
        };
        match options {
            ContextSwitchOptions {
                system_prompt: Some(system_prompt),
                user_prompt: None,
                consolidate: false,
                full_reset: false,
            } => ContextSwitchValue::SystemPrompt(system_prompt),
            options => ContextSwitchValue::Options(options),
        }
    }
}

impl From<&str> for ContextSwitch {
    fn from(system_prompt: &str) -> Self {
        ContextSwitch::new().system_prompt(system_prompt)
    }
}

impl From<String> for ContextSwitch {
    fn from(system_prompt: String) -> Self {
        ContextSwitch::new().system_prompt(system_prompt)
    }
}

/// `{key: value}` objects that steer the conversation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(super) enum ConversationAction {
    #[serde(rename = "say")]
    Say(String),
    /// Always `true`.
    #[serde(rename = "stop")]
    Stop(bool),
    /// Always `true`.
    #[serde(rename = "hangup")]
    Hangup(bool),
    /// Seconds, already clamped.
    #[serde(rename = "hold")]
    Hold(u32),
    #[serde(rename = "wait_for_user")]
    WaitForUser(WaitForUserValue),
    #[serde(rename = "toggle_functions")]
    ToggleFunctions(Vec<FunctionToggle>),
    #[serde(rename = "functions_on_speaker_timeout")]
    FunctionsOnSpeakerTimeout(bool),
    #[serde(rename = "extensive_data")]
    ExtensiveData(bool),
    #[serde(rename = "replace_in_history")]
    ReplaceInHistory(HistoryValue),
    #[serde(rename = "settings")]
    Settings(Value),
    #[serde(rename = "context_switch")]
    ContextSwitch(ContextSwitchValue),
    #[serde(rename = "change_step")]
    ChangeStep(String),
    #[serde(rename = "change_context")]
    ChangeContext(String),
    #[serde(rename = "user_input")]
    UserInput(String),
}

/// [`WaitForUser`] as sent: a flag, a number of seconds or a mode string.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub(super) enum WaitForUserValue {
    Flag(bool),
    Seconds(u32),
    Mode(&'static str),
}

impl From<WaitForUser> for WaitForUserValue {
    fn from(mode: WaitForUser) -> Self {
        match mode {
            WaitForUser::Enabled => WaitForUserValue::Flag(true),
            WaitForUser::Disabled => WaitForUserValue::Flag(false),
            WaitForUser::Timeout(secs) => WaitForUserValue::Seconds(secs),
            WaitForUser::AnswerFirst => WaitForUserValue::Mode("answer_first"),
        }
    }
}

/// `{"function": name, "active": flag}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(super) struct FunctionToggle {
    function: String,
    active: bool,
}

/// [`HistoryReplacement`] as sent: a flag or the replacement text.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub(super) enum HistoryValue {
    Flag(bool),
    Text(String),
}

impl From<HistoryReplacement> for HistoryValue {
    fn from(replacement: HistoryReplacement) -> Self {
        match replacement {
            HistoryReplacement::Flag(flag) => HistoryValue::Flag(flag),
            HistoryReplacement::Text(text) => HistoryValue::Text(text),
        }
    }
}

/// [`ContextSwitch`] as sent: the bare system prompt, or the options set.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub(super) enum ContextSwitchValue {
    SystemPrompt(String),
    Options(ContextSwitchOptions),
}

/// The object form of a context switch; unset options are left out.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(super) struct ContextSwitchOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    system_prompt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_prompt: Option<String>,
    #[serde(skip_serializing_if = "is_false")]
    consolidate: bool,
    #[serde(skip_serializing_if = "is_false")]
    full_reset: bool,
}

impl ToolResult {
    /// Speaks `text` to the caller: `{"say": text}`.
    pub fn say(self, text: impl Into<String>) -> Self {
        self.push(ConversationAction::Say(text.into()))
    }

    /// Stops the agent: `{"stop": true}`.
    pub fn stop(self) -> Self {
        self.push(ConversationAction::Stop(true))
    }

    /// Hangs up the call: `{"hangup": true}`.
    pub fn hangup(self) -> Self {
        self.push(ConversationAction::Hangup(true))
    }

    /// Puts the caller on hold: `{"hold": secs}`, clamped to `0..=900`.
    /// Takes integer seconds, a [`Duration`] or [`HoldTimeout::default`]
    /// (300 s).
    pub fn hold(self, timeout: impl Into<HoldTimeout>) -> Self {
        self.push(ConversationAction::Hold(timeout.into().secs()))
    }

    /// Controls waiting for the caller: `{"wait_for_user": …}`.
    pub fn wait_for_user(self, mode: WaitForUser) -> Self {
        self.push(ConversationAction::WaitForUser(mode.into()))
    }

    /// Enables or disables functions:
    /// `{"toggle_functions": [{"function", "active"}]}`.
    pub fn toggle_functions<I, N>(self, toggles: I) -> Self
    where
        I: IntoIterator<Item = (N, bool)>,
        N: Into<String>,
    {
        let toggles = toggles
            .into_iter()
            .map(|(name, active)| FunctionToggle {
                function: name.into(),
                active,
            })
            .collect();
        self.push(ConversationAction::ToggleFunctions(toggles))
    }

    /// Lets functions run on speaker timeout:
    /// `{"functions_on_speaker_timeout": enabled}`.
    pub fn enable_functions_on_timeout(self, enabled: bool) -> Self {
        self.push(ConversationAction::FunctionsOnSpeakerTimeout(enabled))
    }

    /// Sends full data to the model: `{"extensive_data": enabled}`.
    pub fn enable_extensive_data(self, enabled: bool) -> Self {
        self.push(ConversationAction::ExtensiveData(enabled))
    }

    /// Rewrites this tool call in the history: `{"replace_in_history": …}`
    /// (`true`/`false` or replacement text).
    pub fn replace_in_history(self, replacement: impl Into<HistoryReplacement>) -> Self {
        let value = HistoryValue::from(replacement.into());
        self.push(ConversationAction::ReplaceInHistory(value))
    }

    /// Changes AI settings (`temperature`, `top-p`, `max-tokens`, …):
    /// `{"settings": settings}`.
    pub fn update_settings(self, settings: Value) -> Self {
        self.push(ConversationAction::Settings(settings))
    }

    /// Switches context: `{"context_switch": "prompt"}` or an object.
    pub fn switch_context(self, context: impl Into<ContextSwitch>) -> Self {
        let value = context.into().into_wire();
        self.push(ConversationAction::ContextSwitch(value))
    }

    /// Moves to another step of the current context: `{"change_step": name}`.
    pub fn change_step(self, step: impl Into<String>) -> Self {
        self.push(ConversationAction::ChangeStep(step.into()))
    }

    /// Moves to another context: `{"change_context": name}`.
    pub fn change_context(self, context: impl Into<String>) -> Self {
        self.push(ConversationAction::ChangeContext(context.into()))
    }

    /// Injects text as if the caller said it: `{"user_input": text}`.
    pub fn simulate_user_input(self, text: impl Into<String>) -> Self {
        self.push(ConversationAction::UserInput(text.into()))
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
    fn hold_clamps_and_accepts_durations() {
        let holds = ToolResult::new("x")
            .hold(-5)
            .hold(901_u64)
            .hold(Duration::from_millis(61_900))
            .hold(i64::MIN);
        assert_eq!(
            body_text(&holds),
            r#"{"response":"x","action":[{"hold":0},{"hold":900},{"hold":61},{"hold":0}]}"#
        );
        assert_eq!(HoldTimeout::from(u32::MAX).secs(), 900);
        assert_eq!(HoldTimeout::default().secs(), 300);
    }

    #[test]
    fn context_switch_forms_and_history_flag() {
        let result = ToolResult::new("x")
            .switch_context(ContextSwitch::new().user_prompt("u"))
            .switch_context(ContextSwitch::new().system_prompt("s").user_prompt(""))
            .switch_context(ContextSwitch::new())
            .replace_in_history(false);
        let body: Value = serde_json::from_slice(&result.to_json_vec()).expect("JSON");
        let actions = &body["action"];
        assert_eq!(actions[0], json!({"context_switch": {"user_prompt": "u"}}));
        assert_eq!(actions[1], json!({"context_switch": "s"}));
        assert_eq!(actions[2], json!({"context_switch": {}}));
        assert_eq!(actions[3], json!({"replace_in_history": false}));
    }
}
