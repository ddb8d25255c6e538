//! `agent_runtime::harness`: the in-process test harness users get, used on
//! the secure_bank example.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::test::TestRequest;
use agent_runtime::audit::AuditEvent;
use agent_runtime::config::KeySource;
use agent_runtime::harness::{
    TEST_CALLER, TEST_PASSWORD, TEST_USER, TestAgent, TestServer, Token, ToolCall,
    post_prompt_token, test_config, test_config_with, tool_tokens, try_test_config_with,
    webhook_in,
};
use agent_runtime::{Value, json};

use crate::secure_bank::{self, Bank};
use crate::support::assert_valid_swml;

async fn bank() -> TestAgent<Bank> {
    TestAgent::start(secure_bank::builder())
        .await
        .expect("bank starts")
}

/// The bank, signing requests as the platform does.
async fn signed_bank() -> TestAgent<Bank> {
    TestAgent::start(
        secure_bank::builder().config(test_config_with(&[("SIGNALWIRE_SIGNING_KEY", "PSK-key")])),
    )
    .await
    .expect("bank starts")
}

fn transfer() -> Value {
    json!({"from_account": "1000000001", "to_account": "1000000002", "amount": 12.5})
}

#[actix_web::test]
async fn swml_is_what_the_platform_gets() {
    let agent = bank().await;
    let reply = agent.swml(Some("call-7")).await;
    assert_eq!(reply.status, 200);
    let doc = reply.json().expect("SWML");
    assert_valid_swml(&doc);
    let hook = webhook_in(&doc, "transfer_funds").expect("a webhook");
    assert!(hook.starts_with("/swaig/?__token="), "{hook}");
    assert_eq!(webhook_in(&doc, "get_balance").as_deref(), Some("/swaig/"));

    let anonymous = agent.swml(None).await.json().expect("SWML");
    assert!(webhook_in(&anonymous, "transfer_funds").is_none());
}

#[actix_web::test]
async fn tokens_are_read_from_the_swml_for_the_call() {
    let agent = bank().await;
    let doc = agent.swml(Some("call-8")).await.json().expect("SWML");
    let tokens = tool_tokens(&doc);
    assert_eq!(
        tokens.keys().collect::<Vec<_>>(),
        ["change_password", "delete_account", "transfer_funds"]
    );
    let signer = agent.service().signer();
    for (function, token) in &tokens {
        assert_eq!(signer.verify(Some(token), function, Some("call-8")), Ok(()));
    }
    let post_prompt = post_prompt_token(&doc).expect("a post-prompt token");
    assert_eq!(
        signer.verify(Some(&post_prompt), "post_prompt", Some("call-8")),
        Ok(())
    );

    let anonymous = agent.swml(None).await.json().expect("SWML");
    assert!(tool_tokens(&anonymous).is_empty());
    assert_eq!(post_prompt_token(&anonymous), None);
    assert!(tool_tokens(&json!({"not": "swml"})).is_empty());
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
            .is_some_and(|t| t.starts_with("Transferred 12.50 dollars"))
    );
    assert_eq!(reply.call_id.as_deref(), Some("call-ok"));
    assert_eq!(reply.audit.len(), 1);
    let record = &reply.audit[0];
    assert_eq!(record.event, AuditEvent::ToolCall);
    assert_eq!(record.outcome, "ok");
    assert_eq!(record.caller.as_deref(), Some(TEST_CALLER));
    // The call's trail: the SWML fetch that minted the token, then the tool.
    let trail = agent.audit_for_call("call-ok");
    assert_eq!(trail.len(), 2, "{trail:?}");
    assert_eq!(trail[0].event, AuditEvent::CallStart);
    assert_eq!(trail[0].outcome, "ok");
    assert_eq!(trail[1..], reply.audit[..]);
}

#[actix_web::test]
async fn reply_helpers_read_headers_actions_and_the_global_data_update() {
    let agent = bank().await;
    let reply = agent
        .call_with(ToolCall::new("transfer_funds", transfer()).call_id("call-gd"))
        .await;
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.header("x-no-such-header"), None);
    assert_eq!(
        reply.actions(),
        [
            json!({"set_global_data": {"last_transfer": {"call_id": "call-gd", "amount": 12.5}}}),
            json!({"say": "Your transfer is complete."}),
        ]
    );
    assert_eq!(
        reply.global_data_update(),
        Some(json!({"last_transfer": {"call_id": "call-gd", "amount": 12.5}}))
    );
    // A result without actions, and a body that is not a result.
    let balance = agent
        .call("get_balance", json!({"account": "1000000001"}))
        .await;
    assert!(balance.actions().is_empty());
    assert_eq!(balance.global_data_update(), None);
    let probe = agent.send_raw(TestRequest::get().uri("/health")).await;
    assert!(probe.actions().is_empty());
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
    // A call without a call id cannot be bound to a token.
    let reply = agent
        .call_with(ToolCall::new("transfer_funds", transfer()).without_call_id())
        .await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.call_id, None);
    assert_eq!(reply.audit[0].reason, "call_id_missing");
    // No money moved.
    let balance = agent
        .call("get_balance", json!({"account": "1000000001"}))
        .await;
    assert!(
        balance
            .response_text()
            .is_some_and(|t| t.contains("2500.00"))
    );
}

#[actix_web::test]
async fn only_tokens_taken_from_the_swml_request_the_swml_first() {
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    let agent = TestAgent::start(secure_bank::builder().on_request(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    }))
    .await
    .expect("bank starts");
    for (token, sent) in [
        (Token::FromSwml, 2),
        (Token::Tampered, 2),
        (Token::ForOtherCall, 2),
        (Token::Missing, 1),
        (Token::Empty, 1),
        (Token::Garbage, 1),
        (Token::Expired, 1),
        (Token::Exact("v1.x.y".into()), 1),
    ] {
        requests.store(0, Ordering::SeqCst);
        agent
            .call_with(ToolCall::new("change_password", json!({})).token(token.clone()))
            .await;
        assert_eq!(requests.load(Ordering::SeqCst), sent, "{token:?}");
    }
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
    assert!(
        reply
            .response_text()
            .is_some_and(|t| t.contains("from_account"))
    );
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
    let switch = agent.service().emergency_switch();
    switch.set(true).await.expect("in-process: always written");
    let reply = agent.call("transfer_funds", transfer()).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.audit[0].event, AuditEvent::EmergencyRefusal);
    switch.set(false).await.expect("in-process: always written");

    // With a signing key the harness signs every request as the platform does.
    let signed = signed_bank().await;
    let reply = signed.call("transfer_funds", transfer()).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let unsigned = signed
        .send_raw(
            TestRequest::post()
                .uri("/")
                .insert_header(("Authorization", signed.auth_header()))
                .set_json(json!({"call_id": "x"})),
        )
        .await;
    assert_eq!(unsigned.status, 403);
    assert_eq!(unsigned.audit[0].event, AuditEvent::SignatureFailure);
}

#[actix_web::test]
async fn get_carries_the_credentials_and_the_signature() {
    let agent = bank().await;
    let reply = agent.get("/?call_id=get-call").await;
    assert_eq!(reply.status, 200);
    let doc = reply.json().expect("SWML");
    assert!(tool_tokens(&doc).contains_key("transfer_funds"));

    let signed = signed_bank().await;
    assert_eq!(signed.get("/?call_id=get-call").await.status, 200);
    let unsigned = signed
        .send_raw(
            TestRequest::get()
                .uri("/?call_id=get-call")
                .insert_header(("Authorization", signed.auth_header())),
        )
        .await;
    assert_eq!(unsigned.status, 403);
}

#[test]
fn test_config_with_sets_variables_on_top_of_the_test_defaults() {
    let defaults = test_config();
    assert_eq!(defaults.credentials.user, TEST_USER);
    assert_eq!(defaults.credentials.password.expose_secret(), TEST_PASSWORD);
    assert_eq!(defaults.key_source, KeySource::Environment);

    let config = test_config_with(&[
        ("SWML_BASIC_AUTH_USER", "someone"),
        ("PORT", "8080"),
        ("PORT", "8081"),
        ("SIGNALWIRE_SWAIG_SECRET", ""),
    ]);
    assert_eq!(config.credentials.user, "someone", "a default replaced");
    assert_eq!(
        config.credentials.password.expose_secret(),
        TEST_PASSWORD,
        "the other defaults kept"
    );
    assert_eq!(config.port, 8081, "the last value of a name wins");
    assert_eq!(
        config.key_source,
        KeySource::Random,
        "an empty value unsets"
    );

    let refused = try_test_config_with(&[("PORT", "eighty")]).expect_err("not a port");
    assert_eq!(refused.setting, "PORT");
}

#[test]
fn test_server_serves_over_tcp_until_dropped() {
    let service = secure_bank::builder()
        .config(test_config())
        .build()
        .expect("bank builds");
    let server = TestServer::start(service).expect("server starts");
    assert_eq!(server.addr().port(), server.port());
    assert!(server.addr().ip().is_loopback());
    let mut tcp = TcpStream::connect(server.addr()).expect("connects");
    tcp.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .expect("writes");
    let mut response = String::new();
    tcp.read_to_string(&mut response).expect("reads");
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    assert!(response.ends_with(r#"{"status":"healthy"}"#), "{response}");

    let addr = server.addr();
    drop(server);
    assert!(
        TcpStream::connect(addr).is_err(),
        "the port is closed once the server is dropped"
    );
}
