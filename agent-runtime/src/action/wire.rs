//! Option values with one fixed spelling on the wire, and the small helpers
//! every action file uses to spell values the way the reference SDK does.
//!
//! The enums here are plain values: they are not `Serialize`. Each action's
//! private wire struct stores the spelling (`as_str()`), so the public types
//! promise nothing about serialisation beyond the documented strings.

use std::fmt;

/// Declares a public enum whose variants map to fixed strings, with
/// `as_str` and `Display` giving that string.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// The value as it is spelled on the wire.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $wire, )+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

// -- recording and media taps ---------------------------------------------

wire_enum! {
    /// Audio format of a call recording
    /// ([`RecordCall::format`](super::RecordCall::format)).
    #[derive(Default)]
    pub enum RecordFormat {
        /// `wav` (default).
        #[default]
        Wav => "wav",
        /// `mp3`.
        Mp3 => "mp3",
        /// `mp4`: accepted by the SWML schema, though the reference SDK's
        /// helper only offers `wav` and `mp3`. The format the agent's own
        /// recording defaults to, so a recording resumed after an unrecorded
        /// tool keeps it.
        Mp4 => "mp4",
    }
}

wire_enum! {
    /// Which audio a recording captures
    /// ([`RecordCall::direction`](super::RecordCall::direction)).
    #[derive(Default)]
    pub enum RecordDirection {
        /// `speak`: what the caller says.
        Speak => "speak",
        /// `listen`: what the caller hears.
        Listen => "listen",
        /// `both` (default).
        #[default]
        Both => "both",
    }
}

wire_enum! {
    /// Which audio a media tap streams ([`Tap::direction`](super::Tap::direction)).
    #[derive(Default)]
    pub enum TapDirection {
        /// `speak`: what the caller says.
        Speak => "speak",
        /// `hear`: what the caller hears.
        Hear => "hear",
        /// `both` (default).
        #[default]
        Both => "both",
    }
}

wire_enum! {
    /// Codec of a media tap ([`Tap::codec`](super::Tap::codec)).
    #[derive(Default)]
    pub enum TapCodec {
        /// `PCMU`, G.711 μ-law (default).
        #[default]
        Pcmu => "PCMU",
        /// `PCMA`, G.711 A-law.
        Pcma => "PCMA",
    }
}

// -- conferences ------------------------------------------------------------

wire_enum! {
    /// When a conference plays its beep
    /// ([`JoinConference::beep`](super::JoinConference::beep)).
    #[derive(Default)]
    pub enum ConferenceBeep {
        /// `"true"`: on enter and exit (default).
        #[default]
        Always => "true",
        /// `"false"`: never.
        Never => "false",
        /// `"onEnter"`: when a participant joins.
        OnEnter => "onEnter",
        /// `"onExit"`: when a participant leaves.
        OnExit => "onExit",
    }
}

wire_enum! {
    /// Whether a conference is recorded
    /// ([`JoinConference::record`](super::JoinConference::record)).
    #[derive(Default)]
    pub enum ConferenceRecord {
        /// `do-not-record` (default).
        #[default]
        DoNotRecord => "do-not-record",
        /// `record-from-start`.
        RecordFromStart => "record-from-start",
    }
}

wire_enum! {
    /// Silence trimming of a conference recording
    /// ([`JoinConference::trim`](super::JoinConference::trim)).
    #[derive(Default)]
    pub enum ConferenceTrim {
        /// `trim-silence` (default).
        #[default]
        TrimSilence => "trim-silence",
        /// `do-not-trim`.
        DoNotTrim => "do-not-trim",
    }
}

wire_enum! {
    /// Conference events reported to the status callback
    /// ([`JoinConference::status_callback_events`](super::JoinConference::status_callback_events)).
    pub enum ConferenceEvent {
        /// `start`.
        Start => "start",
        /// `end`.
        End => "end",
        /// `join`.
        Join => "join",
        /// `leave`.
        Leave => "leave",
        /// `mute`.
        Mute => "mute",
        /// `hold`.
        Hold => "hold",
        /// `modify`.
        Modify => "modify",
        /// `speaker`.
        Speaker => "speaker",
        /// `announcement`.
        Announcement => "announcement",
    }
}

wire_enum! {
    /// Recording events reported to the recording status callback
    /// ([`JoinConference::recording_status_callback_events`](super::JoinConference::recording_status_callback_events)).
    pub enum RecordingEvent {
        /// `in-progress`.
        InProgress => "in-progress",
        /// `completed` (the default set is just this one).
        Completed => "completed",
        /// `absent`.
        Absent => "absent",
    }
}

wire_enum! {
    /// HTTP method of a callback.
    #[derive(Default)]
    pub enum HttpMethod {
        /// `GET`.
        Get => "GET",
        /// `POST` (default).
        #[default]
        Post => "POST",
    }
}

// -- payments ---------------------------------------------------------------

wire_enum! {
    /// How the caller enters payment details
    /// ([`Pay::input_method`](super::Pay::input_method)).
    #[derive(Default)]
    pub enum PayInputMethod {
        /// `dtmf`: key presses (default).
        #[default]
        Dtmf => "dtmf",
        /// `voice`: speech.
        Voice => "voice",
    }
}

wire_enum! {
    /// What is collected ([`Pay::payment_method`](super::Pay::payment_method)).
    #[derive(Default)]
    pub enum PaymentMethod {
        /// `credit-card` (default, and the only method the platform documents).
        #[default]
        CreditCard => "credit-card",
    }
}

wire_enum! {
    /// Kind of token the payment connector creates
    /// ([`Pay::token_type`](super::Pay::token_type)).
    #[derive(Default)]
    pub enum TokenType {
        /// `one-time`.
        OneTime => "one-time",
        /// `reusable` (default).
        #[default]
        Reusable => "reusable",
    }
}

wire_enum! {
    /// Card brands ([`Pay::valid_card_types`](super::Pay::valid_card_types),
    /// [`PayPrompt::card_types`](super::PayPrompt::card_types)).
    pub enum CardType {
        /// `visa`.
        Visa => "visa",
        /// `mastercard`.
        Mastercard => "mastercard",
        /// `amex`.
        Amex => "amex",
        /// `maestro`.
        Maestro => "maestro",
        /// `discover`.
        Discover => "discover",
        /// `optima`.
        Optima => "optima",
        /// `jcb`.
        Jcb => "jcb",
        /// `diners-club`.
        DinersClub => "diners-club",
    }
}

wire_enum! {
    /// What a payment prompt action does
    /// ([`PayPromptAction`](super::PayPromptAction)).
    pub enum PayPromptActionType {
        /// `Say`: speak the phrase with text-to-speech.
        Say => "Say",
        /// `Play`: play the audio file at the URL given as phrase.
        Play => "Play",
    }
}

// -- calling API --------------------------------------------------------------

wire_enum! {
    /// Role of a message injected with
    /// [`ToolResult::rpc_ai_message_as`](super::ToolResult::rpc_ai_message_as).
    #[derive(Default)]
    pub enum AiMessageRole {
        /// `system` (default).
        #[default]
        System => "system",
        /// `user`.
        User => "user",
        /// `assistant`.
        Assistant => "assistant",
    }
}

// -- spelling helpers ---------------------------------------------------------

/// Joins several enumerated values with spaces: the platform takes
/// list-valued string options (card types, callback events) that way.
pub(super) fn join_wire<T: Copy>(items: &[T], spell: fn(T) -> &'static str) -> String {
    items
        .iter()
        .map(|item| spell(*item))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Keeps a string option only when it has text: the reference tests strings
/// for truthiness, so `None` and `""` are both left out.
pub(super) fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|text| !text.is_empty())
}

/// Keeps an option only when it differs from its default: the reference
/// leaves defaults out of several verbs.
pub(super) fn unless_default<T: PartialEq>(value: T, default: T) -> Option<T> {
    (value != default).then_some(value)
}

/// Flags that the reference sends only when set are skipped when `false`
/// (`skip_serializing_if` hands the predicate a reference).
pub(super) fn is_false(flag: &bool) -> bool {
    !*flag
}

/// Several options are booleans spelled as strings on the wire.
pub(super) fn bool_str(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// `{}`: the value of actions and verbs that take no parameters.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub(super) struct EmptyObject {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enumerated_values_keep_their_spelling() {
        assert_eq!(ConferenceBeep::Always.as_str(), "true");
        assert_eq!(TapCodec::Pcma.to_string(), "PCMA");
        assert_eq!(CardType::DinersClub.as_str(), "diners-club");
        assert_eq!(RecordFormat::default(), RecordFormat::Wav);
        let events = [ConferenceEvent::Join, ConferenceEvent::Leave];
        assert_eq!(join_wire(&events, ConferenceEvent::as_str), "join leave");
    }

    #[test]
    fn empty_strings_count_as_absent() {
        assert_eq!(non_empty(Some(String::new())), None);
        assert_eq!(non_empty(Some("a".to_owned())), Some("a".to_owned()));
        assert_eq!(
            serde_json::to_string(&EmptyObject {}).ok().as_deref(),
            Some("{}")
        );
    }
}
