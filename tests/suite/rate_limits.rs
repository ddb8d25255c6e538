//! Rate limits through the HTTP stack: a caller flood is refused after
//! exactly the declared limit while another caller is still served, and the
//! per-address HTTP limit answers 429 with Retry-After.

use std::net::SocketAddr;

use actix_web::test::TestRequest;
use agent_runtime::audit::AuditEvent;
use agent_runtime::harness::{Reply, TestAgent, ToolCall, test_config_with, try_test_config_with};
use agent_runtime::json;

use crate::secure_bank::{self, Bank};

const CALL_ID: &str = "rate-limit-call";

/// A balance lookup by `caller`, all in one call.
async fn balance_call(agent: &TestAgent<Bank>, caller: &str) -> Reply {
    agent
        .call_with(
            ToolCall::new("get_balance", json!({"account": "1000000001"}))
                .call_id(CALL_ID)
                .caller(caller),
        )
        .await
}

fn says(reply: &Reply, words: &str) -> bool {
    reply.response_text().is_some_and(|t| t.contains(words))
}

#[actix_web::test]
async fn caller_flood_is_refused_after_exactly_the_declared_limit() {
    let agent = TestAgent::start(secure_bank::builder().tool_rate_limit("get_balance", "5/min"))
        .await
        .expect("bank starts");
    for i in 0..5 {
        let reply = balance_call(&agent, "+15550000001").await;
        assert!(says(&reply, "holds"), "call {i}: {}", reply.text());
    }
    for _ in 0..3 {
        let reply = balance_call(&agent, "+15550000001").await;
        assert_eq!(reply.status, 200);
        assert!(says(&reply, "too many times"), "{}", reply.text());
    }
    let reply = balance_call(&agent, "+15550000002").await;
    assert!(says(&reply, "holds"), "another caller is served");
    let records = agent.audit();
    let refused: Vec<_> = records
        .iter()
        .filter(|r| r.event == AuditEvent::RateLimited)
        .collect();
    assert_eq!(refused.len(), 3);
    assert_eq!(refused[0].caller.as_deref(), Some("+15550000001"));
    assert_eq!(refused[0].function.as_deref(), Some("get_balance"));
    let ran = records
        .iter()
        .filter(|r| r.event == AuditEvent::ToolCall)
        .count();
    assert_eq!(ran, 6, "the handler did not run for refused calls");
}

#[actix_web::test]
async fn agent_wide_default_comes_from_the_environment() {
    let agent = TestAgent::start(
        secure_bank::builder().config(test_config_with(&[("SWML_RATE_LIMIT", "2/hour")])),
    )
    .await
    .expect("bank starts");
    let mut texts = Vec::new();
    for _ in 0..3 {
        let reply = balance_call(&agent, "+15550000003").await;
        texts.push(reply.response_text().expect("a spoken answer"));
    }
    assert!(
        texts[1].contains("holds") && texts[2].contains("too many times"),
        "{texts:?}"
    );
    let refused = try_test_config_with(&[("SWML_RATE_LIMIT", "lots")]).expect_err("not a rate");
    assert_eq!(refused.setting, "SWML_RATE_LIMIT");
}

#[actix_web::test]
async fn http_limit_per_address_answers_429_with_retry_after() {
    let agent = TestAgent::start(
        secure_bank::builder().config(test_config_with(&[("SWML_HTTP_RATE_LIMIT", "3/min")])),
    )
    .await
    .expect("bank starts");
    // The client address is the peer of the connection: set per request.
    let swml_from = |addr: SocketAddr| {
        TestRequest::get()
            .uri("/")
            .peer_addr(addr)
            .insert_header(("Authorization", agent.auth_header()))
    };
    let addr: SocketAddr = "203.0.113.9:4000".parse().expect("an address");
    for _ in 0..3 {
        assert_eq!(agent.send_raw(swml_from(addr)).await.status, 200);
    }
    let reply = agent.send_raw(swml_from(addr)).await;
    assert_eq!(reply.status, 429);
    let retry: u64 = reply
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=20).contains(&retry), "{retry}");
    assert_eq!(reply.json(), Some(json!({"error": "too many requests"})));
    let other: SocketAddr = "203.0.113.10:4000".parse().expect("an address");
    assert_eq!(agent.send_raw(swml_from(other)).await.status, 200);
    // Probes are not limited.
    let probe = agent
        .send_raw(TestRequest::get().uri("/health").peer_addr(addr))
        .await;
    assert_eq!(probe.status, 200);
}
