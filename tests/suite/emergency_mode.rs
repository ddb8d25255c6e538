//! Emergency mode: secure tools leave new SWML and are refused at dispatch,
//! switchable at run time; every refusal is audited.

use agent_runtime::audit::AuditEvent;
use agent_runtime::harness::{
    TestAgent, Token, ToolCall, test_config_with, tool_tokens, try_test_config_with,
};
use agent_runtime::{Value, json};

use crate::secure_bank::{self, Bank};
use crate::support::assert_valid_swml;

const CALL_ID: &str = "emergency-call";

fn function_names(doc: &Value) -> Vec<String> {
    doc["sections"]["main"][1]["ai"]["SWAIG"]["functions"]
        .as_array()
        .expect("functions")
        .iter()
        .map(|f| f["function"].as_str().expect("a name").to_owned())
        .collect()
}

async fn swml(agent: &TestAgent<Bank>) -> Value {
    let reply = agent.swml(Some(CALL_ID)).await;
    assert_eq!(reply.status, 200);
    reply.json().expect("SWML")
}

#[actix_web::test]
async fn switch_withdraws_and_restores_secure_tools() {
    let agent = TestAgent::start(secure_bank::builder())
        .await
        .expect("bank starts");
    let switch = agent.service().emergency_switch();

    // Normal operation: a token from SWML lets the secure tool run.
    let doc = swml(&agent).await;
    assert_eq!(
        function_names(&doc),
        [
            "get_balance",
            "verify_pin",
            "transfer_funds",
            "change_password",
            "delete_account"
        ]
    );
    let token = tool_tokens(&doc)["change_password"].clone();
    let call = || {
        ToolCall::new("change_password", json!({}))
            .call_id(CALL_ID)
            .token(Token::Exact(token.clone()))
    };
    let reply = agent.call_with(call()).await;
    assert!(
        reply
            .response_text()
            .is_some_and(|t| t.contains("reset link"))
    );

    // Emergency on: new SWML has no secure tools, a valid token is refused
    // politely and the refusal is audited; normal tools keep working.
    switch.set(true).await.expect("in-process: always written");
    let doc = swml(&agent).await;
    assert_valid_swml(&doc);
    assert_eq!(function_names(&doc), ["get_balance"]);
    assert!(doc["sections"]["main"][1]["ai"]["post_prompt_url"].is_string());
    let reply = agent.call_with(call()).await;
    assert_eq!(reply.status, 200);
    let text = reply.response_text().expect("a spoken refusal");
    assert!(text.contains("temporarily limited"), "{text}");
    let refusal = reply.audit.last().expect("the refusal is audited");
    assert_eq!(refusal.event, AuditEvent::EmergencyRefusal);
    assert_eq!(refusal.function.as_deref(), Some("change_password"));
    assert_eq!(refusal.call_id.as_deref(), Some(CALL_ID));
    let balance = agent
        .call_with(ToolCall::new("get_balance", json!({"account": "1000000001"})).call_id(CALL_ID))
        .await;
    assert!(balance.response_text().is_some_and(|t| t.contains("holds")));

    // Off again: the same token works.
    switch.set(false).await.expect("in-process: always written");
    let reply = agent.call_with(call()).await;
    assert!(
        reply
            .response_text()
            .is_some_and(|t| t.contains("reset link"))
    );
    let tool_calls = agent
        .audit()
        .iter()
        .filter(|r| {
            r.event == AuditEvent::ToolCall && r.function.as_deref() == Some("change_password")
        })
        .count();
    assert_eq!(tool_calls, 2, "the handler ran only outside emergency mode");
}

#[actix_web::test]
async fn environment_variable_starts_in_emergency_mode() {
    let agent = TestAgent::start(
        secure_bank::builder().config(test_config_with(&[("AGENT_EMERGENCY_MODE", "true")])),
    )
    .await
    .expect("bank starts");
    assert!(agent.service().emergency_switch().is_on());
    assert_eq!(function_names(&swml(&agent).await), ["get_balance"]);
    let refused =
        try_test_config_with(&[("AGENT_EMERGENCY_MODE", "maybe")]).expect_err("not a boolean");
    assert_eq!(refused.setting, "AGENT_EMERGENCY_MODE");
}
