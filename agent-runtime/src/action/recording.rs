//! Recording the call: starting a recording ([`ToolResult::record_call`])
//! and stopping it.

use serde::Serialize;

use super::ToolResult;
use super::document::{StopParams, SwmlAction, Verb};
use super::wire::{RecordDirection, RecordFormat, non_empty};

/// Input sensitivity of a recording unless set (the reference's default).
const DEFAULT_INPUT_SENSITIVITY: f64 = 44.0;

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
            input_sensitivity: DEFAULT_INPUT_SENSITIVITY,
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

    fn into_params(self) -> RecordCallParams {
        RecordCallParams {
            stereo: self.stereo,
            format: self.format.as_str(),
            direction: self.direction.as_str(),
            beep: self.beep,
            input_sensitivity: self.input_sensitivity,
            control_id: non_empty(self.control_id),
            terminators: non_empty(self.terminators),
            initial_timeout: self.initial_timeout,
            end_silence_timeout: self.end_silence_timeout,
            max_length: self.max_length,
            status_url: non_empty(self.status_url),
        }
    }
}

/// Parameters of the `record_call` verb. The reference always sends the
/// first five, then only the options that were set, in this order.
/// Non-finite numbers are written as `null`, as JSON has no spelling for
/// them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(super) struct RecordCallParams {
    stereo: bool,
    format: &'static str,
    direction: &'static str,
    beep: bool,
    input_sensitivity: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    control_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    terminators: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    initial_timeout: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_silence_timeout: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_length: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_url: Option<String>,
}

impl ToolResult {
    /// Starts recording the call (SWML `record_call`).
    pub fn record_call(self, record: RecordCall) -> Self {
        let verb = Verb::new("record_call", record.into_params());
        self.push(SwmlAction::run(vec![verb]))
    }

    /// Stops the recording started without a control id:
    /// SWML `{"stop_record_call": {}}`.
    pub fn stop_record_call(self) -> Self {
        let verb = Verb::new("stop_record_call", StopParams { control_id: None });
        self.push(SwmlAction::run(vec![verb]))
    }

    /// Stops the recording with this control id.
    pub fn stop_record_call_id(self, control_id: impl Into<String>) -> Self {
        let verb = Verb::new(
            "stop_record_call",
            StopParams {
                control_id: Some(control_id.into()),
            },
        );
        self.push(SwmlAction::run(vec![verb]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn first_verb(result: &ToolResult) -> Value {
        let body: Value = serde_json::from_slice(&result.to_json_vec()).expect("JSON");
        body["action"][0]["SWML"]["sections"]["main"][0].clone()
    }

    #[test]
    fn defaults_and_non_finite_numbers() {
        let record = RecordCall::new().control_id("").max_length(f64::INFINITY);
        assert_eq!(
            first_verb(&ToolResult::new("x").record_call(record)),
            json!({"record_call": {
                "stereo": false,
                "format": "wav",
                "direction": "both",
                "beep": false,
                "input_sensitivity": 44.0,
                "max_length": null
            }})
        );
    }

    #[test]
    fn stopping_with_and_without_a_control_id() {
        let x = ToolResult::new("x");
        assert_eq!(
            first_verb(&x.clone().stop_record_call()),
            json!({"stop_record_call": {}})
        );
        assert_eq!(
            first_verb(&x.stop_record_call_id("rec1")),
            json!({"stop_record_call": {"control_id": "rec1"}})
        );
    }
}
