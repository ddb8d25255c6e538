//! Audit records for every security-relevant event. Records carry ids and
//! reasons, never a secret: no token, no password, no argument value.
//!
//! A record goes to the log (as one JSON line under the default logger, see
//! [`crate::logging`], else as a `tracing` event) and to every
//! [`AuditSink`] of the agent, such as the chained audit file of [`chain`].
//! When a server stops cleanly, the runtime calls [`AuditSink::seal`] on
//! every sink (the chained file then writes a seal record, so a cut tail
//! shows).
//!
//! # Size caps
//!
//! Records carry what the platform sent (call id, caller id), so every
//! string is capped before it reaches the log or a sink; a cut string ends
//! with a visible mark, `…[truncated N bytes]`:
//!
//! | What | Cap |
//! | --- | --- |
//! | `call_id`, `caller`, `function`, `reason`, `client` | [`MAX_FIELD_BYTES`] (256 bytes) each |
//! | every string inside `arguments` | [`MAX_ARGUMENT_STRING_BYTES`] (1 KiB) each |
//! | every object key inside `arguments` | [`MAX_FIELD_BYTES`] each |
//! | one line of the log or of the chained file | [`MAX_LINE_BYTES`] (8 KiB, newline included): a longer line has its `arguments` replaced by the mark |
//!
//! Lengths are bytes of JSON text (a control character escaped as `\u0001`
//! counts six). Sinks receive the capped record too.

mod cap;
pub mod chain;
pub mod event;
mod line;

pub use cap::{MAX_ARGUMENT_STRING_BYTES, MAX_FIELD_BYTES, MAX_LINE_BYTES, TRUNCATION_MARK_PREFIX};
pub use chain::JsonLinesAuditSink;
pub(crate) use event::EventSink;
pub use event::{AuditEntry, EventName, MAX_DETAIL_FIELDS, MAX_EVENT_NAME_BYTES, Outcome};

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditEvent {
    /// Basic authentication failed.
    AuthFailure,
    /// A secure tool (or the post-prompt endpoint) was refused for its token.
    TokenFailure,
    /// Arguments did not pass validation; the handler did not run.
    ValidationFailure,
    /// A tool ran; `outcome` says how it ended.
    ToolCall,
    /// A post-prompt summary was accepted.
    Summary,
    /// A secure tool was refused because emergency mode is on.
    EmergencyRefusal,
    /// A request had no valid `X-SignalWire-Signature`.
    SignatureFailure,
    /// A caller (or client address) went over a rate limit.
    RateLimited,
    /// A tool's `#[tool(guard = ...)]` refused the call; the handler did not
    /// run.
    GuardRefusal,
    /// Emergency mode was switched on or off; `outcome` says which and
    /// `reason` who did it.
    EmergencySwitch,
    /// The shared state store did not answer: a protective decision refused
    /// (outcome `refused`) or, by policy, throttling let the request through
    /// (outcome `allowed`).
    StateUnavailable,
    /// A tool's `#[tool(check = ...)]` refused the call after its arguments
    /// were validated; the handler did not run.
    CheckRefusal,
    /// The platform fetched the SWML document for a call: `details` holds
    /// the called number and the direction when the request named them.
    CallStart,
    /// An event a handler or guard recorded itself ([`Call::audit`](crate::Call::audit)).
    Handler(EventName),
}

impl AuditEvent {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditEvent::AuthFailure => "auth_failure",
            AuditEvent::TokenFailure => "token_failure",
            AuditEvent::ValidationFailure => "validation_failure",
            AuditEvent::ToolCall => "tool_call",
            AuditEvent::Summary => "summary",
            AuditEvent::EmergencyRefusal => "emergency_refusal",
            AuditEvent::SignatureFailure => "signature_failure",
            AuditEvent::RateLimited => "rate_limited",
            AuditEvent::GuardRefusal => "guard_refusal",
            AuditEvent::EmergencySwitch => "emergency_switch",
            AuditEvent::StateUnavailable => "state_unavailable",
            AuditEvent::CheckRefusal => "check_refusal",
            AuditEvent::CallStart => "call_start",
            AuditEvent::Handler(name) => name.as_str(),
        }
    }
}

/// One audit record. Records are made by the runtime (and by handlers
/// through [`Call::audit`](crate::Call::audit)), never by hand, so every one
/// has been redacted and capped.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuditRecord {
    /// The event.
    pub event: AuditEvent,
    /// Unix time in milliseconds.
    pub time_ms: u128,
    /// Call id from the request, when present.
    pub call_id: Option<String>,
    /// Caller number from the platform, when present.
    pub caller: Option<String>,
    /// Function (tool) name, when known and registered.
    pub function: Option<String>,
    /// `ok`, `refused`, `error`, `panic`, `timeout`.
    pub outcome: &'static str,
    /// Machine-readable reason (`bad_signature`, `expired`, `wrong_call_id`,
    /// a field name for validation failures, ...).
    pub reason: String,
    /// Handler run time, for tool calls.
    pub duration: Option<Duration>,
    /// Client address.
    pub client: Option<String>,
    /// The tool arguments with every secret part replaced (`#[sensitive]`
    /// parameters, secret-looking keys, card-number and SSN look-alikes) and
    /// account numbers cut to their last four characters.
    pub arguments: Option<serde_json::Value>,
    /// What a handler event, or a `call_start` record, adds: named fields,
    /// redacted as the arguments are.
    pub details: Option<serde_json::Value>,
}

/// The fields of a record in the order every JSON form writes them.
#[derive(serde::Serialize)]
pub(crate) struct AuditFields<'a> {
    event: &'static str,
    time_ms: u64,
    call_id: Option<&'a str>,
    caller: Option<&'a str>,
    function: Option<&'a str>,
    outcome: &'static str,
    reason: &'a str,
    duration_ms: Option<f64>,
    client: Option<&'a str>,
    arguments: Option<&'a serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<&'a serde_json::Value>,
}

impl AuditRecord {
    /// The record as a JSON object, with its strings cut to their caps
    /// (the fields a line of the log or of the chained file carries).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self.capped().fields()).unwrap_or(serde_json::Value::Null)
    }

    /// A borrowed view for serialisation.
    pub(crate) fn fields(&self) -> AuditFields<'_> {
        AuditFields {
            event: self.event.as_str(),
            time_ms: u64::try_from(self.time_ms).unwrap_or(u64::MAX),
            call_id: self.call_id.as_deref(),
            caller: self.caller.as_deref(),
            function: self.function.as_deref(),
            outcome: self.outcome,
            reason: &self.reason,
            duration_ms: self.duration.map(|d| d.as_secs_f64() * 1000.0),
            client: self.client.as_deref(),
            arguments: self.arguments.as_ref(),
            details: self.details.as_ref(),
        }
    }

    pub(crate) fn new(event: AuditEvent, outcome: &'static str, reason: impl Into<String>) -> Self {
        AuditRecord {
            event,
            time_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or(0),
            call_id: None,
            caller: None,
            function: None,
            outcome,
            reason: reason.into(),
            duration: None,
            client: None,
            arguments: None,
            details: None,
        }
    }
}

/// Receives audit records (besides the `tracing` event every record becomes).
pub trait AuditSink: Send + Sync + 'static {
    /// Stores or forwards one record. Must not block for long.
    fn record(&self, record: &AuditRecord);

    /// Marks a clean stop: the runtime calls it on every sink after its
    /// server stopped (`SIGTERM`, Ctrl-C, a stopped handle), before the log
    /// is flushed. A sink that can show a cut tail (the chained file writes
    /// a seal record) does so here; the default does nothing. A sink may be
    /// sealed more than once and may receive records after a seal (a
    /// process can run one server after another).
    fn seal(&self) {}
}

/// Keeps records in memory; for tests and the test harness.
#[derive(Debug, Default, Clone)]
pub struct MemoryAuditSink(Arc<Mutex<Vec<AuditRecord>>>);

impl MemoryAuditSink {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }
    /// A copy of every record so far.
    pub fn records(&self) -> Vec<AuditRecord> {
        match self.0.lock() {
            Ok(v) => v.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

impl AuditSink for MemoryAuditSink {
    fn record(&self, record: &AuditRecord) {
        match self.0.lock() {
            Ok(mut v) => v.push(record.clone()),
            Err(poisoned) => poisoned.into_inner().push(record.clone()),
        }
    }
}

/// Where an agent's audit records go: the log, and its sinks. Cloning it
/// (once per tool call, for handler events) copies one pointer.
#[derive(Clone)]
pub(crate) struct AuditTrail {
    sinks: Arc<[Arc<dyn AuditSink>]>,
}

impl Default for AuditTrail {
    fn default() -> Self {
        AuditTrail::new(Vec::new())
    }
}

impl AuditTrail {
    /// A trail writing to the log and to `sinks`.
    pub(crate) fn new(sinks: Vec<Arc<dyn AuditSink>>) -> Self {
        AuditTrail {
            sinks: sinks.into(),
        }
    }

    /// Emits a record as a log line and to every sink.
    ///
    /// Under the runtime's default logger the line is written directly (see
    /// [`crate::logging`]); otherwise it is a `tracing` event with target
    /// `agent_runtime::audit` at level `INFO`, for the application's
    /// subscriber.
    /// Strings are cut to their caps first (see the [module docs](self)),
    /// for the log and the sinks alike.
    pub(crate) fn emit(&self, record: &AuditRecord) {
        let record = record.capped();
        emit_to_log(&record);
        for sink in self.sinks.iter() {
            sink.record(&record);
        }
    }

    /// Sends a record to the sinks only (the caller logged it already).
    pub(crate) fn to_sinks(&self, record: &AuditRecord) {
        let record = record.capped();
        for sink in self.sinks.iter() {
            sink.record(&record);
        }
    }

    /// Seals every sink ([`AuditSink::seal`]): called once the server
    /// stopped cleanly.
    pub(crate) fn seal(&self) {
        for sink in self.sinks.iter() {
            sink.seal();
        }
    }
}

/// Writes a record to the log: a line of the default logger when it is
/// installed, else a `tracing` event.
pub(crate) fn emit_to_log(record: &AuditRecord) {
    if let Some(format) = crate::logging::direct_line_format() {
        let mut out = Vec::with_capacity(384);
        line::format_line(&mut out, record, format);
        crate::logging::append_line(&out);
    } else {
        emit_event(record);
    }
}

fn emit_event(record: &AuditRecord) {
    let record = record.capped();
    let mut arguments = record
        .arguments
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    // The application's subscriber decides the line's layout; the fields
    // other than the arguments take at most 5 x 256 bytes, so arguments that
    // would take the event past the line cap are replaced by the mark.
    if arguments.len() > MAX_LINE_BYTES / 2 {
        arguments = cap::arguments_mark(record.arguments.as_ref()).to_string();
    }
    tracing::info!(
        target: "agent_runtime::audit",
        event = record.event.as_str(),
        call_id = record.call_id.as_deref().unwrap_or(""),
        caller = record.caller.as_deref().unwrap_or(""),
        function = record.function.as_deref().unwrap_or(""),
        outcome = record.outcome,
        reason = %record.reason,
        duration_ms = record.duration.map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0),
        client = record.client.as_deref().unwrap_or(""),
        arguments = %arguments,
        details = %record.details.as_ref().map(ToString::to_string).unwrap_or_default(),
    );
}
