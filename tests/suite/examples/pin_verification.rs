//! The pin_verification example through the real HTTP stack: a hashed PIN
//! compared for the platform's caller id, failures counted in `global_data`,
//! the third failure hangs up, and no record or response carries the PIN.

use crate::common;
#[path = "../../../examples/pin_verification.rs"]
mod pin_verification;

use std::sync::Arc;

use actix_web::test;
use agent_runtime::audit::{AuditEvent, MemoryAuditSink};
use agent_runtime::{Value, json};
use common::*;

const PIN: &str = "4931";

fn service(sink: &MemoryAuditSink) -> agent_runtime::AgentService<pin_verification::PinDesk> {
    pin_verification::builder_with_audit(vec![Arc::new(sink.clone())])
        .config(config(&[]))
        .build()
        .expect("agent builds")
}

fn verify_body(pin: &str, caller: &str, global_data: Value) -> Value {
    let mut body = swaig_body("verify_pin", json!({ "pin": pin }), Some(CALL_ID));
    body["caller_id_num"] = json!(caller);
    body["global_data"] = global_data;
    body
}

/// The `set_global_data` action of a result, if any.
fn global_update(result: &Value) -> Option<Value> {
    result["action"]
        .as_array()?
        .iter()
        .find_map(|a| a.get("set_global_data").cloned())
}

fn hangs_up(result: &Value) -> bool {
    result["action"]
        .as_array()
        .is_some_and(|a| a.contains(&json!({"hangup": true})))
}

fn no_pin_anywhere(sink: &MemoryAuditSink, pins: &[&str]) {
    for record in sink.records() {
        let text = record.to_json().to_string();
        for pin in pins {
            assert!(!text.contains(pin), "record carries a PIN: {text}");
        }
    }
}

macro_rules! token_for {
    ($app:expr, $function:expr) => {{
        let (status, _, body) = send($app, post_json("/", &json!({ "call_id": CALL_ID }))).await;
        assert_eq!(status, 200);
        let doc = json(&body);
        assert_valid_swml(&doc);
        tokens(&doc)[$function].clone()
    }};
}

#[actix_web::test]
async fn swml_offers_verify_pin_as_a_secure_tool_with_a_pattern() {
    let sink = MemoryAuditSink::new();
    let app = test::init_service(app_with(service(&sink))).await;
    let (_, _, body) = send(&app, post_json("/", &json!({ "call_id": CALL_ID }))).await;
    let doc = json(&body);
    assert_valid_swml(&doc);
    let ai = &doc["sections"]["main"][1]["ai"];
    let f = &ai["SWAIG"]["functions"][0];
    assert_eq!(f["function"], "verify_pin");
    assert!(f["web_hook_url"].as_str().unwrap().contains("__token="));
    let pin = &f["parameters"]["properties"]["pin"];
    assert_eq!(pin["type"], "string");
    assert_eq!(pin["pattern"], "^[0-9]{4,8}$");
    assert!(pin["description"].as_str().unwrap().contains("PIN"));
    let prompt = ai["prompt"].to_string();
    assert!(prompt.contains("Never repeat"), "{prompt}");
}

#[actix_web::test]
async fn correct_pin_verifies_and_is_never_recorded() {
    let sink = MemoryAuditSink::new();
    let app = test::init_service(app_with(service(&sink))).await;
    let token = token_for!(&app, "verify_pin");
    let (status, _, body) = send(
        &app,
        post_json(
            &format!("/swaig?__token={token}"),
            &verify_body(PIN, pin_verification::DEMO_NUMBER, json!({})),
        ),
    )
    .await;
    assert_eq!(status, 200);
    let text = String::from_utf8_lossy(&body).to_string();
    assert!(!text.contains(PIN), "{text}");
    let result = json(&body);
    assert!(result["response"].as_str().unwrap().contains("correct"));
    assert_eq!(
        global_update(&result),
        Some(json!({
            "pin_verified": true,
            "pin_verified_number": pin_verification::DEMO_NUMBER,
            "pin_attempts": 0
        }))
    );
    assert!(!hangs_up(&result));

    let records = sink.records();
    let runtime = records
        .iter()
        .find(|r| r.event == AuditEvent::ToolCall && r.arguments.is_some())
        .expect("the runtime audits the call");
    assert_eq!(runtime.outcome, "ok");
    assert_eq!(runtime.arguments, Some(json!({"pin": "[REDACTED]"})));
    assert!(
        records.iter().any(|r| r.reason == "pin_verified"
            && r.caller.as_deref() == Some(pin_verification::DEMO_NUMBER)),
        "the handler records the outcome"
    );
    no_pin_anywhere(&sink, &[PIN]);
}

#[actix_web::test]
async fn three_failures_hang_up_and_each_is_audited() {
    let sink = MemoryAuditSink::new();
    let app = test::init_service(app_with(service(&sink))).await;
    let token = token_for!(&app, "verify_pin");
    let wrong = ["1111", "2222", "3333"];
    // The platform sends back the global_data the previous result set.
    let mut global_data = json!({});
    for (i, pin) in wrong.iter().enumerate() {
        let (status, _, body) = send(
            &app,
            post_json(
                &format!("/swaig?__token={token}"),
                &verify_body(pin, pin_verification::DEMO_NUMBER, global_data.clone()),
            ),
        )
        .await;
        assert_eq!(status, 200);
        let result = json(&body);
        let update = global_update(&result).expect("attempts are counted");
        assert_eq!(update["pin_attempts"], json!(i + 1));
        assert_eq!(update["pin_verified"], json!(false));
        let response = result["response"].as_str().unwrap();
        assert!(!response.contains(pin), "{response}");
        if i < 2 {
            assert!(!hangs_up(&result), "attempt {i}");
            assert!(response.contains("not correct"), "{response}");
        } else {
            assert!(hangs_up(&result), "the third failure ends the call");
            let actions = result["action"].as_array().unwrap();
            assert!(actions.iter().any(|a| a.get("say").is_some()));
        }
        global_data = update;
    }

    // Even the right PIN is refused once the call is locked.
    let (_, _, body) = send(
        &app,
        post_json(
            &format!("/swaig?__token={token}"),
            &verify_body(PIN, pin_verification::DEMO_NUMBER, global_data),
        ),
    )
    .await;
    let result = json(&body);
    assert!(hangs_up(&result));
    assert!(global_update(&result).is_none(), "not verified");

    let records = sink.records();
    let runtime_calls = records
        .iter()
        .filter(|r| r.event == AuditEvent::ToolCall && r.arguments.is_some())
        .count();
    assert_eq!(
        runtime_calls, 4,
        "every attempt is a runtime tool_call record"
    );
    let reasons: Vec<&str> = records
        .iter()
        .filter(|r| r.arguments.is_none())
        .map(|r| r.reason.as_str())
        .collect();
    assert_eq!(
        reasons,
        [
            "pin_mismatch attempt=1/3",
            "pin_mismatch attempt=2/3",
            "pin_mismatch attempt=3/3",
            "locked"
        ]
    );
    no_pin_anywhere(&sink, &[PIN, "1111", "2222", "3333"]);
}

#[actix_web::test]
async fn identity_is_the_platform_caller_id() {
    let sink = MemoryAuditSink::new();
    let app = test::init_service(app_with(service(&sink))).await;
    let token = token_for!(&app, "verify_pin");
    // The demo PIN from another phone is not the demo customer's PIN.
    let (_, _, body) = send(
        &app,
        post_json(
            &format!("/swaig?__token={token}"),
            &verify_body(PIN, "+15559998888", json!({})),
        ),
    )
    .await;
    let result = json(&body);
    assert_eq!(global_update(&result).unwrap()["pin_verified"], false);

    // No caller id: nothing is checked.
    let mut body = verify_body(PIN, "", json!({}));
    body.as_object_mut().unwrap().remove("caller_id_num");
    let (_, _, res) = send(&app, post_json(&format!("/swaig?__token={token}"), &body)).await;
    let result = json(&res);
    assert!(global_update(&result).is_none());
    assert!(
        result["response"]
            .as_str()
            .unwrap()
            .contains("cannot see the number")
    );
}

#[actix_web::test]
async fn without_a_token_or_with_a_malformed_pin_the_handler_never_runs() {
    let sink = MemoryAuditSink::new();
    let app = test::init_service(app_with(service(&sink))).await;
    let (status, _, _) = send(
        &app,
        post_json(
            "/swaig",
            &verify_body(PIN, pin_verification::DEMO_NUMBER, json!({})),
        ),
    )
    .await;
    assert_eq!(status, 403);

    let token = token_for!(&app, "verify_pin");
    let (status, _, body) = send(
        &app,
        post_json(
            &format!("/swaig?__token={token}"),
            &verify_body("49x1-SECRETISH", pin_verification::DEMO_NUMBER, json!({})),
        ),
    )
    .await;
    assert_eq!(status, 200);
    let text = String::from_utf8_lossy(&body).to_string();
    assert!(text.contains("pin"), "{text}");
    assert!(!text.contains("SECRETISH"), "{text}");

    let records = sink.records();
    assert!(records.iter().any(|r| r.event == AuditEvent::TokenFailure));
    assert!(
        records
            .iter()
            .any(|r| r.event == AuditEvent::ValidationFailure)
    );
    assert!(
        !records.iter().any(|r| r.event == AuditEvent::ToolCall),
        "the handler never ran"
    );
    no_pin_anywhere(&sink, &["SECRETISH"]);
}

#[actix_web::test]
async fn plain_builder_builds() {
    let svc = pin_verification::builder()
        .config(config(&[]))
        .build()
        .unwrap();
    assert_eq!(svc.route(), "");
    assert!(format!("{:?}", pin_verification::PinDesk::demo()).contains("customers: 1"));
}
