//! Typed builder for SWAIG function results: what a tool handler returns to
//! the platform.
//!
//! A result ([`ToolResult`]) is a `response` text that the model reads plus
//! an ordered list of actions that the platform executes. The JSON produced
//! here matches the reference SDK byte for byte, including the key order
//! inside every object the builder creates (docs/protocol.md section 5).
//!
//! Every action is a private `#[derive(Serialize)]` struct or enum whose
//! field order is the wire's key order. Values supplied by the caller as
//! [`serde_json::Value`] keep the order of their map: insertion order, as
//! this workspace builds `serde_json` with `preserve_order`.
//!
//! The files, one concern each:
//!
//! * `tool_result.rs`: [`ToolResult`], the body rules and the raw escape
//!   hatches ([`ToolResult::add_action`], [`ToolResult::add_actions`]);
//! * `data.rs`: global data and function metadata;
//! * `conversation.rs`: speaking, holding, hanging up, contexts, history,
//!   functions and settings;
//! * `speech.rs`: recognition hints and timeouts, background audio;
//! * `swml.rs`: the `{"SWML": …}` action and its verbs,
//!   [`ToolResult::execute_swml`], [`ToolResult::user_event`];
//! * `transfer.rs`, `messaging.rs`, `recording.rs`, `tap.rs`,
//!   `conference.rs`, `rpc.rs`, `pay.rs`: the call-control helpers, each
//!   with the option types it takes;
//! * `wire.rs`: option values with a fixed spelling on the wire.

mod conference;
mod conversation;
mod data;
mod document;
mod messaging;
mod pay;
mod recording;
mod rpc;
mod speech;
mod swml;
mod tap;
mod tool_result;
mod transfer;
mod wire;

pub use conference::JoinConference;
pub use conversation::{
    ContextSwitch, HistoryReplacement, HoldTimeout, MAX_HOLD_SECS, WaitForUser,
};
pub use messaging::{SendSms, SmsContentMissing};
pub use pay::{DEFAULT_PAY_AI_RESPONSE, Pay, PayParameter, PayPrompt, PayPromptAction, PostalCode};
pub use recording::RecordCall;
pub use rpc::ExecuteRpc;
pub use speech::DynamicHint;
pub use swml::SwmlDocument;
pub use tap::Tap;
pub use tool_result::{DEFAULT_RESPONSE, ToolResult};
pub use transfer::{Connect, SwmlTransfer};
pub use wire::{
    AiMessageRole, CardType, ConferenceBeep, ConferenceEvent, ConferenceRecord, ConferenceTrim,
    HttpMethod, PayInputMethod, PayPromptActionType, PaymentMethod, RecordDirection, RecordFormat,
    RecordingEvent, TapCodec, TapDirection, TokenType,
};
