//! The integration tests: one test binary (`cargo test --test suite`), one
//! module per concern.
//!
//! Every module drives the runtime from outside, as a user's crate would:
//! the in-process harness `agent_runtime::harness`, its `TestServer` where
//! TCP itself is under test, the built example binary where a whole process
//! is. What only this repository's tests need (the official SWML schema,
//! the captured fixtures) is in [`support`].
//!
//! All tests share this process, so none of them changes it: log capture
//! uses `tracing::subscriber::set_default` (scoped to the test's thread),
//! servers on real sockets are `TestServer`s (no panic hook, no global
//! logger, unlike `serve_on`), no test sets an environment variable, and
//! every socket is bound to port 0.

mod examples;
mod support;

/// The example bank, the agent most modules drive (its own
/// tests are in [`secure_bank_http`]).
#[path = "../../examples/secure_bank.rs"]
mod secure_bank;

mod access_log;
mod action_fixtures;
mod architecture;
mod argument_checks;
mod audit_file;
mod cli;
mod deadlines;
mod default_log_output;
mod emergency_mode;
mod guards;
mod handler_failures;
mod harness;
mod hosts_cors_proxy;
mod limits_tcp;
mod metrics;
mod multi_agent;
mod one_reading;
mod platform_strings;
mod production_profile;
mod protocol_shapes;
mod rate_limits;
mod recording;
mod replicas;
mod secret_names;
mod secrets_by_type;
mod secure_bank_http;
mod sensitive_props;
mod sensitive_types;
mod tls;
mod ui;
mod webhook_signatures;
