//! The rate_limited example through the real HTTP stack: three codes are
//! sent, the fourth is refused politely and audited, another caller and
//! another tool are still served.

#[path = "../../../examples/rate_limited.rs"]
mod example;

use agent_runtime::audit::AuditEvent;
use agent_runtime::harness::{TestAgent, ToolCall};
use agent_runtime::json;

use example::SignInHelp;

const CALL_ID: &str = "sign-in-call";

async fn sign_in_help() -> TestAgent<SignInHelp> {
    TestAgent::start(example::builder())
        .await
        .expect("agent starts")
}

/// `function` called in [`CALL_ID`] from `caller` (no caller id when
/// `None`); what the caller hears, which is never an HTTP error.
async fn call(agent: &TestAgent<SignInHelp>, function: &str, caller: Option<&str>) -> String {
    let call = ToolCall::new(function, json!({})).call_id(CALL_ID);
    let call = match caller {
        Some(number) => call.caller(number),
        None => call.no_caller(),
    };
    let reply = agent.call_with(call).await;
    assert_eq!(reply.status, 200, "a refusal is spoken, not an HTTP error");
    reply.response_text().expect("a spoken answer")
}

#[actix_web::test]
async fn three_served_fourth_refused_other_caller_served() {
    assert_eq!(example::SEND_CODE_LIMIT, "3/min");
    let agent = sign_in_help().await;

    for i in 0..3 {
        assert_eq!(
            call(&agent, "send_code", Some("+15551230000")).await,
            "A new code was sent by text message to the number ending in 0000.",
            "request {i}"
        );
    }
    for _ in 0..2 {
        let text = call(&agent, "send_code", Some("+15551230000")).await;
        assert!(text.starts_with("I'm sorry"), "{text}");
        assert!(text.contains("too many times"), "{text}");
    }
    // Another caller, and another tool for the same caller, are served.
    assert!(
        call(&agent, "send_code", Some("+15557770042"))
            .await
            .contains("ending in 0042")
    );
    assert!(
        call(&agent, "opening_hours", Some("+15551230000"))
            .await
            .contains("7 am to 10 pm")
    );

    let records = agent.audit();
    let refused: Vec<_> = records
        .iter()
        .filter(|r| r.event == AuditEvent::RateLimited)
        .collect();
    assert_eq!(refused.len(), 2);
    assert!(
        refused
            .iter()
            .all(|r| r.caller.as_deref() == Some("+15551230000")
                && r.function.as_deref() == Some("send_code")
                && r.outcome == "refused")
    );
    let ran = records
        .iter()
        .filter(|r| r.event == AuditEvent::ToolCall && r.function.as_deref() == Some("send_code"))
        .count();
    assert_eq!(ran, 4, "the handler ran 3 + 1 times, never when refused");
}

#[actix_web::test]
async fn without_a_caller_id_the_call_id_is_the_rate_key() {
    assert_eq!(SignInHelp::default().sent(), 0);
    let agent = sign_in_help().await;
    assert!(
        call(&agent, "send_code", None)
            .await
            .contains("cannot see the number")
    );
    // No caller id: the runtime limits by call id instead.
    for _ in 0..2 {
        call(&agent, "send_code", None).await;
    }
    assert!(
        call(&agent, "send_code", None)
            .await
            .contains("too many times")
    );
}
