//! The healthcare example through the real HTTP stack: no recording, a
//! privacy section, patterns told to the model and enforced, verification
//! success and failure kept on the server (not in `global_data`), the
//! handler's own audit events, and no date of birth or SSN digits in any
//! record.

#[path = "../../../examples/healthcare.rs"]
mod example;

use agent_runtime::audit::AuditEvent;
use agent_runtime::harness::{Reply, TestAgent, ToolCall};
use agent_runtime::{Value, json};

use crate::support::assert_valid_swml;
use example::{Clinic, DEMO_NUMBER, PATIENT_VERIFICATION};

const CALL_ID: &str = "clinic-call";
const DOB: &str = "1984-07-12";
const SSN4: &str = "6789";

async fn clinic() -> TestAgent<Clinic> {
    TestAgent::start(example::builder())
        .await
        .expect("agent starts")
}

/// `function` called by `caller` in [`CALL_ID`] (with the token the SWML
/// carries when the tool is secure), the platform sending `global_data`
/// back.
async fn call(
    agent: &TestAgent<Clinic>,
    function: &str,
    args: Value,
    caller: &str,
    global_data: Value,
) -> Reply {
    agent
        .call_with(
            ToolCall::new(function, args)
                .call_id(CALL_ID)
                .caller(caller)
                .global_data(global_data),
        )
        .await
}

/// The handler's `patient_verification` events so far: (outcome, reason).
fn verifications(agent: &TestAgent<Clinic>) -> Vec<(&'static str, String)> {
    agent
        .audit()
        .into_iter()
        .filter(|r| r.event == AuditEvent::Handler(PATIENT_VERIFICATION))
        .map(|r| (r.outcome, r.reason))
        .collect()
}

async fn verify(agent: &TestAgent<Clinic>, caller: &str, dob: &str, ssn4: &str) -> Reply {
    let args = json!({"date_of_birth": dob, "ssn_last_four": ssn4});
    call(agent, "verify_patient", args, caller, json!({})).await
}

fn says(reply: &Reply, words: &str) -> bool {
    reply.response_text().is_some_and(|t| t.contains(words))
}

#[actix_web::test]
async fn no_recording_a_privacy_section_and_patterns_in_the_schema() {
    let agent = clinic().await;
    let reply = agent.swml(Some(CALL_ID)).await;
    assert_eq!(reply.status, 200);
    let doc = reply.json().expect("SWML");
    assert_valid_swml(&doc);
    let main = doc["sections"]["main"].as_array().expect("main");
    assert_eq!(main[0], json!({"answer": {}}));
    assert!(
        !doc.to_string().contains("record_call"),
        "the call is not recorded"
    );
    let ai = &main[1]["ai"];
    let pom = ai["prompt"]["pom"].as_array().expect("a POM prompt");
    let privacy = pom
        .iter()
        .find(|s| s["title"] == "Privacy")
        .expect("privacy section");
    assert!(privacy.to_string().contains("Never repeat a date of birth"));

    let f = ai["SWAIG"]["functions"]
        .as_array()
        .expect("functions")
        .iter()
        .find(|f| f["function"] == "verify_patient")
        .expect("verify_patient");
    assert!(
        f["web_hook_url"]
            .as_str()
            .is_some_and(|u| u.contains("__token="))
    );
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
    let agent = clinic().await;

    // Before verification: nothing is disclosed.
    let reply = call(
        &agent,
        "next_appointment",
        json!({}),
        DEMO_NUMBER,
        json!({}),
    )
    .await;
    assert!(says(&reply, "not verified"), "{}", reply.text());

    // A client writing the old verification flags into global_data is not
    // believed.
    let forged = json!({"patient_verified": true, "patient_verified_number": DEMO_NUMBER});
    let reply = call(&agent, "next_appointment", json!({}), DEMO_NUMBER, forged).await;
    assert!(says(&reply, "not verified"), "{}", reply.text());

    let reply = verify(&agent, DEMO_NUMBER, DOB, SSN4).await;
    assert_eq!(reply.status, 200);
    let text = reply.text();
    assert!(!text.contains(DOB) && !text.contains(SSN4), "{text}");
    assert_eq!(
        reply.global_data_update(),
        None,
        "verification stays on the server"
    );

    // The same caller in the same call is served.
    let reply = call(
        &agent,
        "next_appointment",
        json!({}),
        DEMO_NUMBER,
        json!({}),
    )
    .await;
    assert!(says(&reply, "Dr. Rivera"), "{}", reply.text());

    // Another caller id in the same call is not.
    let reply = call(
        &agent,
        "next_appointment",
        json!({}),
        "+15550001111",
        json!({}),
    )
    .await;
    assert!(says(&reply, "not verified"), "{}", reply.text());
    assert_eq!(
        verifications(&agent),
        [("ok", "verified".to_owned())],
        "the handler records the outcome"
    );

    let runtime = agent
        .audit()
        .into_iter()
        .find(|r| {
            r.event == AuditEvent::ToolCall && r.function.as_deref() == Some("verify_patient")
        })
        .expect("the verification is audited");
    assert_eq!(
        runtime.arguments,
        Some(json!({"date_of_birth": "[REDACTED]", "ssn_last_four": "[REDACTED]"}))
    );
}

#[actix_web::test]
async fn wrong_details_fail_without_saying_which_one() {
    let agent = clinic().await;
    let cases = [
        (DEMO_NUMBER, "1984-07-13", SSN4),
        (DEMO_NUMBER, DOB, "6780"),
        // The right details from another phone.
        ("+15550001111", DOB, SSN4),
    ];
    let mut responses = Vec::new();
    for (caller, dob, ssn4) in cases {
        let reply = verify(&agent, caller, dob, ssn4).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.global_data_update(), None);
        responses.push(reply.response_text());
    }
    // One event per failure, none saying which detail was wrong.
    assert_eq!(
        verifications(&agent),
        vec![("refused", "no_match".to_owned()); 3]
    );
    assert!(
        responses.windows(2).all(|w| w[0] == w[1]),
        "one message for every failure"
    );
    for record in agent.audit() {
        // The fields a detail could reach (timestamps and durations are
        // numbers that may contain these digits by chance).
        let text = format!(
            "{} {} {} {:?}",
            record.reason,
            record
                .arguments
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            record
                .details
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            record.caller
        );
        assert!(
            !text.contains("1984") && !text.contains("678"),
            "record carries a detail: {text}"
        );
    }
}

#[actix_web::test]
async fn malformed_details_are_refused_before_the_handler_without_echo() {
    let agent = clinic().await;
    let reply = verify(&agent, DEMO_NUMBER, "July 12 1984", "123-45-6789").await;
    assert_eq!(reply.status, 200);
    let text = reply.text();
    assert!(text.contains("date_of_birth"), "{text}");
    assert!(
        !text.contains("July") && !text.contains("6789"),
        "values are not echoed: {text}"
    );
    let records = agent.audit();
    assert!(
        records
            .iter()
            .any(|r| r.event == AuditEvent::ValidationFailure)
    );
    assert!(!records.iter().any(|r| r.event == AuditEvent::ToolCall));
    let debug = format!("{:?}", Clinic::demo());
    assert_eq!(debug, "Clinic { patients: 1 }");
}
