//! With SIGNALWIRE_SIGNING_KEY set, every request needs a valid
//! X-SignalWire-Signature over the full URL the platform called plus the raw
//! body: missing, wrong, over a modified body or a modified URL are 403.

use crate::common;
use crate::secure_bank;

use std::sync::Arc;

use actix_web::test::{self, TestRequest};
use agent_runtime::audit::{AuditEvent, MemoryAuditSink};
use agent_runtime::harness::webhook_signature;
use agent_runtime::json;
use common::*;

const SIGNING_KEY: &str = "PSK_signing_key_for_tests_0123456789";
const BASE: &str = "https://agents.example.com";

fn signed(path: &str, body: &str, signature: Option<String>) -> TestRequest {
    let mut req = TestRequest::post()
        .uri(path)
        .insert_header(auth())
        .insert_header(("Content-Type", "application/json"))
        .set_payload(body.to_owned());
    if let Some(sig) = signature {
        req = req.insert_header(("X-SignalWire-Signature", sig));
    }
    req
}

#[actix_web::test]
async fn signatures_are_required_and_bound_to_url_and_body() {
    let sink = MemoryAuditSink::new();
    let svc = secure_bank::builder()
        .config(config(&[
            ("SIGNALWIRE_SIGNING_KEY", SIGNING_KEY),
            ("SWML_PROXY_URL_BASE", BASE),
        ]))
        .audit_sink(Arc::new(sink.clone()))
        .build()
        .unwrap();
    let app = test::init_service(app_with(svc)).await;

    let body = swaig_body(
        "get_balance",
        json!({"account": "1000000001"}),
        Some(CALL_ID),
    )
    .to_string();
    let path = "/swaig?x=1";
    let good = webhook_signature(SIGNING_KEY, &format!("{BASE}{path}"), body.as_bytes());

    let (status, _, res) = send(&app, signed(path, &body, Some(good.clone()))).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&res));
    assert!(json(&res)["response"].as_str().unwrap().contains("holds"));

    let tampered_body = body.replace("1000000001", "1000000002");
    let wrong_key = webhook_signature(
        "another-signing-key",
        &format!("{BASE}{path}"),
        body.as_bytes(),
    );
    let cases = [
        ("missing", signed(path, &body, None), "missing_signature"),
        (
            "wrong key",
            signed(path, &body, Some(wrong_key)),
            "bad_signature",
        ),
        (
            "garbage",
            signed(path, &body, Some("zz".into())),
            "bad_signature",
        ),
        (
            "modified body",
            signed(path, &tampered_body, Some(good.clone())),
            "bad_signature",
        ),
        (
            "modified url",
            signed("/swaig?x=2", &body, Some(good.clone())),
            "bad_signature",
        ),
    ];
    for (name, req, reason) in cases {
        let (status, _, res) = send(&app, req).await;
        assert_eq!(status, 403, "{name}");
        assert_eq!(json(&res), json!({"error": "forbidden"}), "{name}");
        let last = sink
            .records()
            .into_iter()
            .rev()
            .find(|r| r.event == AuditEvent::SignatureFailure)
            .unwrap();
        assert_eq!(last.reason, reason, "{name}");
    }
    // GET SWML is covered too (empty body).
    let (status, _, _) = send(
        &app,
        TestRequest::get()
            .uri("/?call_id=abc")
            .insert_header(auth()),
    )
    .await;
    assert_eq!(status, 403);
    let sig = webhook_signature(SIGNING_KEY, &format!("{BASE}/?call_id=abc"), b"");
    let (status, _, _) = send(
        &app,
        TestRequest::get()
            .uri("/?call_id=abc")
            .insert_header(auth())
            .insert_header(("X-SignalWire-Signature", sig)),
    )
    .await;
    assert_eq!(status, 200);
}

#[actix_web::test]
async fn without_a_signing_key_no_signature_is_needed() {
    let svc = secure_bank::builder().config(config(&[])).build().unwrap();
    let app = test::init_service(app_with(svc)).await;
    let body = swaig_body(
        "get_balance",
        json!({"account": "1000000001"}),
        Some(CALL_ID),
    )
    .to_string();
    let (status, _, _) = send(&app, signed("/swaig", &body, None)).await;
    assert_eq!(status, 200);
}
