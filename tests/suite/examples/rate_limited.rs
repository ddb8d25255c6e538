//! The rate_limited example through the real HTTP stack: three codes are
//! sent, the fourth is refused politely and audited, another caller and
//! another tool are still served.

use crate::common;
#[path = "../../../examples/rate_limited.rs"]
mod rate_limited;

use std::sync::Arc;

use actix_web::test;
use agent_runtime::audit::{AuditEvent, MemoryAuditSink};
use agent_runtime::json;
use common::*;

fn call(function: &str, caller: &str) -> test::TestRequest {
    let mut body = swaig_body(function, json!({}), Some(CALL_ID));
    if caller.is_empty() {
        body.as_object_mut().unwrap().remove("caller_id_num");
    } else {
        body["caller_id_num"] = json!(caller);
    }
    post_json("/swaig", &body)
}

fn response(res: &[u8]) -> String {
    json(res)["response"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn three_served_fourth_refused_other_caller_served() {
    assert_eq!(rate_limited::SEND_CODE_LIMIT, "3/min");
    let sink = MemoryAuditSink::new();
    let svc = rate_limited::builder()
        .config(config(&[]))
        .audit_sink(Arc::new(sink.clone()))
        .build()
        .unwrap();
    let app = test::init_service(app_with(svc)).await;

    for i in 0..3 {
        let (status, _, res) = send(&app, call("send_code", "+15551230000")).await;
        assert_eq!(status, 200);
        assert_eq!(
            response(&res),
            "A new code was sent by text message to the number ending in 0000.",
            "request {i}"
        );
    }
    for _ in 0..2 {
        let (status, _, res) = send(&app, call("send_code", "+15551230000")).await;
        assert_eq!(status, 200, "a refusal is spoken, not an HTTP error");
        let text = response(&res);
        assert!(text.starts_with("I'm sorry"), "{text}");
        assert!(text.contains("too many times"), "{text}");
    }
    // Another caller, and another tool for the same caller, are served.
    let (_, _, res) = send(&app, call("send_code", "+15557770042")).await;
    assert!(response(&res).contains("ending in 0042"));
    let (_, _, res) = send(&app, call("opening_hours", "+15551230000")).await;
    assert!(response(&res).contains("7 am to 10 pm"));

    let records = sink.records();
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
    assert_eq!(rate_limited::SignInHelp::default().sent(), 0);
    let svc = rate_limited::builder().config(config(&[])).build().unwrap();
    let app = test::init_service(app_with(svc)).await;
    let (_, _, res) = send(&app, call("send_code", "")).await;
    assert!(response(&res).contains("cannot see the number"));
    // No caller id: the runtime limits by call id instead.
    for _ in 0..2 {
        send(&app, call("send_code", "")).await;
    }
    let (_, _, res) = send(&app, call("send_code", "")).await;
    assert!(response(&res).contains("too many times"));
}
