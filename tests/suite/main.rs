//! The integration tests: one test binary (`cargo test --test suite`), one
//! module per concern.
//!
//! Every module drives the runtime from outside, as a user's crate would:
//! the in-process harness `agent_runtime::harness`, real sockets where TCP
//! itself is under test, the built example binary where a whole process is.
//! Tests share this process, so none of them installs anything
//! process-wide (a `tracing` subscriber, a panic hook, an environment
//! variable) or binds a fixed port.

mod examples;
mod support;

/// The bank from the security guide, the agent most modules drive (its own
/// tests are in [`secure_bank_http`]).
#[path = "../../examples/secure_bank.rs"]
mod secure_bank;

mod access_log;
mod action_fixtures;
mod cli;
mod default_log_output;
mod emergency_mode;
mod guards;
mod handler_failures;
mod harness;
mod hosts_cors_proxy;
mod limits_tcp;
mod multi_agent;
mod production_profile;
mod protocol_shapes;
mod rate_limits;
mod secure_bank_http;
mod sensitive_props;
mod sensitive_types;
mod tls;
mod ui;
mod webhook_signatures;
