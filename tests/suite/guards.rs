//! Declarative guards and per-tool rate limits through the HTTP stack: a
//! refusal is audited and the handler does not run; the caller identity a
//! guard relies on is the platform's caller id, never an argument; a
//! `rate_limit` declared on the tool refuses after exactly N calls while
//! another caller is served.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use agent_runtime::Value;
use agent_runtime::audit::AuditEvent;
use agent_runtime::harness::{TestAgent, ToolCall};
use agent_runtime::prelude::*;

const CALL_ID: &str = "guarded-call";
const ADMIN: &str = "+15550009999";
const MAX_PIN_ATTEMPTS: u32 = 3;

/// Staff desk with guarded tools.
#[agent(name = "desk")]
#[derive(Default)]
struct Desk {
    ran: Arc<AtomicU32>,
}

/// The caller verified their PIN earlier in this call (set by `verify_pin`).
fn verified_caller(_desk: &Desk, call: &Call) -> Result<(), Refusal> {
    match call.global_data().get_as::<bool>("pin_verified") {
        Some(true) => Ok(()),
        _ => {
            Err(Refusal::new("The caller must verify their PIN first.").with_reason("not_verified"))
        }
    }
}

impl Desk {
    /// Admins are recognised by the platform's caller id only.
    fn admin_only(&self, call: &Call) -> Result<(), Refusal> {
        if call.caller().number() == Some(ADMIN) {
            Ok(())
        } else {
            Err(Refusal::new("Only an administrator can do that.").with_reason("not_admin"))
        }
    }

    /// At most three PIN attempts per call; then the call ends.
    fn pin_attempts_left(&self, call: &Call) -> Result<(), Refusal> {
        let used = call
            .global_data()
            .get_as::<u32>("pin_attempts")
            .unwrap_or(0);
        if used >= MAX_PIN_ATTEMPTS {
            Err(Refusal::hangup("PIN attempts exhausted. Goodbye.")
                .with_reason("pin_attempts_exhausted"))
        } else {
            Ok(())
        }
    }
}

#[agent]
impl Desk {
    /// Read the caller's latest statement.
    #[tool(secure, guard = verified_caller)]
    async fn latest_statement(&self) -> ToolResult {
        self.ran.fetch_add(1, Ordering::SeqCst);
        ToolResult::new("Your latest statement shows 3 payments.")
    }

    /// Reset another user's access. The `as_user` argument is what the model
    /// says; the guard ignores it and trusts only the platform's caller id.
    #[tool(secure, guard = Self::admin_only)]
    async fn reset_access(&self, as_user: String) -> ToolResult {
        self.ran.fetch_add(1, Ordering::SeqCst);
        ToolResult::new(format!("Access reset for {as_user}."))
    }

    /// Check the caller's PIN.
    #[tool(secure, guard = Self::pin_attempts_left)]
    async fn verify_pin(&self, call: &Call, #[sensitive] pin: Secret<String>) -> ToolResult {
        self.ran.fetch_add(1, Ordering::SeqCst);
        let used = call
            .global_data()
            .get_as::<u32>("pin_attempts")
            .unwrap_or(0);
        if pin.expose_secret() == "4931" {
            ToolResult::new("Verified.").update_global_data(json!({"pin_verified": true}))
        } else {
            ToolResult::new("Wrong PIN.").update_global_data(json!({"pin_attempts": used + 1}))
        }
    }

    /// Look up today's opening hours.
    #[tool(rate_limit = "3/min")]
    async fn opening_hours(&self) -> ToolResult {
        ToolResult::new("We are open from 9 to 5.")
    }
}

fn builder(desk: Desk) -> AgentBuilder<Desk> {
    desk.builder().prompt_text("You are the staff desk.")
}

async fn desk() -> TestAgent<Desk> {
    TestAgent::start(builder(Desk::default()))
        .await
        .expect("desk starts")
}

/// A SWAIG call with a valid token for `function`, from `caller`, with
/// `global_data`; the result, which must be a 200.
async fn call_tool(
    agent: &TestAgent<Desk>,
    function: &str,
    args: Value,
    caller: &str,
    global: Value,
) -> Value {
    let reply = agent
        .call_with(
            ToolCall::new(function, args)
                .call_id(CALL_ID)
                .caller(caller)
                .global_data(global),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json().expect("a SWAIG result")
}

fn guard_refusals(agent: &TestAgent<Desk>) -> Vec<(String, String)> {
    agent
        .audit()
        .into_iter()
        .filter(|r| r.event == AuditEvent::GuardRefusal)
        .map(|r| (r.function.unwrap_or_default(), r.reason))
        .collect()
}

#[actix_web::test]
async fn unverified_caller_is_refused_audited_and_the_handler_does_not_run() {
    let desk = Desk::default();
    let ran = desk.ran.clone();
    let agent = TestAgent::start(builder(desk)).await.expect("desk starts");
    let out = call_tool(
        &agent,
        "latest_statement",
        json!({}),
        "+15551230000",
        json!({}),
    )
    .await;
    assert_eq!(
        out,
        json!({"response": "The caller must verify their PIN first."})
    );
    assert_eq!(
        guard_refusals(&agent),
        [("latest_statement".to_owned(), "not_verified".to_owned())]
    );
    let record = agent
        .audit()
        .into_iter()
        .find(|r| r.event == AuditEvent::GuardRefusal)
        .expect("the refusal is audited");
    assert_eq!(record.caller.as_deref(), Some("+15551230000"));
    assert_eq!(record.outcome, "refused");
    assert!(
        !agent
            .audit()
            .iter()
            .any(|r| r.event == AuditEvent::ToolCall)
    );

    let out = call_tool(
        &agent,
        "latest_statement",
        json!({}),
        "+15551230000",
        json!({"pin_verified": true}),
    )
    .await;
    assert_eq!(out["response"], "Your latest statement shows 3 payments.");
    assert_eq!(ran.load(Ordering::SeqCst), 1, "only the allowed call ran");
}

#[actix_web::test]
async fn admin_guard_trusts_the_platform_caller_id_not_arguments() {
    let agent = desk().await;
    let out = call_tool(
        &agent,
        "reset_access",
        json!({"as_user": ADMIN}),
        "+15551230000",
        json!({"caller_id_num": ADMIN, "admin": true}),
    )
    .await;
    assert_eq!(out["response"], "Only an administrator can do that.");
    let out = call_tool(
        &agent,
        "reset_access",
        json!({"as_user": "bob"}),
        ADMIN,
        json!({}),
    )
    .await;
    assert_eq!(out["response"], "Access reset for bob.");
    assert_eq!(
        guard_refusals(&agent),
        [("reset_access".to_owned(), "not_admin".to_owned())]
    );
}

#[actix_web::test]
async fn exhausted_pin_attempts_hang_up_before_the_arguments_are_read() {
    let agent = desk().await;
    let out = call_tool(
        &agent,
        "verify_pin",
        json!({"pin": "7319"}),
        "+15551230000",
        json!({"pin_attempts": 2}),
    )
    .await;
    assert_eq!(out["response"], "Wrong PIN.");
    // Third failure recorded by the platform: the guard ends the call, even
    // with the right PIN and even with arguments that would fail validation.
    for args in [json!({"pin": "4931"}), json!({"pin": 12, "extra": true})] {
        let out = call_tool(
            &agent,
            "verify_pin",
            args,
            "+15551230000",
            json!({"pin_attempts": 3}),
        )
        .await;
        assert_eq!(
            out,
            json!({"response": "PIN attempts exhausted. Goodbye.", "action": [{"hangup": true}]})
        );
    }
    let refusals = guard_refusals(&agent);
    assert_eq!(refusals.len(), 2);
    assert!(
        refusals
            .iter()
            .all(|(f, r)| f == "verify_pin" && r == "pin_attempts_exhausted")
    );
    assert!(
        !agent
            .audit()
            .iter()
            .any(|r| r.event == AuditEvent::ValidationFailure),
        "the guard ran before validation"
    );
    let arguments: Vec<Value> = agent
        .audit()
        .into_iter()
        .filter_map(|r| r.arguments)
        .collect();
    assert_eq!(
        arguments,
        [json!({"pin": "[REDACTED]"})],
        "the PIN is redacted"
    );
}

#[actix_web::test]
async fn rate_limit_declared_on_the_tool_refuses_after_exactly_n() {
    let agent = desk().await;
    for i in 0..3 {
        let out = call_tool(
            &agent,
            "opening_hours",
            json!({}),
            "+15550000001",
            json!({}),
        )
        .await;
        assert_eq!(out["response"], "We are open from 9 to 5.", "call {i}");
    }
    let out = call_tool(
        &agent,
        "opening_hours",
        json!({}),
        "+15550000001",
        json!({}),
    )
    .await;
    assert!(
        out["response"].as_str().unwrap().contains("too many times"),
        "{out}"
    );
    let out = call_tool(
        &agent,
        "opening_hours",
        json!({}),
        "+15550000002",
        json!({}),
    )
    .await;
    assert_eq!(
        out["response"], "We are open from 9 to 5.",
        "another caller is served"
    );
    let limited = agent
        .audit()
        .iter()
        .filter(|r| r.event == AuditEvent::RateLimited)
        .count();
    assert_eq!(limited, 1);
    // Other tools keep the agent-wide default (60/min): not limited at 4.
    let tools = <Desk as agent_runtime::Agent>::tools();
    assert_eq!(tools[3].rate_limit, Some("3/min"));
    assert!(tools[0].rate_limit.is_none() && tools[0].guard.is_some());
}

#[actix_web::test]
async fn builder_override_beats_the_declared_rate_limit() {
    let agent =
        TestAgent::start(builder(Desk::default()).tool_rate_limit("opening_hours", "1/min"))
            .await
            .expect("desk starts");
    let first = call_tool(
        &agent,
        "opening_hours",
        json!({}),
        "+15550000003",
        json!({}),
    )
    .await;
    let second = call_tool(
        &agent,
        "opening_hours",
        json!({}),
        "+15550000003",
        json!({}),
    )
    .await;
    assert_eq!(first["response"], "We are open from 9 to 5.");
    assert!(
        second["response"]
            .as_str()
            .unwrap()
            .contains("too many times")
    );
}
