//! `agent_runtime::harness`: the in-process test harness users get, used on
//! the secure_bank example.

use crate::common;
use crate::secure_bank;

use actix_web::test::TestRequest;
use agent_runtime::audit::AuditEvent;
use agent_runtime::harness::{TEST_CALLER, TestAgent, Token, ToolCall, webhook_in};
use agent_runtime::{Value, json};

async fn bank() -> TestAgent<secure_bank::Bank> {
    TestAgent::start(secure_bank::builder()).await.unwrap()
}

fn transfer() -> Value {
    json!({"from_account": "1000000001", "to_account": "1000000002", "amount": 12.5})
}

#[actix_web::test]
async fn swml_is_what_the_platform_gets() {
    let agent = bank().await;
    let reply = agent.swml(Some("call-7")).await;
    assert_eq!(reply.status, 200);
    let doc = reply.json().unwrap();
    common::assert_valid_swml(&doc);
    let hook = webhook_in(&doc, "transfer_funds").unwrap();
    assert!(hook.starts_with("/swaig/?__token="), "{hook}");
    assert_eq!(webhook_in(&doc, "get_balance").as_deref(), Some("/swaig/"));

    let anonymous = agent.swml(None).await.json().unwrap();
    assert!(webhook_in(&anonymous, "transfer_funds").is_none());
}

#[actix_web::test]
async fn a_correct_token_runs_the_tool_and_the_call_is_audited() {
    let agent = bank().await;
    let reply = agent
        .call_with(ToolCall::new("transfer_funds", transfer()).call_id("call-ok"))
        .await;
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .response_text()
            .unwrap()
            .starts_with("Transferred 12.50 dollars")
    );
    assert_eq!(reply.call_id.as_deref(), Some("call-ok"));
    assert_eq!(reply.audit.len(), 1);
    let record = &reply.audit[0];
    assert_eq!(record.event, AuditEvent::ToolCall);
    assert_eq!(record.outcome, "ok");
    assert_eq!(record.caller.as_deref(), Some(TEST_CALLER));
    assert_eq!(agent.audit_for_call("call-ok"), reply.audit);
}

#[actix_web::test]
async fn every_bad_token_is_the_same_403_and_the_handler_never_runs() {
    let agent = bank().await;
    let cases = [
        (Token::Missing, "token_missing"),
        (Token::Empty, "token_empty"),
        (Token::Garbage, "token_malformed"),
        (Token::Tampered, "token_bad_signature"),
        (Token::ForOtherCall, "token_wrong_call_id"),
        (Token::Expired, "token_expired"),
        (Token::Exact("v1.x.y".into()), "token_malformed"),
    ];
    let mut bodies = Vec::new();
    for (token, reason) in cases {
        let reply = agent
            .call_with(ToolCall::new("transfer_funds", transfer()).token(token.clone()))
            .await;
        assert_eq!(reply.status, 403, "{token:?}");
        assert_eq!(reply.audit.len(), 1, "{token:?}");
        assert_eq!(reply.audit[0].event, AuditEvent::TokenFailure);
        assert_eq!(reply.audit[0].reason, reason, "{token:?}");
        bodies.push(reply.body);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));
    // No money moved.
    let balance = agent
        .call("get_balance", json!({"account": "1000000001"}))
        .await;
    assert!(balance.response_text().unwrap().contains("2500.00"));
}

#[actix_web::test]
async fn validation_failures_name_the_field_and_are_audited() {
    let agent = bank().await;
    let reply = agent
        .call(
            "transfer_funds",
            json!({"from_account": "1", "to_account": "1000000002", "amount": 5}),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert!(reply.response_text().unwrap().contains("from_account"));
    assert_eq!(reply.audit[0].event, AuditEvent::ValidationFailure);
}

#[actix_web::test]
async fn raw_requests_keep_every_refusal() {
    let agent = bank().await;
    let reply = agent
        .send_raw(TestRequest::post().uri("/swaig").set_payload("{}"))
        .await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.audit[0].event, AuditEvent::AuthFailure);
    let reply = agent
        .send_raw(
            TestRequest::get()
                .uri("/nowhere")
                .insert_header(("Authorization", agent.auth_header())),
        )
        .await;
    assert_eq!(reply.status, 404);
}

#[actix_web::test]
async fn emergency_mode_and_signatures_go_through_the_same_stack() {
    let agent = bank().await;
    agent.service().emergency_switch().set(true);
    let reply = agent.call("transfer_funds", transfer()).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.audit[0].event, AuditEvent::EmergencyRefusal);
    agent.service().emergency_switch().set(false);

    // With a signing key the harness signs every request as the platform does.
    let signed = TestAgent::start(
        secure_bank::builder().config(common::config(&[("SIGNALWIRE_SIGNING_KEY", "PSK-key")])),
    )
    .await
    .unwrap();
    let reply = signed.call("transfer_funds", transfer()).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let unsigned = signed
        .send_raw(common::post_json("/", &json!({"call_id": "x"})))
        .await;
    assert_eq!(unsigned.status, 403);
    assert_eq!(unsigned.audit[0].event, AuditEvent::SignatureFailure);
}
