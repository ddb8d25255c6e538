//! Keeping secrets out of the call recording, through the HTTP stack: on an
//! agent that records, each `#[tool(unrecorded)]` tool gets a companion
//! (`prepare_<tool>`) listed before it in the SWML, with the tool's token
//! plumbing; the companion's answer stops the recording and every 200 answer
//! of the tool (success, refusal, validation failure, handler error, panic,
//! timeout, emergency) starts it again last, under the control id the
//! recording was started with. A tool taking a secret that says nothing
//! about recording stops the build; an agent that does not record gets no
//! companion and no recording action.

use agent_runtime::audit::AuditEvent;
use agent_runtime::harness::{Reply, TestAgent, Token, ToolCall, test_config, test_config_with};
use agent_runtime::prelude::*;
use agent_runtime::{Agent, BuildError, Value};

use crate::support::{action_kinds, assert_valid_swml, recording_control_ids};

const CALL_ID: &str = "recorded-call";
const BLOCKED: &str = "+15550006666";
const CONTROL_ID: &str = "agent-call-recording";

/// Vault desk; records calls when its builder says so.
#[agent(name = "vault")]
struct Vault;

impl Vault {
    /// Refuses one caller number.
    fn not_blocked(&self, call: &Call) -> Result<(), Refusal> {
        match call.caller().number() {
            Some(BLOCKED) => Err(Refusal::new("This number cannot verify.").with_reason("blocked")),
            _ => Ok(()),
        }
    }
}

#[agent]
impl Vault {
    /// Check the caller's PIN.
    #[tool(secure, unrecorded, guard = Self::not_blocked, rate_limit = "3/min")]
    async fn verify_pin(
        &self,
        #[sensitive]
        #[schemars(regex(pattern = r"^[0-9]{4,8}$"))]
        pin: Secret<String>,
    ) -> Result<ToolResult, String> {
        match pin.expose_secret().as_str() {
            "73914682" => Ok(ToolResult::new("The PIN is correct.")
                .update_global_data(json!({"verified": true}))
                .say("Thank you.")),
            "0000" => Err("the PIN store is offline".to_owned()),
            "9999" => panic!("the PIN store exploded"),
            "5555" => {
                actix_web::rt::time::sleep(std::time::Duration::from_secs(3)).await;
                Ok(ToolResult::new("Too late."))
            }
            _ => Ok(ToolResult::new("That PIN is not correct.")),
        }
    }

    /// Note the caller's date of birth; this bank may record it.
    #[tool(secure, recorded)]
    async fn note_birthday(&self, #[sensitive] date_of_birth: Secret<String>) -> ToolResult {
        let _ = date_of_birth.expose_secret();
        ToolResult::new("Noted.")
    }

    /// Take the caller's postcode for a mailing; kept out of the recording.
    #[tool(unrecorded)]
    fn set_postcode(&self, postcode: String) -> ToolResult {
        ToolResult::new(format!("Postcode of {} characters saved.", postcode.len()))
    }

    /// Say when the vault is open.
    #[tool]
    fn opening_hours(&self) -> ToolResult {
        ToolResult::new("Nine to five.")
    }
}

fn recording_builder() -> AgentBuilder<Vault> {
    Vault
        .builder()
        .prompt_text("You run the vault desk. Tell callers this call is recorded.")
        .record_call(Recording::default())
}

async fn vault() -> TestAgent<Vault> {
    TestAgent::start(recording_builder())
        .await
        .expect("agent builds")
}

fn verify(pin: &str) -> ToolCall {
    ToolCall::new("verify_pin", json!({ "pin": pin })).call_id(CALL_ID)
}

/// The reply is a 200 whose only action stops the recording started with
/// [`CONTROL_ID`].
fn pauses(reply: &Reply) -> bool {
    let actions = reply.actions();
    reply.status == 200
        && action_kinds(&actions) == ["SWML:stop_record_call"]
        && recording_control_ids(&actions) == [Some(CONTROL_ID.to_owned())]
}

/// The reply is a 200 whose last action starts the recording again under
/// [`CONTROL_ID`], with the settings of the agent's recording, and no other
/// action touches the recording.
fn resumes_last(reply: &Reply) -> bool {
    let actions = reply.actions();
    let kinds = action_kinds(&actions);
    let resume = actions
        .last()
        .map(|a| &a["SWML"]["sections"]["main"][0]["record_call"]);
    reply.status == 200
        && kinds.last().is_some_and(|k| k == "SWML:record_call")
        && !kinds[..kinds.len() - 1]
            .iter()
            .any(|k| k.contains("record_call"))
        && recording_control_ids(&actions) == [Some(CONTROL_ID.to_owned())]
        && resume.is_some_and(|r| r["format"] == "mp4" && r["stereo"] == true)
}

/// No action of the reply touches the recording.
fn leaves_recording_alone(reply: &Reply) -> bool {
    !action_kinds(&reply.actions())
        .iter()
        .any(|k| k.contains("record_call"))
}

fn function_names(doc: &Value) -> Vec<String> {
    doc["sections"]["main"]
        .as_array()
        .and_then(|main| main.iter().find_map(|v| v.get("ai")))
        .and_then(|ai| ai["SWAIG"]["functions"].as_array())
        .map(|fs| {
            fs.iter()
                .filter_map(|f| f["function"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn function<'d>(doc: &'d Value, name: &str) -> &'d Value {
    doc["sections"]["main"][2]["ai"]["SWAIG"]["functions"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["function"] == name))
        .unwrap_or_else(|| panic!("{name} is not offered"))
}

#[actix_web::test]
async fn the_swml_lists_each_companion_before_its_tool_and_the_recording_has_a_control_id() {
    let agent = vault().await;
    let doc = agent.swml(Some(CALL_ID)).await.json().expect("SWML");
    assert_valid_swml(&doc);
    assert_eq!(
        doc["sections"]["main"][1],
        json!({"record_call": {"format": "mp4", "stereo": true, "control_id": CONTROL_ID}})
    );
    assert_eq!(
        function_names(&doc),
        [
            "prepare_verify_pin",
            "verify_pin",
            "note_birthday",
            "prepare_set_postcode",
            "set_postcode",
            "opening_hours"
        ]
    );
    // The companion of a secure tool has its own token; that of an open tool
    // uses the default webhook, like the tool.
    let companion = function(&doc, "prepare_verify_pin");
    let url = companion["web_hook_url"].as_str().expect("a token URL");
    assert!(url.contains("__token="), "{url}");
    assert!(function(&doc, "prepare_set_postcode")["web_hook_url"].is_null());
    assert_eq!(
        companion["parameters"],
        json!({"type": "object", "properties": {}})
    );
    assert!(
        companion["description"]
            .as_str()
            .is_some_and(|d| d.contains("Pauses the call recording")),
        "{companion}"
    );
    // The tool says to call its companion first; a recorded tool says nothing.
    let tool = function(&doc, "verify_pin")["description"]
        .as_str()
        .expect("description");
    assert!(tool.starts_with("Check the caller's PIN."), "{tool}");
    assert!(
        tool.contains("Before you ask the caller") && tool.contains("call prepare_verify_pin"),
        "{tool}"
    );
    assert_eq!(
        function(&doc, "note_birthday")["description"],
        "Note the caller's date of birth; this bank may record it."
    );

    // Without a call id secure tools are left out, and their companions too.
    let doc = agent.swml(None).await.json().expect("SWML");
    assert_eq!(
        function_names(&doc),
        ["prepare_set_postcode", "set_postcode", "opening_hours"]
    );
}

#[actix_web::test]
async fn the_companion_pauses_and_the_tools_success_resumes_after_its_own_actions() {
    let agent = vault().await;
    let pause = agent
        .call_with(ToolCall::new("prepare_verify_pin", json!({})).call_id(CALL_ID))
        .await;
    assert!(pauses(&pause), "{}", pause.text());
    assert!(
        pause
            .response_text()
            .is_some_and(|t| t.contains("recording is paused"))
    );

    let ok = agent.call_with(verify("73914682")).await;
    assert!(resumes_last(&ok), "{}", ok.text());
    assert_eq!(
        action_kinds(&ok.actions()),
        ["set_global_data", "say", "SWML:record_call"]
    );

    // The trail shows the pause before the tool: both are tool calls of the
    // call, and the PIN is redacted.
    let trail: Vec<(String, &str)> = agent
        .audit_for_call(CALL_ID)
        .iter()
        .filter(|r| r.event == AuditEvent::ToolCall)
        .map(|r| (r.function.clone().unwrap_or_default(), r.outcome))
        .collect();
    assert_eq!(
        trail,
        [
            ("prepare_verify_pin".to_owned(), "ok"),
            ("verify_pin".to_owned(), "ok")
        ]
    );
    assert!(
        !agent
            .audit()
            .iter()
            .any(|r| crate::support::record_text(r).contains("73914682"))
    );
}

#[actix_web::test]
async fn refusals_validation_failures_and_failures_resume_the_recording_last() {
    let agent = vault().await;
    let wrong = agent.call_with(verify("4321")).await;
    assert!(resumes_last(&wrong), "{}", wrong.text());

    let malformed = agent.call_with(verify("12ab").caller("+15550001111")).await;
    assert!(resumes_last(&malformed), "{}", malformed.text());
    assert!(malformed.text().contains("pin") && !malformed.text().contains("12ab"));
    assert_eq!(malformed.audit[0].event, AuditEvent::ValidationFailure);

    let guarded = agent.call_with(verify("73914682").caller(BLOCKED)).await;
    assert!(resumes_last(&guarded), "{}", guarded.text());
    assert_eq!(guarded.audit[0].event, AuditEvent::GuardRefusal);

    let failed = agent.call_with(verify("0000").caller("+15550002222")).await;
    assert!(resumes_last(&failed), "{}", failed.text());
    assert_eq!(failed.audit[0].outcome, "error");

    let panicked = agent.call_with(verify("9999").caller("+15550003333")).await;
    assert!(resumes_last(&panicked), "{}", panicked.text());
    assert_eq!(panicked.audit[0].outcome, "panic");

    // The fourth call of one caller within a minute is over the limit.
    let caller = "+15550004444";
    for _ in 0..3 {
        let reply = agent.call_with(verify("4321").caller(caller)).await;
        assert_eq!(reply.audit[0].event, AuditEvent::ToolCall);
    }
    let limited = agent.call_with(verify("4321").caller(caller)).await;
    assert_eq!(limited.audit[0].event, AuditEvent::RateLimited);
    assert!(resumes_last(&limited), "{}", limited.text());
}

#[actix_web::test]
async fn in_emergency_mode_the_companion_still_pauses_and_the_tool_still_resumes() {
    let agent = vault().await;
    agent
        .service()
        .emergency_switch()
        .set(true)
        .await
        .expect("in-process: always written");
    let doc = agent.swml(Some(CALL_ID)).await.json().expect("SWML");
    let names = function_names(&doc);
    assert!(
        !names.iter().any(|n| n.ends_with("verify_pin")),
        "{names:?}"
    );

    let pause = agent
        .call_with(ToolCall::new("prepare_verify_pin", json!({})).call_id(CALL_ID))
        .await;
    assert_eq!(pause.audit[0].event, AuditEvent::EmergencyRefusal);
    assert!(pauses(&pause), "{}", pause.text());

    let refused = agent.call_with(verify("73914682")).await;
    assert_eq!(refused.audit[0].event, AuditEvent::EmergencyRefusal);
    assert!(resumes_last(&refused), "{}", refused.text());
}

#[actix_web::test]
async fn a_timeout_resumes_the_recording_and_http_refusals_carry_no_action() {
    let builder = recording_builder().config(test_config_with(&[("SWML_TOOL_TIMEOUT_SECS", "1")]));
    let agent = TestAgent::start(builder).await.expect("agent builds");
    let slow = agent.call_with(verify("5555")).await;
    assert_eq!(slow.audit[0].outcome, "timeout");
    assert!(resumes_last(&slow), "{}", slow.text());

    // A refused token is an HTTP refusal with its one fixed body: the
    // platform runs no action of it, so none is sent (the recording stays
    // paused if the companion ran).
    for function in ["verify_pin", "prepare_verify_pin"] {
        let forged = agent
            .call_with(
                ToolCall::new(function, json!({"pin": "73914682"}))
                    .call_id(CALL_ID)
                    .token(Token::Missing),
            )
            .await;
        assert_eq!(forged.status, 403);
        assert_eq!(forged.text(), r#"{"error":"forbidden"}"#);
        assert_eq!(forged.audit[0].event, AuditEvent::TokenFailure);
    }

    // The other HTTP refusals on the way to an unrecorded tool have no
    // SWAIG body either: no credentials (401, answered before the body is
    // read) and arguments that name a key twice (400, after the token).
    let url = agent
        .webhook_for("verify_pin", CALL_ID)
        .await
        .expect("the tool is offered");
    let envelope = json!({
        "function": "verify_pin",
        "call_id": CALL_ID,
        "argument": {"parsed": [{"pin": "73914682"}]}
    });
    let unauthenticated = agent
        .send_raw(
            actix_web::test::TestRequest::post()
                .uri(&url)
                .insert_header(("Content-Type", "application/json"))
                .set_payload(envelope.to_string()),
        )
        .await;
    assert_eq!(unauthenticated.status, 401);
    assert_eq!(unauthenticated.text(), r#"{"error":"unauthorized"}"#);
    let ambiguous = agent
        .post(
            &url,
            &json!({
                "function": "verify_pin",
                "call_id": CALL_ID,
                "argument": {"raw": r#"{"pin": "73914682", "pin": "4321"}"#}
            }),
        )
        .await;
    assert_eq!(ambiguous.status, 400);
    assert!(ambiguous.actions().is_empty(), "{}", ambiguous.text());
    assert_eq!(ambiguous.audit[0].reason, "malformed_arguments");
}

#[actix_web::test]
async fn an_open_unrecorded_tool_and_a_recorded_tool() {
    let agent = vault().await;
    let pause = agent
        .call_with(ToolCall::new("prepare_set_postcode", json!({})).call_id(CALL_ID))
        .await;
    assert!(pauses(&pause), "{}", pause.text());
    // The companion takes no arguments.
    let extra = agent
        .call_with(ToolCall::new("prepare_set_postcode", json!({"postcode": "x"})).call_id(CALL_ID))
        .await;
    assert_eq!(extra.audit[0].event, AuditEvent::ValidationFailure);
    assert!(pauses(&extra), "{}", extra.text());

    let saved = agent
        .call_with(ToolCall::new("set_postcode", json!({"postcode": "SW1A 1AA"})).call_id(CALL_ID))
        .await;
    assert!(resumes_last(&saved), "{}", saved.text());

    let noted = agent
        .call_with(ToolCall::new(
            "note_birthday",
            json!({"date_of_birth": "1990-01-01"}),
        ))
        .await;
    assert_eq!(noted.status, 200);
    assert!(leaves_recording_alone(&noted), "{}", noted.text());
    assert!(noted.actions().is_empty(), "{}", noted.text());
}

#[actix_web::test]
async fn an_agent_that_does_not_record_gets_no_companion_and_no_recording_action() {
    let builder = Vault.builder().prompt_text("You run the vault desk.");
    let agent = TestAgent::start(builder).await.expect("agent builds");
    let doc = agent.swml(Some(CALL_ID)).await.json().expect("SWML");
    assert!(!doc.to_string().contains("record_call"), "{doc}");
    assert_eq!(
        function_names(&doc),
        [
            "verify_pin",
            "note_birthday",
            "set_postcode",
            "opening_hours"
        ]
    );
    let tool = &doc["sections"]["main"][1]["ai"]["SWAIG"]["functions"][0];
    assert_eq!(tool["description"], "Check the caller's PIN.");

    let ok = agent.call_with(verify("73914682")).await;
    assert_eq!(action_kinds(&ok.actions()), ["set_global_data", "say"]);
    let companion = agent
        .call_with(ToolCall::new("prepare_verify_pin", json!({})).call_id(CALL_ID))
        .await;
    assert_eq!(companion.status, 404);
}

/// An agent whose tools take secrets without saying how recording is
/// handled: by a marked parameter, by type, by a marked field.
#[agent(name = "forgetful")]
struct Forgetful;

/// A profile with one secret field.
#[tool_args]
struct Profile {
    /// Full name.
    name: String,
    /// The answer to the caller's security question.
    #[sensitive]
    security_answer: String,
}

#[agent]
impl Forgetful {
    /// Say hello.
    #[tool]
    fn hello(&self) -> ToolResult {
        ToolResult::new("Hello.")
    }

    /// Check the caller's answer to their security question.
    #[tool(secure)]
    fn check_answer(&self, answer: Secret<String>) -> ToolResult {
        let _ = answer.expose_secret();
        ToolResult::new("Checked.")
    }
}

/// Only a secret in a field of the whole `args` struct.
#[agent(name = "forgetful-profile")]
struct ForgetfulProfile;

#[agent]
impl ForgetfulProfile {
    /// Update the caller's profile.
    #[tool(secure)]
    fn update_profile(&self, args: Profile) -> ToolResult {
        let _ = args.security_answer;
        ToolResult::new(format!("Updated {}.", args.name))
    }
}

/// Only an account number kept by its last four digits
/// (`#[sensitive(last_four)]`): still input the caller speaks.
#[agent(name = "forgetful-account")]
struct ForgetfulAccount;

#[agent]
impl ForgetfulAccount {
    /// Find the account the caller names.
    #[tool(secure)]
    fn find_account(&self, #[sensitive(last_four)] account_number: String) -> ToolResult {
        ToolResult::new(format!(
            "Found an account of {} digits.",
            account_number.len()
        ))
    }
}

fn recorded<A: Agent>(agent: A) -> Result<AgentService<A>, BuildError> {
    agent
        .builder()
        .prompt_text("Tell the caller this call is recorded.")
        .config(test_config())
        .record_call(Recording::default())
        .build()
}

#[test]
fn a_secret_without_a_recording_declaration_stops_a_recording_agent_from_building() {
    let err = recorded(Forgetful).expect_err("the build is refused");
    assert!(
        matches!(
            err,
            BuildError::RecordingNotDeclared {
                tool: "check_answer"
            }
        ),
        "{err:?}"
    );
    let message = err.to_string();
    for words in [
        "`check_answer`",
        "records calls",
        "#[tool(unrecorded)]",
        "#[tool(recorded)]",
    ] {
        assert!(message.contains(words), "{words}: {message}");
    }
    let err = recorded(ForgetfulProfile).expect_err("a secret field counts");
    assert!(
        matches!(
            err,
            BuildError::RecordingNotDeclared {
                tool: "update_profile"
            }
        ),
        "{err:?}"
    );

    let err = recorded(ForgetfulAccount).expect_err("a last-four value counts");
    assert!(
        matches!(
            err,
            BuildError::RecordingNotDeclared {
                tool: "find_account"
            }
        ),
        "{err:?}"
    );

    // Without recording there is nothing to declare.
    for built in [
        Forgetful
            .builder()
            .prompt_text("Hi.")
            .config(test_config())
            .build()
            .map(drop),
        ForgetfulProfile
            .builder()
            .prompt_text("Hi.")
            .config(test_config())
            .build()
            .map(drop),
        ForgetfulAccount
            .builder()
            .prompt_text("Hi.")
            .config(test_config())
            .build()
            .map(drop),
    ] {
        assert!(built.is_ok());
    }
}

#[test]
fn the_tools_command_lists_how_each_tool_handles_recording() {
    let service = recording_builder()
        .config(test_config())
        .build()
        .expect("agent builds");
    let out = agent_runtime::cli::run_with(
        recording_builder().config(test_config()),
        ["vault", "tools"],
        |_| None,
    );
    assert_eq!(out.code, agent_runtime::cli::EXIT_OK, "{}", out.stderr);
    let tools: Value = serde_json::from_str(&out.stdout).expect("JSON");
    let recording: Vec<(&str, &str)> = tools
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|t| Some((t["name"].as_str()?, t["recording"].as_str()?)))
        .collect();
    assert_eq!(
        recording,
        [
            ("prepare_verify_pin", "pauses"),
            ("verify_pin", "unrecorded"),
            ("note_birthday", "recorded"),
            ("prepare_set_postcode", "pauses"),
            ("set_postcode", "unrecorded"),
            ("opening_hours", "undeclared")
        ]
    );
    // The production checklist judges the tools the user declared only.
    assert!(
        service
            .checklist()
            .items
            .iter()
            .any(|i| i.name == "recording" && i.passed())
    );
}
