//! `#[sensitive]` on whole types and on `#[tool_args]` fields, and what the
//! `#[agent]` expansion records as secret: Debug output, serde output, wiping
//! and the names redacted in audit records.

use agent_runtime::prelude::*;
use agent_runtime::{Agent, SensitiveFields, SensitiveValue};

/// A PIN, secret as a whole.
#[tool_args]
#[sensitive]
pub struct Pin(#[schemars(regex(pattern = r"^[0-9]{4,8}$"))] String);

/// Login details; only the password is secret.
#[tool_args]
pub struct Login {
    /// The user name.
    user: String,
    /// The password.
    #[sensitive]
    password: Secret<String>,
    /// A plain string marked secret, under another JSON key.
    #[sensitive]
    #[serde(rename = "memorable")]
    memorable_word: String,
    /// Secret by type, without a marker.
    answer: SecretString,
}

/// A secret record with several fields.
#[sensitive]
pub struct ApiCredentials {
    key_id: String,
    key: Vec<u8>,
}

fn assert_sensitive_value<T: SensitiveValue>() {}

#[test]
fn whole_type_prints_and_serialises_redacted() {
    let pin = Pin("4931".to_owned());
    assert_eq!(format!("{pin:?}"), "Pin([REDACTED])");
    assert_eq!(format!("{:?}", Some(&pin)), "Some(Pin([REDACTED]))");
    assert_eq!(agent_runtime::json!(pin).as_str(), Some("[REDACTED]"));
    assert_eq!(pin.expose_secret(), "4931");
    let creds = ApiCredentials {
        key_id: "kid-77".into(),
        key: b"supersecretkey".to_vec(),
    };
    let shown = format!("{creds:?} {}", agent_runtime::json!(&creds));
    assert!(
        !shown.contains("kid-77") && !shown.contains("supersecret"),
        "{shown}"
    );
    assert_eq!(creds.key_id.len() + creds.key.len(), 20);
    assert_sensitive_value::<Pin>();
    assert_sensitive_value::<ApiCredentials>();
}

#[test]
fn whole_type_deserialises_as_its_content() {
    let pin: Pin = serde_json::from_str("\"1234\"").unwrap();
    assert_eq!(pin.expose_secret(), "1234");
}

#[test]
fn sensitive_fields_are_redacted_in_debug_and_listed_by_json_key() {
    let login = Login {
        user: "jane".into(),
        password: Secret::new("Hunter2-Canary".into()),
        memorable_word: "aubergine".into(),
        answer: Secret::new("Rex".into()),
    };
    let shown = format!("{login:?}");
    assert_eq!(
        shown,
        "Login { user: \"jane\", password: [REDACTED], memorable_word: [REDACTED], answer: [REDACTED] }"
    );
    assert_eq!(
        <Login as SensitiveFields>::SENSITIVE,
        ["password", "memorable", "answer"]
    );
    assert!(<Pin as SensitiveFields>::SENSITIVE.is_empty());
}

/// Secrets in tools.
#[agent]
struct Desk;

#[agent]
impl Desk {
    /// Log in with whole arguments.
    #[tool(secure)]
    async fn log_in(&self, args: Login) -> ToolResult {
        let known = args.password.expose_secret().len() + args.memorable_word.len();
        let _ = args.answer.expose_secret();
        ToolResult::new(format!("Hello {} ({known})", args.user))
    }

    /// Check a PIN given as a sensitive type, beside a plain argument.
    #[tool(secure)]
    async fn check_pin(&self, account: String, code: Pin, #[sensitive] word: String) -> ToolResult {
        let _ = (account, code, word);
        ToolResult::new("Checked.")
    }

    /// Count the tokens of a text (not secret, despite the name).
    #[tool]
    async fn count(&self, #[not_sensitive] token: String, pin_attempts: u32) -> ToolResult {
        ToolResult::new(format!("{} {pin_attempts}", token.len()))
    }
}

#[test]
fn agent_records_secret_arguments_by_marker_type_and_field() {
    let tools = Desk::tools();
    assert_eq!(tools[0].sensitive, ["password", "memorable", "answer"]);
    assert_eq!(tools[1].sensitive, ["code", "word"]);
    assert!(tools[2].sensitive.is_empty());
}

#[test]
fn wiping_clears_what_the_type_allows_and_skips_the_rest() {
    use agent_runtime::__private::{Wipe, WipeFallback as _};
    let mut text = String::from("wipe-me");
    Wipe(&mut text).wipe();
    assert!(text.is_empty());
    let mut bytes = [7u8; 4];
    Wipe(&mut bytes).wipe();
    assert_eq!(bytes, [0; 4]);
    // Not `Zeroize`: left alone (a `Secret<T>` wipes itself on drop).
    let mut secret = SecretString::new("kept".into());
    Wipe(&mut secret).wipe();
    assert_eq!(secret.expose_secret(), "kept");
}
