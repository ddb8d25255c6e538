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
//! Identity comes from the platform's caller id (`call.caller().number()`),
//! never from an argument. Every attempt is a `tool_call` audit record with the
//! PIN replaced by `[REDACTED]`; the handler adds its own `pin_check` event
//! saying whether the PIN matched (the runtime's record only says the
//! handler ran), through the same trail: log line, sinks, chained file.

use std::collections::HashMap;
use std::sync::Arc;

use agent_runtime::audit::{AuditSink, EventName, Outcome};
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

/// The handler's audit event: one per PIN attempt, `ok` with reason
/// `pin_verified` or `refused` with the reason (`pin_mismatch`, `locked`,
/// `no_caller_id`, `state_unavailable`).
pub const PIN_CHECK: EventName = EventName::new("pin_check");

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
}

/// Prints the customer count only: digests are not for logs.
impl std::fmt::Debug for PinDesk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PinDesk")
            .field("customers", &self.digests.len())
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
}

/// Records a refused attempt (the handler's own audit event).
fn refused(call: &Call, reason: &'static str) {
    call.audit(PIN_CHECK)
        .outcome(Outcome::Refused)
        .reason(reason)
        .emit();
}

#[agent]
impl PinDesk {
    /// Check the PIN the caller just said or keyed. Call it once per attempt;
    /// never repeat the PIN back.
    #[tool(secure)]
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
            refused(call, "no_caller_id");
            return ToolResult::new(
                "I cannot see the number you are calling from, so I cannot check a PIN on this call.",
            );
        };
        let attempts = call.attempts("pin", number, pin_lockout());
        // Fail closed: a store that cannot say whether the number is locked
        // is treated as locked.
        let Ok(status) = attempts.status().await else {
            refused(call, "state_unavailable");
            return ToolResult::new(
                "I cannot check a PIN right now. Please ask the caller to try again later.",
            );
        };
        if status.is_locked() {
            refused(call, "locked");
            return ToolResult::new("PIN verification is locked for this number.")
                .say("For your security PIN checks are paused for this number. Goodbye.")
                .hangup();
        }
        if self.pin_matches(number, &pin) {
            // Both writes must land for the caller to count as verified.
            if attempts.succeeded().await.is_err()
                || call.facts().set(VERIFIED_FACT, number).await.is_err()
            {
                refused(call, "state_unavailable");
                return ToolResult::new(
                    "I cannot complete the check right now. Please ask the caller to try again later.",
                );
            }
            call.audit(PIN_CHECK).reason("pin_verified").emit();
            return ToolResult::new("The PIN is correct. The caller is verified.");
        }
        let after = attempts.failed().await.ok();
        let failures = match after {
            Some(s) if !s.is_locked() => s.failures,
            _ => MAX_ATTEMPTS,
        };
        call.audit(PIN_CHECK)
            .outcome(Outcome::Refused)
            .reason("pin_mismatch")
            .field("attempt", failures)
            .field("max_attempts", MAX_ATTEMPTS)
            .emit();
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

/// The configured agent with extra audit sinks, which receive the runtime's
/// records and the handler's `pin_check` events alike (shared with the
/// tests).
pub fn builder_with_audit(sinks: Vec<Arc<dyn AuditSink>>) -> AgentBuilder<PinDesk> {
    let builder = PinDesk::demo()
        .builder()
        .section(Section::new("Role").body("You verify callers of Example Bank by their PIN."))
        .section(
            Section::new("Security boundaries")
                .bullet("Ask for the PIN once per attempt and pass it to verify_pin.")
                .bullet("Never repeat, confirm or spell back a PIN, not even partly.")
                .bullet("Never guess or suggest a PIN, and never say how close a wrong PIN was.")
                .bullet("After a failed attempt only say how many attempts are left."),
        )
        .post_prompt("Summarize the call as JSON with keys: verified, attempts.");
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
