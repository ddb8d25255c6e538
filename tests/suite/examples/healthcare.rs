//! The healthcare example through the real HTTP stack: no recording, a
//! privacy section, patterns told to the model and enforced, verification
//! success and failure, and no date of birth or SSN digits in any record.

use crate::common;
#[path = "../../../examples/healthcare.rs"]
mod healthcare;

use std::sync::Arc;

use actix_web::test;
use agent_runtime::audit::{AuditEvent, MemoryAuditSink};
use agent_runtime::{Value, json};
use common::*;

const DOB: &str = "1984-07-12";
const SSN4: &str = "6789";

fn service(sink: &MemoryAuditSink) -> agent_runtime::AgentService<healthcare::Clinic> {
    healthcare::builder()
        .config(config(&[]))
        .audit_sink(Arc::new(sink.clone()))
        .build()
        .expect("agent builds")
}

fn body(function: &str, args: Value, caller: &str, global_data: Value) -> Value {
    let mut body = swaig_body(function, args, Some(CALL_ID));
    body["caller_id_num"] = json!(caller);
    body["global_data"] = global_data;
    body
}

fn global_update(result: &Value) -> Option<Value> {
    result["action"]
        .as_array()?
        .iter()
        .find_map(|a| a.get("set_global_data").cloned())
}

macro_rules! swml {
    ($app:expr) => {{
        let (status, _, body) = send($app, post_json("/", &json!({ "call_id": CALL_ID }))).await;
        assert_eq!(status, 200);
        let doc = json(&body);
        assert_valid_swml(&doc);
        doc
    }};
}

#[actix_web::test]
async fn no_recording_a_privacy_section_and_patterns_in_the_schema() {
    let sink = MemoryAuditSink::new();
    let app = test::init_service(app_with(service(&sink))).await;
    let doc = swml!(&app);
    let main = doc["sections"]["main"].as_array().unwrap();
    assert_eq!(main[0], json!({"answer": {}}));
    assert!(
        !doc.to_string().contains("record_call"),
        "the call is not recorded"
    );
    let ai = &main[1]["ai"];
    let pom = ai["prompt"]["pom"].as_array().unwrap();
    let privacy = pom
        .iter()
        .find(|s| s["title"] == "Privacy")
        .expect("privacy section");
    assert!(privacy.to_string().contains("Never repeat a date of birth"));

    let f = ai["SWAIG"]["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["function"] == "verify_patient")
        .unwrap();
    assert!(f["web_hook_url"].as_str().unwrap().contains("__token="));
    let props = &f["parameters"]["properties"];
    assert_eq!(
        props["date_of_birth"]["pattern"],
        "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
    );
    assert_eq!(props["ssn_last_four"]["pattern"], "^[0-9]{4}$");
    assert_eq!(
        f["parameters"]["required"],
        json!(["date_of_birth", "ssn_last_four"])
    );
}

#[actix_web::test]
async fn verification_succeeds_then_unlocks_appointments_for_that_caller_only() {
    let sink = MemoryAuditSink::new();
    let app = test::init_service(app_with(service(&sink))).await;
    let token = tokens(&swml!(&app))["verify_patient"].clone();

    // Before verification: nothing is disclosed.
    let (_, _, res) = send(
        &app,
        post_json(
            "/swaig",
            &body(
                "next_appointment",
                json!({}),
                healthcare::DEMO_NUMBER,
                json!({}),
            ),
        ),
    )
    .await;
    assert!(
        json(&res)["response"]
            .as_str()
            .unwrap()
            .contains("not verified")
    );

    let (status, _, res) = send(
        &app,
        post_json(
            &format!("/swaig?__token={token}"),
            &body(
                "verify_patient",
                json!({"date_of_birth": DOB, "ssn_last_four": SSN4}),
                healthcare::DEMO_NUMBER,
                json!({}),
            ),
        ),
    )
    .await;
    assert_eq!(status, 200);
    let text = String::from_utf8_lossy(&res).to_string();
    assert!(!text.contains(DOB) && !text.contains(SSN4), "{text}");
    let gd = global_update(&json(&res)).unwrap();
    assert_eq!(
        gd,
        json!({"patient_verified": true, "patient_verified_number": healthcare::DEMO_NUMBER})
    );

    // With the platform echoing that global_data back, the same caller is served.
    let (_, _, res) = send(
        &app,
        post_json(
            "/swaig",
            &body(
                "next_appointment",
                json!({}),
                healthcare::DEMO_NUMBER,
                gd.clone(),
            ),
        ),
    )
    .await;
    assert!(
        json(&res)["response"]
            .as_str()
            .unwrap()
            .contains("Dr. Rivera")
    );

    // The same global_data under another caller id discloses nothing.
    let (_, _, res) = send(
        &app,
        post_json(
            "/swaig",
            &body("next_appointment", json!({}), "+15550001111", gd),
        ),
    )
    .await;
    assert!(
        json(&res)["response"]
            .as_str()
            .unwrap()
            .contains("not verified")
    );

    let runtime = sink
        .records()
        .into_iter()
        .find(|r| r.function.as_deref() == Some("verify_patient"))
        .unwrap();
    assert_eq!(runtime.event, AuditEvent::ToolCall);
    assert_eq!(
        runtime.arguments,
        Some(json!({"date_of_birth": "[REDACTED]", "ssn_last_four": "[REDACTED]"}))
    );
}

#[actix_web::test]
async fn wrong_details_fail_without_saying_which_one() {
    let sink = MemoryAuditSink::new();
    let app = test::init_service(app_with(service(&sink))).await;
    let token = tokens(&swml!(&app))["verify_patient"].clone();
    let cases = [
        (healthcare::DEMO_NUMBER, "1984-07-13", SSN4),
        (healthcare::DEMO_NUMBER, DOB, "6780"),
        // The right details from another phone.
        ("+15550001111", DOB, SSN4),
    ];
    let mut responses = Vec::new();
    for (caller, dob, ssn4) in cases {
        let (status, _, res) = send(
            &app,
            post_json(
                &format!("/swaig?__token={token}"),
                &body(
                    "verify_patient",
                    json!({"date_of_birth": dob, "ssn_last_four": ssn4}),
                    caller,
                    json!({}),
                ),
            ),
        )
        .await;
        assert_eq!(status, 200);
        let result = json(&res);
        assert_eq!(
            global_update(&result),
            Some(json!({"patient_verified": false}))
        );
        responses.push(result["response"].clone());
    }
    assert!(
        responses.windows(2).all(|w| w[0] == w[1]),
        "one message for every failure"
    );
    for record in sink.records() {
        let text = record.to_json().to_string();
        assert!(
            !text.contains("1984") && !text.contains("678"),
            "record carries a detail: {text}"
        );
    }
}

#[actix_web::test]
async fn malformed_details_are_refused_before_the_handler_without_echo() {
    let sink = MemoryAuditSink::new();
    let app = test::init_service(app_with(service(&sink))).await;
    let token = tokens(&swml!(&app))["verify_patient"].clone();
    let (status, _, res) = send(
        &app,
        post_json(
            &format!("/swaig?__token={token}"),
            &body(
                "verify_patient",
                json!({"date_of_birth": "July 12 1984", "ssn_last_four": "123-45-6789"}),
                healthcare::DEMO_NUMBER,
                json!({}),
            ),
        ),
    )
    .await;
    assert_eq!(status, 200);
    let text = String::from_utf8_lossy(&res).to_string();
    assert!(text.contains("date_of_birth"), "{text}");
    assert!(
        !text.contains("July") && !text.contains("6789"),
        "values are not echoed: {text}"
    );
    let records = sink.records();
    assert!(
        records
            .iter()
            .any(|r| r.event == AuditEvent::ValidationFailure)
    );
    assert!(!records.iter().any(|r| r.event == AuditEvent::ToolCall));
    let debug = format!("{:?}", healthcare::Clinic::demo());
    assert_eq!(debug, "Clinic { patients: 1 }");
}
