//! The secret-name rule reaches the audit trail: values under keys that name
//! a secret (`otp_code`, `verification_code`, `date_of_birth`, `dob`,
//! `memorable_word`, `security_answer`, ...) are redacted in the audit copy of
//! a tool's arguments, at any depth, while keys about a secret
//! (`pin_attempts`) and plain keys stay readable.

use std::collections::BTreeMap;

use agent_runtime::harness::TestAgent;
use agent_runtime::prelude::*;

/// Takes free-form notes.
#[agent(name = "note-taker")]
struct NoteTaker;

#[agent]
impl NoteTaker {
    /// File a note with free-form details.
    #[tool]
    fn file_note(&self, details: BTreeMap<String, Value>) -> ToolResult {
        ToolResult::new(format!("Filed {} details.", details.len()))
    }
}

const CANARIES: [(&str, &str); 7] = [
    ("otp_code", "otp-Canary-481516"),
    ("verification_code", "verify-Canary-2342"),
    ("date_of_birth", "dob-Canary-1984-07-12"),
    ("dob", "short-dob-Canary"),
    ("memorable_word", "memorable-Canary-word"),
    ("security_answer", "answer-Canary-rex"),
    ("apiKey", "api-Canary-key"),
];

#[actix_web::test]
async fn values_under_secret_names_are_redacted_in_the_audit_record() {
    let agent = TestAgent::start(NoteTaker.builder().prompt_text("You file notes."))
        .await
        .expect("agent starts");
    let mut details: serde_json::Map<String, Value> = CANARIES
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
        .collect();
    details.insert("pin_attempts".into(), json!(2));
    details.insert("topic".into(), json!("billing"));
    details.insert(
        "nested".into(),
        json!({"inner": {"otp_code": "nested-Canary-99", "colour": "green"}}),
    );
    let reply = agent.call("file_note", json!({ "details": details })).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let record = reply
        .audit
        .iter()
        .find(|r| r.event.as_str() == "tool_call")
        .expect("the call is audited");
    let text = record.to_json().to_string();
    assert!(!text.contains("Canary"), "{text}");
    let args = record.arguments.as_ref().expect("arguments recorded");
    for (key, _) in CANARIES {
        assert_eq!(args["details"][key], "[REDACTED]", "{key}");
    }
    assert_eq!(args["details"]["nested"]["inner"]["otp_code"], "[REDACTED]");
    assert_eq!(args["details"]["pin_attempts"], 2);
    assert_eq!(args["details"]["topic"], "billing");
    assert_eq!(args["details"]["nested"]["inner"]["colour"], "green");
}
