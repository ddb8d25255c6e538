//! The rules that `agent-macros` (at compile time), `agent-runtime` (at start-up
//! and per request) and the agent's command line must apply identically.
//!
//! Each rule is written once, here, the way `serde_derive_internals` holds what
//! serde's derive and its users share. A proc-macro crate cannot export plain
//! functions to the runtime, and the runtime cannot be a dependency of the
//! macros (it depends on them), so the shared rules live in this third crate,
//! which depends on nothing.
//!
//! - [`function`]: the SWAIG function-name grammar, and the name of the
//!   function that pauses the recording for an unrecorded tool.
//! - [`agent`]: the agent-name grammar.
//! - [`route`]: the route grammar and its normal form.
//! - [`rate`]: the `N/unit` rate grammar.
//! - [`names`]: whether a field or parameter name says that its value is a
//!   secret or payment-card data.
//!
//! Users never name this crate: `agent-runtime` re-exports what they need.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod agent;
pub mod function;
pub mod names;
pub mod rate;
pub mod route;
