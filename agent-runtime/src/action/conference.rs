//! Joining a conference ([`ToolResult::join_conference`]) or a video/audio
//! room ([`ToolResult::join_room`]).

use serde::Serialize;
use serde_json::Value;

use super::ToolResult;
use super::document::{RoomName, SwmlAction, Verb};
use super::wire::{
    ConferenceBeep, ConferenceEvent, ConferenceRecord, ConferenceTrim, HttpMethod, RecordingEvent,
    is_false, join_wire, non_empty, unless_default,
};

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

    fn into_verb(self) -> ConferenceVerb {
        let recording_events_changed =
            self.recording_status_callback_events != [RecordingEvent::Completed];
        let options = ConferenceOptions {
            muted: self.muted,
            beep: unless_default(self.beep, ConferenceBeep::Always).map(ConferenceBeep::as_str),
            start_on_enter: unless_default(self.start_on_enter, true),
            end_on_exit: self.end_on_exit,
            wait_url: non_empty(self.wait_url),
            max_participants: unless_default(self.max_participants, Self::MAX_PARTICIPANTS),
            record: unless_default(self.record, ConferenceRecord::DoNotRecord)
                .map(ConferenceRecord::as_str),
            region: non_empty(self.region),
            trim: unless_default(self.trim, ConferenceTrim::TrimSilence)
                .map(ConferenceTrim::as_str),
            coach: non_empty(self.coach),
            status_callback_event: (!self.status_callback_events.is_empty())
                .then(|| join_wire(&self.status_callback_events, ConferenceEvent::as_str)),
            status_callback: non_empty(self.status_callback),
            status_callback_method: unless_default(self.status_callback_method, HttpMethod::Post)
                .map(HttpMethod::as_str),
            recording_status_callback: non_empty(self.recording_status_callback),
            recording_status_callback_method: unless_default(
                self.recording_status_callback_method,
                HttpMethod::Post,
            )
            .map(HttpMethod::as_str),
            recording_status_callback_event: recording_events_changed.then(|| {
                join_wire(
                    &self.recording_status_callback_events,
                    RecordingEvent::as_str,
                )
            }),
            result: self.result,
        };
        if options == ConferenceOptions::default() {
            ConferenceVerb::Name(self.name)
        } else {
            ConferenceVerb::Options(Box::new(NamedConference {
                name: self.name,
                options,
            }))
        }
    }
}

/// The `join_conference` verb: the bare name when every option is at its
/// default, as the reference sends it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub(super) enum ConferenceVerb {
    Name(String),
    /// Boxed: the options are large and most joins send only the name.
    Options(Box<NamedConference>),
}

/// `{"name", …options}`: the name first, then the options that differ.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(super) struct NamedConference {
    name: String,
    #[serde(flatten)]
    options: ConferenceOptions,
}

/// The options of `join_conference` that differ from their defaults, in the
/// reference's order; the default value of this struct means "none".
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
struct ConferenceOptions {
    #[serde(skip_serializing_if = "is_false")]
    muted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    beep: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_on_enter: Option<bool>,
    #[serde(skip_serializing_if = "is_false")]
    end_on_exit: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    wait_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_participants: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trim: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    coach: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_callback_event: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_callback: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_callback_method: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recording_status_callback: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recording_status_callback_method: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recording_status_callback_event: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<Value>,
}

impl ToolResult {
    /// Joins a conference (SWML `join_conference`).
    pub fn join_conference(self, conference: JoinConference) -> Self {
        let verb = Verb::new("join_conference", conference.into_verb());
        self.push(SwmlAction::run(vec![verb]))
    }

    /// Joins a video/audio room: SWML `{"join_room": {"name"}}`.
    pub fn join_room(self, name: impl Into<String>) -> Self {
        let verb = Verb::new("join_room", RoomName { name: name.into() });
        self.push(SwmlAction::run(vec![verb]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn join_conference_options_and_defaults() {
        let explicit_defaults = JoinConference::new("c")
            .beep(ConferenceBeep::Always)
            .max_participants(250)
            .recording_status_callback_events([RecordingEvent::Completed]);
        assert_eq!(
            ToolResult::new("x")
                .join_conference(explicit_defaults)
                .to_json_vec(),
            br#"{"response":"x","action":[{"SWML":{"version":"1.0.0","sections":{"main":[{"join_conference":"c"}]}}}]}"#
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
        let result = ToolResult::new("x").join_conference(clamped);
        let body: Value = serde_json::from_slice(&result.to_json_vec()).expect("JSON");
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
    fn join_room_names_the_room() {
        let result = ToolResult::new("x").join_room("room-1");
        let body: Value = serde_json::from_slice(&result.to_json_vec()).expect("JSON");
        assert_eq!(
            body["action"][0]["SWML"]["sections"]["main"][0],
            json!({"join_room": {"name": "room-1"}})
        );
    }
}
