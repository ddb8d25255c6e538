//! Streaming call audio to a WebSocket or RTP endpoint
//! ([`ToolResult::tap`]) and stopping the stream.

use serde::Serialize;

use super::ToolResult;
use super::document::{StopParams, SwmlAction, Verb};
use super::wire::{TapCodec, TapDirection, non_empty, unless_default};

/// RTP packetisation time unless set, in milliseconds.
const DEFAULT_RTP_PTIME: u32 = 20;

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
            rtp_ptime: DEFAULT_RTP_PTIME,
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

    fn into_params(self) -> TapParams {
        TapParams {
            uri: self.uri,
            control_id: non_empty(self.control_id),
            direction: unless_default(self.direction, TapDirection::Both).map(TapDirection::as_str),
            codec: unless_default(self.codec, TapCodec::Pcmu).map(TapCodec::as_str),
            rtp_ptime: unless_default(self.rtp_ptime, DEFAULT_RTP_PTIME),
            status_url: non_empty(self.status_url),
        }
    }
}

/// Parameters of the `tap` verb: the URI, then only what differs from the
/// defaults.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(super) struct TapParams {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    control_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    direction: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    codec: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rtp_ptime: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_url: Option<String>,
}

impl ToolResult {
    /// Starts a media tap (SWML `tap`).
    pub fn tap(self, tap: Tap) -> Self {
        self.push(SwmlAction::run(vec![Verb::new("tap", tap.into_params())]))
    }

    /// Stops the tap started without a control id: SWML `{"stop_tap": {}}`.
    pub fn stop_tap(self) -> Self {
        let verb = Verb::new("stop_tap", StopParams { control_id: None });
        self.push(SwmlAction::run(vec![verb]))
    }

    /// Stops the tap with this control id.
    pub fn stop_tap_id(self, control_id: impl Into<String>) -> Self {
        let verb = Verb::new(
            "stop_tap",
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

    #[test]
    fn defaults_are_not_sent() {
        let explicit_defaults = Tap::new("wss://t")
            .direction(TapDirection::Both)
            .codec(TapCodec::Pcmu)
            .rtp_ptime(20)
            .control_id("");
        let result = ToolResult::new("x")
            .tap(explicit_defaults)
            .stop_tap_id("t1");
        let body: Value = serde_json::from_slice(&result.to_json_vec()).expect("JSON");
        let main = |i: usize| body["action"][i]["SWML"]["sections"]["main"][0].clone();
        assert_eq!(main(0), json!({"tap": {"uri": "wss://t"}}));
        assert_eq!(main(1), json!({"stop_tap": {"control_id": "t1"}}));
    }
}
