//! Platform data that reaches a tool handler without ever being part of the
//! tool's schema: the model cannot be asked to supply it.
//!
//! A handler asks for context with a *borrowed* parameter (`call: &Call`,
//! `caller: &Caller`, ...); owned parameters are the arguments the model fills.
//! Server-side facts and attempt counters are in [`state`].
//!
//! Their `Debug` shows the shape of the call and none of what the caller or
//! the application put in it, so `tracing::info!(?call)` in a handler cannot
//! leak: `global_data` and `meta_data` print their keys only, the caller's
//! name prints `[REDACTED]`, the caller's number its last four characters
//! (a phone number is personal data; the last four are enough to tell calls
//! apart in a log, and a number under eight characters prints `[REDACTED]`),
//! and the raw body its length. The call id is shown: it is in every audit
//! record anyway.

mod state;

use std::fmt;
use std::time::Duration;

use actix_web::web::Bytes;
use serde_json::{Map, Value};

use crate::audit::{AuditEntry, EventName, EventSink};
use crate::secret::REDACTED;
use crate::store::{Lockout, StateStore};

pub(crate) use state::StoreAccess;
pub use state::{Attempts, CallFacts};

/// The platform's id of the call (`call_id` of the request body).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallId(pub(crate) Option<String>);

impl CallId {
    /// The call id, when the platform sent one.
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

/// Who is calling, as the platform reports it (`caller_id_name`,
/// `caller_id_num`). This is the only trustworthy caller identity: never take
/// it from an argument the model fills.
///
/// `Debug` prints `Caller { name: Some([REDACTED]), number: Some("********4321") }`:
/// whether a name was sent, never the name, and only the last four characters
/// of a number of eight or more (a shorter one prints `[REDACTED]`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Caller {
    pub(crate) name: Option<String>,
    pub(crate) number: Option<String>,
}

impl Caller {
    /// Caller id name.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
    /// Caller id number (E.164 as sent by the platform).
    pub fn number(&self) -> Option<&str> {
        self.number.as_deref()
    }
}

/// The call's `global_data` object as the platform sent it.
///
/// `Debug` prints its keys only (`GlobalData { keys: ["verified"] }`): the
/// values are the application's state of the call and may hold anything.
#[derive(Clone, Default, PartialEq)]
pub struct GlobalData(pub(crate) Map<String, Value>);

impl GlobalData {
    /// One value.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }
    /// One value as a typed Rust value (`None` when absent or of another
    /// shape). Write it back with `ToolResult::update_global_data`.
    ///
    /// ```
    /// # use agent_runtime::prelude::*;
    /// fn attempts(call: &Call) -> u32 {
    ///     call.global_data().get_as::<u32>("pin_attempts").unwrap_or(0)
    /// }
    /// ```
    pub fn get_as<T: serde::de::DeserializeOwned>(&self, key: &str) -> Option<T> {
        self.0.get(key).and_then(|v| T::deserialize(v).ok())
    }
    /// The whole object as a typed view (`None` when it does not fit `T`).
    pub fn to_typed<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        T::deserialize(&Value::Object(self.0.clone())).ok()
    }
    /// The whole object.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }
}

/// The function's `meta_data` scope (present when the function declares a
/// `meta_data_token`).
///
/// `Debug` prints its keys only, like [`GlobalData`].
#[derive(Clone, Default, PartialEq)]
pub struct MetaData(pub(crate) Map<String, Value>);

impl MetaData {
    /// One value.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }
    /// The whole object.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }
}

/// The raw request body, exactly as received.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RawBody(pub(crate) Bytes);

impl RawBody {
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
    /// Parses the body as JSON.
    pub fn json(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_slice(&self.0)
    }
}

impl fmt::Debug for RawBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body may carry anything the caller said; never print it.
        write!(f, "RawBody({} bytes)", self.0.len())
    }
}

/// Prints `[REDACTED]` in place of a value.
struct Hidden;

impl fmt::Debug for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// A caller number as `Debug` shows it: its last four characters, when at
/// least as many are hidden.
struct LastFour<'a>(&'a str);

impl fmt::Debug for LastFour<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The same mask as audit records use for account numbers.
        let masked = crate::redact::mask_last_four(self.0);
        if masked == REDACTED {
            return f.write_str(REDACTED);
        }
        write!(f, "\"{}\"", masked.escape_debug())
    }
}

/// The keys of a JSON object, printed as a list.
struct Keys<'a>(&'a Map<String, Value>);

impl fmt::Debug for Keys<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.keys()).finish()
    }
}

impl fmt::Debug for Caller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Caller")
            .field("name", &self.name.as_ref().map(|_| Hidden))
            .field("number", &self.number.as_deref().map(LastFour))
            .finish()
    }
}

impl fmt::Debug for GlobalData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GlobalData")
            .field("keys", &Keys(&self.0))
            .finish()
    }
}

impl fmt::Debug for MetaData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetaData")
            .field("keys", &Keys(&self.0))
            .finish()
    }
}

/// Everything the platform told us about the call that triggered this tool.
///
/// ```
/// use agent_runtime::prelude::*;
/// fn who(call: &Call) -> String {
///     call.caller().number().unwrap_or("unknown").to_owned()
/// }
/// ```
///
/// `Debug` shows the call id and the redacted forms of the other parts
/// (see the module documentation), so a handler may log `?call`:
///
/// ```
/// use agent_runtime::prelude::*;
/// let call = Call::for_test("call-1", "+15550104321")
///     .with_global_data(json!({"verified": true, "secret_word": "aubergine"}));
/// assert_eq!(
///     format!("{call:?}"),
///     "Call { id: CallId(Some(\"call-1\")), \
///      caller: Caller { name: None, number: Some(\"********4321\") }, \
///      global_data: GlobalData { keys: [\"verified\", \"secret_word\"] }, \
///      meta_data: MetaData { keys: [] }, raw: RawBody(0 bytes) }"
/// );
/// ```
#[derive(Clone, Default)]
pub struct Call {
    pub(crate) id: CallId,
    pub(crate) caller: Caller,
    pub(crate) global_data: GlobalData,
    pub(crate) meta_data: MetaData,
    pub(crate) raw: RawBody,
    pub(crate) store: Option<StoreAccess>,
    /// Where this call's handler events go (`None` for a context built by
    /// hand: log only).
    pub(crate) events: Option<EventSink>,
}

impl Call {
    /// The call id, when present.
    pub fn id(&self) -> Option<&str> {
        self.id.get()
    }
    /// Caller identity from the platform.
    pub fn caller(&self) -> &Caller {
        &self.caller
    }
    /// `global_data` from the request.
    pub fn global_data(&self) -> &GlobalData {
        &self.global_data
    }
    /// `meta_data` from the request.
    pub fn meta_data(&self) -> &MetaData {
        &self.meta_data
    }
    /// The raw body.
    pub fn raw_body(&self) -> &RawBody {
        &self.raw
    }

    /// Sets `global_data` (for unit tests of handlers).
    pub fn with_global_data(mut self, data: Value) -> Self {
        if let Value::Object(m) = data {
            self.global_data = GlobalData(m);
        }
        self
    }

    /// The server-side facts of this call, in the shared state store: what
    /// a guard or a later tool of the same call may rely on (unlike
    /// `global_data`, which the platform echoes and a client can write).
    ///
    /// ```no_run
    /// # use agent_runtime::prelude::*;
    /// # async fn demo(call: &Call) -> Result<(), agent_runtime::StoreError> {
    /// call.facts().set("pin_verified", true).await?;
    /// let verified: Option<bool> = call.facts().get("pin_verified").await?;
    /// # Ok(()) }
    /// ```
    pub fn facts(&self) -> CallFacts<'_> {
        CallFacts {
            call_id: self.id.get(),
            access: self.store.as_ref(),
        }
    }

    /// Starts an audit record of the handler's own (see
    /// [`crate::audit::EventName`]): it goes through the same redaction,
    /// log line, sinks and chained file as the runtime's records, and names
    /// this call, its caller and the running tool.
    ///
    /// ```
    /// use agent_runtime::audit::{EventName, Outcome};
    /// use agent_runtime::prelude::*;
    /// const PIN_MISMATCH: EventName = EventName::new("pin_mismatch");
    ///
    /// fn wrong_pin(call: &Call, attempt: u32) {
    ///     call.audit(PIN_MISMATCH)
    ///         .outcome(Outcome::Refused)
    ///         .field("attempt", attempt)
    ///         .emit();
    /// }
    /// ```
    pub fn audit(&self, event: EventName) -> AuditEntry<'_> {
        AuditEntry::new(
            self.events.as_ref(),
            event,
            self.id.get(),
            self.caller.number(),
        )
    }

    /// Attempt counters with lockout for `subject` (a caller number, an
    /// account: your choice) and attempts of `kind` (`"pin"`), shared by
    /// every call and every replica: a redial does not reset them.
    ///
    /// ```no_run
    /// # use agent_runtime::prelude::*;
    /// # async fn demo(call: &Call) -> Result<(), agent_runtime::StoreError> {
    /// let caller = call.caller().number().unwrap_or("unknown");
    /// let pins = call.attempts("pin", caller, Lockout::after(3));
    /// if pins.status().await?.is_locked() { /* refuse */ }
    /// let status = pins.failed().await?; // after a wrong PIN
    /// # Ok(()) }
    /// ```
    pub fn attempts<'a>(&'a self, kind: &'a str, subject: &'a str, limit: Lockout) -> Attempts<'a> {
        Attempts {
            kind,
            subject,
            limit,
            access: self.store.as_ref(),
        }
    }

    /// Builds a context by hand (for unit tests of handlers), with a fresh
    /// in-process state store.
    pub fn for_test(call_id: &str, caller_number: &str) -> Self {
        Call {
            id: CallId(Some(call_id.to_owned())),
            caller: Caller {
                name: None,
                number: Some(caller_number.to_owned()),
            },
            store: Some(StoreAccess {
                store: StateStore::in_process(Vec::new()),
                ttl: Duration::from_secs(3600),
                loaded: None,
            }),
            ..Call::default()
        }
    }
}

impl fmt::Debug for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Written out rather than derived so that a field added later is not
        // printed until someone decides how it may be shown.
        f.debug_struct("Call")
            .field("id", &self.id)
            .field("caller", &self.caller)
            .field("global_data", &self.global_data)
            .field("meta_data", &self.meta_data)
            .field("raw", &self.raw)
            .finish()
    }
}

/// A context value a handler can borrow from the [`Call`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not platform context a tool can borrow",
    label = "borrowed tool parameters are platform context",
    note = "borrow one of `Call`, `CallId`, `Caller`, `GlobalData`, `MetaData`, `RawBody`; arguments the model fills are taken by value"
)]
pub trait FromCall {
    /// Borrows the value from the call.
    fn from_call(call: &Call) -> &Self;
}

impl FromCall for Call {
    fn from_call(call: &Call) -> &Self {
        call
    }
}
impl FromCall for CallId {
    fn from_call(call: &Call) -> &Self {
        &call.id
    }
}
impl FromCall for Caller {
    fn from_call(call: &Call) -> &Self {
        &call.caller
    }
}
impl FromCall for GlobalData {
    fn from_call(call: &Call) -> &Self {
        &call.global_data
    }
}
impl FromCall for MetaData {
    fn from_call(call: &Call) -> &Self {
        &call.meta_data
    }
}
impl FromCall for RawBody {
    fn from_call(call: &Call) -> &Self {
        &call.raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::json;

    const CANARIES: [&str; 6] = [
        "canary-global-value",
        "canary-nested-value",
        "canary-meta-value",
        "Canary Caller Name",
        "+1555010",
        "canary-body",
    ];

    fn call_full_of_secrets() -> Call {
        let object = |v: Value| match v {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        Call {
            id: CallId(Some("call-7".to_owned())),
            caller: Caller {
                name: Some("Canary Caller Name".to_owned()),
                number: Some("+15550104321".to_owned()),
            },
            global_data: GlobalData(object(json!({
                "verified": "canary-global-value",
                "profile": {"note": ["canary-nested-value"]},
            }))),
            meta_data: MetaData(object(json!({"pin_attempts": "canary-meta-value"}))),
            raw: RawBody(Bytes::from_static(br#"{"secret":"canary-body"}"#)),
            store: None,
            events: None,
        }
    }

    #[test]
    fn debug_of_the_context_never_shows_a_value() {
        let call = call_full_of_secrets();
        let shown = format!(
            "{call:?} {call:#?} {:?} {:?} {:?} {:?} {:?}",
            call.caller, call.global_data, call.meta_data, call.raw, call.id
        );
        for canary in CANARIES {
            assert!(!shown.contains(canary), "{canary:?} in {shown}");
        }
        // A short number would be shown almost whole: it is hidden.
        let short = Caller {
            name: None,
            number: Some("1234567".to_owned()),
        };
        assert_eq!(
            format!("{short:?}"),
            "Caller { name: None, number: Some([REDACTED]) }"
        );
        // The shape stays visible: call id, keys, the number's last four.
        for visible in [
            "call-7",
            "\"verified\"",
            "\"profile\"",
            "\"pin_attempts\"",
            "4321",
        ] {
            assert!(shown.contains(visible), "{visible:?} missing from {shown}");
        }
    }
}
