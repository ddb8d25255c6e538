//! Handlers that fail (error, panic, timeout) and secrets sent as arguments,
//! driven through the real HTTP stack: the caller hears a generic message, the
//! service keeps working, audit records say what happened, and no canary
//! value reaches a response body, an audit record or (see `log_capture`) a
//! log line.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use agent_runtime::audit::{AuditEvent, AuditRecord};
use agent_runtime::harness::{
    TEST_CALLER, TestAgent, Token, ToolCall, test_config_with, tool_tokens,
};
use agent_runtime::prelude::*;

const CALL_ID: &str = "faulty-call";

/// What the caller hears when a handler fails or panics (dispatch.rs).
const HANDLER_APOLOGY: &str = "I'm sorry, something went wrong on our side and I could not complete that. Please try again later.";
/// What the caller hears when a handler takes too long (dispatch.rs).
const TIMEOUT_APOLOGY: &str =
    "I'm sorry, that is taking longer than it should. Please try again in a moment.";

const PIN: &str = "4931";
const PASSWORD: &str = "Hunter2-Canary";
const CARD_SPACED: &str = "4111 1111 1111 1111";
const CARD: &str = "4111111111111111";
const SSN: &str = "123-45-6789";
/// Every canary, plus a fragment of the password (a partial leak is a leak).
const CANARIES: [&str; 6] = [PIN, PASSWORD, "Hunter2", CARD_SPACED, CARD, SSN];

/// An agent whose tools fail in every way a handler can.
#[agent(name = "faulty-agent")]
#[derive(Debug, Default)]
struct Faulty {
    /// Names of the handlers that actually ran, in order (shared with the
    /// test, which keeps a clone).
    ran: Arc<Mutex<Vec<&'static str>>>,
}

impl Faulty {
    fn mark(&self, name: &'static str) {
        self.ran.lock().expect("not poisoned").push(name);
    }
}

#[agent]
impl Faulty {
    /// Look up an order in the back end, which always fails. The error text
    /// carries everything a careless handler might put there.
    #[tool]
    async fn lookup_order(
        &self,
        order: String,
        // Deliberately careless (no `#[sensitive]`): the runtime must still
        // scrub the value by its key.
        #[not_sensitive] password: String,
        note: String,
    ) -> Result<ToolResult, String> {
        self.mark("lookup_order");
        Err(format!(
            "backend refused order {order} (password={password}, note={note}); \
             last card 4111 1111 1111 1111, ssn 123-45-6789"
        ))
    }

    /// Check the weather; the handler panics.
    #[tool]
    async fn explode(&self, note: String) -> ToolResult {
        self.mark("explode");
        panic!(
            "handler blew up holding PIN 4931, password Hunter2-Canary, card 4111111111111111, note {note}"
        )
    }

    /// Count the characters of a text (a synchronous tool).
    #[tool]
    fn count_chars(&self, text: String) -> String {
        self.mark("count_chars");
        format!("That text has {} characters.", text.chars().count())
    }

    /// Prepare a long report; takes far longer than the tool timeout.
    #[tool]
    async fn slow_report(&self) -> ToolResult {
        self.mark("slow_report");
        actix_web::rt::time::sleep(Duration::from_secs(30)).await;
        ToolResult::new("The report is ready.")
    }

    /// Verify the caller's PIN before any account change.
    #[tool(secure)]
    async fn verify_pin(
        &self,
        account: String,
        #[sensitive] pin: String,
    ) -> Result<ToolResult, String> {
        self.mark("verify_pin");
        if pin == "0000" {
            Ok(ToolResult::new("The PIN is verified."))
        } else {
            Err(format!("PIN {pin} does not match account {account}"))
        }
    }
}

type Ran = Arc<Mutex<Vec<&'static str>>>;

async fn faulty() -> TestAgent<Faulty> {
    faulty_with_log().await.0
}

/// The agent (tool timeout 1 s) and the list of handlers that ran.
async fn faulty_with_log() -> (TestAgent<Faulty>, Ran) {
    let faulty = Faulty::default();
    let ran = faulty.ran.clone();
    let builder = faulty
        .builder()
        .prompt_text("You are a test agent whose tools fail.")
        .config(test_config_with(&[("SWML_TOOL_TIMEOUT_SECS", "1")]));
    let agent = TestAgent::start(builder).await.expect("test agent starts");
    (agent, ran)
}

fn runs_of(ran: &Ran, name: &str) -> usize {
    ran.lock()
        .expect("not poisoned")
        .iter()
        .filter(|n| **n == name)
        .count()
}

/// Sends a SWAIG call with this token (none: no `__token` at all) and call
/// id (none: no `call_id`); returns status and body.
async fn call(
    agent: &TestAgent<Faulty>,
    function: &str,
    args: Value,
    token: Option<&str>,
    call_id: Option<&str>,
) -> (u16, String) {
    let token = match token {
        Some(t) => Token::Exact(t.to_owned()),
        None => Token::Missing,
    };
    let call = ToolCall::new(function, args).token(token);
    let call = match call_id {
        Some(id) => call.call_id(id),
        None => call.without_call_id(),
    };
    let reply = agent.call_with(call).await;
    (reply.status, reply.text())
}

async fn verify_pin_token(agent: &TestAgent<Faulty>) -> String {
    let reply = agent.swml(Some(CALL_ID)).await;
    assert_eq!(reply.status, 200);
    tool_tokens(&reply.json().expect("SWML"))["verify_pin"].clone()
}

fn response_text(body: &str) -> String {
    let v: Value = serde_json::from_str(body).expect("JSON body");
    v["response"].as_str().expect("a SWAIG response").to_owned()
}

fn assert_no_canary(what: &str, text: &str) {
    for c in CANARIES {
        assert!(!text.contains(c), "{what} contains canary {c:?}: {text}");
    }
}

/// The records as text for the canary check. The full `Debug` form is checked
/// for every canary that cannot arise by chance; the 4-digit PIN is checked
/// on the records without their clock fields (`time_ms` and `duration` are
/// numbers that may contain "4931" by coincidence).
fn assert_records_clean(records: &[AuditRecord]) {
    let full = format!("{records:?}");
    for c in CANARIES.iter().filter(|c| **c != PIN) {
        assert!(!full.contains(c), "audit records contain {c:?}: {full}");
    }
    for r in records {
        let without_clock = format!(
            "{:?} {:?} {:?} {:?} {} {} {:?} {:?}",
            r.event, r.call_id, r.caller, r.function, r.outcome, r.reason, r.client, r.arguments
        );
        assert!(
            !without_clock.contains(PIN),
            "audit record contains the PIN: {without_clock}"
        );
    }
}

fn tool_calls(agent: &TestAgent<Faulty>) -> Vec<AuditRecord> {
    agent
        .audit()
        .into_iter()
        .filter(|r| r.event == AuditEvent::ToolCall)
        .collect()
}

#[actix_web::test]
async fn handler_error_gives_the_generic_apology_and_no_detail() {
    let agent = faulty().await;
    let args = json!({"order": "A-17", "password": PASSWORD, "note": format!("card {CARD_SPACED}, ssn {SSN}")});
    let (status, body) = call(&agent, "lookup_order", args, None, Some(CALL_ID)).await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({ "response": HANDLER_APOLOGY }),
        "the apology only: no detail, no action"
    );
    assert_no_canary("error response", &body);
    assert!(!body.contains("backend") && !body.contains("A-17"));

    let rec = tool_calls(&agent).pop().expect("tool call audited");
    assert_eq!(rec.outcome, "error");
    assert_eq!(rec.reason, "handler_error");
    assert_eq!(rec.function.as_deref(), Some("lookup_order"));
    assert_eq!(rec.call_id.as_deref(), Some(CALL_ID));
    assert!(rec.duration.is_some());
    assert_records_clean(&agent.audit());
}

#[actix_web::test]
async fn handler_panic_gives_the_apology_and_the_service_keeps_working() {
    let agent = faulty().await;
    for round in 0..3 {
        let (status, body) = call(
            &agent,
            "explode",
            json!({ "note": format!("ssn {SSN}") }),
            None,
            Some(CALL_ID),
        )
        .await;
        assert_eq!(status, 200, "round {round}");
        assert_eq!(response_text(&body), HANDLER_APOLOGY);
        assert_no_canary("panic response", &body);
        assert!(!body.contains("blew up"));

        // The same service answers the next request: the worker survived.
        let (status, body) = call(
            &agent,
            "count_chars",
            json!({"text": "hello"}),
            None,
            Some(CALL_ID),
        )
        .await;
        assert_eq!(status, 200, "round {round}");
        assert_eq!(response_text(&body), "That text has 5 characters.");
    }
    // And SWML still renders.
    assert_eq!(agent.swml(Some(CALL_ID)).await.status, 200);

    let calls = tool_calls(&agent);
    let outcomes: Vec<(&str, &str, &str)> = calls
        .iter()
        .map(|r| (r.function.as_deref().unwrap(), r.outcome, r.reason.as_str()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("explode", "panic", "handler_panic"),
            ("count_chars", "ok", ""),
            ("explode", "panic", "handler_panic"),
            ("count_chars", "ok", ""),
            ("explode", "panic", "handler_panic"),
            ("count_chars", "ok", ""),
        ]
    );
    assert!(calls.iter().all(|r| r.call_id.as_deref() == Some(CALL_ID)));
    assert_records_clean(&agent.audit());
}

#[actix_web::test]
async fn slow_handler_times_out_with_the_timeout_apology() {
    let agent = faulty().await;
    let started = Instant::now();
    let (status, body) = call(&agent, "slow_report", json!({}), None, Some(CALL_ID)).await;
    let took = started.elapsed();
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({ "response": TIMEOUT_APOLOGY })
    );
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(10),
        "SWML_TOOL_TIMEOUT_SECS=1 applied: {took:?}"
    );
    let rec = tool_calls(&agent).pop().expect("audited");
    assert_eq!(
        (rec.function.as_deref(), rec.outcome, rec.reason.as_str()),
        (Some("slow_report"), "timeout", "handler_timeout")
    );
    assert_eq!(rec.call_id.as_deref(), Some(CALL_ID));
    // The service is still usable after a timed-out handler was dropped.
    let (status, body) = call(
        &agent,
        "count_chars",
        json!({"text": "ab"}),
        None,
        Some(CALL_ID),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(response_text(&body), "That text has 2 characters.");
}

#[actix_web::test]
async fn audit_records_name_outcome_function_and_call_for_every_failure() {
    let agent = faulty().await;
    let token = verify_pin_token(&agent).await;
    let cases = [
        (
            "lookup_order",
            json!({"order": "A-1", "password": PASSWORD, "note": CARD}),
            None,
            "error",
            "handler_error",
        ),
        (
            "explode",
            json!({ "note": SSN }),
            None,
            "panic",
            "handler_panic",
        ),
        ("slow_report", json!({}), None, "timeout", "handler_timeout"),
        (
            "verify_pin",
            json!({"account": "1000000001", "pin": PIN}),
            Some(token.as_str()),
            "error",
            "handler_error",
        ),
        (
            "verify_pin",
            json!({"account": "1000000001", "pin": "0000"}),
            Some(token.as_str()),
            "ok",
            "",
        ),
    ];
    for (function, args, token, outcome, reason) in cases {
        let (status, body) = call(&agent, function, args, token, Some(CALL_ID)).await;
        assert_eq!(status, 200, "{function}");
        assert_no_canary(function, &body);
        let rec = tool_calls(&agent).pop().expect("audited");
        assert_eq!(rec.function.as_deref(), Some(function));
        assert_eq!(rec.outcome, outcome, "{function}");
        assert_eq!(rec.reason, reason, "{function}");
        assert_eq!(rec.call_id.as_deref(), Some(CALL_ID));
        assert_eq!(rec.caller.as_deref(), Some(TEST_CALLER));
        assert!(rec.duration.is_some());
    }
    assert_eq!(tool_calls(&agent).len(), 5);
    assert_records_clean(&agent.audit());
}

#[actix_web::test]
async fn canaries_sent_as_arguments_never_reach_bodies_or_audit_records() {
    let (agent, ran) = faulty_with_log().await;
    let token = verify_pin_token(&agent).await;
    let other_function = agent.service().signer().mint("lookup_order", CALL_ID);
    let other_call = agent
        .service()
        .signer()
        .mint("verify_pin", "another-call-id");
    let pin_args = json!({"account": "1000000001", "pin": PIN});
    let mut bodies = Vec::new();

    // Valid calls: every canary in a field where it belongs (the sensitive
    // PIN, a `password` field, card and SSN in free text).
    for (function, args, tok) in [
        ("verify_pin", pin_args.clone(), Some(token.as_str())),
        (
            "verify_pin",
            json!({"account": CARD, "pin": CARD_SPACED}),
            Some(token.as_str()),
        ),
        (
            "lookup_order",
            json!({"order": SSN, "password": PASSWORD, "note": format!("{CARD} / {CARD_SPACED}")}),
            None,
        ),
        // (separated by punctuation: see the ignored test below for a card
        // number followed by other digits)
        (
            "explode",
            json!({ "note": format!("{CARD_SPACED}; {SSN}") }),
            None,
        ),
        ("count_chars", json!({ "text": CARD }), None),
    ] {
        let (status, body) = call(&agent, function, args, tok, Some(CALL_ID)).await;
        assert_eq!(status, 200, "{function}");
        bodies.push((format!("valid {function}"), body));
    }

    // Invalid arguments: the validator answers, naming fields, never values.
    for (function, args, tok) in [
        (
            "verify_pin",
            json!({"account": "1000000001", "pin": 4931}),
            Some(token.as_str()),
        ),
        (
            "verify_pin",
            json!({"account": "1000000001", "pin": PIN, "password": PASSWORD}),
            Some(token.as_str()),
        ),
        (
            "verify_pin",
            json!({"account": "1000000001", "pin": PIN, CARD: SSN}),
            Some(token.as_str()),
        ),
        (
            "verify_pin",
            json!({"account": [CARD_SPACED], "pin": [PIN]}),
            Some(token.as_str()),
        ),
        (
            "lookup_order",
            json!({"order": 1, "password": [PASSWORD], "note": {"ssn": SSN}}),
            None,
        ),
        ("lookup_order", json!({ "password": PASSWORD }), None),
        ("count_chars", json!({"text": CARD, "ssn": SSN}), None),
        ("slow_report", json!({ "pin": PIN }), None),
        ("count_chars", json!([PASSWORD, CARD]), None),
        ("count_chars", json!(PASSWORD), None),
    ] {
        let (status, body) = call(&agent, function, args.clone(), tok, Some(CALL_ID)).await;
        assert_eq!(status, 200, "{function} {args}");
        let text = response_text(&body);
        assert_ne!(
            text, HANDLER_APOLOGY,
            "{function} {args}: refused before the handler"
        );
        bodies.push((format!("invalid {function} {args}"), body));
    }
    // Raw argument text that is not JSON.
    let raw = json!({"function": "count_chars", "call_id": CALL_ID,
        "argument": {"raw": format!("text={CARD} pin={PIN} password={PASSWORD}")}});
    let reply = agent.post("/swaig", &raw).await;
    assert_eq!(reply.status, 200);
    bodies.push(("raw".into(), reply.text()));

    // Token refusals with canaries in the arguments.
    let ran_before = runs_of(&ran, "verify_pin");
    assert_eq!(ran_before, 2, "the two valid verify_pin calls ran");
    for (name, tok, call_id) in [
        ("no token", None, Some(CALL_ID)),
        (
            "bad token",
            Some(format!("{PIN}.{PASSWORD}.{CARD}")),
            Some(CALL_ID),
        ),
        (
            "other function",
            Some(other_function.clone()),
            Some(CALL_ID),
        ),
        ("other call", Some(other_call.clone()), Some(CALL_ID)),
        ("no call id", Some(token.clone()), None),
    ] {
        let (status, body) = call(
            &agent,
            "verify_pin",
            pin_args.clone(),
            tok.as_deref(),
            call_id,
        )
        .await;
        assert_eq!(status, 403, "{name}");
        assert_eq!(body, r#"{"error":"forbidden"}"#, "{name}");
        bodies.push((format!("refused: {name}"), body));
    }
    assert_eq!(
        runs_of(&ran, "verify_pin"),
        ran_before,
        "no refused call ran"
    );

    for (what, body) in &bodies {
        assert_no_canary(what, body);
    }
    let records = agent.audit();
    assert!(
        records
            .iter()
            .any(|r| r.event == AuditEvent::ValidationFailure)
    );
    assert_eq!(
        records
            .iter()
            .filter(|r| r.event == AuditEvent::TokenFailure)
            .count(),
        5
    );
    assert_records_clean(&records);
}

/// BUG (agent-runtime/src/redact.rs, `scrub_text`): a digit run continues
/// across single spaces and dashes, so a card number followed by a space and
/// more digits (a CVV, an expiry, an SSN, an amount) becomes one run of the
/// wrong length, fails the 13..19-digit/Luhn test and is not masked at all.
/// Audit records carry the (redacted) arguments of every tool call, so the
/// card number lands in the audit record (and in the `tracing` audit event).
#[actix_web::test]
async fn card_number_followed_by_other_digits_is_redacted_in_audit_records() {
    let agent = faulty().await;
    for text in [
        format!("{CARD_SPACED} 123"),
        format!("{CARD_SPACED} 12 27"),
        format!("{CARD_SPACED} {SSN}"),
        format!("{CARD} 123"),
        format!("cvv 123 {CARD}"),
    ] {
        let (status, body) = call(
            &agent,
            "count_chars",
            json!({ "text": text }),
            None,
            Some(CALL_ID),
        )
        .await;
        assert_eq!(status, 200);
        assert_no_canary(&text, &body);
    }
    assert_records_clean(&agent.audit());
}

/// FINDING (design, commit "Audit: redacted arguments on tool-call records"):
/// tool-call audit records now carry the accepted arguments, redacted by field
/// name (`#[sensitive]`, secret-looking keys) and by pattern (cards, SSNs).
/// A password the caller speaks into an ordinary free-text field matches
/// neither, so it is stored verbatim in the audit record (and in the audit
/// `tracing` event), although audit records are promised never to hold a
/// secret (docs/protocol.md section 11, D17).
#[actix_web::test]
async fn password_in_a_free_text_argument_stays_out_of_audit_records() {
    let agent = faulty().await;
    let (status, body) = call(
        &agent,
        "count_chars",
        json!({ "text": format!("my password is {PASSWORD}") }),
        None,
        Some(CALL_ID),
    )
    .await;
    assert_eq!(status, 200);
    assert_no_canary("response", &body);
    assert_records_clean(&agent.audit());
}

/// Log capture: a minimal `tracing` subscriber installed for the test thread
/// (actix test services run on the current thread) that records every event
/// and span field as text.
mod log_capture {
    use std::fmt::Write as _;

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    use super::*;

    /// Every event and span as one line of `target field=value ...`.
    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<String>>>);

    impl Capture {
        fn push(&self, line: String) {
            self.0.lock().expect("not poisoned").push(line);
        }
        fn lines(&self) -> Vec<String> {
            self.0.lock().expect("not poisoned").clone()
        }
    }

    struct Line(String);

    impl Visit for Line {
        fn record_str(&mut self, field: &Field, value: &str) {
            let _ = write!(self.0, " {}={}", field.name(), value);
        }
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            // A clock reading; may contain "4931" by coincidence.
            if field.name() != "duration_ms" {
                let _ = write!(self.0, " {}={:?}", field.name(), value);
            }
        }
    }

    impl Subscriber for Capture {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, span: &Attributes<'_>) -> Id {
            let mut line = Line(format!("span {}", span.metadata().name()));
            span.record(&mut line);
            self.push(line.0);
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, values: &Record<'_>) {
            let mut line = Line("record".to_owned());
            values.record(&mut line);
            self.push(line.0);
        }
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let meta = event.metadata();
            let mut line = Line(format!("{} {}", meta.level(), meta.target()));
            event.record(&mut line);
            self.push(line.0);
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    fn assert_lines_clean(lines: &[String]) {
        for line in lines {
            assert_no_canary("log line", line);
        }
    }

    /// Handler errors are logged (scrubbed), audit events are logged, and
    /// none of it holds a canary sent in a sensitive parameter, a
    /// secret-named field, or as a card number / SSN anywhere.
    #[actix_web::test]
    async fn logs_never_hold_sensitive_secret_named_card_or_ssn_values() {
        let capture = Capture::default();
        let _guard = tracing::subscriber::set_default(capture.clone());
        let agent = faulty().await;
        let token = verify_pin_token(&agent).await;
        let pin_args = json!({"account": "1000000001", "pin": PIN});
        let requests = [
            // Handler errors that echo their arguments.
            (
                "lookup_order",
                json!({"order": "A-1", "password": PASSWORD, "note": format!("{CARD_SPACED}; {SSN}")}),
                None,
            ),
            ("verify_pin", pin_args.clone(), Some(token.clone())),
            (
                "verify_pin",
                json!({"account": CARD, "pin": PASSWORD}),
                Some(token.clone()),
            ),
            // A panic whose message holds every canary.
            ("explode", json!({ "note": CARD }), None),
            // Invalid arguments.
            (
                "verify_pin",
                json!({"account": "1", "pin": 4931, "password": PASSWORD}),
                Some(token.clone()),
            ),
            ("count_chars", json!({"text": CARD, CARD: SSN}), None),
            // Token refusals.
            ("verify_pin", pin_args.clone(), None),
            (
                "verify_pin",
                pin_args.clone(),
                Some(format!("{PIN}.{PASSWORD}")),
            ),
        ];
        for (function, args, tok) in requests {
            let (status, body) = call(&agent, function, args, tok.as_deref(), Some(CALL_ID)).await;
            assert!(status == 200 || status == 403, "{function}: {status}");
            assert_no_canary(function, &body);
        }
        let lines = capture.lines();
        assert!(
            lines
                .iter()
                .any(|l| l.contains("tool handler returned an error")),
            "the capture works: {lines:#?}"
        );
        assert!(
            lines.iter().any(|l| l.contains("agent_runtime::audit")),
            "audit events are logged: {lines:#?}"
        );
        assert_lines_clean(&lines);
        assert_records_clean(&agent.audit());
    }

    /// FINDING: the handler's error text is logged after `scrub_text` (cards,
    /// SSNs) and `scrub_known` (values of `#[sensitive]` and secret-named
    /// fields). A password that arrives in an ordinary field and is echoed in
    /// the error text matches neither and is logged verbatim.
    #[actix_web::test]
    async fn logs_never_hold_a_password_from_a_free_text_argument() {
        let capture = Capture::default();
        let _guard = tracing::subscriber::set_default(capture.clone());
        let agent = faulty().await;
        let args = json!({
            "order": "A-1",
            "password": "Zq9-other",
            "note": format!("the caller said her password is {PASSWORD}"),
        });
        let (status, body) = call(&agent, "lookup_order", args, None, Some(CALL_ID)).await;
        assert_eq!(status, 200);
        assert_no_canary("response", &body);
        let lines = capture.lines();
        assert!(
            lines
                .iter()
                .any(|l| l.contains("tool handler returned an error"))
        );
        assert_lines_clean(&lines);
    }
}
