//! Typed builder for SWAIG function results: what a tool handler returns to
//! the platform.
//!
//! A result is a `response` text that the model reads plus an ordered list of
//! actions that the platform executes. The JSON produced here matches the
//! reference SDK byte for byte in shape, including the key order inside every
//! object the builder creates (PROTOCOL.md section 5). Key order is kept by an
//! internal ordered tree (`Json`) serialised by hand, so it does not depend on
//! how `serde_json` is built; values supplied by the caller as
//! [`serde_json::Value`] keep the order of their map (insertion order with
//! `serde_json`'s `preserve_order` feature, which this workspace enables;
//! sorted without it).

use std::error::Error;
use std::fmt;
use std::time::Duration;

use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Response text sent when a result has neither response text nor actions.
pub const DEFAULT_RESPONSE: &str = "Action completed.";

/// Default `ai_response` that [`Pay`] places in a `set` verb before `pay`.
pub const DEFAULT_PAY_AI_RESPONSE: &str = "The payment status is ${pay_result}, do not mention anything else about collecting payment if successful.";

/// Longest hold accepted by [`ToolResult::hold`], in seconds.
pub const MAX_HOLD_SECS: u32 = 900;

const SWML_VERSION: &str = "1.0.0";

/// Body used if serialisation ever failed; see [`ToolResult::to_json_vec`].
const FALLBACK_BODY: &[u8] = br#"{"response":"Action completed."}"#;

// ---------------------------------------------------------------------------
// Ordered JSON tree
// ---------------------------------------------------------------------------

/// JSON whose objects keep the order in which their keys were added.
#[derive(Clone, Debug, PartialEq)]
enum Json {
    /// Any JSON value supplied as is (its own maps are sorted by `serde_json`).
    Leaf(Value),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    const NULL: Json = Json::Leaf(Value::Null);
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Leaf(value) => value.serialize(serializer),
            Json::Array(items) => serializer.collect_seq(items),
            Json::Object(entries) => serializer.collect_map(entries.iter().map(|(k, v)| (k, v))),
        }
    }
}

/// Parses JSON text keeping the key order of every object (used for SWML
/// documents passed as text). A repeated key keeps its first position and its
/// last value, as a Python `dict` does.
impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Leaf(Value::from(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Leaf(Value::from(v)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::NULL)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::NULL)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        Json::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Json>()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries: Vec<(String, Json)> = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Json>()? {
            match entries.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => entries.push((key, value)),
            }
        }
        Ok(Json::Object(entries))
    }
}

impl From<Value> for Json {
    fn from(value: Value) -> Self {
        Json::Leaf(value)
    }
}

impl From<&str> for Json {
    fn from(value: &str) -> Self {
        Json::Leaf(Value::String(value.to_owned()))
    }
}

impl From<String> for Json {
    fn from(value: String) -> Self {
        Json::Leaf(Value::String(value))
    }
}

impl From<bool> for Json {
    fn from(value: bool) -> Self {
        Json::Leaf(Value::Bool(value))
    }
}

impl From<u32> for Json {
    fn from(value: u32) -> Self {
        Json::Leaf(Value::from(value))
    }
}

/// Non-finite numbers become `null`, as JSON has no spelling for them.
impl From<f64> for Json {
    fn from(value: f64) -> Self {
        Json::Leaf(Value::from(value))
    }
}

impl From<Vec<Json>> for Json {
    fn from(items: Vec<Json>) -> Self {
        Json::Array(items)
    }
}

impl From<Obj> for Json {
    fn from(obj: Obj) -> Self {
        Json::Object(obj.0)
    }
}

/// Builds a [`Json::Object`] in the order fields are added.
#[derive(Debug, Default)]
struct Obj(Vec<(String, Json)>);

impl Obj {
    fn new() -> Self {
        Obj::default()
    }

    fn field(mut self, key: &str, value: impl Into<Json>) -> Self {
        self.0.push((key.to_owned(), value.into()));
        self
    }

    /// Adds the field only when `keep` holds (the reference omits defaults).
    fn field_if(self, keep: bool, key: &str, value: impl Into<Json>) -> Self {
        if keep { self.field(key, value) } else { self }
    }

    fn opt(self, key: &str, value: Option<impl Into<Json>>) -> Self {
        match value {
            Some(value) => self.field(key, value),
            None => self,
        }
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// `{key: value}`, the shape of almost every action.
fn single(key: &str, value: impl Into<Json>) -> Json {
    Obj::new().field(key, value).into()
}

/// The reference tests strings for truthiness: `None` and `""` are both absent.
fn present(value: Option<&str>) -> Option<&str> {
    value.filter(|s| !s.is_empty())
}

fn bool_str(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// `{"version": "1.0.0", "sections": {"main": verbs}}`.
fn swml_doc(verbs: Vec<Json>) -> Json {
    Obj::new()
        .field("version", SWML_VERSION)
        .field("sections", single("main", verbs))
        .into()
}

/// `{"SWML": <swml_doc>}`, the action most call-control helpers emit.
fn swml_action(verbs: Vec<Json>) -> Json {
    single("SWML", swml_doc(verbs))
}

/// The `connect` / `user_event` form, whose document lists `sections` first.
fn swml_doc_sections_first(verbs: Vec<Json>) -> Json {
    Obj::new()
        .field("sections", single("main", verbs))
        .field("version", SWML_VERSION)
        .into()
}

fn strings<I, S>(items: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    items.into_iter().map(Into::into).collect()
}

fn string_array(items: &[String]) -> Json {
    Json::Array(items.iter().map(|s| Json::from(s.as_str())).collect())
}

// ---------------------------------------------------------------------------
// Enumerated option values
// ---------------------------------------------------------------------------

/// Values that have one fixed spelling on the wire.
trait Wire: Copy {
    fn wire(self) -> &'static str;
}

/// Joins several enumerated values with spaces, as the platform expects for
/// list-valued string options.
fn join_wire<T: Wire>(items: &[T]) -> String {
    items
        .iter()
        .map(|item| item.wire())
        .collect::<Vec<_>>()
        .join(" ")
}

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

        impl Wire for $name {
            fn wire(self) -> &'static str {
                self.as_str()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<$name> for Json {
            fn from(value: $name) -> Self {
                Json::from(value.as_str())
            }
        }
    };
}

wire_enum! {
    /// Audio format of a call recording ([`RecordCall::format`]).
    #[derive(Default)]
    pub enum RecordFormat {
        /// `wav` (default).
        #[default]
        Wav => "wav",
        /// `mp3`.
        Mp3 => "mp3",
    }
}

wire_enum! {
    /// Which audio a recording captures ([`RecordCall::direction`]).
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
    /// Which audio a media tap streams ([`Tap::direction`]).
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
    /// Codec of a media tap ([`Tap::codec`]).
    #[derive(Default)]
    pub enum TapCodec {
        /// `PCMU`, G.711 μ-law (default).
        #[default]
        Pcmu => "PCMU",
        /// `PCMA`, G.711 A-law.
        Pcma => "PCMA",
    }
}

wire_enum! {
    /// When a conference plays its beep ([`JoinConference::beep`]).
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
    /// Whether a conference is recorded ([`JoinConference::record`]).
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
    /// Silence trimming of a conference recording ([`JoinConference::trim`]).
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
    /// ([`JoinConference::status_callback_events`]).
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
    /// ([`JoinConference::recording_status_callback_events`]).
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

wire_enum! {
    /// How the caller enters payment details ([`Pay::input_method`]).
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
    /// What is collected ([`Pay::payment_method`]).
    #[derive(Default)]
    pub enum PaymentMethod {
        /// `credit-card` (default, and the only method the platform documents).
        #[default]
        CreditCard => "credit-card",
    }
}

wire_enum! {
    /// Kind of token the payment connector creates ([`Pay::token_type`]).
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
    /// Card brands ([`Pay::valid_card_types`], [`PayPrompt::card_types`]).
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
    /// What a payment prompt action does ([`PayPromptAction`]).
    pub enum PayPromptActionType {
        /// `Say`: speak the phrase with text-to-speech.
        Say => "Say",
        /// `Play`: play the audio file at the URL given as phrase.
        Play => "Play",
    }
}

wire_enum! {
    /// Role of a message injected with [`ToolResult::rpc_ai_message_as`].
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

// ---------------------------------------------------------------------------
// Small option types for conversation actions
// ---------------------------------------------------------------------------

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
        HoldTimeout(300)
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

impl From<WaitForUser> for Json {
    fn from(mode: WaitForUser) -> Self {
        match mode {
            WaitForUser::Enabled => Json::from(true),
            WaitForUser::Disabled => Json::from(false),
            WaitForUser::Timeout(secs) => Json::from(secs),
            WaitForUser::AnswerFirst => Json::from("answer_first"),
        }
    }
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

impl From<ContextSwitch> for Json {
    fn from(ctx: ContextSwitch) -> Self {
        let system = present(ctx.system_prompt.as_deref());
        let user = present(ctx.user_prompt.as_deref());
        match system {
            Some(system) if user.is_none() && !ctx.consolidate && !ctx.full_reset => {
                Json::from(system)
            }
            _ => Obj::new()
                .opt("system_prompt", system)
                .opt("user_prompt", user)
                .field_if(ctx.consolidate, "consolidate", true)
                .field_if(ctx.full_reset, "full_reset", true)
                .into(),
        }
    }
}

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

impl From<DynamicHint> for Json {
    fn from(hint: DynamicHint) -> Self {
        match hint {
            DynamicHint::Word(word) => Json::from(word),
            DynamicHint::Pattern {
                pattern,
                replace,
                ignore_case,
            } => Obj::new()
                .field("pattern", pattern)
                .field("replace", replace)
                .field_if(ignore_case, "ignore_case", true)
                .into(),
        }
    }
}

// ---------------------------------------------------------------------------
// Call-control option types
// ---------------------------------------------------------------------------

/// A SWML document for [`ToolResult::execute_swml`].
///
/// From JSON text the key order of the text is kept; text that is not a JSON
/// object is sent as `{"raw_swml": text}` (the reference does this for text
/// that does not parse; here it also covers text parsing to a non-object, as
/// SWML is always an object). A [`serde_json::Value`] object is used as is
/// (its keys in `serde_json`'s sorted order); a `Value::String` is treated as
/// text, and any other value as raw SWML.
#[derive(Clone, Debug, PartialEq)]
pub struct SwmlDocument(Vec<(String, Json)>);

impl SwmlDocument {
    fn raw(text: String) -> Self {
        SwmlDocument(vec![("raw_swml".to_owned(), Json::from(text))])
    }

    fn parse(text: String) -> Self {
        match serde_json::from_str::<Json>(&text) {
            Ok(Json::Object(entries)) => SwmlDocument(entries),
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
            Value::Object(map) => {
                SwmlDocument(map.into_iter().map(|(k, v)| (k, Json::Leaf(v))).collect())
            }
            Value::String(text) => SwmlDocument::parse(text),
            other => SwmlDocument::raw(other.to_string()),
        }
    }
}

/// A transfer to a phone number or SIP address ([`ToolResult::connect`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[must_use = "builders do nothing unless passed on"]
pub struct Connect {
    to: String,
    from: Option<String>,
    is_final: bool,
}

impl Connect {
    /// Connects to `to` (E.164 number or SIP URI); final by default.
    pub fn new(to: impl Into<String>) -> Self {
        Connect {
            to: to.into(),
            from: None,
            is_final: true,
        }
    }

    /// Caller ID to present.
    pub fn from(mut self, from: impl Into<String>) -> Self {
        self.from = Some(from.into());
        self
    }

    /// `true` (default): the call leaves the agent for good. `false`: the
    /// call returns to the agent when the far end hangs up.
    pub fn final_(mut self, is_final: bool) -> Self {
        self.is_final = is_final;
        self
    }
}

/// A transfer to a SWML URL after setting the AI's reply
/// ([`ToolResult::swml_transfer`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[must_use = "builders do nothing unless passed on"]
pub struct SwmlTransfer {
    dest: String,
    ai_response: String,
    is_final: bool,
}

impl SwmlTransfer {
    /// Transfers to `dest`; `ai_response` is what the AI says if the call
    /// comes back. Final by default.
    pub fn new(dest: impl Into<String>, ai_response: impl Into<String>) -> Self {
        SwmlTransfer {
            dest: dest.into(),
            ai_response: ai_response.into(),
            is_final: true,
        }
    }

    /// `true` (default): permanent transfer; `false`: the call may return.
    pub fn final_(mut self, is_final: bool) -> Self {
        self.is_final = is_final;
        self
    }
}

/// An SMS or MMS to send ([`ToolResult::send_sms`]); needs a body or at
/// least one media URL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[must_use = "builders do nothing unless passed on"]
pub struct SendSms {
    to_number: String,
    from_number: String,
    body: Option<String>,
    media: Vec<String>,
    tags: Vec<String>,
    region: Option<String>,
}

impl SendSms {
    /// A message from `from_number` to `to_number` (E.164).
    pub fn new(to_number: impl Into<String>, from_number: impl Into<String>) -> Self {
        SendSms {
            to_number: to_number.into(),
            from_number: from_number.into(),
            ..SendSms::default()
        }
    }

    /// Message text.
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// URLs of media to attach.
    pub fn media<I, S>(mut self, urls: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.media = strings(urls);
        self
    }

    /// Tags for searching message logs.
    pub fn tags<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tags = strings(tags);
        self
    }

    /// Region the message originates from.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    fn into_verb(self) -> Result<Json, SmsContentMissing> {
        let body = present(self.body.as_deref());
        if body.is_none() && self.media.is_empty() {
            return Err(SmsContentMissing);
        }
        let params = Obj::new()
            .field("to_number", self.to_number.as_str())
            .field("from_number", self.from_number.as_str())
            .opt("body", body)
            .field_if(!self.media.is_empty(), "media", string_array(&self.media))
            .field_if(!self.tags.is_empty(), "tags", string_array(&self.tags))
            .opt("region", present(self.region.as_deref()));
        Ok(single("send_sms", params))
    }
}

/// Error from [`ToolResult::send_sms`]: the message had neither a non-empty
/// body nor a media URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SmsContentMissing;

impl fmt::Display for SmsContentMissing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("send_sms needs a body or at least one media URL")
    }
}

impl Error for SmsContentMissing {}

/// A call recording to start ([`ToolResult::record_call`]).
#[derive(Clone, Debug, PartialEq)]
#[must_use = "builders do nothing unless passed on"]
pub struct RecordCall {
    control_id: Option<String>,
    stereo: bool,
    format: RecordFormat,
    direction: RecordDirection,
    terminators: Option<String>,
    beep: bool,
    input_sensitivity: f64,
    initial_timeout: Option<f64>,
    end_silence_timeout: Option<f64>,
    max_length: Option<f64>,
    status_url: Option<String>,
}

impl Default for RecordCall {
    fn default() -> Self {
        RecordCall {
            control_id: None,
            stereo: false,
            format: RecordFormat::Wav,
            direction: RecordDirection::Both,
            terminators: None,
            beep: false,
            input_sensitivity: 44.0,
            initial_timeout: None,
            end_silence_timeout: None,
            max_length: None,
            status_url: None,
        }
    }
}

impl RecordCall {
    /// A recording with the defaults: mono wav of both directions, no beep,
    /// input sensitivity 44.0.
    pub fn new() -> Self {
        RecordCall::default()
    }

    /// Identifier used to stop this recording later.
    pub fn control_id(mut self, id: impl Into<String>) -> Self {
        self.control_id = Some(id.into());
        self
    }

    /// Records each direction on its own channel.
    pub fn stereo(mut self, stereo: bool) -> Self {
        self.stereo = stereo;
        self
    }

    /// Audio format.
    pub fn format(mut self, format: RecordFormat) -> Self {
        self.format = format;
        self
    }

    /// Which audio to record.
    pub fn direction(mut self, direction: RecordDirection) -> Self {
        self.direction = direction;
        self
    }

    /// DTMF digits that end the recording, e.g. `"#"`.
    pub fn terminators(mut self, digits: impl Into<String>) -> Self {
        self.terminators = Some(digits.into());
        self
    }

    /// Plays a beep before recording.
    pub fn beep(mut self, beep: bool) -> Self {
        self.beep = beep;
        self
    }

    /// Sensitivity of silence detection.
    pub fn input_sensitivity(mut self, sensitivity: f64) -> Self {
        self.input_sensitivity = sensitivity;
        self
    }

    /// Seconds to wait for speech before giving up.
    pub fn initial_timeout(mut self, secs: f64) -> Self {
        self.initial_timeout = Some(secs);
        self
    }

    /// Seconds of silence that end the recording.
    pub fn end_silence_timeout(mut self, secs: f64) -> Self {
        self.end_silence_timeout = Some(secs);
        self
    }

    /// Longest recording, in seconds.
    pub fn max_length(mut self, secs: f64) -> Self {
        self.max_length = Some(secs);
        self
    }

    /// URL receiving recording status events.
    pub fn status_url(mut self, url: impl Into<String>) -> Self {
        self.status_url = Some(url.into());
        self
    }

    fn into_verb(self) -> Json {
        let params = Obj::new()
            .field("stereo", self.stereo)
            .field("format", self.format)
            .field("direction", self.direction)
            .field("beep", self.beep)
            .field("input_sensitivity", self.input_sensitivity)
            .opt("control_id", present(self.control_id.as_deref()))
            .opt("terminators", present(self.terminators.as_deref()))
            .opt("initial_timeout", self.initial_timeout)
            .opt("end_silence_timeout", self.end_silence_timeout)
            .opt("max_length", self.max_length)
            .opt("status_url", present(self.status_url.as_deref()));
        single("record_call", params)
    }
}

/// Joining a conference ([`ToolResult::join_conference`]). With every option
/// at its default the verb is the bare conference name; otherwise an object
/// with the name and only the options that differ from their defaults.
#[derive(Clone, Debug, PartialEq)]
#[must_use = "builders do nothing unless passed on"]
pub struct JoinConference {
    name: String,
    muted: bool,
    beep: ConferenceBeep,
    start_on_enter: bool,
    end_on_exit: bool,
    wait_url: Option<String>,
    max_participants: u32,
    record: ConferenceRecord,
    region: Option<String>,
    trim: ConferenceTrim,
    coach: Option<String>,
    status_callback_events: Vec<ConferenceEvent>,
    status_callback: Option<String>,
    status_callback_method: HttpMethod,
    recording_status_callback: Option<String>,
    recording_status_callback_method: HttpMethod,
    recording_status_callback_events: Vec<RecordingEvent>,
    result: Option<Value>,
}

impl JoinConference {
    /// Largest (and default) participant limit.
    pub const MAX_PARTICIPANTS: u32 = 250;

    /// Joins the conference `name` with the default options.
    pub fn new(name: impl Into<String>) -> Self {
        JoinConference {
            name: name.into(),
            muted: false,
            beep: ConferenceBeep::Always,
            start_on_enter: true,
            end_on_exit: false,
            wait_url: None,
            max_participants: Self::MAX_PARTICIPANTS,
            record: ConferenceRecord::DoNotRecord,
            region: None,
            trim: ConferenceTrim::TrimSilence,
            coach: None,
            status_callback_events: Vec::new(),
            status_callback: None,
            status_callback_method: HttpMethod::Post,
            recording_status_callback: None,
            recording_status_callback_method: HttpMethod::Post,
            recording_status_callback_events: vec![RecordingEvent::Completed],
            result: None,
        }
    }

    /// Joins muted.
    pub fn muted(mut self, muted: bool) -> Self {
        self.muted = muted;
        self
    }

    /// When to beep.
    pub fn beep(mut self, beep: ConferenceBeep) -> Self {
        self.beep = beep;
        self
    }

    /// Starts the conference when this participant enters (default `true`).
    pub fn start_on_enter(mut self, start: bool) -> Self {
        self.start_on_enter = start;
        self
    }

    /// Ends the conference when this participant leaves.
    pub fn end_on_exit(mut self, end: bool) -> Self {
        self.end_on_exit = end;
        self
    }

    /// Hold music URL played before the conference starts.
    pub fn wait_url(mut self, url: impl Into<String>) -> Self {
        self.wait_url = Some(url.into());
        self
    }

    /// Participant limit, clamped to `1..=250` (the reference rejects values
    /// outside that range; this builder cannot fail, so it clamps).
    pub fn max_participants(mut self, max: u32) -> Self {
        self.max_participants = max.clamp(1, Self::MAX_PARTICIPANTS);
        self
    }

    /// Whether to record the conference.
    pub fn record(mut self, record: ConferenceRecord) -> Self {
        self.record = record;
        self
    }

    /// Region hosting the conference.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Silence trimming of the recording.
    pub fn trim(mut self, trim: ConferenceTrim) -> Self {
        self.trim = trim;
        self
    }

    /// Call id of the participant this one coaches.
    pub fn coach(mut self, call_id: impl Into<String>) -> Self {
        self.coach = Some(call_id.into());
        self
    }

    /// Events sent to the status callback (space-separated on the wire).
    pub fn status_callback_events(
        mut self,
        events: impl IntoIterator<Item = ConferenceEvent>,
    ) -> Self {
        self.status_callback_events = events.into_iter().collect();
        self
    }

    /// URL receiving conference events.
    pub fn status_callback(mut self, url: impl Into<String>) -> Self {
        self.status_callback = Some(url.into());
        self
    }

    /// HTTP method of the status callback (default `POST`).
    pub fn status_callback_method(mut self, method: HttpMethod) -> Self {
        self.status_callback_method = method;
        self
    }

    /// URL receiving recording events.
    pub fn recording_status_callback(mut self, url: impl Into<String>) -> Self {
        self.recording_status_callback = Some(url.into());
        self
    }

    /// HTTP method of the recording status callback (default `POST`).
    pub fn recording_status_callback_method(mut self, method: HttpMethod) -> Self {
        self.recording_status_callback_method = method;
        self
    }

    /// Recording events to report (default: just `completed`).
    pub fn recording_status_callback_events(
        mut self,
        events: impl IntoIterator<Item = RecordingEvent>,
    ) -> Self {
        self.recording_status_callback_events = events.into_iter().collect();
        self
    }

    /// A SWML `switch` or `cond` run on the conference result.
    pub fn result(mut self, result: Value) -> Self {
        self.result = Some(result);
        self
    }

    fn into_verb(self) -> Json {
        let recording_events_default =
            self.recording_status_callback_events == [RecordingEvent::Completed];
        let options = Obj::new()
            .field_if(self.muted, "muted", true)
            .field_if(self.beep != ConferenceBeep::Always, "beep", self.beep)
            .field_if(!self.start_on_enter, "start_on_enter", false)
            .field_if(self.end_on_exit, "end_on_exit", true)
            .opt("wait_url", present(self.wait_url.as_deref()))
            .field_if(
                self.max_participants != Self::MAX_PARTICIPANTS,
                "max_participants",
                self.max_participants,
            )
            .field_if(
                self.record != ConferenceRecord::DoNotRecord,
                "record",
                self.record,
            )
            .opt("region", present(self.region.as_deref()))
            .field_if(self.trim != ConferenceTrim::TrimSilence, "trim", self.trim)
            .opt("coach", present(self.coach.as_deref()))
            .field_if(
                !self.status_callback_events.is_empty(),
                "status_callback_event",
                join_wire(&self.status_callback_events),
            )
            .opt("status_callback", present(self.status_callback.as_deref()))
            .field_if(
                self.status_callback_method != HttpMethod::Post,
                "status_callback_method",
                self.status_callback_method,
            )
            .opt(
                "recording_status_callback",
                present(self.recording_status_callback.as_deref()),
            )
            .field_if(
                self.recording_status_callback_method != HttpMethod::Post,
                "recording_status_callback_method",
                self.recording_status_callback_method,
            )
            .field_if(
                !recording_events_default,
                "recording_status_callback_event",
                join_wire(&self.recording_status_callback_events),
            )
            .opt("result", self.result);
        if options.is_empty() {
            return single("join_conference", self.name);
        }
        let mut params = Obj::new().field("name", self.name);
        params.0.extend(options.0);
        single("join_conference", params)
    }
}

/// A media tap streaming call audio to a WebSocket or RTP endpoint
/// ([`ToolResult::tap`]). Options at their defaults are not sent.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[must_use = "builders do nothing unless passed on"]
pub struct Tap {
    uri: String,
    control_id: Option<String>,
    direction: TapDirection,
    codec: TapCodec,
    rtp_ptime: u32,
    status_url: Option<String>,
}

impl Tap {
    /// Taps to `uri` (`wss://…` or `rtp://host:port`): both directions, PCMU,
    /// 20 ms packets.
    pub fn new(uri: impl Into<String>) -> Self {
        Tap {
            uri: uri.into(),
            control_id: None,
            direction: TapDirection::Both,
            codec: TapCodec::Pcmu,
            rtp_ptime: 20,
            status_url: None,
        }
    }

    /// Identifier used to stop this tap later.
    pub fn control_id(mut self, id: impl Into<String>) -> Self {
        self.control_id = Some(id.into());
        self
    }

    /// Which audio to stream.
    pub fn direction(mut self, direction: TapDirection) -> Self {
        self.direction = direction;
        self
    }

    /// Audio codec.
    pub fn codec(mut self, codec: TapCodec) -> Self {
        self.codec = codec;
        self
    }

    /// RTP packetisation time in milliseconds (default 20).
    pub fn rtp_ptime(mut self, millis: u32) -> Self {
        self.rtp_ptime = millis;
        self
    }

    /// URL receiving tap status events.
    pub fn status_url(mut self, url: impl Into<String>) -> Self {
        self.status_url = Some(url.into());
        self
    }

    fn into_verb(self) -> Json {
        let params = Obj::new()
            .field("uri", self.uri)
            .opt("control_id", present(self.control_id.as_deref()))
            .field_if(
                self.direction != TapDirection::Both,
                "direction",
                self.direction,
            )
            .field_if(self.codec != TapCodec::Pcmu, "codec", self.codec)
            .field_if(self.rtp_ptime != 20, "rtp_ptime", self.rtp_ptime)
            .opt("status_url", present(self.status_url.as_deref()));
        single("tap", params)
    }
}

/// A Calling API command run through SWML `execute_rpc`
/// ([`ToolResult::execute_rpc`]).
#[derive(Clone, Debug, PartialEq)]
#[must_use = "builders do nothing unless passed on"]
pub struct ExecuteRpc {
    method: String,
    call_id: Option<String>,
    node_id: Option<String>,
    params: Option<Json>,
}

impl ExecuteRpc {
    /// Runs the RPC `method`.
    pub fn new(method: impl Into<String>) -> Self {
        ExecuteRpc {
            method: method.into(),
            call_id: None,
            node_id: None,
            params: None,
        }
    }

    /// Parameters of the method; `null` or an empty object or array is not
    /// sent.
    pub fn params(mut self, params: Value) -> Self {
        let empty = match &params {
            Value::Null => true,
            Value::Object(map) => map.is_empty(),
            Value::Array(items) => items.is_empty(),
            _ => false,
        };
        self.params = if empty {
            None
        } else {
            Some(Json::Leaf(params))
        };
        self
    }

    /// Call the method acts on (default: the current call).
    pub fn call_id(mut self, call_id: impl Into<String>) -> Self {
        self.call_id = Some(call_id.into());
        self
    }

    /// Node hosting that call.
    pub fn node_id(mut self, node_id: impl Into<String>) -> Self {
        self.node_id = Some(node_id.into());
        self
    }

    fn ordered_params(mut self, params: Json) -> Self {
        self.params = Some(params);
        self
    }

    fn into_verb(self) -> Json {
        let params = Obj::new()
            .field("method", self.method)
            .opt("call_id", present(self.call_id.as_deref()))
            .opt("node_id", present(self.node_id.as_deref()))
            .opt("params", self.params);
        single("execute_rpc", params)
    }
}

// ---------------------------------------------------------------------------
// Pay
// ---------------------------------------------------------------------------

/// `postal_code` option of [`Pay`]: prompt for it, skip it, or supply it.
/// Converts from `bool` and from text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PostalCode {
    /// `"true"` (default) to ask the caller, `"false"` not to.
    Prompt(bool),
    /// A known postal code, sent without asking.
    Known(String),
}

impl Default for PostalCode {
    fn default() -> Self {
        PostalCode::Prompt(true)
    }
}

impl From<bool> for PostalCode {
    fn from(prompt: bool) -> Self {
        PostalCode::Prompt(prompt)
    }
}

impl From<&str> for PostalCode {
    fn from(code: &str) -> Self {
        PostalCode::Known(code.to_owned())
    }
}

impl From<String> for PostalCode {
    fn from(code: String) -> Self {
        PostalCode::Known(code)
    }
}

/// A `{"name", "value"}` pair passed to the payment connector.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PayParameter {
    name: String,
    value: String,
}

impl PayParameter {
    /// A parameter `name` = `value`.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        PayParameter {
            name: name.into(),
            value: value.into(),
        }
    }
}

impl From<&PayParameter> for Json {
    fn from(p: &PayParameter) -> Self {
        Obj::new()
            .field("name", p.name.as_str())
            .field("value", p.value.as_str())
            .into()
    }
}

/// One step of a payment prompt: `{"type": "Say"|"Play", "phrase": …}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PayPromptAction {
    kind: PayPromptActionType,
    phrase: String,
}

impl PayPromptAction {
    /// An action of the given type.
    pub fn new(kind: PayPromptActionType, phrase: impl Into<String>) -> Self {
        PayPromptAction {
            kind,
            phrase: phrase.into(),
        }
    }

    /// Speaks `phrase`.
    pub fn say(phrase: impl Into<String>) -> Self {
        PayPromptAction::new(PayPromptActionType::Say, phrase)
    }

    /// Plays the audio file at `url`.
    pub fn play(url: impl Into<String>) -> Self {
        PayPromptAction::new(PayPromptActionType::Play, url)
    }
}

impl From<&PayPromptAction> for Json {
    fn from(a: &PayPromptAction) -> Self {
        Obj::new()
            .field("type", a.kind)
            .field("phrase", a.phrase.as_str())
            .into()
    }
}

/// A custom prompt for one payment step:
/// `{"for", "actions", "card_type"?, "error_type"?}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[must_use = "builders do nothing unless passed on"]
pub struct PayPrompt {
    for_situation: String,
    actions: Vec<PayPromptAction>,
    card_types: Vec<CardType>,
    error_type: Option<String>,
}

impl PayPrompt {
    /// A prompt for the step `for_situation` (e.g. `payment-card-number`,
    /// `expiration-date`, `security-code`, `postal-code`,
    /// `payment-processing`, `payment-completed`, `payment-failed`).
    pub fn new(
        for_situation: impl Into<String>,
        actions: impl IntoIterator<Item = PayPromptAction>,
    ) -> Self {
        PayPrompt {
            for_situation: for_situation.into(),
            actions: actions.into_iter().collect(),
            card_types: Vec::new(),
            error_type: None,
        }
    }

    /// Card types this prompt applies to.
    pub fn card_types(mut self, card_types: impl IntoIterator<Item = CardType>) -> Self {
        self.card_types = card_types.into_iter().collect();
        self
    }

    /// Space-separated error types this prompt applies to (e.g. `timeout`,
    /// `invalid-card-number`).
    pub fn error_type(mut self, error_type: impl Into<String>) -> Self {
        self.error_type = Some(error_type.into());
        self
    }
}

impl From<&PayPrompt> for Json {
    fn from(p: &PayPrompt) -> Self {
        Obj::new()
            .field("for", p.for_situation.as_str())
            .field(
                "actions",
                Json::Array(p.actions.iter().map(Json::from).collect()),
            )
            .field_if(
                !p.card_types.is_empty(),
                "card_type",
                join_wire(&p.card_types),
            )
            .opt("error_type", present(p.error_type.as_deref()))
            .into()
    }
}

/// Payment collection through SWML `pay` ([`ToolResult::pay`]).
///
/// Only `payment_connector_url` is required; every other option starts at
/// the reference default. Scalar options are sent as strings. A
/// `{"set": {"ai_response": …}}` verb precedes `pay`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[must_use = "builders do nothing unless passed on"]
pub struct Pay {
    payment_connector_url: String,
    input_method: PayInputMethod,
    status_url: Option<String>,
    payment_method: PaymentMethod,
    timeout: u32,
    max_attempts: u32,
    security_code: bool,
    postal_code: PostalCode,
    min_postal_code_length: u32,
    token_type: TokenType,
    charge_amount: Option<String>,
    currency: String,
    language: String,
    voice: String,
    description: Option<String>,
    valid_card_types: Vec<CardType>,
    parameters: Vec<PayParameter>,
    prompts: Vec<PayPrompt>,
    ai_response: Option<String>,
}

impl Pay {
    /// Collects a payment processed by the connector at `url`: DTMF input,
    /// credit card, 5 s timeout, 1 attempt, security and postal code asked,
    /// reusable token, `usd`, `en-US`, voice `woman`, visa/mastercard/amex.
    pub fn new(payment_connector_url: impl Into<String>) -> Self {
        Pay {
            payment_connector_url: payment_connector_url.into(),
            input_method: PayInputMethod::Dtmf,
            status_url: None,
            payment_method: PaymentMethod::CreditCard,
            timeout: 5,
            max_attempts: 1,
            security_code: true,
            postal_code: PostalCode::Prompt(true),
            min_postal_code_length: 0,
            token_type: TokenType::Reusable,
            charge_amount: None,
            currency: "usd".to_owned(),
            language: "en-US".to_owned(),
            voice: "woman".to_owned(),
            description: None,
            valid_card_types: vec![CardType::Visa, CardType::Mastercard, CardType::Amex],
            parameters: Vec::new(),
            prompts: Vec::new(),
            ai_response: Some(DEFAULT_PAY_AI_RESPONSE.to_owned()),
        }
    }

    /// How the caller enters details (`input`).
    pub fn input_method(mut self, input: PayInputMethod) -> Self {
        self.input_method = input;
        self
    }

    /// URL receiving payment status events.
    pub fn status_url(mut self, url: impl Into<String>) -> Self {
        self.status_url = Some(url.into());
        self
    }

    /// What is collected.
    pub fn payment_method(mut self, method: PaymentMethod) -> Self {
        self.payment_method = method;
        self
    }

    /// Seconds to wait for each digit (default 5).
    pub fn timeout(mut self, secs: u32) -> Self {
        self.timeout = secs;
        self
    }

    /// Attempts before giving up (default 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Asks for the card security code (default `true`).
    pub fn security_code(mut self, ask: bool) -> Self {
        self.security_code = ask;
        self
    }

    /// Asks for the postal code (`true`, default), skips it (`false`), or
    /// supplies it (a string such as `"94107"`).
    pub fn postal_code(mut self, postal_code: impl Into<PostalCode>) -> Self {
        self.postal_code = postal_code.into();
        self
    }

    /// Shortest postal code accepted (default 0).
    pub fn min_postal_code_length(mut self, len: u32) -> Self {
        self.min_postal_code_length = len;
        self
    }

    /// Kind of token to create.
    pub fn token_type(mut self, token_type: TokenType) -> Self {
        self.token_type = token_type;
        self
    }

    /// Amount to charge, as a decimal string without currency (e.g.
    /// `"10.50"`); without it the card is only tokenised.
    pub fn charge_amount(mut self, amount: impl Into<String>) -> Self {
        self.charge_amount = Some(amount.into());
        self
    }

    /// ISO 4217 currency code (default `usd`).
    pub fn currency(mut self, currency: impl Into<String>) -> Self {
        self.currency = currency.into();
        self
    }

    /// Language of the prompts (default `en-US`).
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = language.into();
        self
    }

    /// Text-to-speech voice of the prompts (default `woman`).
    pub fn voice(mut self, voice: impl Into<String>) -> Self {
        self.voice = voice.into();
        self
    }

    /// Description passed to the connector.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Card types accepted (default visa, mastercard, amex).
    pub fn valid_card_types(mut self, card_types: impl IntoIterator<Item = CardType>) -> Self {
        self.valid_card_types = card_types.into_iter().collect();
        self
    }

    /// Replaces the extra connector parameters.
    pub fn parameters(mut self, parameters: impl IntoIterator<Item = PayParameter>) -> Self {
        self.parameters = parameters.into_iter().collect();
        self
    }

    /// Adds one connector parameter.
    pub fn parameter(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.parameters.push(PayParameter::new(name, value));
        self
    }

    /// Replaces the custom prompts.
    pub fn prompts(mut self, prompts: impl IntoIterator<Item = PayPrompt>) -> Self {
        self.prompts = prompts.into_iter().collect();
        self
    }

    /// Adds one custom prompt.
    pub fn prompt(mut self, prompt: PayPrompt) -> Self {
        self.prompts.push(prompt);
        self
    }

    /// What the AI is told after the payment (default
    /// [`DEFAULT_PAY_AI_RESPONSE`]); `${pay_result}` is substituted.
    pub fn ai_response(mut self, text: impl Into<String>) -> Self {
        self.ai_response = Some(text.into());
        self
    }

    /// Sends `ai_response` as `null`, as the reference does when given `None`.
    pub fn without_ai_response(mut self) -> Self {
        self.ai_response = None;
        self
    }

    fn into_verbs(self) -> Vec<Json> {
        let postal_code = match &self.postal_code {
            PostalCode::Prompt(ask) => bool_str(*ask),
            PostalCode::Known(code) => code.as_str(),
        };
        let pay = Obj::new()
            .field("payment_connector_url", self.payment_connector_url.as_str())
            .field("input", self.input_method)
            .field("payment_method", self.payment_method)
            .field("timeout", self.timeout.to_string())
            .field("max_attempts", self.max_attempts.to_string())
            .field("security_code", bool_str(self.security_code))
            .field(
                "min_postal_code_length",
                self.min_postal_code_length.to_string(),
            )
            .field("token_type", self.token_type)
            .field("currency", self.currency.as_str())
            .field("language", self.language.as_str())
            .field("voice", self.voice.as_str())
            .field("valid_card_types", join_wire(&self.valid_card_types))
            .field("postal_code", postal_code)
            .opt("status_url", present(self.status_url.as_deref()))
            .opt("charge_amount", present(self.charge_amount.as_deref()))
            .opt("description", present(self.description.as_deref()))
            .field_if(
                !self.parameters.is_empty(),
                "parameters",
                Json::Array(self.parameters.iter().map(Json::from).collect()),
            )
            .field_if(
                !self.prompts.is_empty(),
                "prompts",
                Json::Array(self.prompts.iter().map(Json::from).collect()),
            );
        let ai_response = self.ai_response.map_or(Json::NULL, Json::from);
        vec![
            single("set", single("ai_response", ai_response)),
            single("pay", pay),
        ]
    }
}

// ---------------------------------------------------------------------------
// ToolResult
// ---------------------------------------------------------------------------

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
/// use agent_runtime::result::{Connect, ToolResult};
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
    actions: Vec<Json>,
    post_process: bool,
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
        serde_json::to_vec(self).unwrap_or_else(|_| FALLBACK_BODY.to_vec())
    }

    fn push(mut self, action: Json) -> Self {
        self.actions.push(action);
        self
    }

    fn push_one(self, name: &str, value: impl Into<Json>) -> Self {
        self.push(single(name, value))
    }

    // -- escape hatches ----------------------------------------------------

    /// Appends `{name: data}` verbatim.
    pub fn add_action(self, name: impl Into<String>, data: Value) -> Self {
        self.push(Json::Object(vec![(name.into(), Json::Leaf(data))]))
    }

    /// Appends each value verbatim as one action.
    pub fn add_actions(mut self, actions: impl IntoIterator<Item = Value>) -> Self {
        self.actions.extend(actions.into_iter().map(Json::Leaf));
        self
    }

    // -- data --------------------------------------------------------------

    /// Merges `data` into the call's global data: `{"set_global_data": data}`.
    pub fn update_global_data(self, data: Value) -> Self {
        self.push_one("set_global_data", data)
    }

    /// Removes one global data key: `{"unset_global_data": "key"}`.
    pub fn remove_global_data(self, key: impl Into<String>) -> Self {
        self.push_one("unset_global_data", key.into())
    }

    /// Removes several global data keys: `{"unset_global_data": [..]}`.
    pub fn remove_global_data_keys<I, K>(self, keys: I) -> Self
    where
        I: IntoIterator<Item = K>,
        K: Into<String>,
    {
        self.push_one("unset_global_data", string_array(&strings(keys)))
    }

    /// Merges `data` into this function's metadata: `{"set_meta_data": data}`.
    pub fn set_metadata(self, data: Value) -> Self {
        self.push_one("set_meta_data", data)
    }

    /// Removes one metadata key: `{"unset_meta_data": "key"}`.
    pub fn remove_metadata(self, key: impl Into<String>) -> Self {
        self.push_one("unset_meta_data", key.into())
    }

    /// Removes several metadata keys: `{"unset_meta_data": [..]}`.
    pub fn remove_metadata_keys<I, K>(self, keys: I) -> Self
    where
        I: IntoIterator<Item = K>,
        K: Into<String>,
    {
        self.push_one("unset_meta_data", string_array(&strings(keys)))
    }

    // -- conversation ------------------------------------------------------

    /// Speaks `text` to the caller: `{"say": text}`.
    pub fn say(self, text: impl Into<String>) -> Self {
        self.push_one("say", text.into())
    }

    /// Stops the agent: `{"stop": true}`.
    pub fn stop(self) -> Self {
        self.push_one("stop", true)
    }

    /// Hangs up the call: `{"hangup": true}`.
    pub fn hangup(self) -> Self {
        self.push_one("hangup", true)
    }

    /// Puts the caller on hold: `{"hold": secs}`, clamped to `0..=900`.
    /// Takes integer seconds, a [`Duration`] or [`HoldTimeout::default`]
    /// (300 s).
    pub fn hold(self, timeout: impl Into<HoldTimeout>) -> Self {
        self.push_one("hold", timeout.into().secs())
    }

    /// Controls waiting for the caller: `{"wait_for_user": …}`.
    pub fn wait_for_user(self, mode: WaitForUser) -> Self {
        self.push_one("wait_for_user", mode)
    }

    /// Enables or disables functions:
    /// `{"toggle_functions": [{"function", "active"}]}`.
    pub fn toggle_functions<I, N>(self, toggles: I) -> Self
    where
        I: IntoIterator<Item = (N, bool)>,
        N: Into<String>,
    {
        let items = toggles
            .into_iter()
            .map(|(name, active)| {
                Obj::new()
                    .field("function", name.into())
                    .field("active", active)
                    .into()
            })
            .collect::<Vec<Json>>();
        self.push_one("toggle_functions", items)
    }

    /// Lets functions run on speaker timeout:
    /// `{"functions_on_speaker_timeout": enabled}`.
    pub fn enable_functions_on_timeout(self, enabled: bool) -> Self {
        self.push_one("functions_on_speaker_timeout", enabled)
    }

    /// Sends full data to the model: `{"extensive_data": enabled}`.
    pub fn enable_extensive_data(self, enabled: bool) -> Self {
        self.push_one("extensive_data", enabled)
    }

    /// Rewrites this tool call in the history: `{"replace_in_history": …}`
    /// (`true`/`false` or replacement text).
    pub fn replace_in_history(self, replacement: impl Into<HistoryReplacement>) -> Self {
        let value = match replacement.into() {
            HistoryReplacement::Flag(flag) => Json::from(flag),
            HistoryReplacement::Text(text) => Json::from(text),
        };
        self.push_one("replace_in_history", value)
    }

    /// Changes AI settings (`temperature`, `top-p`, `max-tokens`, …):
    /// `{"settings": settings}`.
    pub fn update_settings(self, settings: Value) -> Self {
        self.push_one("settings", settings)
    }

    /// Switches context: `{"context_switch": "prompt"}` or an object.
    pub fn switch_context(self, context: impl Into<ContextSwitch>) -> Self {
        self.push_one("context_switch", context.into())
    }

    /// Moves to another step of the current context: `{"change_step": name}`.
    pub fn change_step(self, step: impl Into<String>) -> Self {
        self.push_one("change_step", step.into())
    }

    /// Moves to another context: `{"change_context": name}`.
    pub fn change_context(self, context: impl Into<String>) -> Self {
        self.push_one("change_context", context.into())
    }

    /// Injects text as if the caller said it: `{"user_input": text}`.
    pub fn simulate_user_input(self, text: impl Into<String>) -> Self {
        self.push_one("user_input", text.into())
    }

    /// Sets the end-of-speech timeout: `{"end_of_speech_timeout": ms}`.
    pub fn set_end_of_speech_timeout(self, millis: u32) -> Self {
        self.push_one("end_of_speech_timeout", millis)
    }

    /// Sets the speech event timeout: `{"speech_event_timeout": ms}`.
    pub fn set_speech_event_timeout(self, millis: u32) -> Self {
        self.push_one("speech_event_timeout", millis)
    }

    /// Adds recognition hints: `{"add_dynamic_hints": [..]}`.
    pub fn add_dynamic_hints<I, H>(self, hints: I) -> Self
    where
        I: IntoIterator<Item = H>,
        H: Into<DynamicHint>,
    {
        let items = hints
            .into_iter()
            .map(|hint| Json::from(hint.into()))
            .collect::<Vec<_>>();
        self.push_one("add_dynamic_hints", items)
    }

    /// Removes all dynamic hints: `{"clear_dynamic_hints": {}}`.
    pub fn clear_dynamic_hints(self) -> Self {
        self.push_one("clear_dynamic_hints", Obj::new())
    }

    /// Plays a background file: `{"playback_bg": file}`, or with `wait`
    /// `{"playback_bg": {"file", "wait": true}}`.
    pub fn playback_bg(self, file: impl Into<String>, wait: bool) -> Self {
        let file = file.into();
        if wait {
            let value = Obj::new().field("file", file).field("wait", true);
            self.push_one("playback_bg", value)
        } else {
            self.push_one("playback_bg", file)
        }
    }

    /// Stops background playback: `{"stop_playback_bg": true}`.
    pub fn stop_playback_bg(self) -> Self {
        self.push_one("stop_playback_bg", true)
    }

    // -- call control (SWML) -----------------------------------------------

    /// Runs a SWML document: `{"SWML": doc}`; with `transfer`, the key
    /// `"transfer": "true"` is set inside the document.
    pub fn execute_swml(self, doc: impl Into<SwmlDocument>, transfer: bool) -> Self {
        let SwmlDocument(mut entries) = doc.into();
        if transfer {
            let flag = Json::from("true");
            match entries.iter_mut().find(|(key, _)| key == "transfer") {
                Some(slot) => slot.1 = flag,
                None => entries.push(("transfer".to_owned(), flag)),
            }
        }
        self.push_one("SWML", Json::Object(entries))
    }

    /// Connects the call elsewhere: SWML `connect` with a sibling
    /// `"transfer": "true"|"false"`.
    pub fn connect(self, connect: Connect) -> Self {
        let target = Obj::new()
            .field("to", connect.to)
            .opt("from", present(connect.from.as_deref()));
        let doc = swml_doc_sections_first(vec![single("connect", target)]);
        let action = Obj::new()
            .field("SWML", doc)
            .field("transfer", bool_str(connect.is_final));
        self.push(action.into())
    }

    /// Transfers to a SWML URL after setting `ai_response`: SWML `set` +
    /// `transfer` with a sibling `"transfer": "true"|"false"`.
    pub fn swml_transfer(self, transfer: SwmlTransfer) -> Self {
        let verbs = vec![
            single("set", single("ai_response", transfer.ai_response)),
            single("transfer", single("dest", transfer.dest)),
        ];
        let action = Obj::new()
            .field("SWML", swml_doc(verbs))
            .field("transfer", bool_str(transfer.is_final));
        self.push(action.into())
    }

    /// Sends an SMS/MMS (SWML `send_sms`).
    ///
    /// # Errors
    ///
    /// [`SmsContentMissing`] when the message has neither a non-empty body
    /// nor a media URL.
    pub fn send_sms(self, sms: SendSms) -> Result<Self, SmsContentMissing> {
        let verb = sms.into_verb()?;
        Ok(self.push(swml_action(vec![verb])))
    }

    /// Collects a payment (SWML `set` + `pay`).
    pub fn pay(self, pay: Pay) -> Self {
        self.push(swml_action(pay.into_verbs()))
    }

    /// Starts recording the call (SWML `record_call`).
    pub fn record_call(self, record: RecordCall) -> Self {
        self.push(swml_action(vec![record.into_verb()]))
    }

    /// Stops the recording started without a control id:
    /// SWML `{"stop_record_call": {}}`.
    pub fn stop_record_call(self) -> Self {
        self.push(swml_action(vec![single("stop_record_call", Obj::new())]))
    }

    /// Stops the recording with this control id.
    pub fn stop_record_call_id(self, control_id: impl Into<String>) -> Self {
        let params = Obj::new().field("control_id", control_id.into());
        self.push(swml_action(vec![single("stop_record_call", params)]))
    }

    /// Joins a video/audio room: SWML `{"join_room": {"name"}}`.
    pub fn join_room(self, name: impl Into<String>) -> Self {
        let params = Obj::new().field("name", name.into());
        self.push(swml_action(vec![single("join_room", params)]))
    }

    /// Sends a SIP REFER: SWML `{"sip_refer": {"to_uri"}}`.
    pub fn sip_refer(self, to_uri: impl Into<String>) -> Self {
        let params = Obj::new().field("to_uri", to_uri.into());
        self.push(swml_action(vec![single("sip_refer", params)]))
    }

    /// Joins a conference (SWML `join_conference`).
    pub fn join_conference(self, conference: JoinConference) -> Self {
        self.push(swml_action(vec![conference.into_verb()]))
    }

    /// Starts a media tap (SWML `tap`).
    pub fn tap(self, tap: Tap) -> Self {
        self.push(swml_action(vec![tap.into_verb()]))
    }

    /// Stops the tap started without a control id: SWML `{"stop_tap": {}}`.
    pub fn stop_tap(self) -> Self {
        self.push(swml_action(vec![single("stop_tap", Obj::new())]))
    }

    /// Stops the tap with this control id.
    pub fn stop_tap_id(self, control_id: impl Into<String>) -> Self {
        let params = Obj::new().field("control_id", control_id.into());
        self.push(swml_action(vec![single("stop_tap", params)]))
    }

    /// Runs a Calling API command (SWML `execute_rpc`).
    pub fn execute_rpc(self, rpc: ExecuteRpc) -> Self {
        self.push(swml_action(vec![rpc.into_verb()]))
    }

    /// Dials `to_number` from `from_number` (phone device) and runs
    /// `dest_swml` on the new leg. Other device types go through
    /// [`ToolResult::execute_rpc`].
    pub fn rpc_dial(
        self,
        to_number: impl Into<String>,
        from_number: impl Into<String>,
        dest_swml: impl Into<String>,
    ) -> Self {
        let device_params = Obj::new()
            .field("to_number", to_number.into())
            .field("from_number", from_number.into());
        let devices = Obj::new()
            .field("type", "phone")
            .field("params", device_params);
        let params = Obj::new()
            .field("devices", devices)
            .field("dest_swml", dest_swml.into());
        self.execute_rpc(ExecuteRpc::new("dial").ordered_params(params.into()))
    }

    /// Injects a system message into the AI on another call.
    pub fn rpc_ai_message(self, call_id: impl Into<String>, text: impl Into<String>) -> Self {
        self.rpc_ai_message_as(call_id, text, AiMessageRole::System)
    }

    /// Injects a message with the given role into the AI on another call.
    pub fn rpc_ai_message_as(
        self,
        call_id: impl Into<String>,
        text: impl Into<String>,
        role: AiMessageRole,
    ) -> Self {
        let params = Obj::new()
            .field("role", role)
            .field("message_text", text.into());
        let rpc = ExecuteRpc::new("ai_message")
            .call_id(call_id)
            .ordered_params(params.into());
        self.execute_rpc(rpc)
    }

    /// Takes the AI on another call off hold.
    pub fn rpc_ai_unhold(self, call_id: impl Into<String>) -> Self {
        self.execute_rpc(ExecuteRpc::new("ai_unhold").call_id(call_id))
    }

    /// Sends an event to the client: SWML `{"user_event": {"event": event}}`.
    pub fn user_event(self, event: Value) -> Self {
        let verb = single("user_event", single("event", event));
        self.push_one("SWML", swml_doc_sections_first(vec![verb]))
    }
}

impl Serialize for ToolResult {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let has_actions = !self.actions.is_empty();
        let mut map = serializer.serialize_map(None)?;
        if !self.response.is_empty() {
            map.serialize_entry("response", &self.response)?;
        } else if !has_actions {
            map.serialize_entry("response", DEFAULT_RESPONSE)?;
        }
        if has_actions {
            map.serialize_entry("action", &self.actions)?;
            if self.post_process {
                map.serialize_entry("post_process", &true)?;
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The reference SDK's output for every builder call (PROTOCOL.md §5).
    const FIXTURE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/spec/fixtures/function_result_actions.json"
    );

    #[derive(Deserialize)]
    struct Fixture {
        results: Vec<Entry>,
    }

    #[derive(Deserialize)]
    struct Entry {
        call: String,
        json: InOrder,
    }

    /// The compact JSON text of a value with every object's keys in the
    /// order they appear in the source text (independent of `Json`).
    struct InOrder(String);

    impl<'de> Deserialize<'de> for InOrder {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_any(InOrderVisitor)
        }
    }

    struct InOrderVisitor;

    impl<'de> Visitor<'de> for InOrderVisitor {
        type Value = InOrder;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("JSON")
        }

        fn visit_bool<E>(self, v: bool) -> Result<InOrder, E> {
            Ok(InOrder(v.to_string()))
        }

        fn visit_i64<E>(self, v: i64) -> Result<InOrder, E> {
            Ok(InOrder(v.to_string()))
        }

        fn visit_u64<E>(self, v: u64) -> Result<InOrder, E> {
            Ok(InOrder(v.to_string()))
        }

        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<InOrder, E> {
            serde_json::to_string(&v).map(InOrder).map_err(E::custom)
        }

        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<InOrder, E> {
            serde_json::to_string(v).map(InOrder).map_err(E::custom)
        }

        fn visit_unit<E>(self) -> Result<InOrder, E> {
            Ok(InOrder("null".to_owned()))
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<InOrder, A::Error> {
            let mut parts = Vec::new();
            while let Some(InOrder(item)) = seq.next_element()? {
                parts.push(item);
            }
            Ok(InOrder(format!("[{}]", parts.join(","))))
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<InOrder, A::Error> {
            let mut parts = Vec::new();
            while let Some((key, InOrder(value))) = map.next_entry::<String, InOrder>()? {
                let key = serde_json::to_string(&key).map_err(serde::de::Error::custom)?;
                parts.push(format!("{key}:{value}"));
            }
            Ok(InOrder(format!("{{{}}}", parts.join(","))))
        }
    }

    fn x() -> ToolResult {
        ToolResult::new("x")
    }

    /// A fixture `call` text and the Rust builder producing the same result.
    type Case = (&'static str, fn() -> ToolResult);

    /// One builder per fixture entry, keyed by the fixture's `call` text.
    fn cases() -> Vec<Case> {
        vec![
            (r#"R()"#, || ToolResult::default()),
            (r#"R("ok")"#, || ToolResult::new("ok")),
            (r#"R("ok", post_process=True)"#, || {
                ToolResult::new("ok").post_process(true)
            }),
            (r#"R("ok", post_process=True).hangup()"#, || {
                ToolResult::new("ok").post_process(true).hangup()
            }),
            (r#"R("").say("hi")"#, || ToolResult::new("").say("hi")),
            (r#"add_action("custom", {"k": 1})"#, || {
                x().add_action("custom", json!({"k": 1}))
            }),
            (r#"add_actions([{"say": "a"}, {"hold": 60}])"#, || {
                x().add_actions([json!({"say": "a"}), json!({"hold": 60})])
            }),
            (r#"connect("+15551234567")"#, || {
                x().connect(Connect::new("+15551234567"))
            }),
            (
                r#"connect("sip:a@b.com", final=False, from_addr="+15550001111")"#,
                || {
                    x().connect(
                        Connect::new("sip:a@b.com")
                            .final_(false)
                            .from("+15550001111"),
                    )
                },
            ),
            (
                r#"swml_transfer("https://example.com/swml", "Goodbye")"#,
                || x().swml_transfer(SwmlTransfer::new("https://example.com/swml", "Goodbye")),
            ),
            (r#"swml_transfer(dest, ai_response, final=False)"#, || {
                x().swml_transfer(
                    SwmlTransfer::new("https://example.com/swml", "Back").final_(false),
                )
            }),
            (r#"update_global_data({"a": 1})"#, || {
                x().update_global_data(json!({"a": 1}))
            }),
            (r#"remove_global_data("a")"#, || x().remove_global_data("a")),
            (r#"remove_global_data(["a", "b"])"#, || {
                x().remove_global_data_keys(["a", "b"])
            }),
            (r#"set_metadata({"m": 1})"#, || {
                x().set_metadata(json!({"m": 1}))
            }),
            (r#"remove_metadata(["m"])"#, || {
                x().remove_metadata_keys(["m"])
            }),
            (r#"swml_user_event({"type": "x"})"#, || {
                x().user_event(json!({"type": "x"}))
            }),
            (r#"swml_change_step("s2")"#, || x().change_step("s2")),
            (r#"swml_change_context("billing")"#, || {
                x().change_context("billing")
            }),
            (
                r#"execute_swml({"version":"1.0.0","sections":{"main":[{"play":{"url":"say:hi"}}]}})"#,
                || {
                    x().execute_swml(
                        r#"{"version":"1.0.0","sections":{"main":[{"play":{"url":"say:hi"}}]}}"#,
                        false,
                    )
                },
            ),
            (r#"execute_swml(doc, transfer=True)"#, || {
                x().execute_swml(
                    r#"{"version":"1.0.0","sections":{"main":[{"hangup":{}}]}}"#,
                    true,
                )
            }),
            (r#"execute_swml("not json")"#, || {
                x().execute_swml("not json", false)
            }),
            (r#"hangup()"#, || x().hangup()),
            (r#"hold()"#, || x().hold(HoldTimeout::default())),
            (r#"hold(5000)"#, || x().hold(5000)),
            (r#"wait_for_user()"#, || {
                x().wait_for_user(WaitForUser::default())
            }),
            (r#"wait_for_user(enabled=False)"#, || {
                x().wait_for_user(WaitForUser::Disabled)
            }),
            (r#"wait_for_user(timeout=30)"#, || {
                x().wait_for_user(WaitForUser::Timeout(30))
            }),
            (r#"wait_for_user(answer_first=True)"#, || {
                x().wait_for_user(WaitForUser::AnswerFirst)
            }),
            (r#"stop()"#, || x().stop()),
            (r#"say("Please hold")"#, || x().say("Please hold")),
            (r#"play_background_file("music.mp3")"#, || {
                x().playback_bg("music.mp3", false)
            }),
            (r#"play_background_file("music.mp3", wait=True)"#, || {
                x().playback_bg("music.mp3", true)
            }),
            (r#"stop_background_file()"#, || x().stop_playback_bg()),
            (
                r#"add_dynamic_hints(["Acme", {"pattern": "a.c", "replace": "ABC"}])"#,
                || {
                    x().add_dynamic_hints([
                        DynamicHint::from("Acme"),
                        DynamicHint::pattern("a.c", "ABC"),
                    ])
                },
            ),
            (r#"clear_dynamic_hints()"#, || x().clear_dynamic_hints()),
            (r#"set_end_of_speech_timeout(1500)"#, || {
                x().set_end_of_speech_timeout(1500)
            }),
            (r#"set_speech_event_timeout(3000)"#, || {
                x().set_speech_event_timeout(3000)
            }),
            (
                r#"toggle_functions([{"function": "transfer_funds", "active": False}])"#,
                || x().toggle_functions([("transfer_funds", false)]),
            ),
            (r#"enable_functions_on_timeout()"#, || {
                x().enable_functions_on_timeout(true)
            }),
            (r#"enable_extensive_data(False)"#, || {
                x().enable_extensive_data(false)
            }),
            (r#"replace_in_history()"#, || x().replace_in_history(true)),
            (r#"replace_in_history("summary text")"#, || {
                x().replace_in_history("summary text")
            }),
            (r#"update_settings({"temperature": 0.5})"#, || {
                x().update_settings(json!({"temperature": 0.5}))
            }),
            (r#"switch_context("You are billing")"#, || {
                x().switch_context("You are billing")
            }),
            (
                r#"switch_context("sys", "usr", consolidate=True, full_reset=True)"#,
                || {
                    x().switch_context(
                        ContextSwitch::new()
                            .system_prompt("sys")
                            .user_prompt("usr")
                            .consolidate(true)
                            .full_reset(true),
                    )
                },
            ),
            (r#"simulate_user_input("yes")"#, || {
                x().simulate_user_input("yes")
            }),
            (
                r#"send_sms("+15551112222", "+15553334444", body="Hi")"#,
                || {
                    x().send_sms(SendSms::new("+15551112222", "+15553334444").body("Hi"))
                        .expect("body given")
                },
            ),
            (
                r#"send_sms(to, from, body, media=[url], tags=["t"], region="us")"#,
                || {
                    let sms = SendSms::new("+15551112222", "+15553334444")
                        .body("Hi")
                        .media(["https://example.com/a.jpg"])
                        .tags(["t"])
                        .region("us");
                    x().send_sms(sms).expect("body given")
                },
            ),
            (
                r#"pay("https://pay.example.com/connector")  # all defaults"#,
                || x().pay(Pay::new("https://pay.example.com/connector")),
            ),
            (FULL_PAY_CALL, || x().pay(full_pay())),
            (r#"record_call()"#, || x().record_call(RecordCall::new())),
            (FULL_RECORD_CALL, || {
                x().record_call(
                    RecordCall::new()
                        .control_id("rec1")
                        .stereo(true)
                        .format(RecordFormat::Mp3)
                        .direction(RecordDirection::Speak)
                        .terminators("#")
                        .beep(true)
                        .input_sensitivity(20.0)
                        .initial_timeout(5.0)
                        .end_silence_timeout(2.0)
                        .max_length(600.0)
                        .status_url("https://example.com/rec"),
                )
            }),
            (r#"stop_record_call()"#, || x().stop_record_call()),
            (r#"stop_record_call("rec1")"#, || {
                x().stop_record_call_id("rec1")
            }),
            (r#"join_room("room-1")"#, || x().join_room("room-1")),
            (r#"sip_refer("sip:agent@example.com")"#, || {
                x().sip_refer("sip:agent@example.com")
            }),
            (r#"join_conference("conf-1")"#, || {
                x().join_conference(JoinConference::new("conf-1"))
            }),
            (
                r#"join_conference("conf-1", muted=True, beep="onEnter", max_participants=10, record="record-from-start")"#,
                || {
                    x().join_conference(
                        JoinConference::new("conf-1")
                            .muted(true)
                            .beep(ConferenceBeep::OnEnter)
                            .max_participants(10)
                            .record(ConferenceRecord::RecordFromStart),
                    )
                },
            ),
            (r#"tap("wss://tap.example.com")"#, || {
                x().tap(Tap::new("wss://tap.example.com"))
            }),
            (
                r#"tap(uri, control_id="t1", direction="hear", codec="PCMA", rtp_ptime=30, status_url=...)"#,
                || {
                    x().tap(
                        Tap::new("rtp://10.0.0.1:5000")
                            .control_id("t1")
                            .direction(TapDirection::Hear)
                            .codec(TapCodec::Pcma)
                            .rtp_ptime(30)
                            .status_url("https://example.com/tap"),
                    )
                },
            ),
            (r#"stop_tap()"#, || x().stop_tap()),
            (r#"stop_tap("t1")"#, || x().stop_tap_id("t1")),
            (
                r#"execute_rpc("custom", params={"a": 1}, call_id="c1", node_id="n1")"#,
                || {
                    x().execute_rpc(
                        ExecuteRpc::new("custom")
                            .params(json!({"a": 1}))
                            .call_id("c1")
                            .node_id("n1"),
                    )
                },
            ),
            (
                r#"rpc_dial("+15551112222", "+15553334444", "https://example.com/swml")"#,
                || x().rpc_dial("+15551112222", "+15553334444", "https://example.com/swml"),
            ),
            (r#"rpc_ai_message("c1", "Caller is VIP")"#, || {
                x().rpc_ai_message("c1", "Caller is VIP")
            }),
            (r#"rpc_ai_unhold("c1")"#, || x().rpc_ai_unhold("c1")),
        ]
    }

    const FULL_PAY_CALL: &str = r#"pay(url, input_method="voice", status_url=..., payment_method="credit-card", timeout=10, max_attempts=3, security_code=False, postal_code="94107", min_postal_code_length=5, token_type="one-time", charge_amount="10.50", currency="eur", language="es-ES", voice="man", description="Order 42", valid_card_types="visa amex", parameters=[{"name":"k","value":"v"}], prompts=[...], ai_response="Result ${pay_result}")"#;

    const FULL_RECORD_CALL: &str = r##"record_call(control_id="rec1", stereo=True, format="mp3", direction="speak", terminators="#", beep=True, input_sensitivity=20.0, initial_timeout=5.0, end_silence_timeout=2.0, max_length=600.0, status_url="https://example.com/rec")"##;

    fn full_pay() -> Pay {
        Pay::new("https://pay.example.com/connector")
            .input_method(PayInputMethod::Voice)
            .status_url("https://example.com/pay-status")
            .payment_method(PaymentMethod::CreditCard)
            .timeout(10)
            .max_attempts(3)
            .security_code(false)
            .postal_code("94107")
            .min_postal_code_length(5)
            .token_type(TokenType::OneTime)
            .charge_amount("10.50")
            .currency("eur")
            .language("es-ES")
            .voice("man")
            .description("Order 42")
            .valid_card_types([CardType::Visa, CardType::Amex])
            .parameters([PayParameter::new("k", "v")])
            .prompts([PayPrompt::new(
                "payment-card-number",
                [PayPromptAction::say("Please enter your card number")],
            )
            .card_types([CardType::Visa])
            .error_type("timeout")])
            .ai_response("Result ${pay_result}")
    }

    fn body_text(result: &ToolResult) -> String {
        String::from_utf8(result.to_json_vec()).expect("serde_json writes UTF-8")
    }

    #[test]
    fn every_fixture_entry_is_reproduced_exactly() {
        let raw = std::fs::read_to_string(FIXTURE).expect("fixture readable");
        let ordered: Fixture = serde_json::from_str(&raw).expect("fixture parses in order");
        let values: Value = serde_json::from_str(&raw).expect("fixture parses");
        let values = values["results"].as_array().expect("results array");
        assert_eq!(values.len(), ordered.results.len());

        let cases = cases();
        let mut seen = Vec::new();
        for (call, _) in &cases {
            assert!(!seen.contains(call), "duplicate case {call}");
            seen.push(*call);
        }
        let fixture_calls: Vec<&str> = ordered.results.iter().map(|e| e.call.as_str()).collect();
        for call in &fixture_calls {
            assert!(seen.contains(call), "fixture entry not covered: {call}");
        }
        for call in &seen {
            assert!(fixture_calls.contains(call), "case not in fixture: {call}");
        }

        for (entry, value) in ordered.results.iter().zip(values) {
            let build = cases
                .iter()
                .find(|(call, _)| *call == entry.call)
                .map(|(_, build)| build)
                .expect("covered above");
            let result = build();
            let text = body_text(&result);
            let parsed: Value = serde_json::from_str(&text).expect("output is JSON");
            assert_eq!(parsed, value["json"], "value differs for {}", entry.call);
            assert_eq!(text, entry.json.0, "key order differs for {}", entry.call);
            let via_serde = serde_json::to_string(&result).expect("serialises");
            assert_eq!(via_serde, text, "Serialize and to_json_vec differ");
        }
    }

    #[test]
    fn hold_clamps_and_accepts_durations() {
        let holds = x()
            .hold(-5)
            .hold(901_u64)
            .hold(Duration::from_millis(61_900))
            .hold(i64::MIN);
        assert_eq!(
            body_text(&holds),
            r#"{"response":"x","action":[{"hold":0},{"hold":900},{"hold":61},{"hold":0}]}"#
        );
        assert_eq!(HoldTimeout::from(u32::MAX).secs(), 900);
    }

    #[test]
    fn send_sms_needs_body_or_media() {
        let empty = SendSms::new("+1", "+2");
        assert_eq!(x().send_sms(empty.clone()), Err(SmsContentMissing));
        assert_eq!(x().send_sms(empty.clone().body("")), Err(SmsContentMissing));
        let media_only = x()
            .send_sms(empty.media(["https://example.com/a.png"]))
            .expect("media is enough");
        let body: Value = serde_json::from_slice(&media_only.to_json_vec()).expect("JSON");
        let sms = &body["action"][0]["SWML"]["sections"]["main"][0]["send_sms"];
        assert_eq!(
            sms,
            &json!({"to_number": "+1", "from_number": "+2", "media": ["https://example.com/a.png"]})
        );
    }

    #[test]
    fn envelope_rules() {
        let no_text = ToolResult::new("").post_process(true);
        assert_eq!(body_text(&no_text), r#"{"response":"Action completed."}"#);
        let actions_no_pp = x().post_process(false).stop();
        assert_eq!(
            body_text(&actions_no_pp),
            r#"{"response":"x","action":[{"stop":true}]}"#
        );
        let replaced = ToolResult::new("a").with_response("b");
        assert_eq!(replaced.response_text(), "b");
        assert!(x().post_process(true).is_post_process());
        assert_eq!(x().say("1").say("2").action_count(), 2);
        assert_eq!(ToolResult::default().action_count(), 0);
    }

    #[test]
    fn execute_swml_forms() {
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
    fn pay_without_ai_response_sends_null_and_postal_code_flag() {
        let result = x().pay(
            Pay::new("https://p")
                .without_ai_response()
                .postal_code(false)
                .parameter("a", "1")
                .prompt(PayPrompt::new(
                    "payment-failed",
                    [PayPromptAction::play("https://a/b.wav")],
                )),
        );
        let body: Value = serde_json::from_slice(&result.to_json_vec()).expect("JSON");
        let main = &body["action"][0]["SWML"]["sections"]["main"];
        assert_eq!(main[0], json!({"set": {"ai_response": null}}));
        assert_eq!(main[1]["pay"]["postal_code"], "false");
        assert_eq!(
            main[1]["pay"]["parameters"],
            json!([{"name": "a", "value": "1"}])
        );
        assert_eq!(
            main[1]["pay"]["prompts"],
            json!([{"for": "payment-failed", "actions": [{"type": "Play", "phrase": "https://a/b.wav"}]}])
        );
    }

    #[test]
    fn join_conference_options_and_defaults() {
        let explicit_defaults = JoinConference::new("c")
            .beep(ConferenceBeep::Always)
            .max_participants(250)
            .recording_status_callback_events([RecordingEvent::Completed]);
        assert_eq!(
            body_text(&x().join_conference(explicit_defaults)),
            r#"{"response":"x","action":[{"SWML":{"version":"1.0.0","sections":{"main":[{"join_conference":"c"}]}}}]}"#
        );
        let clamped = JoinConference::new("c")
            .max_participants(0)
            .start_on_enter(false)
            .status_callback_events([ConferenceEvent::Join, ConferenceEvent::Leave])
            .status_callback_method(HttpMethod::Get)
            .recording_status_callback_events([
                RecordingEvent::InProgress,
                RecordingEvent::Completed,
            ]);
        let body: Value =
            serde_json::from_slice(&x().join_conference(clamped).to_json_vec()).expect("JSON");
        assert_eq!(
            body["action"][0]["SWML"]["sections"]["main"][0]["join_conference"],
            json!({
                "name": "c",
                "start_on_enter": false,
                "max_participants": 1,
                "status_callback_event": "join leave",
                "status_callback_method": "GET",
                "recording_status_callback_event": "in-progress completed"
            })
        );
    }

    #[test]
    fn smaller_variants() {
        let result = x()
            .switch_context(ContextSwitch::new().user_prompt("u"))
            .replace_in_history(false)
            .rpc_ai_message_as("c", "hi", AiMessageRole::User)
            .execute_rpc(ExecuteRpc::new("m").params(json!({})))
            .add_dynamic_hints([DynamicHint::Pattern {
                pattern: "p".into(),
                replace: "r".into(),
                ignore_case: true,
            }]);
        let body: Value = serde_json::from_slice(&result.to_json_vec()).expect("JSON");
        let actions = &body["action"];
        assert_eq!(actions[0], json!({"context_switch": {"user_prompt": "u"}}));
        assert_eq!(actions[1], json!({"replace_in_history": false}));
        let rpc = &actions[2]["SWML"]["sections"]["main"][0]["execute_rpc"];
        assert_eq!(rpc["params"], json!({"role": "user", "message_text": "hi"}));
        let empty_params = &actions[3]["SWML"]["sections"]["main"][0]["execute_rpc"];
        assert_eq!(empty_params, &json!({"method": "m"}));
        assert_eq!(
            actions[4],
            json!({"add_dynamic_hints": [{"pattern": "p", "replace": "r", "ignore_case": true}]})
        );
    }
}
