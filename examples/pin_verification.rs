//! PIN verification done safely: the PIN is a `#[sensitive]` argument of a
//! secure tool, the expected PIN is kept only as a salted digest and compared
//! in constant time, failed attempts are counted per caller number in the
//! state store (so hanging up and calling again, or reaching another replica,
//! does not reset them) and the third failure locks the number for 15
//! minutes and ends the call. A success is recorded as a fact of the call on
//! the server, which the guard of `account_summary` reads: never
//! `global_data`, which the platform echoes and a client can write.
//!
//! ```text
//! cargo run --example pin_verification
//! ```
//!
//! Calls are recorded, and the PIN never is: `verify_pin` is
//! `#[tool(unrecorded)]`, so the AI first calls `prepare_verify_pin`, whose
//! result pauses the recording, then asks for the PIN; whatever
//! `verify_pin` answers resumes it. The prompt tells the caller the call is
//! recorded.
//!
//! Identity comes from the platform's caller id (`call.caller().number()`),
//! never from an argument. Every attempt is a `tool_call` audit record with the
//! PIN replaced by `[REDACTED]`; the handler adds its own record saying whether
//! the PIN matched (the runtime's record only says the handler ran).

use std::collections::HashMap;
use std::sync::Arc;

use agent_runtime::audit::{AuditEvent, AuditRecord, AuditSink};
use agent_runtime::prelude::*;
use agent_runtime::secret::{constant_time_eq, salted_digest};

/// Failures allowed before the number is locked and the call ended.
pub const MAX_ATTEMPTS: u32 = 3;

/// How long a number stays locked after [`MAX_ATTEMPTS`] failures.
pub const LOCK_FOR: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// The lockout rule of PIN attempts.
fn pin_lockout() -> Lockout {
    Lockout::after(MAX_ATTEMPTS)
        .within(LOCK_FOR)
        .lock_for(LOCK_FOR)
}

/// The call fact naming the number whose PIN was verified on this call.
pub const VERIFIED_FACT: &str = "pin_verified_number";

/// The demo customer: this caller id with PIN 4931.
pub const DEMO_NUMBER: &str = "+15551230000";

/// Salt of one customer's PIN digest. In production: a random per-customer
/// salt kept beside the digest.
fn salt_for(number: &str) -> Vec<u8> {
    format!("pin-verification-demo:{number}").into_bytes()
}

/// Telephone PIN desk.
#[agent(name = "pin-verification")]
pub struct PinDesk {
    /// Salted SHA-256 digest of each customer's PIN, by caller id. The PINs
    /// themselves are never stored.
    digests: HashMap<String, [u8; 32]>,
    /// Where handler-level outcomes (PIN matched or not) are recorded.
    audit: Vec<Arc<dyn AuditSink>>,
}

/// Prints the customer count only: digests are not for logs.
impl std::fmt::Debug for PinDesk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PinDesk")
            .field("customers", &self.digests.len())
            .field("audit_sinks", &self.audit.len())
            .finish()
    }
}

impl PinDesk {
    /// One demo customer, [`DEMO_NUMBER`], whose PIN is 4931. The digest is
    /// computed here only because this is a demo; a real desk loads digests.
    pub fn demo() -> Self {
        let digest = salted_digest(&salt_for(DEMO_NUMBER), b"4931");
        PinDesk {
            digests: HashMap::from([(DEMO_NUMBER.to_owned(), digest)]),
            audit: Vec::new(),
        }
    }

    /// Whether `pin` is the PIN of `number`. An unknown number still costs one
    /// digest and one comparison, so timing does not tell which numbers exist.
    fn pin_matches(&self, number: &str, pin: &Secret<String>) -> bool {
        let candidate = salted_digest(&salt_for(number), pin.expose_secret().as_bytes());
        match self.digests.get(number) {
            Some(expected) => constant_time_eq(expected, &candidate),
            None => {
                let _ = constant_time_eq(&[0u8; 32], &candidate);
                false
            }
        }
    }

    fn record(&self, call: &Call, outcome: &'static str, reason: String) {
        let record = AuditRecord {
            event: AuditEvent::ToolCall,
            time_ms: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or(0),
            call_id: call.id().map(str::to_owned),
            caller: call.caller().number().map(str::to_owned),
            function: Some("verify_pin".to_owned()),
            outcome,
            reason,
            duration: None,
            client: None,
            arguments: None,
        };
        for sink in &self.audit {
            sink.record(&record);
        }
    }
}

#[agent]
impl PinDesk {
    /// Check the PIN the caller just said or keyed. Call it once per attempt;
    /// never repeat the PIN back.
    #[tool(secure, unrecorded)]
    async fn verify_pin(
        &self,
        call: &Call,
        #[sensitive]
        #[schemars(
            description = "The caller's PIN, 4 to 8 digits.",
            regex(pattern = r"^[0-9]{4,8}$")
        )]
        pin: Secret<String>,
    ) -> ToolResult {
        let Some(number) = call.caller().number().filter(|n| !n.is_empty()) else {
            self.record(call, "refused", "no_caller_id".to_owned());
            return ToolResult::new(
                "I cannot see the number you are calling from, so I cannot check a PIN on this call.",
            );
        };
        let attempts = call.attempts("pin", number, pin_lockout());
        // Fail closed: a store that cannot say whether the number is locked
        // is treated as locked.
        let Ok(status) = attempts.status().await else {
            self.record(call, "refused", "state_unavailable".to_owned());
            return ToolResult::new(
                "I cannot check a PIN right now. Please ask the caller to try again later.",
            );
        };
        if status.is_locked() {
            self.record(call, "refused", "locked".to_owned());
            return ToolResult::new("PIN verification is locked for this number.")
                .say("For your security PIN checks are paused for this number. Goodbye.")
                .hangup();
        }
        if self.pin_matches(number, &pin) {
            // Both writes must land for the caller to count as verified.
            if attempts.succeeded().await.is_err()
                || call.facts().set(VERIFIED_FACT, number).await.is_err()
            {
                self.record(call, "refused", "state_unavailable".to_owned());
                return ToolResult::new(
                    "I cannot complete the check right now. Please ask the caller to try again later.",
                );
            }
            self.record(call, "ok", "pin_verified".to_owned());
            return ToolResult::new("The PIN is correct. The caller is verified.");
        }
        let after = attempts.failed().await.ok();
        let failures = match after {
            Some(s) if !s.is_locked() => s.failures,
            _ => MAX_ATTEMPTS,
        };
        self.record(
            call,
            "refused",
            format!("pin_mismatch attempt={failures}/{MAX_ATTEMPTS}"),
        );
        match after {
            Some(s) if !s.is_locked() => ToolResult::new(format!(
                "That PIN is not correct. The caller has {} attempt{} left.",
                s.remaining,
                if s.remaining == 1 { "" } else { "s" }
            )),
            // Locked now, or the failure could not be counted: end the call.
            _ => ToolResult::new("The PIN was wrong three times. The call is being ended.")
                .say("That PIN is not correct. For your security this call will now end. Goodbye.")
                .hangup(),
        }
    }

    /// Read the caller's account summary. Only after the caller's PIN was
    /// verified on this call.
    #[tool(secure, guard = Self::pin_verified)]
    fn account_summary(&self) -> ToolResult {
        ToolResult::new("The checking account holds 1,204.17 dollars.")
    }

    /// The guard: the server-side fact of this call names the number calling.
    fn pin_verified(&self, call: &Call) -> Result<(), Refusal> {
        let verified = call.facts().loaded::<String>(VERIFIED_FACT);
        match (verified, call.caller().number()) {
            (Some(v), Some(number)) if v == number => Ok(()),
            _ => {
                Err(Refusal::new("The caller must verify their PIN first.")
                    .with_reason("not_verified"))
            }
        }
    }
}

/// The configured agent, recording handler outcomes to `sinks` as well as the
/// runtime's own records (shared with the tests).
pub fn builder_with_audit(sinks: Vec<Arc<dyn AuditSink>>) -> AgentBuilder<PinDesk> {
    let mut desk = PinDesk::demo();
    desk.audit.clone_from(&sinks);
    let builder = desk
        .builder()
        .section(Section::new("Role").body("You verify callers of Example Bank by their PIN."))
        .section(Section::new("Recording notice").body(
            "Tell the caller at the start that this call is recorded for quality, and that the \
             recording is paused while they give their PIN.",
        ))
        .section(
            Section::new("Security boundaries")
                .bullet("Ask for the PIN once per attempt and pass it to verify_pin.")
                .bullet("Never repeat, confirm or spell back a PIN, not even partly.")
                .bullet("Never guess or suggest a PIN, and never say how close a wrong PIN was.")
                .bullet("After a failed attempt only say how many attempts are left."),
        )
        .post_prompt("Summarize the call as JSON with keys: verified, attempts.")
        .record_call(Recording::default());
    sinks
        .into_iter()
        .fold(builder, |b, sink| b.audit_sink(sink))
}

/// The configured agent (shared with the tests).
pub fn builder() -> AgentBuilder<PinDesk> {
    builder_with_audit(Vec::new())
}

#[allow(dead_code)]
fn main() -> std::process::ExitCode {
    builder().run_cli()
}
