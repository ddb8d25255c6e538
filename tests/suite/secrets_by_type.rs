//! Secrets found by their type wherever they sit in the arguments, driven
//! through the real HTTP stack: an `Option<Secret<T>>`, a `Vec<Secret<T>>`, a
//! map of secrets, a `#[sensitive]` field of a nested `#[tool_args]` struct
//! (alone, in a list), a `#[sensitive]` type inside an `Option`, and a
//! `#[sensitive]` field renamed for deserialisation only. The audit record
//! shows `[REDACTED]` in their place and their values nowhere, the values of
//! the plain fields beside them stay visible, and a handler's error text is
//! logged without them. None of the JSON keys involved looks secret, so
//! every redaction here comes from the type, not from the name rule.
//!
//! Also here: what a handler prints with `{:?}` of its platform context.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use agent_runtime::audit::{AuditEvent, AuditRecord};
use agent_runtime::harness::{TestAgent, test_config};
use agent_runtime::prelude::*;
use agent_runtime::redact::is_secret_key;

use crate::support::assert_valid_swml;

const REMINDER: &str = "Canary-Optional-Quartz";
const PHRASE_A: &str = "Canary-List-Amber";
const PHRASE_B: &str = "Canary-List-Basalt";
const NAMED_A: &str = "Canary-Map-Fjord";
const NAMED_B: &str = "Canary-Map-Garnet";
const CONTACT_WORD: &str = "Canary-Nested-Cobalt";
const OTHER_WORD: &str = "Canary-Nested-Dune";
const RENAMED: &str = "Canary-Renamed-Ember";
const SPARE: &str = "Canary-Spare-Heron";
const MOTTO: &str = "Canary-Motto-Iris";
/// Every secret sent in this module, and a fragment common to all of them
/// (a partial leak is a leak).
const CANARIES: [&str; 11] = [
    REMINDER,
    PHRASE_A,
    PHRASE_B,
    NAMED_A,
    NAMED_B,
    CONTACT_WORD,
    OTHER_WORD,
    RENAMED,
    SPARE,
    MOTTO,
    "Canary-",
];

/// A phrase that is secret as a whole (a `#[sensitive]` type).
#[tool_args]
#[sensitive]
pub struct Phrase(String);

/// A motto, secret as a whole, with the two macros in the other order.
#[sensitive]
#[tool_args]
pub struct Motto(String);

/// Someone to call about the membership.
#[tool_args]
pub struct Contact {
    /// The contact's name.
    pub name: String,
    /// The word the contact gives to be recognised.
    #[sensitive]
    pub word: String,
}

/// A membership, with its secrets at several depths.
#[tool_args]
pub struct Enrolment {
    /// The member's name.
    pub holder: String,
    /// The main contact.
    pub contact: Contact,
    /// Further contacts.
    pub others: Vec<Contact>,
    /// A spare phrase, when the member chose one.
    pub spare: Option<Phrase>,
    /// The member's motto.
    pub motto: Motto,
    /// The member's agreed phrase; the platform sends it as `member_word`.
    #[serde(rename(deserialize = "member_word"))]
    #[sensitive]
    pub phrase: String,
}

/// A vault whose tools take secrets in every shape.
#[agent(name = "vault")]
struct Vault;

#[agent]
impl Vault {
    /// Keep an optional reminder phrase for a label.
    #[tool(secure)]
    async fn keep_reminder(&self, label: String, reminder: Option<Secret<String>>) -> ToolResult {
        let kept = reminder.as_ref().map_or(0, |r| r.expose_secret().len());
        ToolResult::new(format!("Kept {kept} characters for {label}."))
    }

    /// Keep a list of recovery phrases for a label.
    #[tool(secure)]
    async fn keep_phrases(&self, label: String, phrases: Vec<Secret<String>>) -> ToolResult {
        ToolResult::new(format!("Kept {} phrases for {label}.", phrases.len()))
    }

    /// Keep named phrases for a label.
    #[tool(secure)]
    async fn keep_named(
        &self,
        label: String,
        named: BTreeMap<String, Secret<String>>,
    ) -> ToolResult {
        ToolResult::new(format!("Kept {} phrases for {label}.", named.len()))
    }

    /// Enrol a member. The back end always refuses, and the handler's error
    /// text carelessly repeats every secret it was given.
    #[tool(secure)]
    async fn enrol(&self, args: Enrolment) -> Result<ToolResult, String> {
        let others: Vec<&str> = args.others.iter().map(|c| c.word.as_str()).collect();
        let spare = args
            .spare
            .as_ref()
            .map_or("", |s| s.expose_secret().as_str());
        Err(format!(
            "back end refused {} (contact {} word {}, others {others:?}, spare {spare}, motto {}, phrase {})",
            args.holder,
            args.contact.name,
            args.contact.word,
            args.motto.expose_secret(),
            args.phrase
        ))
    }

    /// Describe the call (what a handler would log with `{:?}`).
    #[tool]
    async fn describe_call(&self, call: &Call) -> String {
        format!("{call:?} {call:#?}")
    }
}

async fn vault() -> TestAgent<Vault> {
    let builder = Vault
        .builder()
        .prompt_text("You keep secrets.")
        .config(test_config());
    TestAgent::start(builder).await.expect("the vault starts")
}

/// The `arguments` of the one tool-call record of a reply.
fn recorded_arguments(records: &[AuditRecord]) -> Value {
    let calls: Vec<&AuditRecord> = records
        .iter()
        .filter(|r| r.event == AuditEvent::ToolCall)
        .collect();
    assert_eq!(calls.len(), 1, "one tool-call record: {records:?}");
    calls[0]
        .arguments
        .clone()
        .expect("accepted arguments are recorded")
}

fn assert_no_canary(what: &str, text: &str) {
    for canary in CANARIES {
        assert!(!text.contains(canary), "{what} holds {canary:?}: {text}");
    }
}

/// Every key of every object in `value`.
fn keys_of(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                keys_of(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| keys_of(v, out)),
        _ => {}
    }
}

/// Calls `function`, expects `status` 200, and returns the recorded
/// arguments after checking that no record holds a canary and that no key
/// sent looks secret (so the name rule redacted nothing).
async fn recorded_call(agent: &TestAgent<Vault>, function: &str, args: Value) -> Value {
    let mut keys = Vec::new();
    keys_of(&args, &mut keys);
    for key in keys {
        assert!(!is_secret_key(&key), "`{key}` would be redacted by name");
    }
    let reply = agent.call(function, args).await;
    assert_eq!(reply.status, 200, "{function}: {}", reply.text());
    assert_no_canary("the response", &reply.text());
    assert_no_canary("the audit records", &format!("{:?}", reply.audit));
    recorded_arguments(&reply.audit)
}

#[actix_web::test]
async fn an_optional_secret_is_redacted_and_its_absence_shown() {
    let agent = vault().await;
    let given = recorded_call(
        &agent,
        "keep_reminder",
        json!({"label": "front door", "reminder": REMINDER}),
    )
    .await;
    assert_eq!(
        given,
        json!({"label": "front door", "reminder": "[REDACTED]"})
    );
    // No value is no secret: the record says none was given.
    let absent = recorded_call(
        &agent,
        "keep_reminder",
        json!({"label": "back door", "reminder": null}),
    )
    .await;
    assert_eq!(absent, json!({"label": "back door", "reminder": null}));
}

#[actix_web::test]
async fn every_secret_of_a_list_is_redacted() {
    let agent = vault().await;
    let recorded = recorded_call(
        &agent,
        "keep_phrases",
        json!({"label": "recovery", "phrases": [PHRASE_A, PHRASE_B]}),
    )
    .await;
    assert_eq!(
        recorded,
        json!({"label": "recovery", "phrases": ["[REDACTED]", "[REDACTED]"]})
    );
}

#[actix_web::test]
async fn the_values_of_a_map_of_secrets_are_redacted_and_its_keys_kept() {
    let agent = vault().await;
    let recorded = recorded_call(
        &agent,
        "keep_named",
        json!({"label": "lockers", "named": {"north": NAMED_A, "south": NAMED_B}}),
    )
    .await;
    assert_eq!(
        recorded,
        json!({"label": "lockers", "named": {"north": "[REDACTED]", "south": "[REDACTED]"}})
    );
}

fn enrolment() -> Value {
    json!({
        "holder": "Ada Lovelace",
        "contact": {"name": "Charles Babbage", "word": CONTACT_WORD},
        "others": [{"name": "Mary Somerville", "word": OTHER_WORD}],
        "spare": SPARE,
        "motto": MOTTO,
        "member_word": RENAMED,
    })
}

#[actix_web::test]
async fn nested_sensitive_fields_types_and_renamed_fields_are_redacted() {
    let agent = vault().await;
    let recorded = recorded_call(&agent, "enrol", enrolment()).await;
    assert_eq!(
        recorded,
        json!({
            "holder": "Ada Lovelace",
            "contact": {"name": "Charles Babbage", "word": "[REDACTED]"},
            "others": [{"name": "Mary Somerville", "word": "[REDACTED]"}],
            "spare": "[REDACTED]",
            "motto": "[REDACTED]",
            "member_word": "[REDACTED]",
        })
    );
}

/// What the model is told is still the SWML dialect: the markers that carry
/// sensitivity through the schema stay out of the document.
#[actix_web::test]
async fn the_markers_stay_out_of_the_swml_document() {
    let agent = vault().await;
    let doc = agent.swml(Some("vault-call")).await.json().expect("SWML");
    assert_valid_swml(&doc);
    let text = doc.to_string();
    assert!(!text.contains("x-sensitive"), "{text}");
    assert!(!text.contains("writeOnly"), "{text}");
}

/// Log capture: a minimal `tracing` subscriber for the test's thread (actix
/// test services run on it) keeping every event's fields as text.
mod log_capture {
    use std::fmt::Write as _;

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    use super::*;

    #[derive(Clone, Default)]
    pub(super) struct Capture(Arc<Mutex<Vec<String>>>);

    impl Capture {
        pub(super) fn lines(&self) -> Vec<String> {
            self.0.lock().expect("not poisoned").clone()
        }
    }

    struct Line(String);

    impl Visit for Line {
        fn record_str(&mut self, field: &Field, value: &str) {
            let _ = write!(self.0, " {}={}", field.name(), value);
        }
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            let _ = write!(self.0, " {}={:?}", field.name(), value);
        }
    }

    impl Subscriber for Capture {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut line = Line(event.metadata().target().to_owned());
            event.record(&mut line);
            self.0.lock().expect("not poisoned").push(line.0);
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }
}

/// The handler's error text is logged after the values found by type are
/// taken out of it, at any depth.
#[actix_web::test]
async fn a_handler_error_is_logged_without_the_secrets_found_by_type() {
    let capture = log_capture::Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let agent = vault().await;
    let reply = agent.call("enrol", enrolment()).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let lines = capture.lines();
    let error = lines
        .iter()
        .find(|l| l.contains("tool handler returned an error"))
        .unwrap_or_else(|| panic!("the error is logged: {lines:#?}"));
    assert!(
        error.contains("Ada Lovelace") && error.contains("Charles Babbage"),
        "plain values stay: {error}"
    );
    for line in &lines {
        assert_no_canary("a log line", line);
    }
}

/// `{:?}` of the platform context shows its shape (call id, which keys
/// `global_data` and `meta_data` hold, the caller number's last four digits)
/// and none of the values.
#[actix_web::test]
async fn debug_of_the_call_holds_no_platform_value() {
    let agent = vault().await;
    let body = json!({
        "function": "describe_call",
        "argument": {"parsed": [{}], "raw": "{}"},
        "call_id": "debug-call",
        "caller_id_name": "Canary-Caller-Ivory",
        "caller_id_num": "+15550107788",
        "global_data": {"verified": "Canary-Global-Jade", "pin_attempts": 2},
        "meta_data": {"note": "Canary-Meta-Kelp"},
    });
    let reply = agent.post(&agent.path("/swaig/"), &body).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let shown = reply.response_text().expect("a response");
    for canary in [
        "Canary-",
        "Canary-Caller-Ivory",
        "Canary-Global-Jade",
        "Canary-Meta-Kelp",
        "+1555010",
        "5550107788",
    ] {
        assert!(!shown.contains(canary), "{canary:?} in {shown}");
    }
    for visible in [
        "debug-call",
        "\"verified\"",
        "\"pin_attempts\"",
        "\"note\"",
        "7788",
    ] {
        assert!(shown.contains(visible), "{visible:?} missing from {shown}");
    }
}

/// The `tools` command lists every secret position, at any depth.
#[test]
fn the_tools_command_lists_the_secret_positions() {
    let builder = Vault.builder().prompt_text("You keep secrets.");
    let out = agent_runtime::cli::run_with(builder, ["vault", "tools"], |_| None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let tools: Value = serde_json::from_str(&out.stdout).expect("JSON");
    let sensitive = |name: &str| {
        tools
            .as_array()
            .and_then(|all| all.iter().find(|t| t["name"] == name))
            .map(|t| t["sensitive"].clone())
    };
    assert_eq!(sensitive("keep_reminder"), Some(json!(["reminder"])));
    assert_eq!(sensitive("keep_phrases"), Some(json!(["phrases[]"])));
    assert_eq!(sensitive("keep_named"), Some(json!(["named.*"])));
    assert_eq!(
        sensitive("enrol"),
        Some(json!([
            "contact.word",
            "others[].word",
            "spare",
            "motto",
            "member_word"
        ]))
    );
    assert_eq!(sensitive("describe_call"), Some(json!([])));
}
