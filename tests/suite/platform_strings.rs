//! Platform strings are bounded before they reach a limiter, a guard or an
//! audit record: an oversized or malformed caller number or name is a 400
//! that echoes nothing, audited without the string itself, and changing the caller
//! number per request does not escape the per-caller limit (each accepted
//! number is one caller, and numbers are short).

use agent_runtime::harness::{TestAgent, ToolCall};
use agent_runtime::json;

use crate::secure_bank;

#[actix_web::test]
async fn an_oversized_or_malformed_caller_id_is_refused_without_a_trace() {
    let agent = TestAgent::start(secure_bank::builder())
        .await
        .expect("bank starts");
    let huge = format!("+1{}", "5".repeat(900 * 1024));
    for (caller, body) in [
        (huge.as_str(), r#"{"error":"invalid caller_id_num"}"#),
        ("+1555<script>", r#"{"error":"invalid caller_id_num"}"#),
        (
            "sip:mallory@example.com",
            r#"{"error":"invalid caller_id_num"}"#,
        ),
    ] {
        let reply = agent
            .call_with(
                ToolCall::new("get_balance", json!({"account": "1000000001"})).caller(caller),
            )
            .await;
        assert_eq!(reply.status, 400, "{}", &caller[..caller.len().min(30)]);
        assert_eq!(reply.text(), body);
        let [record] = reply.audit.as_slice() else {
            panic!("one record: {:?}", reply.audit);
        };
        assert_eq!(record.reason, "invalid_caller_number");
        assert_eq!(record.caller, None, "the record does not carry the string");
        assert!(!crate::support::record_text(record).contains("5555555"));
    }
}

#[actix_web::test]
async fn a_caller_name_with_control_characters_is_refused() {
    let agent = TestAgent::start(secure_bank::builder())
        .await
        .expect("bank starts");
    let call_id = "name-call";
    let reply = agent
        .post(
            "/swaig",
            &json!({
                "function": "get_balance",
                "call_id": call_id,
                "caller_id_name": "Jane\u{1b}[2J Caller",
                "argument": {"parsed": [{"account": "1000000001"}]},
            }),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.text(), r#"{"error":"invalid caller_id_name"}"#);
}

#[actix_web::test]
async fn valid_numbers_in_their_usual_spellings_are_served() {
    let agent = TestAgent::start(secure_bank::builder())
        .await
        .expect("bank starts");
    for caller in ["+15551230000", "+1 (555) 123-0000", "anonymous"] {
        let reply = agent
            .call_with(
                ToolCall::new("get_balance", json!({"account": "1000000001"})).caller(caller),
            )
            .await;
        assert_eq!(reply.status, 200, "{caller}: {}", reply.text());
        assert_eq!(reply.audit[0].caller.as_deref(), Some(caller));
    }
}
