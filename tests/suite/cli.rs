//! The built-in command line, driven through `agent_runtime::cli::run_with`
//! (arguments and environment in, exit code and output out), plus one run
//! of the built example binary.

use std::collections::HashMap;
use std::sync::Arc;

use agent_runtime::audit::AuditSink;
use agent_runtime::audit::chain::{AuditKey, ChainKey, JsonLinesAuditSink};
use agent_runtime::cli::{
    CliOutput, EXIT_FAILURE, EXIT_OK, EXIT_UNPROVEN_TAIL, EXIT_USAGE, run_with,
};
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
        ("SWML_STATE_URL", "rediss://state.internal.example:6380/0"),
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
    assert_eq!(fails.len(), 6, "{}", out.stdout);
    for var in [
        "SWML_BASIC_AUTH_PASSWORD",
        "SIGNALWIRE_SWAIG_SECRET",
        "SWML_PROXY_URL_BASE",
        "SIGNALWIRE_SIGNING_KEY",
        "SWML_STATE_URL",
    ] {
        assert!(
            fails.iter().any(|l| l.contains(var) && l.contains("fix:")),
            "{var}: {}",
            out.stdout
        );
    }
    assert!(out.stdout.contains("6 of 10 checks failed"));
    // The generated password is never printed by `check`.
    assert!(!out.stdout.contains("password:"));
}

#[test]
fn check_passes_with_a_production_configuration() {
    let out = run_env(&["check"], &production_env());
    assert_eq!(out.code, EXIT_OK, "{}", out.stdout);
    assert_eq!(
        out.stdout.lines().filter(|l| l.starts_with("PASS")).count(),
        10
    );
    assert!(
        out.stdout
            .contains("production start allowed: 10 of 10 checks passed")
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
        [
            "change_password",
            "delete_account",
            "transfer_funds",
            "verify_pin"
        ]
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
            "verify_pin",
            "transfer_funds",
            "change_password",
            "delete_account"
        ]
    );
    let transfer = &tools[2];
    assert_eq!(transfer["secure"], true);
    assert_eq!(transfer["check"], true);
    assert_eq!(tools[0]["check"], false);
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

const AUDIT_KEY: &str = "an-audit-chain-key-of-at-least-32-bytes";
const OTHER_AUDIT_KEY: &str = "another-audit-chain-key-of-32-bytes-or-more";

fn audit_key(secret: &str) -> ChainKey {
    ChainKey::Keyed(AuditKey::from_secret(&SecretString::new(secret.into())).unwrap())
}

fn audit_path(name: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("cli-audit-{}-{name}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// Three records as the service writes them (real calls through the
/// harness), then the stop seal the runtime writes when its server stops.
fn write_audit(path: &std::path::Path, key: ChainKey) {
    let sink = Arc::new(JsonLinesAuditSink::open(path, key).unwrap());
    actix_web::rt::System::new().block_on(async {
        let agent = TestAgent::start(secure_bank::builder().audit_sink(sink.clone()))
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
    sink.seal();
}

fn verify_with_key(file: &str, key: &str) -> CliOutput {
    run_env(
        &["audit", "verify", file, "--key-env", "AUDIT_KEY"],
        &[("AUDIT_KEY", key)],
    )
}

#[test]
fn audit_verify_reports_a_keyed_chain_with_its_key_id_and_finds_a_changed_line() {
    let path = audit_path("keyed");
    write_audit(&path, audit_key(AUDIT_KEY));
    let file = path.to_str().unwrap();
    let key_id = AuditKey::from_secret(&SecretString::new(AUDIT_KEY.into()))
        .unwrap()
        .key_id()
        .to_owned();
    let out = verify_with_key(file, AUDIT_KEY);
    assert_eq!(out.code, EXIT_OK, "{}", out.stdout);
    assert!(
        out.stdout
            .starts_with(&format!("keyed chain, key id {key_id} (")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("5 records in 7 lines"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("last seal: seq 7 at "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("ok: keyed chain, key id"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains(AUDIT_KEY));

    // Line 1 is the start record; each call's SWML fetch is a `call_start`
    // record. The refused call is changed to look served.
    let text = std::fs::read_to_string(&path).unwrap();
    let refused_line = 1 + text
        .lines()
        .position(|l| l.contains("\"refused\""))
        .expect("a refused record");
    assert!(refused_line > 1);
    std::fs::write(&path, text.replacen("\"refused\"", "\"ok\"", 1)).unwrap();
    let out = verify_with_key(file, AUDIT_KEY);
    assert_eq!(out.code, EXIT_FAILURE);
    assert!(
        out.stdout
            .contains(&format!("broken at line {refused_line}")),
        "{}",
        out.stdout
    );
    let _ = std::fs::remove_file(&path);
}

#[test]
fn audit_verify_refuses_a_chain_of_the_wrong_kind_or_key() {
    let keyed = audit_path("kind-keyed");
    write_audit(&keyed, audit_key(AUDIT_KEY));
    let keyed_file = keyed.to_str().unwrap();

    // Without a key, a keyed chain cannot be verified.
    let out = run(&["audit", "verify", keyed_file]);
    assert_eq!(out.code, EXIT_FAILURE, "{}", out.stdout);
    assert!(
        out.stdout.contains("cannot be verified without its key"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("--key-env"), "{}", out.stdout);
    // Another key is refused by its key id.
    let out = verify_with_key(keyed_file, OTHER_AUDIT_KEY);
    assert_eq!(out.code, EXIT_FAILURE, "{}", out.stdout);
    assert!(
        out.stdout
            .starts_with("audit chain refused: the chain was written with key id"),
        "{}",
        out.stdout
    );

    // An unkeyed chain in place of the keyed one passes no keyed check; on
    // its own it is reported as what it is.
    let unkeyed = audit_path("kind-unkeyed");
    write_audit(&unkeyed, ChainKey::UnkeyedAccidentalEditsOnly);
    let unkeyed_file = unkeyed.to_str().unwrap();
    let out = verify_with_key(unkeyed_file, AUDIT_KEY);
    assert_eq!(out.code, EXIT_FAILURE, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("unkeyed chain where a keyed one was expected"),
        "{}",
        out.stdout
    );
    let out = run(&["audit", "verify", unkeyed_file]);
    assert_eq!(out.code, EXIT_OK, "{}", out.stdout);
    assert!(out.stdout.starts_with("unkeyed chain ("), "{}", out.stdout);
    assert!(
        out.stdout.contains("ok: unkeyed chain intact"),
        "{}",
        out.stdout
    );

    // The key variable: unset, or too short to be a key.
    let unset = run(&["audit", "verify", keyed_file, "--key-env", "AUDIT_KEY"]);
    assert_eq!(unset.code, EXIT_USAGE);
    let short = verify_with_key(keyed_file, "audit-chain-key");
    assert_eq!(short.code, EXIT_USAGE);
    assert!(
        short.stderr.contains("at least 32 bytes"),
        "{}",
        short.stderr
    );
    assert!(!short.stderr.contains("audit-chain-key"));
    let _ = std::fs::remove_file(&keyed);
    let _ = std::fs::remove_file(&unkeyed);
}

#[test]
fn audit_verify_shows_a_cut_tail_and_refuses_empty_and_missing_files() {
    let path = audit_path("cut");
    write_audit(&path, audit_key(AUDIT_KEY));
    let file = path.to_str().unwrap();
    // The stop seal and the newest record removed.
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&path, lines[..lines.len() - 2].join("\n") + "\n").unwrap();
    let out = verify_with_key(file, AUDIT_KEY);
    assert_eq!(out.code, EXIT_UNPROVEN_TAIL, "{}", out.stdout);
    assert!(out.stdout.contains("last seal: none"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("tail after the last seal is unproven: 4 records"),
        "{}",
        out.stdout
    );

    std::fs::write(&path, "").unwrap();
    let out = verify_with_key(file, AUDIT_KEY);
    assert_eq!(out.code, EXIT_FAILURE, "{}", out.stdout);
    assert!(out.stdout.contains("the file is empty"), "{}", out.stdout);
    let _ = std::fs::remove_file(&path);

    let missing = run(&["audit", "verify", "/nonexistent/audit.jsonl"]);
    assert_eq!(missing.code, EXIT_FAILURE);
    assert!(
        missing.stdout.contains("does not exist"),
        "{}",
        missing.stdout
    );
}

#[test]
fn audit_verify_reports_a_torn_line_and_the_segment_that_sealed_it_off() {
    let path = audit_path("torn");
    write_audit(&path, audit_key(AUDIT_KEY));
    let file = path.to_str().unwrap();
    // The process died while writing a line.
    let torn = "{\"seq\":8,\"prev\":\"7e";
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(torn);
    std::fs::write(&path, &text).unwrap();
    let out = verify_with_key(file, AUDIT_KEY);
    assert_eq!(out.code, EXIT_UNPROVEN_TAIL, "{}", out.stdout);
    assert!(
        out.stdout.contains(&format!(
            "incomplete last line: {} bytes after seq 7",
            torn.len()
        )),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("the file ends in an incomplete line"),
        "{}",
        out.stdout
    );

    // The next start seals it off and goes on writing.
    write_audit(&path, audit_key(AUDIT_KEY));
    let out = verify_with_key(file, AUDIT_KEY);
    assert_eq!(out.code, EXIT_OK, "{}", out.stdout);
    assert!(out.stdout.contains("10 records"), "{}", out.stdout);
    assert!(
        out.stdout.contains("segment from seq 8 (")
            && out.stdout.contains(&format!(
                "a torn line of {} bytes (1 line) after seq 7 was sealed off",
                torn.len()
            )),
        "{}",
        out.stdout
    );
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
    assert!(String::from_utf8_lossy(&dev.stdout).contains("6 of 10 checks failed"));
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

/// `audit verify` through the built example binary: the key from the
/// process environment, the exit codes for a clean stop and a cut tail.
#[test]
fn example_binary_audit_verify_exit_codes() {
    let Some(bin) = std::env::current_exe().ok().and_then(|exe| {
        let dir = exe.parent()?.parent()?.join("examples");
        let bin = dir.join(format!("secure_bank{}", std::env::consts::EXE_SUFFIX));
        bin.exists().then_some(bin)
    }) else {
        eprintln!("examples/secure_bank not built; skipping the process test");
        return;
    };
    let path = audit_path("process");
    write_audit(&path, audit_key(AUDIT_KEY));
    let verify = |key: Option<&str>| {
        let mut cmd = std::process::Command::new(&bin);
        cmd.args(["audit", "verify"]).arg(&path).env_clear();
        if let Some(k) = key {
            cmd.args(["--key-env", "AUDIT_KEY"]).env("AUDIT_KEY", k);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, stdout) = verify(Some(AUDIT_KEY));
    assert_eq!(code, Some(0), "{stdout}");
    assert_eq!(verify(None).0, Some(1));
    assert_eq!(verify(Some(OTHER_AUDIT_KEY)).0, Some(1));
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&path, lines[..lines.len() - 1].join("\n") + "\n").unwrap();
    let (code, stdout) = verify(Some(AUDIT_KEY));
    assert_eq!(code, Some(3), "{stdout}");
    assert!(stdout.contains("unproven: keyed chain"), "{stdout}");
    let _ = std::fs::remove_file(&path);
}
