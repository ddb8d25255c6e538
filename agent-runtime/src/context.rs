//! Platform data that reaches a tool handler without ever being part of the
//! tool's schema: the model cannot be asked to supply it.
//!
//! A handler asks for context with a *borrowed* parameter (`call: &Call`,
//! `caller: &Caller`, ...); owned parameters are the arguments the model fills.

use actix_web::web::Bytes;
use serde_json::{Map, Value};

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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
#[derive(Debug, Clone, Default, PartialEq)]
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
#[derive(Debug, Clone, Default, PartialEq)]
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

impl std::fmt::Debug for RawBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The body may carry anything the caller said; never print it.
        write!(f, "RawBody({} bytes)", self.0.len())
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
#[derive(Debug, Clone, Default)]
pub struct Call {
    pub(crate) id: CallId,
    pub(crate) caller: Caller,
    pub(crate) global_data: GlobalData,
    pub(crate) meta_data: MetaData,
    pub(crate) raw: RawBody,
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

    /// Builds a context by hand (for unit tests of handlers).
    pub fn for_test(call_id: &str, caller_number: &str) -> Self {
        Call {
            id: CallId(Some(call_id.to_owned())),
            caller: Caller {
                name: None,
                number: Some(caller_number.to_owned()),
            },
            ..Call::default()
        }
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
