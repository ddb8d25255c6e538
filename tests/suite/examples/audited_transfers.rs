//! The audited_transfers example through the real HTTP stack: responses,
//! journal and every audit record name accounts by their last four digits
//! only, while the audit trail still says who moved how much.

#[path = "../../../examples/audited_transfers.rs"]
mod example;

use agent_runtime::audit::AuditEvent;
use agent_runtime::harness::{TestAgent, Token, ToolCall};
use agent_runtime::json;

use crate::support::assert_valid_swml;
use example::{DEMO_NUMBER, Transfers};

const CALL_ID: &str = "transfers-call";
const FROM: &str = "1000000001";
const TO: &str = "1000000002";
const OTHER: &str = "2000000003";

async fn transfers() -> TestAgent<Transfers> {
    TestAgent::start(example::builder())
        .await
        .expect("agent starts")
}

/// A transfer by the demo customer in [`CALL_ID`], with the token the SWML
/// carries.
fn transfer(from: &str, to: &str, amount: f64) -> ToolCall {
    ToolCall::new(
        "transfer_funds",
        json!({"from_account": from, "to_account": to, "amount": amount}),
    )
    .call_id(CALL_ID)
    .caller(DEMO_NUMBER)
}

/// A token for `transfer_funds` in [`CALL_ID`], minted by the agent's signer.
fn minted_token(agent: &TestAgent<Transfers>) -> Token {
    Token::Exact(agent.service().signer().mint("transfer_funds", CALL_ID))
}

fn assert_no_full_numbers(text: &str) {
    for n in [FROM, TO, OTHER] {
        assert!(!text.contains(n), "full account number in: {text}");
    }
}

#[actix_web::test]
async fn transfers_are_audited_with_last_four_digits_only() {
    let agent = transfers().await;
    let doc = agent.swml(Some(CALL_ID)).await.json().expect("SWML");
    assert_valid_swml(&doc);

    let mut responses = Vec::new();
    for (from, to, amount) in [(FROM, TO, 125.5), (FROM, OTHER, 10.0), (TO, FROM, 5000.0)] {
        let reply = agent.call_with(transfer(from, to, amount)).await;
        assert_eq!(reply.status, 200);
        assert_no_full_numbers(&reply.text());
        responses.push(reply);
    }
    // Done, refused (not the caller's account), refused (funds).
    assert_eq!(
        responses[0].response_text().as_deref(),
        Some(
            "Transferred 125.50 dollars from the account ending in 0001 to the account ending in 0002."
        )
    );
    assert_eq!(
        responses[0].actions().first(),
        Some(
            &json!({"set_global_data": {"last_transfer": {"from": "0001", "to": "0002", "cents": 12550}}})
        )
    );
    assert!(
        responses[1]
            .response_text()
            .is_some_and(|t| t.contains("ending in 0001 and 0003"))
    );
    assert!(
        responses[2]
            .response_text()
            .is_some_and(|t| t.contains("not have enough funds"))
    );

    let listed = agent
        .call_with(ToolCall::new("transfers_this_call", json!({})).call_id(CALL_ID))
        .await;
    assert_eq!(
        listed.response_text().as_deref(),
        Some("Transfers on this call: 125.50 dollars from ...0001 to ...0002.")
    );

    let records = agent.audit();
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
        assert_eq!(r.caller.as_deref(), Some(DEMO_NUMBER));
        let args = r.arguments.as_ref().expect("the arguments are recorded");
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
    let demo = Transfers::demo();
    assert!(demo.journal().is_empty());
    assert_eq!(example::last_four(FROM), "0001");
    assert_eq!(example::last_four("12"), "12");

    let agent = transfers().await;
    let reply = agent
        .call_with(transfer(FROM, TO, 1.0).token(minted_token(&agent)))
        .await;
    assert!(
        reply
            .response_text()
            .is_some_and(|t| t.starts_with("Transferred"))
    );
    let debug = format!("{:?}", agent.service());
    assert_no_full_numbers(&debug);
}

#[actix_web::test]
async fn malformed_account_numbers_are_refused_without_echo_or_record() {
    let agent = transfers().await;
    let reply = agent
        .call_with(transfer("10000000019999", TO, 1.0).token(minted_token(&agent)))
        .await;
    assert_eq!(reply.status, 200);
    let text = reply.text();
    assert!(text.contains("from_account"), "{text}");
    assert!(!text.contains("10000000019999"), "{text}");
    let records = agent.audit();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].event, AuditEvent::ValidationFailure);
    assert_eq!(records[0].arguments, None);
}
