//! Actions about what the AI hears and plays: speech-recognition hints,
//! end-of-speech timeouts, and background audio.

use serde::Serialize;

use super::ToolResult;
use super::wire::{EmptyObject, is_false};

/// A speech-recognition hint ([`ToolResult::add_dynamic_hints`]). Converts
/// from a word or phrase.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DynamicHint {
    /// A word or phrase to favour: sent as a bare string.
    Word(String),
    /// A pattern whose matches are rewritten:
    /// `{"pattern", "replace", "ignore_case"?}`.
    Pattern {
        /// Regular expression to match in the transcript.
        pattern: String,
        /// Replacement text.
        replace: String,
        /// Match case-insensitively (sent only when `true`).
        ignore_case: bool,
    },
}

impl DynamicHint {
    /// A word or phrase hint.
    pub fn word(word: impl Into<String>) -> Self {
        DynamicHint::Word(word.into())
    }

    /// A case-sensitive pattern hint.
    pub fn pattern(pattern: impl Into<String>, replace: impl Into<String>) -> Self {
        DynamicHint::Pattern {
            pattern: pattern.into(),
            replace: replace.into(),
            ignore_case: false,
        }
    }
}

impl From<&str> for DynamicHint {
    fn from(word: &str) -> Self {
        DynamicHint::word(word)
    }
}

impl From<String> for DynamicHint {
    fn from(word: String) -> Self {
        DynamicHint::Word(word)
    }
}

/// `{key: value}` objects for recognition and background audio.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(super) enum SpeechAction {
    /// Milliseconds.
    #[serde(rename = "end_of_speech_timeout")]
    EndOfSpeechTimeout(u32),
    /// Milliseconds.
    #[serde(rename = "speech_event_timeout")]
    SpeechEventTimeout(u32),
    #[serde(rename = "add_dynamic_hints")]
    AddDynamicHints(Vec<HintValue>),
    #[serde(rename = "clear_dynamic_hints")]
    ClearDynamicHints(EmptyObject),
    #[serde(rename = "playback_bg")]
    PlaybackBackground(Playback),
    /// Always `true`.
    #[serde(rename = "stop_playback_bg")]
    StopPlaybackBackground(bool),
}

/// [`DynamicHint`] as sent: the bare word, or the pattern object.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub(super) enum HintValue {
    Word(String),
    Pattern {
        pattern: String,
        replace: String,
        #[serde(skip_serializing_if = "is_false")]
        ignore_case: bool,
    },
}

impl From<DynamicHint> for HintValue {
    fn from(hint: DynamicHint) -> Self {
        match hint {
            DynamicHint::Word(word) => HintValue::Word(word),
            DynamicHint::Pattern {
                pattern,
                replace,
                ignore_case,
            } => HintValue::Pattern {
                pattern,
                replace,
                ignore_case,
            },
        }
    }
}

/// A background file: the bare file name, or `{"file", "wait": true}` when
/// the AI waits for it to finish.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub(super) enum Playback {
    File(String),
    Waiting { file: String, wait: bool },
}

impl ToolResult {
    /// Sets the end-of-speech timeout: `{"end_of_speech_timeout": ms}`.
    pub fn set_end_of_speech_timeout(self, millis: u32) -> Self {
        self.push(SpeechAction::EndOfSpeechTimeout(millis))
    }

    /// Sets the speech event timeout: `{"speech_event_timeout": ms}`.
    pub fn set_speech_event_timeout(self, millis: u32) -> Self {
        self.push(SpeechAction::SpeechEventTimeout(millis))
    }

    /// Adds recognition hints: `{"add_dynamic_hints": [..]}`.
    pub fn add_dynamic_hints<I, H>(self, hints: I) -> Self
    where
        I: IntoIterator<Item = H>,
        H: Into<DynamicHint>,
    {
        let hints = hints
            .into_iter()
            .map(|hint| HintValue::from(hint.into()))
            .collect();
        self.push(SpeechAction::AddDynamicHints(hints))
    }

    /// Removes all dynamic hints: `{"clear_dynamic_hints": {}}`.
    pub fn clear_dynamic_hints(self) -> Self {
        self.push(SpeechAction::ClearDynamicHints(EmptyObject {}))
    }

    /// Plays a background file: `{"playback_bg": file}`, or with `wait`
    /// `{"playback_bg": {"file", "wait": true}}`.
    pub fn playback_bg(self, file: impl Into<String>, wait: bool) -> Self {
        let file = file.into();
        let playback = if wait {
            Playback::Waiting { file, wait: true }
        } else {
            Playback::File(file)
        };
        self.push(SpeechAction::PlaybackBackground(playback))
    }

    /// Stops background playback: `{"stop_playback_bg": true}`.
    pub fn stop_playback_bg(self) -> Self {
        self.push(SpeechAction::StopPlaybackBackground(true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn pattern_hints_send_ignore_case_only_when_set() {
        let result = ToolResult::new("x").add_dynamic_hints([
            DynamicHint::Pattern {
                pattern: "p".into(),
                replace: "r".into(),
                ignore_case: true,
            },
            DynamicHint::pattern("a.c", "ABC"),
            DynamicHint::word("Acme"),
        ]);
        let body: Value = serde_json::from_slice(&result.to_json_vec()).expect("JSON");
        assert_eq!(
            body["action"][0],
            json!({"add_dynamic_hints": [
                {"pattern": "p", "replace": "r", "ignore_case": true},
                {"pattern": "a.c", "replace": "ABC"},
                "Acme"
            ]})
        );
    }
}
