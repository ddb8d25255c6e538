//! Static parts of the SWML document: prompt sections (POM), languages,
//! recording. Set once on the builder; rendered once at start-up.

use serde_json::{Map, Value, json};

use crate::action::{RecordCall, RecordFormat};

/// One section of the prompt object model (POM): a title, a body, bullets and
/// subsections.
///
/// ```
/// use agent_runtime::Section;
/// let s = Section::new("Security boundaries")
///     .body("You never reveal account numbers.")
///     .bullet("Ask for confirmation before moving money.")
///     .numbered_bullets();
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Section {
    title: Option<String>,
    body: Option<String>,
    bullets: Vec<String>,
    subsections: Vec<Section>,
    numbered: bool,
    numbered_bullets: bool,
}

impl Section {
    /// A section with a title.
    pub fn new(title: impl Into<String>) -> Self {
        Section {
            title: Some(title.into()),
            ..Section::default()
        }
    }
    /// A section without a title.
    pub fn untitled() -> Self {
        Section::default()
    }
    /// Sets the body text.
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
        self
    }
    /// Adds one bullet.
    pub fn bullet(mut self, bullet: impl Into<String>) -> Self {
        self.bullets.push(bullet.into());
        self
    }
    /// Adds several bullets.
    pub fn bullets<I, S>(mut self, bullets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.bullets.extend(bullets.into_iter().map(Into::into));
        self
    }
    /// Adds a subsection.
    pub fn subsection(mut self, section: Section) -> Self {
        self.subsections.push(section);
        self
    }
    /// Numbers this section among its siblings.
    pub fn numbered(mut self) -> Self {
        self.numbered = true;
        self
    }
    /// Numbers the bullets.
    pub fn numbered_bullets(mut self) -> Self {
        self.numbered_bullets = true;
        self
    }

    /// Checks that the section (and its subsections) carry content: the SWML
    /// schema rejects a section with only a title.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.body.as_deref().is_none_or(str::is_empty) && self.bullets.is_empty() {
            return Err(format!(
                "prompt section `{}` needs a body or at least one bullet",
                self.title.as_deref().unwrap_or("(untitled)")
            ));
        }
        self.subsections.iter().try_for_each(Section::check)
    }

    pub(crate) fn to_json(&self) -> Value {
        let mut m = Map::new();
        if let Some(t) = &self.title {
            m.insert("title".into(), Value::String(t.clone()));
        }
        if let Some(b) = &self.body {
            m.insert("body".into(), Value::String(b.clone()));
        }
        if !self.bullets.is_empty() {
            m.insert("bullets".into(), json!(self.bullets));
        }
        if !self.subsections.is_empty() {
            let subs: Vec<Value> = self.subsections.iter().map(Section::to_json).collect();
            m.insert("subsections".into(), Value::Array(subs));
        }
        if self.numbered {
            m.insert("numbered".into(), Value::Bool(true));
        }
        if self.numbered_bullets {
            m.insert("numberedBullets".into(), Value::Bool(true));
        }
        Value::Object(m)
    }
}

/// A language the agent speaks (`ai.languages`).
#[derive(Debug, Clone, PartialEq)]
pub struct Language {
    name: String,
    code: String,
    voice: String,
    engine: Option<String>,
    model: Option<String>,
}

impl Language {
    /// A language: display name, code (`en-US`) and voice (`rime.spore`, or
    /// `engine.voice:model`, which is split into its parts).
    pub fn new(name: impl Into<String>, code: impl Into<String>, voice: impl Into<String>) -> Self {
        let voice: String = voice.into();
        let (mut engine, mut model) = (None, None);
        let mut v = voice.clone();
        if let Some((e, rest)) = voice.split_once('.')
            && let Some((name, m)) = rest.split_once(':')
        {
            engine = Some(e.to_owned());
            model = Some(m.to_owned());
            v = name.to_owned();
        }
        Language {
            name: name.into(),
            code: code.into(),
            voice: v,
            engine,
            model,
        }
    }

    pub(crate) fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), Value::String(self.name.clone()));
        m.insert("code".into(), Value::String(self.code.clone()));
        m.insert("voice".into(), Value::String(self.voice.clone()));
        if let Some(e) = &self.engine {
            m.insert("engine".into(), Value::String(e.clone()));
        }
        if let Some(model) = &self.model {
            m.insert("model".into(), Value::String(model.clone()));
        }
        Value::Object(m)
    }
}

/// Recording format of the `record_call` verb.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordingFormat {
    /// MP4 audio.
    Mp4,
    /// MP3.
    Mp3,
    /// WAV.
    Wav,
}

/// Call recording (`record_call` verb before the `ai` verb). Off unless set:
/// recording is a privacy decision.
///
/// When a tool is `#[tool(unrecorded)]`, the recording carries the control
/// id [`Recording::CONTROL_ID`], which the actions that pause and resume it
/// around that tool's input name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recording {
    /// File format.
    pub format: RecordingFormat,
    /// Stereo (caller and agent on separate channels).
    pub stereo: bool,
}

impl Default for Recording {
    fn default() -> Self {
        Recording {
            format: RecordingFormat::Mp4,
            stereo: true,
        }
    }
}

impl Recording {
    /// The control id of the agent's recording when a tool is
    /// `#[tool(unrecorded)]`. A tool of your own can stop that recording
    /// with `ToolResult::stop_record_call_id(Recording::CONTROL_ID)`.
    pub const CONTROL_ID: &'static str = "agent-call-recording";

    fn wire_format(self) -> RecordFormat {
        match self.format {
            RecordingFormat::Mp4 => RecordFormat::Mp4,
            RecordingFormat::Mp3 => RecordFormat::Mp3,
            RecordingFormat::Wav => RecordFormat::Wav,
        }
    }

    /// The `record_call` verb of the document, with `control_id` when the
    /// recording is paused and resumed around unrecorded tools.
    pub(crate) fn to_json(self, control_id: Option<&str>) -> Value {
        let mut verb = json!({"format": self.wire_format().as_str(), "stereo": self.stereo});
        if let (Some(id), Value::Object(map)) = (control_id, &mut verb) {
            map.insert("control_id".to_owned(), Value::from(id));
        }
        verb
    }

    /// The same recording started again under `control_id`: format and
    /// stereo as set here, the platform's defaults for the rest, as the verb
    /// of the document leaves them.
    pub(crate) fn restarted(self, control_id: &str) -> RecordCall {
        RecordCall::new()
            .control_id(control_id)
            .format(self.wire_format())
            .stereo(self.stereo)
    }
}

/// A speech-recognition hint: a plain word or a pattern replacement.
#[derive(Debug, Clone, PartialEq)]
pub enum Hint {
    /// A word or phrase to favour.
    Word(String),
    /// Replace what matches `pattern` with `replace`.
    Pattern {
        /// The text the hint stands for.
        hint: String,
        /// Regular expression.
        pattern: String,
        /// Replacement.
        replace: String,
        /// Case-insensitive match.
        ignore_case: bool,
    },
}

impl From<&str> for Hint {
    fn from(s: &str) -> Self {
        Hint::Word(s.to_owned())
    }
}

impl From<String> for Hint {
    fn from(s: String) -> Self {
        Hint::Word(s)
    }
}

impl Hint {
    pub(crate) fn to_json(&self) -> Value {
        match self {
            Hint::Word(w) => Value::String(w.clone()),
            Hint::Pattern {
                hint,
                pattern,
                replace,
                ignore_case,
            } => {
                json!({"hint": hint, "pattern": pattern, "replace": replace, "ignore_case": ignore_case})
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_shape_uses_pom_keys() {
        let s = Section::new("Role")
            .body("b")
            .bullets(["x", "y"])
            .numbered()
            .numbered_bullets()
            .subsection(Section::untitled().bullet("z"));
        assert_eq!(
            s.to_json(),
            json!({"title":"Role","body":"b","bullets":["x","y"],"subsections":[{"bullets":["z"]}],"numbered":true,"numberedBullets":true})
        );
        assert!(Section::new("only title").check().is_err());
        assert!(
            Section::new("t")
                .body("b")
                .subsection(Section::new("empty"))
                .check()
                .is_err()
        );
    }

    #[test]
    fn the_recording_verb_names_its_control_id_only_when_asked() {
        let recording = Recording::default();
        assert_eq!(
            recording.to_json(None),
            json!({"format": "mp4", "stereo": true})
        );
        let mp3 = Recording {
            format: RecordingFormat::Mp3,
            stereo: false,
        };
        assert_eq!(
            mp3.to_json(Some("rec")),
            json!({"format": "mp3", "stereo": false, "control_id": "rec"})
        );
        let restarted = crate::action::ToolResult::new("").record_call(mp3.restarted("rec"));
        let body: Value = serde_json::from_slice(&restarted.to_json_vec()).expect("JSON");
        let verb = &body["action"][0]["SWML"]["sections"]["main"][0]["record_call"];
        assert_eq!(
            (&verb["format"], &verb["stereo"], &verb["control_id"]),
            (&json!("mp3"), &json!(false), &json!("rec"))
        );
    }

    #[test]
    fn voice_with_engine_and_model_is_split() {
        let l = Language::new("English", "en-US", "elevenlabs.rachel:eleven_turbo_v2");
        assert_eq!(
            l.to_json(),
            json!({"name":"English","code":"en-US","voice":"rachel","engine":"elevenlabs","model":"eleven_turbo_v2"})
        );
        assert_eq!(
            Language::new("E", "en", "rime.spore").to_json(),
            json!({"name":"E","code":"en","voice":"rime.spore"})
        );
    }
}
