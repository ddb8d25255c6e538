//! The audited_transfers example through the real HTTP stack: responses,
//! journal and every audit record name accounts by their last four digits
//! only, while the audit trail still says who moved how much.

#[path = "../../../examples/audited_transfers.rs"]
mod audited_transfers;
use crate::common;

use std::sync::Arc;

use actix_web::test;
use agent_runtime::audit::{AuditEvent, MemoryAuditSink};
use agent_runtime::{Value, json};
use common::*;

const FROM: &str = "1000000001";
const TO: &str = "1000000002";
const OTHER: &str = "2000000003";

fn service(sink: &MemoryAuditSink) -> agent_runtime::AgentService<audited_transfers::Transfers> {
    audited_transfers::builder()
        .config(config(&[]))
        .audit_sink(Arc::new(sink.clone()))
        .build()
        .expect("agent builds")
}

fn transfer(from: &str, to: &str, amount: f64) -> Value {
    let mut body = swaig_body(
        "transfer_funds",
        json!({"from_account": from, "to_account": to, "amount": amount}),
        Some(CALL_ID),
    );
    body["caller_id_num"] = json!(audited_transfers::DEMO_NUMBER);
    body
}

fn assert_no_full_numbers(text: &str) {
    for n in [FROM, TO, OTHER] {
        assert!(!text.contains(n), "full account number in: {text}");
    }
}

#[actix_web::test]
async fn transfers_are_audited_with_last_four_digits_only() {
    let sink = MemoryAuditSink::new();
    let app = test::init_service(app_with(service(&sink))).await;
    let (_, _, body) = send(&app, post_json("/", &json!({ "call_id": CALL_ID }))).await;
    let doc = json(&body);
    assert_valid_swml(&doc);
    let token = tokens(&doc)["transfer_funds"].clone();

    let mut responses = Vec::new();
    for (from, to, amount) in [(FROM, TO, 125.5), (FROM, OTHER, 10.0), (TO, FROM, 5000.0)] {
        let (status, _, res) = send(
            &app,
            post_json(
                &format!("/swaig?__token={token}"),
                &transfer(from, to, amount),
            ),
        )
        .await;
        assert_eq!(status, 200);
        let text = String::from_utf8_lossy(&res).to_string();
        assert_no_full_numbers(&text);
        responses.push(json(&res));
    }
    // Done, refused (not the caller's account), refused (funds).
    assert_eq!(
        responses[0]["response"],
        "Transferred 125.50 dollars from the account ending in 0001 to the account ending in 0002."
    );
    assert_eq!(
        responses[0]["action"][0],
        json!({"set_global_data": {"last_transfer": {"from": "0001", "to": "0002", "cents": 12550}}})
    );
    assert!(
        responses[1]["response"]
            .as_str()
            .unwrap()
            .contains("ending in 0001 and 0003")
    );
    assert!(
        responses[2]["response"]
            .as_str()
            .unwrap()
            .contains("not have enough funds")
    );

    let (_, _, res) = send(
        &app,
        post_json(
            "/swaig",
            &swaig_body("transfers_this_call", json!({}), Some(CALL_ID)),
        ),
    )
    .await;
    let listed = json(&res)["response"].as_str().unwrap().to_owned();
    assert_eq!(
        listed,
        "Transfers on this call: 125.50 dollars from ...0001 to ...0002."
    );

    let records = sink.records();
    let calls: Vec<_> = records
        .iter()
        .filter(|r| {
            r.event == AuditEvent::ToolCall && r.function.as_deref() == Some("transfer_funds")
        })
        .collect();
    assert_eq!(calls.len(), 3, "every transfer attempt is audited");
    for r in &calls {
        assert_eq!(r.outcome, "ok");
        assert_eq!(r.call_id.as_deref(), Some(CALL_ID));
        assert_eq!(r.caller.as_deref(), Some(audited_transfers::DEMO_NUMBER));
        let args = r.arguments.as_ref().unwrap();
        assert_eq!(args["from_account"], "[REDACTED]");
        assert_eq!(args["to_account"], "[REDACTED]");
        assert!(args["amount"].is_number(), "the amount stays auditable");
    }
    for r in &records {
        assert_no_full_numbers(&r.to_json().to_string());
    }
}

#[actix_web::test]
async fn the_journal_keeps_last_four_digits_only() {
    let transfers = audited_transfers::Transfers::demo();
    assert!(transfers.journal().is_empty());
    assert_eq!(audited_transfers::last_four(FROM), "0001");
    assert_eq!(audited_transfers::last_four("12"), "12");

    let sink = MemoryAuditSink::new();
    let svc = service(&sink);
    let app = test::init_service(app_with(svc.clone())).await;
    let token = svc.signer().mint("transfer_funds", CALL_ID);
    let (_, _, res) = send(
        &app,
        post_json(&format!("/swaig?__token={token}"), &transfer(FROM, TO, 1.0)),
    )
    .await;
    assert!(
        json(&res)["response"]
            .as_str()
            .unwrap()
            .starts_with("Transferred")
    );
    let debug = format!("{svc:?}");
    assert_no_full_numbers(&debug);
}

#[actix_web::test]
async fn malformed_account_numbers_are_refused_without_echo_or_record() {
    let sink = MemoryAuditSink::new();
    let svc = service(&sink);
    let app = test::init_service(app_with(svc.clone())).await;
    let token = svc.signer().mint("transfer_funds", CALL_ID);
    let (status, _, res) = send(
        &app,
        post_json(
            &format!("/swaig?__token={token}"),
            &transfer("10000000019999", TO, 1.0),
        ),
    )
    .await;
    assert_eq!(status, 200);
    let text = String::from_utf8_lossy(&res).to_string();
    assert!(text.contains("from_account"), "{text}");
    assert!(!text.contains("10000000019999"), "{text}");
    let records = sink.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].event, AuditEvent::ValidationFailure);
    assert_eq!(records[0].arguments, None);
}
