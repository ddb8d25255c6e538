//! The built-in command line, driven through `agent_runtime::cli::run_with`
//! (arguments and environment in, exit code and output out), plus one run
//! of the built example binary.

use std::collections::HashMap;
use std::sync::Arc;

use agent_runtime::audit::JsonLinesAuditSink;
use agent_runtime::audit::{AuditEvent, AuditRecord, AuditSink};
use agent_runtime::cli::{CliOutput, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, run_with};
use agent_runtime::harness::{TestAgent, Token, ToolCall, post_prompt_token, tool_tokens};
use agent_runtime::prelude::*;
use agent_runtime::{SecretString, Value};

use crate::secure_bank;
use crate::support::assert_valid_swml;

const STRONG: &str = "a-very-long-production-password-0123456789";
const PROD_SECRET: &str = "0123456789abcdef0123456789abcdef-secret";

fn production_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("AGENT_ENV", "production"),
        ("SWML_BASIC_AUTH_USER", "agent"),
        ("SWML_BASIC_AUTH_PASSWORD", STRONG),
        ("SIGNALWIRE_SWAIG_SECRET", PROD_SECRET),
        ("SWML_PROXY_URL_BASE", "https://agents.example.com"),
        ("SIGNALWIRE_SIGNING_KEY", "PSK-signing-key-of-the-space"),
    ]
}

fn run_env(args: &[&str], env: &[(&str, &str)]) -> CliOutput {
    let vars: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let mut argv = vec!["secure_bank"];
    argv.extend_from_slice(args);
    run_with(secure_bank::builder(), argv, |k| vars.get(k).cloned())
}

fn run(args: &[&str]) -> CliOutput {
    run_env(args, &[])
}

fn transfer_args() -> String {
    json!({"from_account": "1000000001", "to_account": "1000000002", "amount": 5}).to_string()
}

#[test]
fn check_fails_in_development_naming_every_fix() {
    let out = run(&["check"]);
    assert_eq!(out.code, EXIT_FAILURE, "{}", out.stdout);
    let fails: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("FAIL"))
        .collect();
    assert_eq!(fails.len(), 5, "{}", out.stdout);
    for var in [
        "SWML_BASIC_AUTH_PASSWORD",
        "SIGNALWIRE_SWAIG_SECRET",
        "SWML_PROXY_URL_BASE",
        "SIGNALWIRE_SIGNING_KEY",
    ] {
        assert!(
            fails.iter().any(|l| l.contains(var) && l.contains("fix:")),
            "{var}: {}",
            out.stdout
        );
    }
    assert!(out.stdout.contains("5 of 8 checks failed"));
    // The generated password is never printed by `check`.
    assert!(!out.stdout.contains("password:"));
}

#[test]
fn check_passes_with_a_production_configuration() {
    let out = run_env(&["check"], &production_env());
    assert_eq!(out.code, EXIT_OK, "{}", out.stdout);
    assert_eq!(
        out.stdout.lines().filter(|l| l.starts_with("PASS")).count(),
        8
    );
    assert!(
        out.stdout
            .contains("production start allowed: 8 of 8 checks passed")
    );
    assert!(!out.stdout.contains(STRONG));
}

#[test]
fn check_evaluates_a_production_configuration_that_would_not_start() {
    let mut env = production_env();
    env.retain(|(k, _)| *k != "SIGNALWIRE_SIGNING_KEY" && *k != "SWML_PROXY_URL_BASE");
    env.push(("SWML_BASIC_AUTH_PASSWORD", "short-Canary-pw"));
    env.push(("SWML_PROXY_URL_BASE", "http://agents.example.com"));
    env.push(("SWML_RATE_LIMIT", "off"));
    let out = run_env(&["check"], &env);
    assert_eq!(out.code, EXIT_FAILURE);
    for item in [
        "FAIL    password strength",
        "FAIL    transport: SWML_PROXY_URL_BASE is a plain http://",
        "FAIL    signing key",
        "FAIL    rate limits",
    ] {
        assert!(out.stdout.contains(item), "{item}: {}", out.stdout);
    }
    assert!(!out.stdout.contains("Canary"));
}

/// An agent that breaks the tool and recording items.
#[agent(name = "careless")]
struct Careless;

#[agent]
impl Careless {
    /// Refund an order.
    #[tool]
    fn refund_order(&self, order: String) -> ToolResult {
        ToolResult::new(format!("Refunded {order}."))
    }

    /// Show the menu.
    #[tool]
    fn display_menu(&self) -> ToolResult {
        ToolResult::new("Menu.")
    }
}

#[test]
fn check_flags_open_financial_tools_and_undisclosed_recording() {
    let vars: HashMap<String, String> = production_env()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let builder = || {
        Careless
            .builder()
            .prompt_text("You help callers with orders.")
            .record_call(Recording::default())
    };
    let out = run_with(builder(), ["careless", "check"], |k| vars.get(k).cloned());
    assert_eq!(out.code, EXIT_FAILURE);
    let line = |name: &str| {
        out.stdout
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_default()
            .to_owned()
    };
    let tools = line("secure tools");
    assert!(
        tools.starts_with("FAIL") && tools.contains("refund_order"),
        "{tools}"
    );
    assert!(!tools.contains("display_menu"));
    assert!(line("recording:").starts_with("FAIL"), "{}", out.stdout);

    // Disclosing the recording in the prompt passes that item.
    let disclosed = Careless
        .builder()
        .prompt_text("Tell the caller this call is recorded.")
        .record_call(Recording::default());
    let out = run_with(disclosed, ["careless", "check"], |k| vars.get(k).cloned());
    let recording = out
        .stdout
        .lines()
        .find(|l| l.contains("recording:"))
        .unwrap();
    assert!(recording.starts_with("PASS"), "{recording}");
}

#[test]
fn call_runs_a_secure_tool_with_the_token_from_the_swml() {
    let args = transfer_args();
    let out = run(&[
        "call",
        "transfer_funds",
        "--args",
        &args,
        "--call-id",
        "cli-call-1",
        "--caller",
        "+15551230000",
    ]);
    assert_eq!(out.code, EXIT_OK, "{}{}", out.stdout, out.stderr);
    let result: Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(
        result["response"]
            .as_str()
            .unwrap()
            .starts_with("Transferred 5.00 dollars")
    );
    assert!(out.stderr.contains("HTTP 200 (call id cli-call-1)"));
    assert!(
        out.stderr.contains(r#""event":"tool_call""#),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains(r#""caller":"+15551230000""#));
}

/// The body the real service answers for a secure tool without a token.
fn http_refusal_body() -> String {
    actix_web::rt::System::new().block_on(async {
        let agent = TestAgent::start(secure_bank::builder())
            .await
            .expect("bank starts");
        let args = serde_json::from_str(&transfer_args()).expect("JSON arguments");
        let reply = agent
            .call_with(ToolCall::new("transfer_funds", args).token(Token::Missing))
            .await;
        assert_eq!(reply.status, 403);
        reply.text()
    })
}

#[test]
fn call_without_or_with_a_bad_token_is_refused_exactly_as_over_http() {
    let expected = http_refusal_body();
    let args = transfer_args();
    for (flags, reason) in [
        (vec!["--no-token"], "token_missing"),
        (vec!["--bad-token"], "token_bad_signature"),
        (vec!["--bad-token=expired"], "token_expired"),
        (vec!["--bad-token", "other-call"], "token_wrong_call_id"),
        (vec!["--bad-token=garbage"], "token_malformed"),
        (vec!["--bad-token=empty"], "token_empty"),
    ] {
        let mut argv = vec!["call", "transfer_funds", "--args", &args];
        argv.extend(flags.iter().copied());
        let out = run(&argv);
        assert_eq!(out.code, EXIT_FAILURE, "{flags:?}");
        assert_eq!(out.stdout.trim_end(), expected, "{flags:?}");
        assert!(out.stderr.starts_with("HTTP 403"), "{}", out.stderr);
        assert!(out.stderr.contains(r#""event":"token_failure""#));
        assert!(out.stderr.contains(reason), "{flags:?}: {}", out.stderr);
        assert!(!out.stderr.contains(r#""event":"tool_call""#));
    }
}

#[test]
fn call_reports_validation_failures_and_usage_errors() {
    let out = run(&["call", "get_balance", "--args", r#"{"account":"12"}"#]);
    assert_eq!(out.code, EXIT_FAILURE);
    assert!(
        out.stdout.contains("`account` must match"),
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("validation_failure"));

    let out = run(&[
        "call",
        "get_balance",
        "--args",
        r#"{"account":"1000000001"}"#,
    ]);
    assert_eq!(out.code, EXIT_OK, "{}", out.stderr);

    assert_eq!(
        run(&["call", "get_balance", "--args", "[1]"]).code,
        EXIT_USAGE
    );
    assert_eq!(run(&["call"]).code, EXIT_USAGE);
    assert_eq!(
        run(&["call", "x", "--no-token", "--bad-token"]).code,
        EXIT_USAGE
    );
    assert_eq!(run(&["nonsense"]).code, EXIT_USAGE);
    let help = run(&["--help"]);
    assert_eq!(help.code, EXIT_OK);
    for cmd in ["serve", "swml", "tools", "call", "check", "audit"] {
        assert!(help.stdout.contains(cmd), "{}", help.stdout);
    }
}

#[test]
fn swml_prints_the_platform_document_with_the_password_masked() {
    let out = run_env(
        &["swml", "--call-id", "c-42"],
        &[("SWML_BASIC_AUTH_PASSWORD", "Visible-Canary-Password-123")],
    );
    assert_eq!(out.code, EXIT_OK, "{}", out.stderr);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_valid_swml(&doc);
    assert_eq!(
        tool_tokens(&doc).keys().collect::<Vec<_>>(),
        ["change_password", "delete_account", "transfer_funds"]
    );
    assert!(post_prompt_token(&doc).is_some());
    assert!(!out.stdout.contains("Visible-Canary"));
    assert!(out.stdout.contains("signalwire:****@"));

    let shown = run_env(
        &["swml", "--call-id", "c-42", "--show-credentials"],
        &[("SWML_BASIC_AUTH_PASSWORD", "Visible-Canary-Password-123")],
    );
    assert!(shown.stdout.contains("Visible-Canary-Password-123"));

    // Without a call id: no secure tools, as the service answers.
    let out = run(&["swml"]);
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(tool_tokens(&doc).is_empty());
    assert_eq!(post_prompt_token(&doc), None);
    assert!(out.stdout.contains("get_balance"));

    // A body file as the platform would POST it.
    let path = std::env::temp_dir().join(format!("cli-swml-body-{}.json", std::process::id()));
    std::fs::write(&path, json!({"call": {"call_id": "from-file"}}).to_string()).unwrap();
    let out = run(&["swml", "--body", path.to_str().unwrap()]);
    assert_eq!(out.code, EXIT_OK);
    assert!(
        tool_tokens(&serde_json::from_str(&out.stdout).unwrap()).contains_key("transfer_funds")
    );
    std::fs::write(&path, "not json").unwrap();
    assert_eq!(
        run(&["swml", "--body", path.to_str().unwrap()]).code,
        EXIT_USAGE
    );
    let _ = std::fs::remove_file(&path);
}

#[test]
fn tools_lists_schemas_and_security_flags() {
    let out = run(&["tools"]);
    assert_eq!(out.code, EXIT_OK);
    let tools: Value = serde_json::from_str(&out.stdout).unwrap();
    let tools = tools.as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "get_balance",
            "transfer_funds",
            "change_password",
            "delete_account"
        ]
    );
    let transfer = &tools[1];
    assert_eq!(transfer["secure"], true);
    assert_eq!(transfer["looks_destructive_or_financial"], true);
    assert_eq!(tools[0]["secure"], false);
    assert_eq!(transfer["parameters"]["type"], "object");
    assert!(transfer["parameters"]["properties"]["amount"].is_object());
    assert!(
        transfer["description"]
            .as_str()
            .unwrap()
            .starts_with("Move money")
    );
}

fn write_audit(path: &std::path::Path, key: Option<&str>) {
    let _ = std::fs::remove_file(path);
    let sink = JsonLinesAuditSink::open(path, key.map(|k| SecretString::new(k.into()))).unwrap();
    // Records as the service writes them, via a real call through the harness.
    actix_web::rt::System::new().block_on(async {
        let agent = TestAgent::start(secure_bank::builder().audit_sink(Arc::new(ForwardTo(sink))))
            .await
            .expect("bank starts");
        agent
            .call(
                "transfer_funds",
                serde_json::from_str(&transfer_args()).unwrap(),
            )
            .await;
        agent
            .call_with(
                ToolCall::new("delete_account", json!({"account": "1000000002"}))
                    .token(Token::Missing),
            )
            .await;
        agent
            .call("get_balance", json!({"account": "1000000001"}))
            .await;
    });
}

struct ForwardTo(JsonLinesAuditSink);
impl AuditSink for ForwardTo {
    fn record(&self, record: &AuditRecord) {
        assert_ne!(record.event, AuditEvent::AuthFailure);
        self.0.record(record);
    }
}

#[test]
fn audit_verify_accepts_an_intact_file_and_finds_a_changed_line() {
    let path = std::env::temp_dir().join(format!("cli-audit-{}.jsonl", std::process::id()));
    write_audit(&path, None);
    let file = path.to_str().unwrap();
    let out = run(&["audit", "verify", file]);
    assert_eq!(out.code, EXIT_OK, "{}", out.stdout);
    assert!(out.stdout.starts_with("ok: 3 records"), "{}", out.stdout);

    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("\"refused\"", "\"ok\"", 1)).unwrap();
    let out = run(&["audit", "verify", file]);
    assert_eq!(out.code, EXIT_FAILURE);
    assert!(out.stdout.contains("broken at line 2"), "{}", out.stdout);

    // Keyed files: the key comes from a named environment variable.
    write_audit(&path, Some("audit-chain-key"));
    let out = run_env(
        &["audit", "verify", file, "--key-env", "AUDIT_KEY"],
        &[("AUDIT_KEY", "audit-chain-key")],
    );
    assert_eq!(out.code, EXIT_OK, "{}", out.stdout);
    let out = run_env(
        &["audit", "verify", file, "--key-env", "AUDIT_KEY"],
        &[("AUDIT_KEY", "another-key")],
    );
    assert_eq!(out.code, EXIT_FAILURE);
    assert_eq!(
        run(&["audit", "verify", file, "--key-env", "AUDIT_KEY"]).code,
        EXIT_USAGE
    );
    let missing = run(&["audit", "verify", "/nonexistent/audit.jsonl"]);
    assert_eq!(missing.code, EXIT_FAILURE);
    let _ = std::fs::remove_file(&path);
}

/// The compiled example itself (built by `cargo test` beside this test):
/// exit codes and output of `check` through a real process.
#[test]
fn example_binary_check_exit_codes() {
    let Some(bin) = std::env::current_exe().ok().and_then(|exe| {
        let dir = exe.parent()?.parent()?.join("examples");
        let bin = dir.join(format!("secure_bank{}", std::env::consts::EXE_SUFFIX));
        bin.exists().then_some(bin)
    }) else {
        eprintln!("examples/secure_bank not built; skipping the process test");
        return;
    };
    let dev = std::process::Command::new(&bin)
        .arg("check")
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(dev.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&dev.stdout).contains("5 of 8 checks failed"));
    let prod = std::process::Command::new(&bin)
        .arg("check")
        .env_clear()
        .envs(production_env())
        .output()
        .unwrap();
    assert_eq!(
        prod.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&prod.stdout)
    );
    let refused = std::process::Command::new(&bin)
        .args(["call", "transfer_funds", "--no-token", "--args"])
        .arg(transfer_args())
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&refused.stdout).trim_end(),
        http_refusal_body()
    );
}
