//! The emergency_mode example through the real HTTP stack: the operator
//! command withdraws and restores the secure tool at run time, refusals are
//! polite and audited, and ordinary tools keep working.

#[path = "../../../examples/emergency_mode.rs"]
mod example;

use agent_runtime::audit::AuditEvent;
use agent_runtime::harness::{TestAgent, Token, ToolCall, test_config_with, tool_tokens};
use agent_runtime::{Value, json};

use crate::support::assert_valid_swml;
use example::{Pharmacy, switch_for_demo};

/// Types a command on the operator console, which the example reads on a
/// plain thread (its switch is flipped with the blocking form).
fn operator(switch: &agent_runtime::EmergencySwitch, command: &str) -> Option<bool> {
    std::thread::scope(|s| {
        s.spawn(|| switch_for_demo(switch, command))
            .join()
            .expect("the console thread does not panic")
    })
}

const CALL_ID: &str = "pharmacy-call";

/// The functions the SWML document for [`CALL_ID`] offers, checked against
/// the official schema; and the document.
async fn offered(agent: &TestAgent<Pharmacy>) -> (Vec<String>, Value) {
    let reply = agent.swml(Some(CALL_ID)).await;
    assert_eq!(reply.status, 200);
    let doc = reply.json().expect("SWML");
    assert_valid_swml(&doc);
    let names = doc["sections"]["main"][1]["ai"]["SWAIG"]["functions"]
        .as_array()
        .expect("functions")
        .iter()
        .map(|f| f["function"].as_str().expect("a name").to_owned())
        .collect();
    (names, doc)
}

/// Orders a refill with `token` (taken from an earlier SWML document) and
/// returns what the caller hears.
async fn refill(agent: &TestAgent<Pharmacy>, token: &str) -> String {
    let reply = agent
        .call_with(
            ToolCall::new("order_refill", json!({"prescription": "RX-1234567"}))
                .call_id(CALL_ID)
                .token(Token::Exact(token.to_owned())),
        )
        .await;
    assert_eq!(reply.status, 200, "a refusal is spoken, not an HTTP error");
    reply.response_text().expect("a spoken answer")
}

#[actix_web::test]
async fn operator_commands_toggle_secure_tools_at_run_time() {
    let agent = TestAgent::start(example::builder())
        .await
        .expect("agent starts");
    let switch = agent.service().emergency_switch();

    let (names, doc) = offered(&agent).await;
    assert_eq!(names, ["opening_hours", "order_refill"]);
    let token = tool_tokens(&doc)["order_refill"].clone();
    assert!(refill(&agent, &token).await.contains("ordered"));

    assert_eq!(operator(&switch, "  Emergency ON \n"), Some(true));
    assert!(switch.is_on());

    // New SWML leaves the secure tool out; a token minted before is refused.
    assert_eq!(offered(&agent).await.0, ["opening_hours"]);
    let text = refill(&agent, &token).await;
    assert!(
        text.starts_with("I'm sorry") && text.contains("temporarily"),
        "{text}"
    );
    let hours = agent
        .call_with(ToolCall::new("opening_hours", json!({})).call_id(CALL_ID))
        .await;
    assert!(
        hours.response_text().is_some_and(|t| t.contains("8 am")),
        "ordinary tools keep working"
    );

    // Not a command: nothing changes.
    assert_eq!(operator(&switch, "emergency maybe"), None);
    assert!(switch.is_on());

    assert_eq!(operator(&switch, "emergency off"), Some(false));
    assert_eq!(offered(&agent).await.0, ["opening_hours", "order_refill"]);
    assert!(refill(&agent, &token).await.contains("ordered"));

    let refusals: Vec<_> = agent
        .audit()
        .into_iter()
        .filter(|r| r.event == AuditEvent::EmergencyRefusal)
        .collect();
    assert_eq!(refusals.len(), 1);
    assert_eq!(refusals[0].function.as_deref(), Some("order_refill"));
    assert_eq!(refusals[0].call_id.as_deref(), Some(CALL_ID));
}

#[actix_web::test]
async fn starts_withdrawn_with_the_environment_variable() {
    let agent = TestAgent::start(
        example::builder().config(test_config_with(&[("AGENT_EMERGENCY_MODE", "true")])),
    )
    .await
    .expect("agent starts");
    let switch = agent.service().emergency_switch();
    assert!(switch.is_on());
    assert_eq!(offered(&agent).await.0, ["opening_hours"]);
    assert_eq!(operator(&switch, "emergency off"), Some(false));
    assert_eq!(offered(&agent).await.0, ["opening_hours", "order_refill"]);
}
