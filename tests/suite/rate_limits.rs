//! Rate limits through the HTTP stack: a caller flood is refused after
//! exactly the declared limit while another caller is still served, and the
//! per-address HTTP limit answers 429 with Retry-After.

use crate::common;
use crate::secure_bank;

use std::sync::Arc;

use actix_web::test::{self, TestRequest};
use agent_runtime::audit::{AuditEvent, MemoryAuditSink};
use agent_runtime::{Value, json};
use common::*;

fn balance_call(caller: &str) -> TestRequest {
    let mut body = swaig_body(
        "get_balance",
        json!({"account": "1000000001"}),
        Some(CALL_ID),
    );
    body["caller_id_num"] = Value::String(caller.to_owned());
    post_json("/swaig", &body)
}

#[actix_web::test]
async fn caller_flood_is_refused_after_exactly_the_declared_limit() {
    let sink = MemoryAuditSink::new();
    let svc = secure_bank::builder()
        .config(config(&[]))
        .tool_rate_limit("get_balance", "5/min")
        .audit_sink(Arc::new(sink.clone()))
        .build()
        .unwrap();
    let app = test::init_service(app_with(svc)).await;
    for i in 0..5 {
        let (_, _, body) = send(&app, balance_call("+15550000001")).await;
        assert!(
            json(&body)["response"].as_str().unwrap().contains("holds"),
            "call {i}"
        );
    }
    for _ in 0..3 {
        let (status, _, body) = send(&app, balance_call("+15550000001")).await;
        assert_eq!(status, 200);
        assert!(
            json(&body)["response"]
                .as_str()
                .unwrap()
                .contains("too many times")
        );
    }
    let (_, _, body) = send(&app, balance_call("+15550000002")).await;
    assert!(
        json(&body)["response"].as_str().unwrap().contains("holds"),
        "another caller is served"
    );
    let refused: Vec<_> = sink
        .records()
        .into_iter()
        .filter(|r| r.event == AuditEvent::RateLimited)
        .collect();
    assert_eq!(refused.len(), 3);
    assert_eq!(refused[0].caller.as_deref(), Some("+15550000001"));
    assert_eq!(refused[0].function.as_deref(), Some("get_balance"));
    let ran = sink
        .records()
        .iter()
        .filter(|r| r.event == AuditEvent::ToolCall)
        .count();
    assert_eq!(ran, 6, "the handler did not run for refused calls");
}

#[actix_web::test]
async fn agent_wide_default_comes_from_the_environment() {
    let svc = secure_bank::builder()
        .config(config(&[("SWML_RATE_LIMIT", "2/hour")]))
        .build()
        .unwrap();
    let app = test::init_service(app_with(svc)).await;
    let mut texts = Vec::new();
    for _ in 0..3 {
        let (_, _, body) = send(&app, balance_call("+15550000003")).await;
        texts.push(json(&body)["response"].as_str().unwrap().to_owned());
    }
    assert!(
        texts[1].contains("holds") && texts[2].contains("too many times"),
        "{texts:?}"
    );
    let e = agent_runtime::AgentConfig::from_lookup(|k| {
        (k == "SWML_RATE_LIMIT").then(|| "lots".to_owned())
    })
    .unwrap_err();
    assert_eq!(e.setting, "SWML_RATE_LIMIT");
}

#[actix_web::test]
async fn http_limit_per_address_answers_429_with_retry_after() {
    let svc = secure_bank::builder()
        .config(config(&[("SWML_HTTP_RATE_LIMIT", "3/min")]))
        .build()
        .unwrap();
    let app = test::init_service(app_with(svc)).await;
    let addr: std::net::SocketAddr = "203.0.113.9:4000".parse().unwrap();
    for _ in 0..3 {
        let (status, _, _) = send(
            &app,
            TestRequest::get()
                .uri("/")
                .peer_addr(addr)
                .insert_header(auth()),
        )
        .await;
        assert_eq!(status, 200);
    }
    let (status, headers, body) = send(
        &app,
        TestRequest::get()
            .uri("/")
            .peer_addr(addr)
            .insert_header(auth()),
    )
    .await;
    assert_eq!(status, 429);
    let retry: u64 = headers
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&retry), "{retry}");
    assert_eq!(json(&body), json!({"error": "too many requests"}));
    let other: std::net::SocketAddr = "203.0.113.10:4000".parse().unwrap();
    let (status, _, _) = send(
        &app,
        TestRequest::get()
            .uri("/")
            .peer_addr(other)
            .insert_header(auth()),
    )
    .await;
    assert_eq!(status, 200);
    // Probes are not limited.
    let (status, _, _) = send(&app, TestRequest::get().uri("/health").peer_addr(addr)).await;
    assert_eq!(status, 200);
}
