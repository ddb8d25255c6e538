//! A per-caller rate limit on an abusable tool: `send_code` texts a one-time
//! code to the phone on file, at most three times a minute per caller
//! (`.tool_rate_limit("send_code", "3/min")`). The fourth request is refused
//! politely by the runtime, the handler does not run, and a `rate_limited`
//! audit record is written. Callers are told apart by the platform's caller
//! id, so one caller's flood does not affect another.
//!
//! ```text
//! cargo run --example rate_limited
//! ```

use std::sync::atomic::{AtomicU32, Ordering};

use agent_runtime::prelude::*;

/// The limit on `send_code`, per caller.
pub const SEND_CODE_LIMIT: &str = "3/min";

/// Sign-in help line.
#[agent(name = "rate-limited")]
#[derive(Debug, Default)]
pub struct SignInHelp {
    /// How many codes were actually sent (the handler ran).
    sent: AtomicU32,
}

impl SignInHelp {
    /// Codes sent so far.
    pub fn sent(&self) -> u32 {
        self.sent.load(Ordering::Relaxed)
    }
}

/// The last four digits of a phone number, for speaking.
fn ending(number: &str) -> &str {
    &number[number.len().saturating_sub(4)..]
}

#[agent]
impl SignInHelp {
    /// Text a one-time sign-in code to the phone number on file for this
    /// caller. Only when the caller asks for a new code.
    #[tool]
    async fn send_code(&self, caller: &Caller) -> ToolResult {
        let Some(number) = caller.number().filter(|n| !n.is_empty()) else {
            return ToolResult::new(
                "I cannot see the number you are calling from, so I cannot send a code.",
            );
        };
        // A real agent would create the code server-side and hand it to an
        // SMS gateway; it never goes through the model.
        self.sent.fetch_add(1, Ordering::Relaxed);
        ToolResult::new(format!(
            "A new code was sent by text message to the number ending in {}.",
            ending(number)
        ))
    }

    /// Tell the caller the sign-in help line's opening hours.
    #[tool]
    fn opening_hours(&self) -> &'static str {
        "The sign-in help line is staffed every day from 7 am to 10 pm."
    }
}

/// The configured agent (shared with the tests).
pub fn builder() -> AgentBuilder<SignInHelp> {
    SignInHelp::default()
        .builder()
        .section(Section::new("Role").body("You help callers who cannot sign in."))
        .section(
            Section::new("Security boundaries")
                .bullet("Codes only ever go to the phone number on file; never to a number the caller names.")
                .bullet("Never read a code aloud and never ask the caller to read one to you.")
                .bullet("If sending is refused as too frequent, ask the caller to wait a minute."),
        )
        .tool_rate_limit("send_code", SEND_CODE_LIMIT)
        .post_prompt("Summarize the call as JSON with keys: codes_requested, resolved.")
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    builder().run_cli()
}
