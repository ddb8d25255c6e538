//! The pin_verification example through the real HTTP stack: a hashed PIN
//! compared for the platform's caller id, failures counted per number in the
//! state store (across calls: a redial does not reset them), the third
//! failure locks the number and hangs up, the verification is a server-side
//! fact that `global_data` cannot forge, no record or response carries
//! the PIN, and the call recording is paused before the caller says it and
//! resumed by every answer of `verify_pin`.

#[path = "../../../examples/pin_verification.rs"]
mod example;

use std::sync::Arc;

use agent_runtime::audit::{AuditEvent, MemoryAuditSink};
use agent_runtime::harness::{Reply, TestAgent, Token, ToolCall, test_config};
use agent_runtime::prelude::Recording;
use agent_runtime::{Value, json};

use crate::support::{action_kinds, assert_valid_swml, recording_control_ids};
use example::{DEMO_NUMBER, PIN_CHECK, PinDesk};

const CALL_ID: &str = "pin-call";
const PIN: &str = "4931";

/// The desk, its handler's own audit records and the runtime's in one sink.
async fn desk() -> TestAgent<PinDesk> {
    let sink = MemoryAuditSink::new();
    let service = example::builder_with_audit(vec![Arc::new(sink.clone())])
        .config(test_config())
        .build()
        .expect("agent builds");
    TestAgent::from_service(service, sink).await
}

/// `verify_pin` with `pin` from `caller`, the platform sending `global_data`
/// back, with the token the SWML carries.
fn verify(pin: &str, caller: &str, global_data: Value) -> ToolCall {
    ToolCall::new("verify_pin", json!({ "pin": pin }))
        .call_id(CALL_ID)
        .caller(caller)
        .global_data(global_data)
}

fn hangs_up(reply: &Reply) -> bool {
    reply.actions().contains(&json!({"hangup": true}))
}

fn no_pin_anywhere(agent: &TestAgent<PinDesk>, pins: &[&str]) {
    for record in agent.audit() {
        let text = crate::support::record_text(&record);
        for pin in pins {
            assert!(!text.contains(pin), "record carries a PIN: {text}");
        }
    }
}

#[actix_web::test]
async fn swml_offers_verify_pin_as_a_secure_tool_with_a_pattern() {
    let agent = desk().await;
    let reply = agent.swml(Some(CALL_ID)).await;
    assert_eq!(reply.status, 200);
    let doc = reply.json().expect("SWML");
    assert_valid_swml(&doc);
    let ai = &doc["sections"]["main"][2]["ai"];
    let f = &ai["SWAIG"]["functions"][1];
    assert_eq!(f["function"], "verify_pin");
    assert!(
        f["web_hook_url"]
            .as_str()
            .is_some_and(|u| u.contains("__token="))
    );
    let pin = &f["parameters"]["properties"]["pin"];
    assert_eq!(pin["type"], "string");
    assert_eq!(pin["pattern"], "^[0-9]{4,8}$");
    assert!(
        pin["description"]
            .as_str()
            .is_some_and(|d| d.contains("PIN"))
    );
    let prompt = ai["prompt"].to_string();
    assert!(prompt.contains("Never repeat"), "{prompt}");
}

#[actix_web::test]
async fn correct_pin_verifies_and_is_never_recorded() {
    let agent = desk().await;
    let reply = agent.call_with(verify(PIN, DEMO_NUMBER, json!({}))).await;
    assert_eq!(reply.status, 200);
    let text = reply.text();
    assert!(!text.contains(PIN), "{text}");
    assert!(reply.response_text().is_some_and(|t| t.contains("correct")));
    assert_eq!(
        reply.global_data_update(),
        None,
        "nothing to forge is sent back"
    );
    assert!(!hangs_up(&reply));

    let runtime = reply
        .audit
        .iter()
        .find(|r| r.event == AuditEvent::ToolCall && r.arguments.is_some())
        .expect("the runtime audits the call");
    assert_eq!(runtime.outcome, "ok");
    assert_eq!(runtime.arguments, Some(json!({"pin": "[REDACTED]"})));
    let check = reply
        .audit
        .iter()
        .find(|r| r.event == AuditEvent::Handler(PIN_CHECK))
        .expect("the handler records the outcome");
    assert_eq!(
        (check.outcome, check.reason.as_str()),
        ("ok", "pin_verified")
    );
    // The runtime fills in who and where: the call, the caller, the tool.
    assert_eq!(check.caller.as_deref(), Some(DEMO_NUMBER));
    assert_eq!(check.call_id.as_deref(), Some(CALL_ID));
    assert_eq!(check.function.as_deref(), Some("verify_pin"));
    no_pin_anywhere(&agent, &[PIN]);
}

#[actix_web::test]
async fn three_failures_across_redials_lock_the_number_and_each_is_audited() {
    let agent = desk().await;
    let wrong = ["1111", "2222", "3333"];
    // Two failures on one call, the third after hanging up and calling
    // again: the count follows the number, not the call.
    for (i, pin) in wrong.iter().enumerate() {
        let call_id = if i < 2 { "first-call" } else { "redial" };
        let reply = agent
            .call_with(verify(pin, DEMO_NUMBER, json!({})).call_id(call_id))
            .await;
        assert_eq!(reply.status, 200);
        let response = reply.response_text().expect("a spoken answer");
        assert!(!response.contains(pin), "{response}");
        if i < 2 {
            assert!(!hangs_up(&reply), "attempt {i}");
            assert!(response.contains("not correct"), "{response}");
            assert!(
                response.contains(&format!("{} attempt", 2 - i)),
                "{response}"
            );
        } else {
            assert!(hangs_up(&reply), "the third failure ends the call");
            assert!(reply.actions().iter().any(|a| a.get("say").is_some()));
        }
    }

    // Even the right PIN, on yet another call, is refused while locked; the
    // platform's global_data claiming otherwise changes nothing.
    let reply = agent
        .call_with(
            verify(
                PIN,
                DEMO_NUMBER,
                json!({"pin_attempts": 0, "pin_verified": true}),
            )
            .call_id("third-call"),
        )
        .await;
    assert!(hangs_up(&reply));
    assert!(reply.response_text().is_some_and(|t| t.contains("locked")));
    let summary = agent
        .call_with(ToolCall::new("account_summary", json!({})).call_id("third-call"))
        .await;
    assert!(
        summary
            .response_text()
            .is_some_and(|t| t.contains("verify their PIN")),
        "{}",
        summary.text()
    );

    let records = agent.audit();
    let runtime_calls = records
        .iter()
        .filter(|r| {
            r.event == AuditEvent::ToolCall
                && r.arguments.is_some()
                && r.function.as_deref() == Some("verify_pin")
        })
        .count();
    assert_eq!(
        runtime_calls, 4,
        "every attempt is a runtime tool_call record"
    );
    let checks: Vec<(&str, &str, Option<&Value>)> = records
        .iter()
        .filter(|r| r.event == AuditEvent::Handler(PIN_CHECK))
        .map(|r| {
            let attempt = r.details.as_ref().and_then(|d| d.get("attempt"));
            (r.outcome, r.reason.as_str(), attempt)
        })
        .collect();
    let (one, two, three) = (json!(1), json!(2), json!(3));
    assert_eq!(
        checks,
        [
            ("refused", "pin_mismatch", Some(&one)),
            ("refused", "pin_mismatch", Some(&two)),
            ("refused", "pin_mismatch", Some(&three)),
            ("refused", "locked", None),
        ]
    );
    no_pin_anywhere(&agent, &[PIN, "1111", "2222", "3333"]);
}

#[actix_web::test]
async fn the_account_summary_needs_a_verification_on_the_server_not_in_global_data() {
    let agent = desk().await;
    // global_data claiming a verification does not open the tool.
    let forged = agent
        .call_with(
            ToolCall::new("account_summary", json!({}))
                .call_id(CALL_ID)
                .caller(DEMO_NUMBER)
                .global_data(json!({"pin_verified": true, "pin_verified_number": DEMO_NUMBER})),
        )
        .await;
    assert!(
        forged
            .response_text()
            .is_some_and(|t| t.contains("verify their PIN"))
    );
    assert_eq!(forged.audit[0].reason, "not_verified");
    // After the PIN, on the same call, it opens; on another call it does not.
    let ok = agent.call_with(verify(PIN, DEMO_NUMBER, json!({}))).await;
    assert!(ok.response_text().is_some_and(|t| t.contains("correct")));
    let summary = agent
        .call_with(
            ToolCall::new("account_summary", json!({}))
                .call_id(CALL_ID)
                .caller(DEMO_NUMBER),
        )
        .await;
    assert!(
        summary
            .response_text()
            .is_some_and(|t| t.contains("1,204.17")),
        "{}",
        summary.text()
    );
    let other_call = agent
        .call_with(
            ToolCall::new("account_summary", json!({}))
                .call_id("another-call")
                .caller(DEMO_NUMBER),
        )
        .await;
    assert!(
        other_call
            .response_text()
            .is_some_and(|t| t.contains("verify their PIN"))
    );
    // And a verification belongs to the number that earned it.
    let other_number = agent
        .call_with(
            ToolCall::new("account_summary", json!({}))
                .call_id(CALL_ID)
                .caller("+15559998888"),
        )
        .await;
    assert!(
        other_number
            .response_text()
            .is_some_and(|t| t.contains("verify their PIN"))
    );
}

#[actix_web::test]
async fn identity_is_the_platform_caller_id() {
    let agent = desk().await;
    // The demo PIN from another phone is not the demo customer's PIN.
    let reply = agent
        .call_with(verify(PIN, "+15559998888", json!({})))
        .await;
    assert!(
        reply
            .response_text()
            .is_some_and(|t| t.contains("not correct")),
        "{}",
        reply.text()
    );

    // No caller id: nothing is checked.
    let reply = agent
        .call_with(verify(PIN, DEMO_NUMBER, json!({})).no_caller())
        .await;
    assert!(reply.global_data_update().is_none());
    assert!(
        reply
            .response_text()
            .is_some_and(|t| t.contains("cannot see the number"))
    );
}

#[actix_web::test]
async fn without_a_token_or_with_a_malformed_pin_the_handler_never_runs() {
    let agent = desk().await;
    let reply = agent
        .call_with(verify(PIN, DEMO_NUMBER, json!({})).token(Token::Missing))
        .await;
    assert_eq!(reply.status, 403);

    let reply = agent
        .call_with(verify("49x1-SECRETISH", DEMO_NUMBER, json!({})))
        .await;
    assert_eq!(reply.status, 200);
    let text = reply.text();
    assert!(text.contains("pin"), "{text}");
    assert!(!text.contains("SECRETISH"), "{text}");

    let records = agent.audit();
    assert!(records.iter().any(|r| r.event == AuditEvent::TokenFailure));
    assert!(
        records
            .iter()
            .any(|r| r.event == AuditEvent::ValidationFailure)
    );
    assert!(
        !records.iter().any(|r| r.event == AuditEvent::ToolCall),
        "the handler never ran"
    );
    no_pin_anywhere(&agent, &["SECRETISH"]);
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
async fn the_recording_pauses_before_the_pin_and_every_answer_resumes_it_last() {
    let agent = desk().await;
    let doc = agent.swml(Some(CALL_ID)).await.json().expect("SWML");
    let main = doc["sections"]["main"].as_array().expect("main");
    assert_eq!(
        main[1],
        json!({"record_call": {"format": "mp4", "stereo": true, "control_id": Recording::CONTROL_ID}})
    );
    let functions = main[2]["ai"]["SWAIG"]["functions"]
        .as_array()
        .expect("functions");
    let names: Vec<&str> = functions
        .iter()
        .filter_map(|f| f["function"].as_str())
        .collect();
    assert_eq!(
        names,
        ["prepare_verify_pin", "verify_pin", "account_summary"]
    );
    let companion = &functions[0];
    assert!(
        companion["web_hook_url"]
            .as_str()
            .is_some_and(|u| u.contains("__token=")),
        "the companion of a secure tool needs its own token"
    );
    assert!(
        functions[1]["description"]
            .as_str()
            .is_some_and(|d| d.contains("call prepare_verify_pin")),
        "the tool says to call its companion first"
    );

    // The AI pauses the recording, then the caller says the PIN.
    let pause = agent
        .call_with(ToolCall::new("prepare_verify_pin", json!({})).call_id(CALL_ID))
        .await;
    assert_eq!(pause.status, 200);
    assert_eq!(kinds(&pause), ["SWML:stop_record_call"]);

    // A wrong PIN (the handler refuses it), a malformed one (refused before
    // the handler), and the right one: each answer resumes last.
    let wrong = agent
        .call_with(verify("1111", DEMO_NUMBER, json!({})))
        .await;
    assert!(
        wrong
            .response_text()
            .is_some_and(|t| t.contains("not correct"))
    );
    assert_eq!(kinds(&wrong), ["SWML:record_call"]);
    let malformed = agent
        .call_with(verify("12x4", DEMO_NUMBER, json!({})))
        .await;
    assert_eq!(malformed.audit[0].event, AuditEvent::ValidationFailure);
    assert_eq!(kinds(&malformed), ["SWML:record_call"]);
    let right = agent.call_with(verify(PIN, DEMO_NUMBER, json!({}))).await;
    assert!(right.response_text().is_some_and(|t| t.contains("correct")));
    assert_eq!(kinds(&right), ["SWML:record_call"]);
    // No caller id: the handler refuses before checking anything; resumed.
    let anonymous = agent
        .call_with(verify(PIN, DEMO_NUMBER, json!({})).no_caller())
        .await;
    assert!(
        anonymous
            .response_text()
            .is_some_and(|t| t.contains("cannot see the number"))
    );
    assert_eq!(kinds(&anonymous), ["SWML:record_call"]);
    // The handler's own pin_check events are written as before.
    let checks: Vec<(&str, String)> = agent
        .audit()
        .into_iter()
        .filter(|r| r.event == AuditEvent::Handler(PIN_CHECK))
        .map(|r| (r.outcome, r.reason))
        .collect();
    assert_eq!(
        checks[..2],
        [
            ("refused", "pin_mismatch".to_owned()),
            ("ok", "pin_verified".to_owned())
        ]
    );

    // account_summary takes no secret: its answers, served or refused by
    // its guard, leave the recording alone.
    let summary = agent
        .call_with(
            ToolCall::new("account_summary", json!({}))
                .call_id(CALL_ID)
                .caller(DEMO_NUMBER),
        )
        .await;
    assert!(
        summary
            .response_text()
            .is_some_and(|t| t.contains("1,204.17"))
    );
    assert!(kinds(&summary).is_empty(), "{}", summary.text());
    let guarded = agent
        .call_with(
            ToolCall::new("account_summary", json!({}))
                .call_id("another-call")
                .caller(DEMO_NUMBER),
        )
        .await;
    assert_eq!(guarded.audit[0].event, AuditEvent::GuardRefusal);
    assert!(kinds(&guarded).is_empty(), "{}", guarded.text());

    // A refused token is a 403 with one fixed body and no SWAIG body: there
    // is no action for the platform to run, on the tool or its companion.
    for function in ["prepare_verify_pin", "verify_pin"] {
        let forged = agent
            .call_with(
                ToolCall::new(function, json!({"pin": PIN}))
                    .call_id(CALL_ID)
                    .caller(DEMO_NUMBER)
                    .token(Token::Missing),
            )
            .await;
        assert_eq!(forged.status, 403);
        assert_eq!(forged.text(), r#"{"error":"forbidden"}"#);
    }

    // The lockout says goodbye and hangs up before the recording resumes.
    let other = "+15557770000";
    for _ in 0..2 {
        agent.call_with(verify("2222", other, json!({}))).await;
    }
    let locked = agent.call_with(verify("2222", other, json!({}))).await;
    assert_eq!(kinds(&locked), ["say", "hangup", "SWML:record_call"]);

    // An emergency refusal (the runtime refuses the withdrawn tool) too.
    let switch = agent.service().emergency_switch();
    switch.set(true).await.expect("in-process: always written");
    let pause = agent
        .call_with(ToolCall::new("prepare_verify_pin", json!({})).call_id(CALL_ID))
        .await;
    assert_eq!(pause.audit[0].event, AuditEvent::EmergencyRefusal);
    assert_eq!(kinds(&pause), ["SWML:stop_record_call"]);
    let refused = agent.call_with(verify(PIN, DEMO_NUMBER, json!({}))).await;
    assert_eq!(refused.audit[0].event, AuditEvent::EmergencyRefusal);
    assert_eq!(kinds(&refused), ["SWML:record_call"]);
}

#[actix_web::test]
async fn recording_is_disclosed_for_the_production_checklist() {
    let svc = example::builder()
        .config(test_config())
        .build()
        .expect("agent builds");
    let item = svc
        .checklist()
        .items
        .iter()
        .find(|i| i.name == "recording")
        .expect("a recording item");
    assert!(item.passed(), "{item}");
    assert!(item.detail.contains("recorded"), "{item}");
}

#[actix_web::test]
async fn plain_builder_builds() {
    let svc = example::builder()
        .config(test_config())
        .build()
        .expect("agent builds");
    assert_eq!(svc.route(), "");
    assert!(format!("{:?}", PinDesk::demo()).contains("customers: 1"));
}

#[actix_web::test]
async fn withdrawing_the_unrecorded_tool_withdraws_its_companion_too() {
    let agent = desk().await;
    let names = |doc: Value| -> Vec<String> {
        doc["sections"]["main"]
            .as_array()
            .and_then(|m| m.iter().find(|s| s.get("ai").is_some()))
            .and_then(|s| s["ai"]["SWAIG"]["functions"].as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|f| f["function"].as_str().map(str::to_owned))
            .collect()
    };
    let before = names(agent.swml(Some(CALL_ID)).await.json().expect("SWML"));
    assert!(
        before.iter().any(|n| n == "prepare_verify_pin"),
        "{before:?}"
    );
    agent
        .service()
        .emergency_switch()
        .withdraw(agent_runtime::EmergencyScope::Tool("verify_pin".into()))
        .await
        .expect("switched");
    let after = names(agent.swml(Some(CALL_ID)).await.json().expect("SWML"));
    assert_eq!(after, ["account_summary"]);
    let reply = agent
        .call_with(ToolCall::new("prepare_verify_pin", json!({})).call_id(CALL_ID))
        .await;
    assert_eq!(reply.audit[0].event, AuditEvent::EmergencyRefusal);
    assert_eq!(reply.audit[0].reason, "emergency_tool");
}
