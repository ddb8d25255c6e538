//! The emergency_mode example through the real HTTP stack: the operator
//! command withdraws and restores the secure tool at run time, refusals are
//! polite and audited, and ordinary tools keep working.

use crate::common;
#[path = "../../../examples/emergency_mode.rs"]
mod emergency_mode;

use std::sync::Arc;

use actix_web::test;
use agent_runtime::audit::{AuditEvent, MemoryAuditSink};
use agent_runtime::{Value, json};
use common::*;

fn function_names(doc: &Value) -> Vec<String> {
    doc["sections"]["main"][1]["ai"]["SWAIG"]["functions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["function"].as_str().unwrap().to_owned())
        .collect()
}

fn refill(token: &str) -> test::TestRequest {
    post_json(
        &format!("/swaig?__token={token}"),
        &swaig_body(
            "order_refill",
            json!({"prescription": "RX-1234567"}),
            Some(CALL_ID),
        ),
    )
}

fn response(res: &[u8]) -> String {
    json(res)["response"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn operator_commands_toggle_secure_tools_at_run_time() {
    let sink = MemoryAuditSink::new();
    let svc = emergency_mode::builder()
        .config(config(&[]))
        .audit_sink(Arc::new(sink.clone()))
        .build()
        .unwrap();
    let switch = svc.emergency_switch();
    let app = test::init_service(app_with(svc)).await;
    let swml = || post_json("/", &json!({ "call_id": CALL_ID }));

    let (_, _, body) = send(&app, swml()).await;
    let doc = json(&body);
    assert_valid_swml(&doc);
    assert_eq!(function_names(&doc), ["opening_hours", "order_refill"]);
    let token = tokens(&doc)["order_refill"].clone();
    let (_, _, res) = send(&app, refill(&token)).await;
    assert!(response(&res).contains("ordered"));

    assert_eq!(
        emergency_mode::switch_for_demo(&switch, "  Emergency ON \n"),
        Some(true)
    );
    assert!(switch.is_on());

    // New SWML leaves the secure tool out; a token minted before is refused.
    let (_, _, body) = send(&app, swml()).await;
    let doc = json(&body);
    assert_valid_swml(&doc);
    assert_eq!(function_names(&doc), ["opening_hours"]);
    let (status, _, res) = send(&app, refill(&token)).await;
    assert_eq!(status, 200);
    let text = response(&res);
    assert!(
        text.starts_with("I'm sorry") && text.contains("temporarily"),
        "{text}"
    );
    let (_, _, res) = send(
        &app,
        post_json(
            "/swaig",
            &swaig_body("opening_hours", json!({}), Some(CALL_ID)),
        ),
    )
    .await;
    assert!(
        response(&res).contains("8 am"),
        "ordinary tools keep working"
    );

    // Not a command: nothing changes.
    assert_eq!(
        emergency_mode::switch_for_demo(&switch, "emergency maybe"),
        None
    );
    assert!(switch.is_on());

    assert_eq!(
        emergency_mode::switch_for_demo(&switch, "emergency off"),
        Some(false)
    );
    let (_, _, body) = send(&app, swml()).await;
    assert_eq!(
        function_names(&json(&body)),
        ["opening_hours", "order_refill"]
    );
    let (_, _, res) = send(&app, refill(&token)).await;
    assert!(response(&res).contains("ordered"));

    let refusals: Vec<_> = sink
        .records()
        .into_iter()
        .filter(|r| r.event == AuditEvent::EmergencyRefusal)
        .collect();
    assert_eq!(refusals.len(), 1);
    assert_eq!(refusals[0].function.as_deref(), Some("order_refill"));
    assert_eq!(refusals[0].call_id.as_deref(), Some(CALL_ID));
}

#[actix_web::test]
async fn starts_withdrawn_with_the_environment_variable() {
    let svc = emergency_mode::builder()
        .config(config(&[("AGENT_EMERGENCY_MODE", "true")]))
        .build()
        .unwrap();
    let switch = svc.emergency_switch();
    assert!(switch.is_on());
    let app = test::init_service(app_with(svc)).await;
    let (_, _, body) = send(&app, post_json("/", &json!({ "call_id": CALL_ID }))).await;
    assert_eq!(function_names(&json(&body)), ["opening_hours"]);
    assert_eq!(
        emergency_mode::switch_for_demo(&switch, "emergency off"),
        Some(false)
    );
    let (_, _, body) = send(&app, post_json("/", &json!({ "call_id": CALL_ID }))).await;
    assert_eq!(
        function_names(&json(&body)),
        ["opening_hours", "order_refill"]
    );
}
