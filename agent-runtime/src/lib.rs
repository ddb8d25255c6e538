//! # agent-runtime
//!
//! Secure-by-default SignalWire AI agents in Rust. Write a struct, annotate
//! its methods, and get a SWML + SWAIG HTTP service with basic auth on every
//! route, per-call tokens for secure tools that fail closed, strict argument
//! validation that enforces exactly what the model was told, and audit records
//! for every security event.
//!
//! ```no_run
//! use agent_runtime::prelude::*;
//!
//! /// Voice banking assistant.
//! #[agent(name = "mini-bank", route = "/bank")]
//! struct Bank;
//!
//! #[agent]
//! impl Bank {
//!     /// Look up the balance of one of the caller's accounts.
//!     #[tool]
//!     async fn get_balance(&self, call: &Call, account: String) -> ToolResult {
//!         let _ = call.caller().number();
//!         ToolResult::new(format!("Account {account} holds 100 dollars."))
//!     }
//!
//!     /// Close the caller's account.
//!     #[tool(secure)]
//!     async fn close_account(&self, account: String) -> ToolResult {
//!         ToolResult::new("Closed.")
//!     }
//! }
//!
//! fn main() -> std::io::Result<()> {
//!     Bank.builder()
//!         .section(Section::new("Role").body("You are a careful banking assistant."))
//!         .run()
//! }
//! ```
//!
//! Users depend on this crate only: the macros are re-exported here and the
//! generated code reaches serde, schemars and actix-web through a hidden
//! module.
//!
//! # Features
//!
//! - `cli` (default): [`AgentBuilder::run_cli`], the built-in command line
//!   (`serve`, `swml`, `tools`, `call`, `check`, `audit verify`). Needs
//!   `harness`.
//! - `harness` (default): [`harness`], an in-process test client that drives
//!   an agent through its real HTTP stack, with fixed test credentials.
//!
//! - `fuzzing` (off): a hidden module, `__fuzz`, with thin entry points to the
//!   private request parsers and the security checks, for the cargo-fuzz
//!   targets in `fuzz/`. Not for agents; not part of the public API.
//!
//! A production binary can leave `cli` and `harness` out
//! (`default-features = false`); it then carries no test credentials and no
//! test client.
//!
//! # Layout
//!
//! From the lowest floor up (a module only uses modules before it in this
//! list): [`secret`], [`redact`], [`sanitize`], [`logging`], `security` (basic auth,
//! [`token`]s, webhook signatures), [`ratelimit`], [`config`], `store` (shared
//! security state), [`audit`], [`metrics`] (Prometheus counters fed by the
//! audit trail and the access layer), [`action`] (what a tool returns),
//! `context` (platform data a tool can borrow), `agent` (the contract generated
//! code implements), `schema` (the dialect sent to the model and the validator
//! that enforces it), `swml` (prompt types, templates), `response` (fixed
//! refusals), `request` (parsers of what the platform sends), `access`,
//! `emergency`, `state` (what every request reads), `dispatch` (the SWAIG
//! pipeline), `http` (routes and request checks), `service` (builder, built
//! service, server start-up), [`multi`], `harness`, `cli`.
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod access;
pub mod action;
mod agent;
pub mod audit;
#[cfg(feature = "cli")]
pub mod cli;
pub mod config;
mod context;
mod dispatch;
mod emergency;
#[cfg(feature = "harness")]
pub mod harness;
mod http;
pub mod logging;
pub mod metrics;
pub mod multi;
pub mod ratelimit;
pub mod redact;
mod request;
mod response;
pub mod sanitize;
mod schema;
pub mod secret;
mod security;
mod service;
mod state;
mod store;
mod swml;

pub use access::{AccessHook, AccessView};
pub use action::ToolResult;
pub use agent::{
    Agent, AgentIdentity, ArgumentObject, IntoSummaryOutcome, IntoToolResult, NamedFields,
    RecordingPolicy, Refusal, SensitiveFields, SensitiveValue, ToolArgument, ToolGuard,
};
pub use agent_macros::{agent, sensitive, tool, tool_args};
pub use config::{AgentConfig, MetricsAuth};
pub use context::{
    Attempts, Call, CallFacts, CallId, Caller, FromCall, GlobalData, MetaData, RawBody,
};
pub use emergency::{
    AGENT_EMERGENCY_MESSAGE, EmergencyError, EmergencyScope, EmergencySwitch, ScopeSyntaxError,
};
pub use schema::SchemaError;
pub use secret::{Secret, SecretString};
pub use security::token;
/// JSON values and the `json!` macro, re-exported so agents need no direct
/// `serde_json` dependency.
pub use serde_json::{Map, Value, json};
pub use service::{
    AgentBuilder, AgentExt, AgentService, BuildError, ToolError, install_redacting_panic_hook,
};
pub use store::{AttemptStatus, Lockout, StoreError};
pub use swml::{Hint, Language, Recording, RecordingFormat, Section};

/// Everything an agent file usually needs: `use agent_runtime::prelude::*;`.
pub mod prelude {
    pub use crate::action::{Pay, ToolResult};
    pub use crate::agent::Refusal;
    pub use crate::context::{Call, CallId, Caller, GlobalData, MetaData, RawBody};
    pub use crate::sanitize::Sanitized;
    pub use crate::secret::{Secret, SecretString};
    pub use crate::service::{AgentBuilder, AgentExt, AgentService};
    pub use crate::store::Lockout;
    pub use crate::swml::{Hint, Language, Recording, RecordingFormat, Section};
    pub use crate::{agent, sensitive, tool, tool_args};
    pub use serde_json::{Value, json};
}

/// Items used by generated code. Not part of the public API; may change in
/// any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::agent::{
        Agent, AgentIdentity, ArgumentObject, IntoSummaryOutcome, IntoToolResult, LastFourField,
        NamedFields, Probe, ProbeFallback, RecordingPolicy, RedactedField, Refusal,
        SensitiveFields, SensitiveValue, Serde, SummaryFuture, SummaryHandler, ToolArgument,
        ToolDef, ToolFailure, ToolFuture, Wipe, WipeFallback, count_flagged, decode_args,
        flagged_names, from_decoded, run_check, run_guard, schema_for,
    };
    pub use crate::context::{Call, FromCall};
    pub use crate::secret::{REDACTED, mark_last_four, mark_sensitive};
    pub use actix_web;
    pub use schemars;
    pub use serde;
    pub use serde_json;
    pub use std::boxed::Box;
    pub use std::fmt::{Debug, Formatter, Result as FmtResult};
    pub use std::option::Option;
    pub use std::result::Result;
    pub use std::vec::Vec;
}

/// Internals measured by the criterion benchmarks (`benches/hot_paths.rs`).
/// Not part of the public API.
#[doc(hidden)]
pub mod __bench {
    pub use crate::schema::ArgsValidator;
    pub use crate::security::auth::BasicAuth;
}

/// Entry points for the cargo-fuzz targets in `fuzz/` (feature `fuzzing`).
/// Each is a thin wrapper over a private parser or check, with no logic of
/// its own: a refusal is given as the fixed body of its answer, so a target
/// can assert which of the known refusals it is. Not part of the public API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod __fuzz {
    use serde_json::{Map, Value};

    use crate::request::{self, envelope, query};
    use crate::response::HttpError;

    pub use crate::request::envelope::Field;
    pub use crate::response::bad_request::{
        EXTRA_ARGUMENT_SET, INVALID_CALL_ID, INVALID_JSON, INVALID_QUERY, REPEATED_KEY,
    };
    pub use crate::security::auth::BasicAuth;
    pub use crate::security::signature::SignatureVerifier;
    pub use crate::security::token::{TokenError, TokenKey, TokenSigner};

    /// The fixed body of a refusal (for the parsers here, always a 400).
    pub type Refusal = &'static str;

    /// The SWML request parser followed by its call id lookup, as `POST /`
    /// runs them.
    ///
    /// # Errors
    ///
    /// The fixed 400 body of a malformed body or a repeated key.
    pub fn swml_call_id(body: &[u8]) -> Result<Option<String>, Refusal> {
        envelope::SwmlRequest::parse(body)
            .and_then(envelope::SwmlRequest::call_id)
            .map_err(HttpError::body)
    }

    /// The call id check every route applies to the id it read.
    ///
    /// # Errors
    ///
    /// The fixed 400 body of an invalid call id.
    pub fn check_call_id(id: Option<String>) -> Result<Option<String>, Refusal> {
        request::check_call_id(id).map_err(HttpError::body)
    }

    /// The strict whole-body parser (the post-prompt body): a JSON object
    /// naming every key once, at any depth.
    ///
    /// # Errors
    ///
    /// The fixed 400 body of a malformed body or a repeated key.
    pub fn parse_object(body: &[u8]) -> Result<Map<String, Value>, Refusal> {
        request::parse_object(body).map_err(HttpError::body)
    }

    /// One query parameter (`__token` or `call_id`).
    ///
    /// # Errors
    ///
    /// The fixed 400 body of a repeated parameter or a value that is not
    /// UTF-8 once decoded.
    pub fn query_param(query: &str, name: &str) -> Result<Option<String>, Refusal> {
        query::query_param(query, name).map_err(HttpError::body)
    }

    /// The webhook signature check as the SWAIG route runs it: `sha256` and
    /// `sha1` are the two headers' bytes (a SHA-256 header, when present, is
    /// the only one read). True when the request is accepted.
    pub fn signature_accepted(
        verifier: &SignatureVerifier,
        path_and_query: &str,
        body: &[u8],
        sha256: Option<&[u8]>,
        sha1: Option<&[u8]>,
    ) -> bool {
        verifier.check(path_and_query, body, sha256, sha1).is_ok()
    }

    /// A parsed SWAIG request envelope; its parts are decoded on demand, as
    /// dispatch does.
    #[derive(Debug)]
    pub struct SwaigEnvelope<'a>(envelope::SwaigEnvelope<'a>);

    impl<'a> SwaigEnvelope<'a> {
        /// Parses a SWAIG request body.
        ///
        /// # Errors
        ///
        /// The fixed 400 body of a malformed body or a repeated key outside
        /// `argument`, `global_data` and `meta_data`.
        pub fn parse(body: &'a [u8]) -> Result<Self, Refusal> {
            envelope::SwaigEnvelope::parse(body)
                .map(SwaigEnvelope)
                .map_err(HttpError::body)
        }

        /// `function`, as read.
        pub fn function(&self) -> Option<&Field<'a>> {
            self.0.function.as_ref()
        }

        /// `call_id`, as read.
        pub fn call_id(&self) -> Option<&Field<'a>> {
            self.0.call_id.as_ref()
        }

        /// `caller_id_name`, as read.
        pub fn caller_id_name(&self) -> Option<&Field<'a>> {
            self.0.caller_id_name.as_ref()
        }

        /// `caller_id_num`, as read.
        pub fn caller_id_num(&self) -> Option<&Field<'a>> {
            self.0.caller_id_num.as_ref()
        }

        /// The tool arguments.
        ///
        /// # Errors
        ///
        /// The fixed 400 body of a repeated key or a second argument set.
        pub fn arguments(&self) -> Result<Value, Refusal> {
            self.0.arguments().map_err(HttpError::body)
        }

        /// `global_data` when it is an object, else empty.
        ///
        /// # Errors
        ///
        /// The fixed 400 body of a repeated key.
        pub fn global_data(&self) -> Result<Map<String, Value>, Refusal> {
            self.0.global_data().map_err(HttpError::body)
        }

        /// `meta_data` when it is an object, else empty.
        ///
        /// # Errors
        ///
        /// The fixed 400 body of a repeated key.
        pub fn meta_data(&self) -> Result<Map<String, Value>, Refusal> {
            self.0.meta_data().map_err(HttpError::body)
        }
    }
}
