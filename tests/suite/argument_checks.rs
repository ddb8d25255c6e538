//! Argument-aware checks (`#[tool(check = path)]`) and last-four masking,
//! through secure_bank over the real HTTP stack: a transfer over the
//! step-up amount needs the source account's PIN verified earlier on the
//! same call (a server-side fact); the check runs after validation, its
//! refusal is audited as `check_refusal` and the handler does not run; large
//! transfers write a handler event; no audit record carries a whole account
//! number or a PIN.

use agent_runtime::audit::{AuditEvent, AuditRecord};
use agent_runtime::harness::{TestAgent, ToolCall};
use agent_runtime::{Value, json};

use crate::secure_bank::{self, Bank, LARGE_TRANSFER, PIN_CHECK, STEP_UP_OVER};

const CALL_ID: &str = "step-up-call";
const SOURCE: &str = "1000000001";
const TARGET: &str = "1000000002";
const SOURCE_PIN: &str = "4931";
const TARGET_PIN: &str = "7720";

async fn bank() -> TestAgent<Bank> {
    TestAgent::start(secure_bank::builder())
        .await
        .expect("bank starts")
}

fn transfer(amount: f64, call_id: &str) -> ToolCall {
    ToolCall::new(
        "transfer_funds",
        json!({"from_account": SOURCE, "to_account": TARGET, "amount": amount}),
    )
    .call_id(call_id)
}

fn verify_pin(account: &str, pin: &str, call_id: &str) -> ToolCall {
    ToolCall::new("verify_pin", json!({"account": account, "pin": pin})).call_id(call_id)
}

async fn balance(agent: &TestAgent<Bank>, account: &str) -> String {
    agent
        .call("get_balance", json!({ "account": account }))
        .await
        .response_text()
        .expect("a balance")
}

fn events<'a>(records: &'a [AuditRecord], event: &AuditEvent) -> Vec<&'a AuditRecord> {
    records.iter().filter(|r| &r.event == event).collect()
}

/// No record, in any field, carries a whole account number or a PIN.
fn no_account_or_pin_in(records: &[AuditRecord]) {
    assert!(!records.is_empty());
    for record in records {
        let text = crate::support::record_text(record);
        for canary in [SOURCE, TARGET, SOURCE_PIN, TARGET_PIN] {
            assert!(!text.contains(canary), "{canary} in {text}");
        }
    }
}

#[actix_web::test]
async fn a_transfer_over_the_step_up_amount_is_refused_without_a_verified_pin() {
    let agent = bank().await;
    let before = balance(&agent, SOURCE).await;
    let reply = agent
        .call_with(transfer(STEP_UP_OVER + 0.01, CALL_ID))
        .await;
    assert_eq!(reply.status, 200, "a spoken refusal, not an HTTP error");
    let text = reply.response_text().expect("a response");
    assert!(text.contains("verify_pin"), "{text}");
    assert!(!text.starts_with("Transferred"), "{text}");
    // The handler did not run: nothing moved.
    assert_eq!(balance(&agent, SOURCE).await, before);
    assert_eq!(reply.audit.len(), 1, "{:?}", reply.audit);
    let record = &reply.audit[0];
    assert_eq!(record.event, AuditEvent::CheckRefusal);
    assert_eq!(record.reason, "step_up_required");
    assert_eq!(record.outcome, "refused");
    assert_eq!(record.function.as_deref(), Some("transfer_funds"));

    // At the step-up amount itself no PIN is needed.
    let reply = agent.call_with(transfer(STEP_UP_OVER, CALL_ID)).await;
    assert!(
        reply
            .response_text()
            .is_some_and(|t| t.starts_with("Transferred 1000.00 dollars")),
        "{:?}",
        reply.response_text()
    );
    assert!(events(&reply.audit, &AuditEvent::Handler(LARGE_TRANSFER)).is_empty());
}

#[actix_web::test]
async fn the_check_runs_after_validation() {
    let agent = bank().await;
    // Over the schema's maximum: the validator refuses first, so the record
    // is a validation failure, not the check's refusal.
    let reply = agent.call_with(transfer(10_000.5, CALL_ID)).await;
    assert_eq!(reply.audit.len(), 1);
    assert_eq!(reply.audit[0].event, AuditEvent::ValidationFailure);
    assert_eq!(reply.audit[0].reason, "amount");
}

#[actix_web::test]
async fn a_verified_pin_of_the_source_account_allows_the_large_transfer_once_per_call() {
    let agent = bank().await;

    // A wrong PIN counts an attempt and verifies nothing.
    let wrong = agent.call_with(verify_pin(SOURCE, "0000", CALL_ID)).await;
    assert_eq!(wrong.status, 200);
    assert!(
        wrong
            .response_text()
            .is_some_and(|t| t.contains("not correct") && t.contains("2 attempts left"))
    );
    let mismatch = events(&wrong.audit, &AuditEvent::Handler(PIN_CHECK));
    assert_eq!(mismatch.len(), 1);
    assert_eq!(mismatch[0].reason, "pin_mismatch");
    assert_eq!(mismatch[0].outcome, "refused");
    let refused = agent.call_with(transfer(2_500.0, CALL_ID)).await;
    assert_eq!(refused.audit[0].event, AuditEvent::CheckRefusal);

    // The PIN of the other account does not step up a transfer from this one.
    let other = agent
        .call_with(verify_pin(TARGET, TARGET_PIN, CALL_ID))
        .await;
    assert_eq!(
        other.response_text().as_deref(),
        Some("The PIN is correct.")
    );
    let refused = agent.call_with(transfer(2_500.0, CALL_ID)).await;
    assert_eq!(refused.audit[0].event, AuditEvent::CheckRefusal);

    let ok = agent
        .call_with(verify_pin(SOURCE, SOURCE_PIN, CALL_ID))
        .await;
    assert_eq!(ok.response_text().as_deref(), Some("The PIN is correct."));
    let verified = events(&ok.audit, &AuditEvent::Handler(PIN_CHECK));
    assert_eq!(verified.len(), 1);
    assert_eq!(verified[0].reason, "pin_verified");
    assert_eq!(
        verified[0].details.as_ref().map(|d| d["account"].clone()),
        Some(json!("******0001"))
    );

    let done = agent.call_with(transfer(2_500.0, CALL_ID)).await;
    assert!(
        done.response_text()
            .is_some_and(|t| t.starts_with("Transferred 2500.00 dollars")),
        "{:?}",
        done.response_text()
    );
    let large = events(&done.audit, &AuditEvent::Handler(LARGE_TRANSFER));
    assert_eq!(large.len(), 1, "{:?}", done.audit);
    let details = large[0].details.clone().expect("details");
    assert_eq!(details["amount"], json!(2500.0));
    assert_eq!(details["from_account"], "******0001");
    assert_eq!(details["to_account"], "******0002");
    assert_eq!(large[0].reason, "over_step_up_amount");

    // Another call has verified nothing: the fact belongs to its call.
    let elsewhere = agent.call_with(transfer(2_500.0, "another-call")).await;
    assert_eq!(elsewhere.audit[0].event, AuditEvent::CheckRefusal);

    no_account_or_pin_in(&agent.audit());
}

#[actix_web::test]
async fn a_forged_global_data_flag_does_not_step_up() {
    let agent = bank().await;
    let reply = agent
        .call_with(transfer(2_500.0, CALL_ID).global_data(json!({
            "pin_verified_account": SOURCE,
            "pin_verified": true
        })))
        .await;
    assert_eq!(reply.audit[0].event, AuditEvent::CheckRefusal);
}

#[actix_web::test]
async fn three_wrong_pins_lock_the_account_across_calls() {
    let agent = bank().await;
    for (i, call_id) in ["call-a", "call-b", "call-c"].iter().enumerate() {
        let reply = agent.call_with(verify_pin(SOURCE, "0000", call_id)).await;
        let text = reply.response_text().unwrap_or_default();
        if i < 2 {
            assert!(text.contains("left"), "{text}");
        } else {
            assert!(text.contains("paused"), "{text}");
        }
    }
    // The right PIN on a new call is refused while the lock holds.
    let reply = agent
        .call_with(verify_pin(SOURCE, SOURCE_PIN, "call-d"))
        .await;
    assert!(
        reply.response_text().is_some_and(|t| t.contains("paused")),
        "{:?}",
        reply.response_text()
    );
    let locked = events(&reply.audit, &AuditEvent::Handler(PIN_CHECK));
    assert_eq!(locked[0].reason, "locked");
    let refused = agent.call_with(transfer(2_500.0, "call-d")).await;
    assert_eq!(refused.audit[0].event, AuditEvent::CheckRefusal);
}

#[actix_web::test]
async fn audit_records_carry_account_numbers_by_their_last_four_only() {
    let agent = bank().await;
    agent.call("get_balance", json!({"account": SOURCE})).await;
    let reply = agent.call_with(transfer(12.5, CALL_ID)).await;
    assert_eq!(reply.status, 200);
    let record = reply
        .audit
        .iter()
        .find(|r| r.event == AuditEvent::ToolCall)
        .expect("the tool call record");
    let args: &Value = record.arguments.as_ref().expect("arguments");
    assert_eq!(args["from_account"], "******0001");
    assert_eq!(args["to_account"], "******0002");
    assert_eq!(args["amount"], json!(12.5));
    agent
        .call_with(verify_pin(SOURCE, SOURCE_PIN, CALL_ID))
        .await;
    agent
        .call_with(ToolCall::new("delete_account", json!({"account": TARGET})).call_id(CALL_ID))
        .await;
    no_account_or_pin_in(&agent.audit());
    // `Debug` of the argument types masks the same way.
    let transfer = secure_bank::Transfer {
        from_account: secure_bank::AccountNumber(SOURCE.into()),
        to_account: secure_bank::AccountNumber(TARGET.into()),
        amount: 1.0,
    };
    let debug = format!("{transfer:?}");
    assert!(debug.contains("******0001"), "{debug}");
    assert!(
        !debug.contains(SOURCE) && !debug.contains(TARGET),
        "{debug}"
    );
}
