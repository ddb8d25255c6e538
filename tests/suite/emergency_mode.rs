//! Emergency mode: secure tools leave new SWML and are refused at dispatch,
//! switchable at run time; every refusal is audited.

use crate::common;
use crate::secure_bank;

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

#[actix_web::test]
async fn switch_withdraws_and_restores_secure_tools() {
    let sink = MemoryAuditSink::new();
    let svc = secure_bank::builder()
        .config(config(&[]))
        .audit_sink(Arc::new(sink.clone()))
        .build()
        .unwrap();
    let switch = svc.emergency_switch();
    let app = test::init_service(app_with(svc)).await;

    // Normal operation: a token from SWML lets the secure tool run.
    let (_, _, body) = send(&app, post_json("/", &json!({"call_id": CALL_ID}))).await;
    let doc = json(&body);
    assert_eq!(
        function_names(&doc),
        [
            "get_balance",
            "transfer_funds",
            "change_password",
            "delete_account"
        ]
    );
    let token = tokens(&doc)["change_password"].clone();
    let call = || {
        post_json(
            &format!("/swaig?__token={token}"),
            &swaig_body("change_password", json!({}), Some(CALL_ID)),
        )
    };
    let (_, _, res) = send(&app, call()).await;
    assert!(
        json(&res)["response"]
            .as_str()
            .unwrap()
            .contains("reset link")
    );

    // Emergency on: new SWML has no secure tools, a valid token is refused
    // politely and the refusal is audited; normal tools keep working.
    switch.set(true);
    let (_, _, body) = send(&app, post_json("/", &json!({"call_id": CALL_ID}))).await;
    let doc = json(&body);
    assert_valid_swml(&doc);
    assert_eq!(function_names(&doc), ["get_balance"]);
    assert!(doc["sections"]["main"][1]["ai"]["post_prompt_url"].is_string());
    let (status, _, res) = send(&app, call()).await;
    assert_eq!(status, 200);
    let text = json(&res)["response"].as_str().unwrap().to_owned();
    assert!(text.contains("temporarily limited"), "{text}");
    let refusal = sink
        .records()
        .into_iter()
        .rev()
        .find(|r| r.event == AuditEvent::EmergencyRefusal)
        .unwrap();
    assert_eq!(refusal.function.as_deref(), Some("change_password"));
    assert_eq!(refusal.call_id.as_deref(), Some(CALL_ID));
    let (_, _, res) = send(
        &app,
        post_json(
            "/swaig",
            &swaig_body(
                "get_balance",
                json!({"account": "1000000001"}),
                Some(CALL_ID),
            ),
        ),
    )
    .await;
    assert!(json(&res)["response"].as_str().unwrap().contains("holds"));

    // Off again: the same token works.
    switch.set(false);
    let (_, _, res) = send(&app, call()).await;
    assert!(
        json(&res)["response"]
            .as_str()
            .unwrap()
            .contains("reset link")
    );
    let tool_calls = sink
        .records()
        .iter()
        .filter(|r| {
            r.event == AuditEvent::ToolCall && r.function.as_deref() == Some("change_password")
        })
        .count();
    assert_eq!(tool_calls, 2, "the handler ran only outside emergency mode");
}

#[actix_web::test]
async fn environment_variable_starts_in_emergency_mode() {
    let svc = secure_bank::builder()
        .config(config(&[("AGENT_EMERGENCY_MODE", "true")]))
        .build()
        .unwrap();
    assert!(svc.emergency_switch().is_on());
    let app = test::init_service(app_with(svc)).await;
    let (_, _, body) = send(&app, post_json("/", &json!({"call_id": CALL_ID}))).await;
    assert_eq!(function_names(&json(&body)), ["get_balance"]);
    let bad = agent_runtime::AgentConfig::from_lookup(|k| {
        (k == "AGENT_EMERGENCY_MODE").then(|| "maybe".to_owned())
    });
    assert_eq!(bad.unwrap_err().setting, "AGENT_EMERGENCY_MODE");
}
