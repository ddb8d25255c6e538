//! Audit events a handler or a guard records for itself ("the PIN did not
//! match", "a transfer over the step-up amount"), through the same trail as
//! the runtime's own records: the same redaction, size caps, log line,
//! sinks, chained file and metrics.
//!
//! An event has a name declared once, as a constant, and checked when the
//! program is compiled:
//!
//! ```
//! use agent_runtime::audit::EventName;
//! const PIN_MISMATCH: EventName = EventName::new("pin_mismatch");
//! ```
//!
//! A name is 1 to 48 bytes of lowercase ASCII letters, digits and `_`,
//! starting with a letter, and is none of the runtime's own event names
//! (`tool_call`, `auth_failure`, ...): a handler cannot pass its records off
//! as the runtime's. A bad name in a `const` is a compile error:
//!
//! ```compile_fail
//! use agent_runtime::audit::EventName;
//! const BAD: EventName = EventName::new("Tool Call!");
//! ```
//!
//! ```compile_fail
//! use agent_runtime::audit::EventName;
//! const TAKEN: EventName = EventName::new("tool_call");
//! ```
//!
//! A handler records one with [`Call::audit`](crate::Call::audit):
//!
//! ```
//! use agent_runtime::audit::{EventName, Outcome};
//! use agent_runtime::prelude::*;
//! const LARGE_TRANSFER: EventName = EventName::new("large_transfer");
//!
//! fn note(call: &Call, amount: f64, account: &str) {
//!     call.audit(LARGE_TRANSFER)
//!         .outcome(Outcome::Ok)
//!         .reason("over_step_up_amount")
//!         .field("amount", amount)
//!         .field("account", account) // an account name: kept as ******7890
//!         .emit();
//! }
//! ```
//!
//! What a record may carry is limited so that it cannot become a leak or a
//! flood: the reason and the field names are `&'static str` (chosen by code,
//! never by a caller); at most [`MAX_DETAIL_FIELDS`] fields; each field
//! value goes through the redaction every audit copy gets (a value under a
//! secret-looking name is `[REDACTED]`, under an account-number name it
//! keeps its last four characters, card numbers and SSNs in text are
//! masked) and every string is cut at 256 bytes. The runtime adds who and
//! when: call id, caller, the tool that was running, the client address.

use serde::Serialize;
use serde_json::{Map, Value};

use super::cap::{MAX_FIELD_BYTES, cap_str};
use super::{AuditEvent, AuditRecord, AuditTrail};
use crate::redact::scrub_entry;

/// At most this many fields in one handler event; more are counted in a
/// `fields_dropped` field instead.
pub const MAX_DETAIL_FIELDS: usize = 8;

/// The longest event name, in bytes.
pub const MAX_EVENT_NAME_BYTES: usize = 48;

/// The runtime's own event names, which a handler event cannot take.
const RESERVED: &[&str] = &[
    "auth_failure",
    "token_failure",
    "validation_failure",
    "tool_call",
    "summary",
    "emergency_refusal",
    "signature_failure",
    "rate_limited",
    "guard_refusal",
    "check_refusal",
    "emergency_switch",
    "state_unavailable",
    "call_start",
];

/// The name of a handler's own audit event (see the [module
/// documentation](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventName(&'static str);

impl EventName {
    /// Checks and wraps an event name. Declare names as constants
    /// (`const X: EventName = EventName::new("x");`): a name that breaks
    /// the rules is then a compile error.
    ///
    /// # Panics
    ///
    /// On a name that breaks the rules, when called outside a constant.
    #[allow(clippy::panic)]
    pub const fn new(name: &'static str) -> EventName {
        let bytes = name.as_bytes();
        if bytes.is_empty() || bytes.len() > MAX_EVENT_NAME_BYTES {
            panic!("an audit event name is 1 to 48 bytes long");
        }
        if !bytes[0].is_ascii_lowercase() {
            panic!("an audit event name starts with a lowercase ASCII letter");
        }
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if !(b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
                panic!("an audit event name holds only a-z, 0-9 and _");
            }
            i += 1;
        }
        let mut r = 0;
        while r < RESERVED.len() {
            if same(RESERVED[r].as_bytes(), bytes) {
                panic!("this audit event name is one of the runtime's own; choose another");
            }
            r += 1;
        }
        EventName(name)
    }

    /// The name.
    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// How the event a handler records ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It succeeded, or it is a plain observation (`ok`).
    Ok,
    /// Something was refused (`refused`).
    Refused,
    /// Something failed (`error`).
    Error,
}

impl Outcome {
    /// The `outcome` of the record.
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Refused => "refused",
            Outcome::Error => "error",
        }
    }
}

/// Where a call's handler events go, and what every one of them names: set
/// by the runtime for each tool call and summary.
#[derive(Clone, Default)]
pub(crate) struct EventSink {
    pub trail: AuditTrail,
    pub function: Option<&'static str>,
    pub client: Option<String>,
}

/// One handler event being put together; nothing is recorded until
/// [`emit`](AuditEntry::emit).
#[must_use = "an audit event is recorded only by `.emit()`"]
pub struct AuditEntry<'a> {
    sink: Option<&'a EventSink>,
    record: AuditRecord,
    fields: Map<String, Value>,
    dropped: usize,
}

impl std::fmt::Debug for AuditEntry<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The fields are already redacted; the record's identifying parts
        // are what the trail will show.
        f.debug_struct("AuditEntry")
            .field("event", &self.record.event.as_str())
            .field("outcome", &self.record.outcome)
            .field("reason", &self.record.reason)
            .field("fields", &self.fields)
            .finish()
    }
}

impl<'a> AuditEntry<'a> {
    /// An entry for `name` about the call `call_id`, from `caller`.
    pub(crate) fn new(
        sink: Option<&'a EventSink>,
        name: EventName,
        call_id: Option<&str>,
        caller: Option<&str>,
    ) -> Self {
        let mut record = AuditRecord::new(AuditEvent::Handler(name), "ok", "");
        record.call_id = call_id.map(str::to_owned);
        record.caller = caller.map(str::to_owned);
        if let Some(sink) = sink {
            record.function = sink.function.map(str::to_owned);
            record.client.clone_from(&sink.client);
        }
        AuditEntry {
            sink,
            record,
            fields: Map::new(),
            dropped: 0,
        }
    }

    /// How it ended (`ok` unless set).
    pub fn outcome(mut self, outcome: Outcome) -> Self {
        self.record.outcome = outcome.as_str();
        self
    }

    /// A machine-readable reason (`pin_mismatch`, `locked`): chosen by code,
    /// so never a caller's words.
    pub fn reason(mut self, reason: &'static str) -> Self {
        reason.clone_into(&mut self.record.reason);
        self
    }

    /// One field: a number, a flag, a string, or anything `Serialize`. The
    /// value is redacted by its name as every audit copy is (see the
    /// [module documentation](self)); a value that cannot be serialised is
    /// `null`. A name given twice keeps the last value.
    pub fn field(mut self, name: &'static str, value: impl Serialize) -> Self {
        if self.fields.len() >= MAX_DETAIL_FIELDS && !self.fields.contains_key(name) {
            self.dropped += 1;
            return self;
        }
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        let value = cap_strings(scrub_entry(name, &value));
        self.fields.insert(name.to_owned(), value);
        self
    }

    /// Records the event: one log line and every sink, as the runtime's own
    /// records. A call context built by hand (`Call::for_test`) has no
    /// sinks; the event then goes to the log only.
    pub fn emit(mut self) {
        if self.dropped > 0 {
            self.fields
                .insert("fields_dropped".to_owned(), Value::from(self.dropped));
        }
        if !self.fields.is_empty() {
            self.record.details = Some(Value::Object(std::mem::take(&mut self.fields)));
        }
        match self.sink {
            Some(sink) => sink.trail.emit(&self.record),
            None => super::emit_to_log(&self.record),
        }
    }
}

/// Every string (and key) in `value` cut to [`MAX_FIELD_BYTES`].
fn cap_strings(value: Value) -> Value {
    match value {
        Value::String(s) => Value::String(cap_str(&s, MAX_FIELD_BYTES).into_owned()),
        Value::Array(items) => Value::Array(items.into_iter().map(cap_strings).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (cap_str(&k, MAX_FIELD_BYTES).into_owned(), cap_strings(v)))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::MemoryAuditSink;
    use std::sync::Arc;

    const CHECKED: EventName = EventName::new("pin_checked");

    fn sink() -> (EventSink, MemoryAuditSink) {
        let memory = MemoryAuditSink::new();
        let sink = EventSink {
            trail: AuditTrail::new(vec![Arc::new(memory.clone())]),
            function: Some("verify_pin"),
            client: Some("127.0.0.1".into()),
        };
        (sink, memory)
    }

    #[test]
    fn names_follow_the_rules() {
        assert_eq!(CHECKED.as_str(), "pin_checked");
        for bad in [
            "",
            "Pin",
            "1pin",
            "pin-checked",
            "pin checked",
            "tool_call",
            "call_start",
        ] {
            assert!(
                std::panic::catch_unwind(|| EventName::new(bad)).is_err(),
                "{bad:?}"
            );
        }
        assert!(std::panic::catch_unwind(|| EventName::new(&"a".repeat(49).leak()[..])).is_err());
        let _ = EventName::new(&*"a".repeat(48).leak());
    }

    #[test]
    fn an_event_is_one_record_with_redacted_fields() {
        let (sink, memory) = sink();
        AuditEntry::new(Some(&sink), CHECKED, Some("call-1"), Some("+15550100000"))
            .outcome(Outcome::Refused)
            .reason("pin_mismatch")
            .field("attempt", 2)
            .field("pin", "4931")
            .field("account", "1000007890")
            .field("note", "card 4111 1111 1111 1111")
            .field("nested", serde_json::json!({"password": "hunter2", "n": 1}))
            .emit();
        let records = memory.records();
        assert_eq!(records.len(), 1);
        let r = &records[0];
        assert_eq!(r.event.as_str(), "pin_checked");
        assert_eq!(r.outcome, "refused");
        assert_eq!(r.reason, "pin_mismatch");
        assert_eq!(r.function.as_deref(), Some("verify_pin"));
        assert_eq!(r.call_id.as_deref(), Some("call-1"));
        let details = r.details.clone().unwrap_or_default();
        assert_eq!(details["attempt"], 2);
        assert_eq!(details["pin"], "[REDACTED]");
        assert_eq!(details["account"], "******7890");
        assert_eq!(details["note"], "card [REDACTED-CARD]");
        assert_eq!(details["nested"]["password"], "[REDACTED]");
        let line = serde_json::to_string(&r.to_json()).unwrap_or_default();
        for secret in ["4931", "1000007890", "4111", "hunter2"] {
            assert!(!line.contains(secret), "{secret} in {line}");
        }
    }

    #[test]
    fn fields_are_bounded_in_number_and_size() {
        const NAMES: [&str; 12] = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"];
        let (sink, memory) = sink();
        let mut entry = AuditEntry::new(Some(&sink), CHECKED, None, None);
        for name in NAMES {
            entry = entry.field(name, "x".repeat(10_000));
        }
        entry.emit();
        let details = memory.records()[0].details.clone().unwrap_or_default();
        let map = details.as_object().cloned().unwrap_or_default();
        assert_eq!(map.len(), MAX_DETAIL_FIELDS + 1);
        assert_eq!(map["fields_dropped"], 4);
        assert!(
            map.values()
                .filter_map(Value::as_str)
                .all(|s| s.len() <= MAX_FIELD_BYTES)
        );
    }
}
