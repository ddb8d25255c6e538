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
//! generated code reaches serde, schemars and actix-web through
//! [`__private`].
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod audit;
pub mod audit_file;
pub mod auth;
mod builder;
pub mod cli;
pub mod config;
pub mod context;
mod dispatch;
mod envelope;
pub mod harness;
mod http;
pub mod logging;
pub mod multi;
pub mod prompt;
pub mod ratelimit;
pub mod redact;
pub mod result;
pub mod schema;
pub mod secret;
mod server;
pub mod signature;
mod swml;
pub mod tls;
pub mod token;
pub mod tool;

pub use agent_macros::{agent, sensitive, tool, tool_args};
pub use builder::{AgentBuilder, AgentExt, AgentService, BuildError, EmergencySwitch};
pub use config::AgentConfig;
pub use context::{Call, CallId, Caller, GlobalData, MetaData, RawBody};
pub use prompt::{Hint, Language, Recording, RecordingFormat, Section};
pub use result::ToolResult;
pub use secret::{Secret, SecretString};
/// JSON values and the `json!` macro, re-exported so agents need no direct
/// `serde_json` dependency.
pub use serde_json::{Map, Value, json};
pub use server::{AccessHook, AccessView, install_redacting_panic_hook};
pub use tool::{Agent, IntoToolResult, Refusal, SensitiveFields, SensitiveValue};

/// Everything an agent file usually needs: `use agent_runtime::prelude::*;`.
pub mod prelude {
    pub use crate::builder::{AgentBuilder, AgentExt, AgentService};
    pub use crate::context::{Call, CallId, Caller, GlobalData, MetaData, RawBody};
    pub use crate::prompt::{Hint, Language, Recording, RecordingFormat, Section};
    pub use crate::result::ToolResult;
    pub use crate::secret::{Secret, SecretString};
    pub use crate::tool::Refusal;
    pub use crate::{agent, sensitive, tool, tool_args};
    pub use serde_json::{Value, json};
}

/// Items used by generated code. Not part of the public API; may change in
/// any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::context::{Call, FromCall};
    pub use crate::secret::REDACTED;
    pub use crate::tool::{
        Agent, AgentIdentity, ArgumentObject, IntoSummaryOutcome, IntoToolResult, NamedFields,
        Probe, ProbeFallback, RedactedField, Refusal, SensitiveFields, SensitiveValue,
        SummaryFuture, SummaryHandler, ToolArgument, ToolDef, ToolFailure, ToolFuture, Wipe,
        WipeFallback, count_flagged, decode_args, flagged_names, from_decoded, run_guard,
        schema_for,
    };
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
