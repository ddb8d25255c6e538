//! The healthcare example through the real HTTP stack: a recorded call
//! whose recording pauses before the caller gives a date of birth and SSN
//! digits and resumes after every answer of `verify_patient`, a privacy
//! section, patterns told to the model and enforced, verification success
//! and failure kept on the server (not in `global_data`), the handler's own
//! audit events, and no date of birth or SSN digits in any record.

#[path = "../../../examples/healthcare.rs"]
mod example;

use agent_runtime::audit::AuditEvent;
use agent_runtime::harness::{Reply, TestAgent, Token, ToolCall};
use agent_runtime::prelude::Recording;
use agent_runtime::{Value, json};

use crate::support::{action_kinds, assert_valid_swml, recording_control_ids};
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
async fn a_recorded_call_a_privacy_section_and_patterns_in_the_schema() {
    let agent = clinic().await;
    let reply = agent.swml(Some(CALL_ID)).await;
    assert_eq!(reply.status, 200);
    let doc = reply.json().expect("SWML");
    assert_valid_swml(&doc);
    let main = doc["sections"]["main"].as_array().expect("main");
    assert_eq!(main[0], json!({"answer": {}}));
    assert_eq!(
        main[1],
        json!({"record_call": {"format": "mp4", "stereo": true, "control_id": Recording::CONTROL_ID}})
    );
    let ai = &main[2]["ai"];
    let pom = ai["prompt"]["pom"].as_array().expect("a POM prompt");
    let privacy = pom
        .iter()
        .find(|s| s["title"] == "Privacy")
        .expect("privacy section");
    assert!(privacy.to_string().contains("Never repeat a date of birth"));
    assert!(privacy.to_string().contains("this call is recorded"));

    let functions = ai["SWAIG"]["functions"].as_array().expect("functions");
    let names: Vec<&str> = functions
        .iter()
        .filter_map(|f| f["function"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "prepare_verify_patient",
            "verify_patient",
            "next_appointment"
        ]
    );
    for f in &functions[..2] {
        assert!(
            f["web_hook_url"]
                .as_str()
                .is_some_and(|u| u.contains("__token=")),
            "{f}"
        );
    }
    let f = &functions[1];
    assert!(
        f["description"]
            .as_str()
            .is_some_and(|d| d.contains("call prepare_verify_patient")),
        "{f}"
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

    // Recording is disclosed, so the production checklist lets it pass.
    let item = agent
        .service()
        .checklist()
        .items
        .iter()
        .find(|i| i.name == "recording")
        .expect("a recording item")
        .clone();
    assert!(item.passed(), "{item}");
}

/// The kinds of `reply`'s actions, after checking that every recording verb
/// among them names the recording the agent started.
fn kinds(reply: &Reply) -> Vec<String> {
    let actions = reply.actions();
    for id in recording_control_ids(&actions) {
        assert_eq!(
            id.as_deref(),
            Some(Recording::CONTROL_ID),
            "{}",
            reply.text()
        );
    }
    action_kinds(&actions)
}

#[actix_web::test]
async fn the_recording_pauses_before_the_details_and_every_answer_resumes_it_last() {
    let agent = clinic().await;
    let pause = call(
        &agent,
        "prepare_verify_patient",
        json!({}),
        DEMO_NUMBER,
        json!({}),
    )
    .await;
    assert_eq!(pause.status, 200);
    assert_eq!(kinds(&pause), ["SWML:stop_record_call"]);
    assert!(says(&pause, "recording is paused"), "{}", pause.text());

    // A match: the server-side fact is kept and the handler's event is
    // written, and the answer resumes the recording.
    let verified = verify(&agent, DEMO_NUMBER, DOB, SSN4).await;
    assert!(says(&verified, "is verified"), "{}", verified.text());
    assert_eq!(kinds(&verified), ["SWML:record_call"]);
    assert_eq!(verified.global_data_update(), None);

    // A mismatch (the handler refuses): resumed too.
    let refused = verify(&agent, DEMO_NUMBER, "1984-07-13", SSN4).await;
    assert!(says(&refused, "do not match"), "{}", refused.text());
    assert_eq!(kinds(&refused), ["SWML:record_call"]);

    // No caller id (the handler refuses before comparing): resumed.
    let anonymous = agent
        .call_with(
            ToolCall::new(
                "verify_patient",
                json!({"date_of_birth": DOB, "ssn_last_four": SSN4}),
            )
            .call_id(CALL_ID)
            .no_caller(),
        )
        .await;
    assert!(says(&anonymous, "cannot verify"), "{}", anonymous.text());
    assert_eq!(kinds(&anonymous), ["SWML:record_call"]);

    // A validation failure (refused before the handler): resumed.
    let malformed = verify(&agent, DEMO_NUMBER, "July 12 1984", SSN4).await;
    assert_eq!(malformed.audit[0].event, AuditEvent::ValidationFailure);
    assert_eq!(kinds(&malformed), ["SWML:record_call"]);

    assert_eq!(
        verifications(&agent),
        [
            ("ok", "verified".to_owned()),
            ("refused", "no_match".to_owned()),
            ("refused", "no_caller_id".to_owned()),
        ],
        "the handler's own events are kept beside the recording actions"
    );

    // The verified caller's appointment: a tool that takes no secret, so its
    // answers (served, or refused by its guard) leave the recording alone.
    let served = call(
        &agent,
        "next_appointment",
        json!({}),
        DEMO_NUMBER,
        json!({}),
    )
    .await;
    assert!(says(&served, "Dr. Rivera"), "{}", served.text());
    assert!(kinds(&served).is_empty(), "{}", served.text());
    let guarded = call(
        &agent,
        "next_appointment",
        json!({}),
        "+15550001111",
        json!({}),
    )
    .await;
    assert_eq!(guarded.audit[0].event, AuditEvent::GuardRefusal);
    assert!(kinds(&guarded).is_empty(), "{}", guarded.text());

    // A refused token is a 403 with its one fixed body: no SWAIG body, so no
    // action (the platform has nothing to run).
    let forged = agent
        .call_with(
            ToolCall::new(
                "verify_patient",
                json!({"date_of_birth": DOB, "ssn_last_four": SSN4}),
            )
            .call_id(CALL_ID)
            .caller(DEMO_NUMBER)
            .token(Token::Missing),
        )
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(forged.text(), r#"{"error":"forbidden"}"#);
    assert_eq!(forged.audit[0].event, AuditEvent::TokenFailure);

    // In emergency mode both are withdrawn; a call that still arrives is
    // refused politely, and the refusals pause and resume all the same.
    let switch = agent.service().emergency_switch();
    switch.set(true).await.expect("in-process: always written");
    let pause = call(
        &agent,
        "prepare_verify_patient",
        json!({}),
        DEMO_NUMBER,
        json!({}),
    )
    .await;
    assert_eq!(pause.audit[0].event, AuditEvent::EmergencyRefusal);
    assert_eq!(kinds(&pause), ["SWML:stop_record_call"]);
    let withdrawn = verify(&agent, DEMO_NUMBER, DOB, SSN4).await;
    assert_eq!(withdrawn.audit[0].event, AuditEvent::EmergencyRefusal);
    assert_eq!(kinds(&withdrawn), ["SWML:record_call"]);
    assert_eq!(verifications(&agent).len(), 3, "the handler did not run");
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
