//! The payment example through the real HTTP stack: the `pay` action has the
//! shape of docs/protocol.md section 6.4, no tool can take card data, and
//! every documented `pay_result` value is understood.

#[path = "../../../examples/payment.rs"]
mod example;

use agent_runtime::harness::{Reply, TestAgent, Token, ToolCall, test_config};
use agent_runtime::{Value, json};

use crate::support::assert_valid_swml;
use example::{Billing, DEMO_NUMBER};

const CALL_ID: &str = "payment-call";
const CONNECTOR: &str = "https://pay.example.com/connector";

/// The agent and its SWML document for [`CALL_ID`].
async fn setup() -> (TestAgent<Billing>, Value) {
    let agent = TestAgent::start(example::builder_with_connector(CONNECTOR))
        .await
        .expect("agent starts");
    let doc = agent.swml(Some(CALL_ID)).await.json().expect("SWML");
    assert_valid_swml(&doc);
    (agent, doc)
}

/// `function` called by `caller` in [`CALL_ID`], with the token the SWML
/// carries and this `global_data`.
fn tool(function: &str, args: Value, caller: &str, global_data: Value) -> ToolCall {
    ToolCall::new(function, args)
        .call_id(CALL_ID)
        .caller(caller)
        .global_data(global_data)
}

fn says(reply: &Reply, words: &str) -> bool {
    reply.response_text().is_some_and(|t| t.contains(words))
}

/// Every property name in a JSON schema, at any depth.
fn property_names(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get("properties") {
                out.extend(props.keys().cloned());
            }
            map.values().for_each(|v| property_names(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| property_names(v, out)),
        _ => {}
    }
}

#[actix_web::test]
async fn no_tool_can_take_card_data() {
    let (_, doc) = setup().await;
    let functions = doc["sections"]["main"][1]["ai"]["SWAIG"]["functions"]
        .as_array()
        .unwrap()
        .clone();
    let mut names = Vec::new();
    for f in &functions {
        property_names(&f["parameters"], &mut names);
    }
    assert_eq!(names, ["invoice", "pay_result"]);
    for name in &names {
        let n = name.to_ascii_lowercase();
        for banned in ["card", "cvv", "cvc", "expir", "security", "pan", "account"] {
            assert!(!n.contains(banned), "{name} looks like card data");
        }
        assert!(!agent_runtime::redact::is_secret_key(name), "{name}");
    }
    let status = &functions[1]["parameters"]["properties"]["pay_result"];
    assert_eq!(
        status["enum"],
        json!([
            "success",
            "too-many-failed-attempts",
            "payment-connector-error",
            "caller-interrupted-with-star",
            "relay-pay-stop",
            "caller-hung-up",
            "validation-error",
            "internal-error"
        ])
    );
    let prompt = doc["sections"]["main"][1]["ai"]["prompt"].to_string();
    assert!(prompt.contains("Never ask the caller to say a card number"));
}

#[actix_web::test]
async fn collect_payment_returns_the_pay_verb_in_the_protocol_shape() {
    let (agent, _) = setup().await;
    let reply = agent
        .call_with(tool(
            "collect_payment",
            json!({"invoice": "INV-004211"}),
            DEMO_NUMBER,
            json!({}),
        ))
        .await;
    assert_eq!(reply.status, 200);
    let actions = reply.actions();
    assert_eq!(actions.len(), 3);
    assert!(actions[0]["say"].as_str().unwrap().contains("keypad"));
    assert_eq!(
        actions[2],
        json!({"set_global_data": {"payment_invoice": "INV-004211"}})
    );

    let swml = &actions[1]["SWML"];
    let top: Vec<&str> = swml
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(top, ["version", "sections"]);
    assert_eq!(swml["version"], "1.0.0");
    let main = swml["sections"]["main"].as_array().unwrap();
    assert_eq!(main.len(), 2);
    assert_eq!(
        main[0],
        json!({"set": {"ai_response": example::PAY_AI_RESPONSE}})
    );
    let pay = main[1]["pay"].as_object().unwrap();
    let keys: Vec<&str> = pay.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "payment_connector_url",
            "input",
            "payment_method",
            "timeout",
            "max_attempts",
            "security_code",
            "min_postal_code_length",
            "token_type",
            "currency",
            "language",
            "voice",
            "valid_card_types",
            "postal_code",
            "charge_amount",
            "description",
            "parameters"
        ],
        "key order of docs/protocol.md section 6.4"
    );
    assert_eq!(
        Value::Object(pay.clone()),
        json!({
            "payment_connector_url": CONNECTOR,
            "input": "dtmf",
            "payment_method": "credit-card",
            "timeout": "5",
            "max_attempts": "3",
            "security_code": "true",
            "min_postal_code_length": "0",
            "token_type": "reusable",
            "currency": "usd",
            "language": "en-US",
            "voice": "woman",
            "valid_card_types": "visa mastercard amex",
            "postal_code": "true",
            "charge_amount": "42.50",
            "description": "Invoice INV-004211",
            "parameters": [{"name": "invoice", "value": "INV-004211"}]
        })
    );
    // Every scalar is a string on the wire.
    assert!(
        pay.iter()
            .filter(|(k, _)| *k != "parameters")
            .all(|(_, v)| v.is_string())
    );
}

#[actix_web::test]
async fn payment_needs_a_token_and_the_callers_own_invoice() {
    let (agent, _) = setup().await;
    let args = json!({"invoice": "INV-004211"});
    let reply = agent
        .call_with(
            tool("collect_payment", args.clone(), DEMO_NUMBER, json!({})).token(Token::Missing),
        )
        .await;
    assert_eq!(reply.status, 403);

    let reply = agent
        .call_with(tool("collect_payment", args, "+15550001111", json!({})))
        .await;
    assert!(
        reply.actions().is_empty(),
        "no pay verb for someone else's invoice"
    );
    assert!(says(&reply, "no open invoice"), "{}", reply.text());

    // A card number offered as an argument is not a parameter: refused.
    let reply = agent
        .call_with(tool(
            "collect_payment",
            json!({"invoice": "INV-004211", "card_number": "4111111111111111"}),
            DEMO_NUMBER,
            json!({}),
        ))
        .await;
    let text = reply.text();
    assert_eq!(reply.status, 200);
    assert!(!text.contains("4111"), "{text}");
    assert!(reply.actions().is_empty(), "{text}");
}

#[actix_web::test]
async fn every_documented_pay_result_is_handled() {
    let (agent, _) = setup().await;
    let gd = json!({"payment_invoice": "INV-004211"});
    for (value, paid) in [
        ("success", true),
        ("too-many-failed-attempts", false),
        ("payment-connector-error", false),
        ("caller-interrupted-with-star", false),
        ("relay-pay-stop", false),
        ("caller-hung-up", false),
        ("validation-error", false),
        ("internal-error", false),
    ] {
        let reply = agent
            .call_with(tool(
                "payment_status",
                json!({"pay_result": value}),
                DEMO_NUMBER,
                gd.clone(),
            ))
            .await;
        assert_eq!(reply.status, 200);
        assert_eq!(
            reply.actions(),
            [json!({"set_global_data": {"payment_completed": paid}})],
            "{value}"
        );
        let text = reply.response_text().expect("a spoken answer");
        if paid {
            assert!(text.contains("INV-004211 went through"), "{text}");
        } else {
            assert!(!text.contains("went through"), "{value}: {text}");
        }
    }
    let reply = agent
        .call_with(tool(
            "payment_status",
            json!({"pay_result": "paid-in-full"}),
            DEMO_NUMBER,
            gd,
        ))
        .await;
    let text = reply.text();
    assert!(
        text.contains("pay_result") && !text.contains("paid-in-full"),
        "{text}"
    );
    assert!(example::builder().config(test_config()).build().is_ok());
    assert_eq!(example::DEFAULT_CONNECTOR_URL, CONNECTOR);
}
