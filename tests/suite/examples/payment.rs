//! The payment example through the real HTTP stack: the `pay` action has the
//! shape of PROTOCOL.md section 5.3, no tool can take card data, and every
//! documented `pay_result` value is understood.

use crate::common;
#[path = "../../../examples/payment.rs"]
mod payment;

use actix_web::test;
use agent_runtime::{Value, json};
use common::*;

const CONNECTOR: &str = "https://pay.example.com/connector";

macro_rules! setup {
    () => {{
        let svc = payment::builder_with_connector(CONNECTOR)
            .config(config(&[]))
            .build()
            .expect("agent builds");
        let app = test::init_service(app_with(svc)).await;
        let (_, _, doc) = send(&app, post_json("/", &json!({ "call_id": CALL_ID }))).await;
        let doc = json(&doc);
        assert_valid_swml(&doc);
        (app, doc)
    }};
}

fn body(function: &str, args: Value, caller: &str, global_data: Value) -> Value {
    let mut body = swaig_body(function, args, Some(CALL_ID));
    body["caller_id_num"] = json!(caller);
    body["global_data"] = global_data;
    body
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
    let (_, doc) = setup!();
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
    let (app, doc) = setup!();
    let token = tokens(&doc)["collect_payment"].clone();
    let (status, _, res) = send(
        &app,
        post_json(
            &format!("/swaig?__token={token}"),
            &body(
                "collect_payment",
                json!({"invoice": "INV-004211"}),
                payment::DEMO_NUMBER,
                json!({}),
            ),
        ),
    )
    .await;
    assert_eq!(status, 200);
    let result = json(&res);
    let actions = result["action"].as_array().unwrap();
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
        json!({"set": {"ai_response": payment::PAY_AI_RESPONSE}})
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
        "key order of PROTOCOL.md 5.3"
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
    let (app, doc) = setup!();
    let args = json!({"invoice": "INV-004211"});
    let (status, _, _) = send(
        &app,
        post_json(
            "/swaig",
            &body(
                "collect_payment",
                args.clone(),
                payment::DEMO_NUMBER,
                json!({}),
            ),
        ),
    )
    .await;
    assert_eq!(status, 403);

    let token = tokens(&doc)["collect_payment"].clone();
    let uri = format!("/swaig?__token={token}");
    let (_, _, res) = send(
        &app,
        post_json(
            &uri,
            &body("collect_payment", args, "+15550001111", json!({})),
        ),
    )
    .await;
    let result = json(&res);
    assert!(
        result["action"].is_null(),
        "no pay verb for someone else's invoice"
    );
    assert!(
        result["response"]
            .as_str()
            .unwrap()
            .contains("no open invoice")
    );

    // A card number offered as an argument is not a parameter: refused.
    let (_, _, res) = send(
        &app,
        post_json(
            &uri,
            &body(
                "collect_payment",
                json!({"invoice": "INV-004211", "card_number": "4111111111111111"}),
                payment::DEMO_NUMBER,
                json!({}),
            ),
        ),
    )
    .await;
    let text = String::from_utf8_lossy(&res).to_string();
    assert!(!text.contains("4111"), "{text}");
    assert!(json(&res)["action"].is_null(), "{text}");
}

#[actix_web::test]
async fn every_documented_pay_result_is_handled() {
    let (app, _) = setup!();
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
        let (status, _, res) = send(
            &app,
            post_json(
                "/swaig",
                &body(
                    "payment_status",
                    json!({"pay_result": value}),
                    payment::DEMO_NUMBER,
                    gd.clone(),
                ),
            ),
        )
        .await;
        assert_eq!(status, 200);
        let result = json(&res);
        assert_eq!(
            result["action"][0],
            json!({"set_global_data": {"payment_completed": paid}}),
            "{value}"
        );
        let text = result["response"].as_str().unwrap();
        if paid {
            assert!(text.contains("INV-004211 went through"), "{text}");
        } else {
            assert!(!text.contains("went through"), "{value}: {text}");
        }
    }
    let (_, _, res) = send(
        &app,
        post_json(
            "/swaig",
            &body(
                "payment_status",
                json!({"pay_result": "paid-in-full"}),
                payment::DEMO_NUMBER,
                gd,
            ),
        ),
    )
    .await;
    let text = String::from_utf8_lossy(&res).to_string();
    assert!(
        text.contains("pay_result") && !text.contains("paid-in-full"),
        "{text}"
    );
    assert!(payment::builder().config(config(&[])).build().is_ok());
    assert_eq!(payment::DEFAULT_CONNECTOR_URL, CONNECTOR);
}
