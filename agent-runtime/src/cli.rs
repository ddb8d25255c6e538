//! The built-in command line of every agent: one call in `main`.
//!
//! ```no_run
//! use agent_runtime::prelude::*;
//!
//! /// Voice banking assistant.
//! #[agent(name = "mini-bank")]
//! struct Bank;
//!
//! #[agent]
//! impl Bank {
//!     /// Close the caller's account.
//!     #[tool(secure)]
//!     async fn close_account(&self, account: String) -> ToolResult {
//!         ToolResult::new("Closed.")
//!     }
//! }
//!
//! fn main() -> std::process::ExitCode {
//!     Bank.builder().prompt_text("You help callers.").run_cli()
//! }
//! ```
//!
//! | Command | What it does |
//! | --- | --- |
//! | `serve` (default) | runs the service; prints URL, route and whether credentials were generated |
//! | `swml [--call-id ID] [--body FILE] [--show-credentials]` | the SWML document the platform would get (the basic-auth password in URLs is masked unless asked) |
//! | `tools` | every tool with its JSON Schema (as sent to the platform) and security flags |
//! | `call TOOL --args JSON [--call-id ID] [--caller NUM] [--global-data JSON] [--no-token \| --bad-token[=KIND]]` | one tool call through the full in-process HTTP stack; the token is read from the SWML for the call, as the platform would; prints the response body and, on stderr, the audit records of the call |
//! | `check` | the production hardening checklist against the current configuration, one line per item, non-zero exit when anything fails |
//! | `audit verify FILE [--key-env VAR]` | verifies a chained audit file (key read from the environment variable `VAR`, never from the command line) |
//!
//! Exit codes: 0 success, 1 refusal or failure, 2 usage error.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand, ValueEnum};
use serde_json::{Value, json};

use crate::builder::{AgentBuilder, AgentService};
use crate::config::{AgentConfig, CredentialSource, KeySource};
use crate::harness::{TestAgent, Token, ToolCall};
use crate::tool::Agent;

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: a refusal, a failed check or an error.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code: the command line was wrong.
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    about = "A SignalWire AI agent: serve it, or inspect and exercise it from the command line.",
    disable_version_flag = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the service (the default).
    Serve,
    /// Print the SWML document the platform would get.
    Swml {
        /// Call id the platform would send (secure tools are only offered with one).
        #[arg(long)]
        call_id: Option<String>,
        /// A JSON file with the request body the platform would POST.
        #[arg(long)]
        body: Option<PathBuf>,
        /// Print the basic-auth password inside URLs instead of masking it.
        #[arg(long)]
        show_credentials: bool,
    },
    /// List the tools with their JSON Schemas and security flags.
    Tools,
    /// Run one tool through the full in-process HTTP stack and print the SWAIG result.
    Call {
        /// The tool (function) name.
        tool: String,
        /// The arguments the model would fill, as a JSON object.
        #[arg(long, default_value = "{}")]
        args: String,
        /// Call id (default: a fresh one).
        #[arg(long)]
        call_id: Option<String>,
        /// Caller number (`caller_id_num`).
        #[arg(long)]
        caller: Option<String>,
        /// `global_data` as a JSON object.
        #[arg(long)]
        global_data: Option<String>,
        /// Send no token (shows the refusal of a secure tool).
        #[arg(long, conflicts_with = "bad_token")]
        no_token: bool,
        /// Send a bad token (default: the right one with its signature changed).
        #[arg(long, value_enum, num_args = 0..=1, default_missing_value = "tampered")]
        bad_token: Option<BadToken>,
    },
    /// Evaluate the production hardening checklist against the current configuration.
    Check,
    /// Audit-file tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Verify a chained audit file (changed, removed or reordered lines).
    Verify {
        /// The JSON-lines audit file.
        file: PathBuf,
        /// Environment variable holding the chain key (omit for unkeyed files).
        #[arg(long)]
        key_env: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum BadToken {
    /// The right token with its signature changed.
    Tampered,
    /// A token that has expired.
    Expired,
    /// A valid token for another call id.
    OtherCall,
    /// A string that is not a token.
    Garbage,
    /// An empty `__token`.
    Empty,
}

/// What a command printed and its exit code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CliOutput {
    /// Exit code (see [`EXIT_OK`], [`EXIT_FAILURE`], [`EXIT_USAGE`]).
    pub code: u8,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl CliOutput {
    fn new(code: u8, stdout: impl Into<String>, stderr: impl Into<String>) -> Self {
        CliOutput {
            code,
            stdout: stdout.into(),
            stderr: stderr.into(),
        }
    }
    fn usage(message: impl std::fmt::Display) -> Self {
        Self::new(EXIT_USAGE, "", format!("error: {message}\n"))
    }
    fn failure(message: impl std::fmt::Display) -> Self {
        Self::new(EXIT_FAILURE, "", format!("error: {message}\n"))
    }
}

impl<A: Agent + Send + Sync> AgentBuilder<A> {
    /// The built-in command line: parses the process arguments, reads the
    /// configuration from the environment (unless set in code) and runs the
    /// command (`serve` by default). Use as the whole of `main`:
    /// `fn main() -> ExitCode { builder().run_cli() }`.
    pub fn run_cli(self) -> ExitCode {
        let out = run_with(self, std::env::args_os(), |name| std::env::var(name).ok());
        print!("{}", out.stdout);
        eprint!("{}", out.stderr);
        ExitCode::from(out.code)
    }
}

/// Runs one command line (`args` as from `std::env::args_os()`, program name
/// first) with `lookup` standing in for the environment, and returns what it
/// printed. `serve` blocks until the server stops and prints its banner
/// directly.
pub fn run_with<A, I, T>(
    builder: AgentBuilder<A>,
    args: I,
    lookup: impl Fn(&str) -> Option<String>,
) -> CliOutput
where
    A: Agent + Send + Sync,
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let command = Cli::command().name(A::NAME);
    let cli = match command
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(e) => {
            let text = e.render().to_string();
            return if e.use_stderr() {
                CliOutput::new(EXIT_USAGE, "", text)
            } else {
                CliOutput::new(EXIT_OK, text, "")
            };
        }
    };
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Audit {
        command: AuditCommand::Verify { file, key_env },
    } = &command
    {
        return audit_verify(file, key_env.as_deref(), &lookup);
    }
    let mut builder = builder;
    if builder.config.is_none() {
        match AgentConfig::from_lookup(&lookup) {
            Ok(c) => builder = builder.config(c),
            Err(e) => return CliOutput::failure(e),
        }
    }
    match command {
        Command::Serve => match builder.run() {
            Ok(()) => CliOutput::default(),
            Err(e) => CliOutput::failure(e),
        },
        Command::Check => check(builder),
        Command::Tools => match builder.build() {
            Ok(svc) => tools(&svc),
            Err(e) => CliOutput::failure(e),
        },
        Command::Swml {
            call_id,
            body,
            show_credentials,
        } => swml(builder, call_id, body, show_credentials),
        Command::Call {
            tool,
            args,
            call_id,
            caller,
            global_data,
            no_token,
            bad_token,
        } => {
            let args = match parse_object(&args, "--args") {
                Ok(v) => v,
                Err(e) => return e,
            };
            let mut call = ToolCall::new(tool, args);
            if let Some(g) = global_data {
                match parse_object(&g, "--global-data") {
                    Ok(v) => call = call.global_data(v),
                    Err(e) => return e,
                }
            }
            call = call.call_id(call_id.unwrap_or_else(|| {
                let id = crate::harness::fresh_call_id();
                format!("cli-{}", id.trim_start_matches("test-"))
            }));
            call = match caller {
                Some(c) => call.caller(c),
                None => call.no_caller(),
            };
            let token = match (no_token, bad_token) {
                (true, _) => Token::Missing,
                (false, Some(BadToken::Tampered)) => Token::Tampered,
                (false, Some(BadToken::Expired)) => Token::Expired,
                (false, Some(BadToken::OtherCall)) => Token::ForOtherCall,
                (false, Some(BadToken::Garbage)) => Token::Garbage,
                (false, Some(BadToken::Empty)) => Token::Empty,
                (false, None) => Token::FromSwml,
            };
            call_tool(builder, call.token(token))
        }
        Command::Audit { .. } => CliOutput::default(),
    }
}

fn parse_object(text: &str, flag: &str) -> Result<Value, CliOutput> {
    match serde_json::from_str::<Value>(text) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(CliOutput::usage(format!("{flag} must be a JSON object"))),
    }
}

/// Runs `f` against the agent started in-process, inside its own actix
/// runtime.
fn in_process<A, F>(builder: AgentBuilder<A>, f: F) -> CliOutput
where
    A: Agent,
    F: AsyncFnOnce(&TestAgent<A>) -> CliOutput,
{
    actix_web::rt::System::new().block_on(async move {
        match TestAgent::start(builder).await {
            Ok(agent) => f(&agent).await,
            Err(e) => CliOutput::failure(e),
        }
    })
}

fn swml<A: Agent>(
    builder: AgentBuilder<A>,
    call_id: Option<String>,
    body: Option<PathBuf>,
    show_credentials: bool,
) -> CliOutput {
    let mut request = match &body {
        Some(path) => {
            let Ok(text) = std::fs::read_to_string(path) else {
                return CliOutput::usage(format!("cannot read {}", path.display()));
            };
            match parse_object(&text, "--body") {
                Ok(v) => v,
                Err(e) => return e,
            }
        }
        None => json!({}),
    };
    if let Some(id) = call_id {
        request["call_id"] = Value::String(id);
    }
    in_process(builder, async move |agent| {
        let reply = agent.swml_with_body(&request).await;
        match reply.json() {
            Some(mut doc) if reply.status == 200 => {
                if !show_credentials {
                    mask_credentials(&mut doc);
                }
                let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
                CliOutput::new(EXIT_OK, text + "\n", "")
            }
            _ => CliOutput::new(
                EXIT_FAILURE,
                reply.text() + "\n",
                format!("refused: HTTP {}\n", reply.status),
            ),
        }
    })
}

/// Replaces the password in `scheme://user:password@host` URLs with `****`.
fn mask_credentials(value: &mut Value) {
    match value {
        Value::String(s) => {
            if let Some(scheme_end) = s.find("://") {
                let start = scheme_end + 3;
                let authority_end = s[start..].find('/').map_or(s.len(), |i| start + i);
                if let Some(at) = s[start..authority_end].rfind('@')
                    && let Some(colon) = s[start..start + at].find(':')
                {
                    s.replace_range(start + colon + 1..start + at, "****");
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_credentials),
        Value::Object(map) => map.values_mut().for_each(mask_credentials),
        _ => {}
    }
}

fn tools<A: Agent>(svc: &AgentService<A>) -> CliOutput {
    let list: Vec<Value> = svc
        .state
        .tools
        .iter()
        .map(|t| {
            let full = (t.def.schema)().to_value();
            let parameters = crate::schema::to_swaig_parameters(&full)
                .unwrap_or_else(|e| json!({ "error": e.to_string() }));
            json!({
                "name": t.def.name,
                "description": t.def.description,
                "secure": t.def.secure,
                "sensitive": t.def.sensitive,
                "rate_limit": t.def.rate_limit,
                "guard": t.def.guard.is_some(),
                "looks_destructive_or_financial": looks_sensitive(t.def.name),
                "parameters": parameters,
            })
        })
        .collect();
    let text = serde_json::to_string_pretty(&list).unwrap_or_default();
    CliOutput::new(EXIT_OK, text + "\n", "")
}

fn call_tool<A: Agent>(builder: AgentBuilder<A>, call: ToolCall) -> CliOutput {
    in_process(builder, async move |agent| {
        let reply = agent.call_with(call).await;
        let mut stderr = format!(
            "HTTP {} (call id {})\n",
            reply.status,
            reply.call_id.as_deref().unwrap_or("")
        );
        for record in &reply.audit {
            stderr.push_str(&format!("audit: {}\n", record.to_json()));
        }
        let failed = reply.is_refused() || reply.audit.iter().any(|r| r.outcome != "ok");
        if reply.audit.is_empty() && reply.is_refused() {
            stderr.push_str("audit: (no record)\n");
        }
        CliOutput::new(
            if failed { EXIT_FAILURE } else { EXIT_OK },
            reply.text() + "\n",
            stderr,
        )
    })
}

fn audit_verify(
    file: &std::path::Path,
    key_env: Option<&str>,
    lookup: &impl Fn(&str) -> Option<String>,
) -> CliOutput {
    let key = match key_env {
        Some(var) => match lookup(var).filter(|k| !k.is_empty()) {
            Some(k) => Some(crate::secret::SecretString::new(k)),
            None => return CliOutput::usage(format!("{var} is not set")),
        },
        None => None,
    };
    match crate::audit_file::verify_file(file, key.as_ref()) {
        Ok(report) => CliOutput::new(
            EXIT_OK,
            format!(
                "ok: {} records, chain intact, head {}\n",
                report.lines, report.last_hash
            ),
            "",
        ),
        Err(e) => CliOutput::new(EXIT_FAILURE, format!("{e}\n"), ""),
    }
}

/// One item of the production checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckItem {
    /// Short name (`credentials`, `token secret`, ...).
    pub name: &'static str,
    /// Whether the configuration passes.
    pub passed: bool,
    /// What was found (never a secret value).
    pub detail: String,
    /// What to change, when it failed.
    pub fix: Option<String>,
}

impl CheckItem {
    fn pass(name: &'static str, detail: impl Into<String>) -> Self {
        CheckItem {
            name,
            passed: true,
            detail: detail.into(),
            fix: None,
        }
    }
    fn fail(name: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        CheckItem {
            name,
            passed: false,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }
}

impl std::fmt::Display for CheckItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mark = if self.passed { "PASS" } else { "FAIL" };
        write!(f, "{mark}  {}: {}", self.name, self.detail)?;
        if let Some(fix) = &self.fix {
            write!(f, " -- fix: {fix}")?;
        }
        Ok(())
    }
}

/// Words that make a tool name look destructive or financial.
const SENSITIVE_WORDS: [&str; 10] = [
    "delete", "transfer", "pay", "refund", "close", "change", "reset", "update", "cancel",
    "withdraw",
];

/// True when a word of `name` (split at `_`, `-` and lower-to-upper case
/// changes) starts with one of the destructive or financial words
/// (`delete`, `transfer`, `pay`, `refund`, `close`, `change`, `reset`,
/// `update`, `cancel`, `withdraw`).
pub fn looks_sensitive(name: &str) -> bool {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if (!c.is_ascii_alphanumeric() || (c.is_ascii_uppercase() && prev_lower))
            && !word.is_empty()
        {
            words.push(std::mem::take(&mut word));
        }
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
        .iter()
        .any(|w| SENSITIVE_WORDS.iter().any(|s| w.starts_with(s)))
}

/// The production hardening checklist of the security guide, evaluated
/// against a built agent: credentials, password strength, token secret, TLS
/// or an HTTPS proxy, webhook signing key, rate limits, secure flags on tools
/// that look destructive or financial, and recording.
pub fn checklist<A: Agent>(svc: &AgentService<A>) -> Vec<CheckItem> {
    let c = svc.config();
    let state = &svc.state;
    let mut items = Vec::new();

    items.push(match c.credentials.source {
        CredentialSource::Generated => CheckItem::fail(
            "credentials",
            "basic-auth credentials are generated at every start",
            "set SWML_BASIC_AUTH_USER and SWML_BASIC_AUTH_PASSWORD",
        ),
        CredentialSource::Environment => {
            CheckItem::pass("credentials", "basic-auth credentials from the environment")
        }
        CredentialSource::Builder => {
            CheckItem::pass("credentials", "basic-auth credentials set in code")
        }
    });

    let password = c.credentials.password.expose_secret();
    let distinct = {
        let mut chars: Vec<char> = password.chars().collect();
        chars.sort_unstable();
        chars.dedup();
        chars.len()
    };
    items.push(if c.credentials.source == CredentialSource::Generated {
        CheckItem::fail(
            "password strength",
            "no password is configured",
            "set SWML_BASIC_AUTH_PASSWORD to at least 32 random characters",
        )
    } else if password.chars().count() < 32 || distinct < 10 {
        CheckItem::fail(
            "password strength",
            "the basic-auth password is shorter than 32 characters or too repetitive",
            "set SWML_BASIC_AUTH_PASSWORD to at least 32 random characters",
        )
    } else {
        CheckItem::pass("password strength", "at least 32 characters")
    });

    items.push(match c.key_source {
        KeySource::Random => CheckItem::fail(
            "token secret",
            "secure-tool tokens use a random per-process key (replicas and restarts disagree)",
            "set SIGNALWIRE_SWAIG_SECRET (at least 32 bytes, the same on every replica)",
        ),
        KeySource::Environment => CheckItem::pass("token secret", "SIGNALWIRE_SWAIG_SECRET is set"),
        KeySource::Builder => CheckItem::pass("token secret", "token key set in code"),
    });

    items.push(match (&c.tls, &c.proxy_url_base) {
        (Some(_), _) => CheckItem::pass("transport", "HTTPS via rustls"),
        (None, Some(base)) if base.starts_with("https://") => {
            CheckItem::pass("transport", "behind an HTTPS proxy (SWML_PROXY_URL_BASE)")
        }
        (None, Some(_)) => CheckItem::fail(
            "transport",
            "SWML_PROXY_URL_BASE is a plain http:// address",
            "set SWML_PROXY_URL_BASE to the https:// address of the TLS-terminating proxy",
        ),
        (None, None) => CheckItem::fail(
            "transport",
            "the agent is reachable over plain HTTP",
            "set SWML_SSL_ENABLED with SWML_SSL_CERT_PATH and SWML_SSL_KEY_PATH, or SWML_PROXY_URL_BASE to the https:// address of a TLS-terminating proxy",
        ),
    });

    items.push(if c.signing_key.is_some() {
        CheckItem::pass(
            "signing key",
            "every request must carry a valid X-SignalWire-Signature",
        )
    } else {
        CheckItem::fail(
            "signing key",
            "requests are not checked for the platform's signature",
            "set SIGNALWIRE_SIGNING_KEY to the signing key of your SignalWire space",
        )
    });

    let unlimited: Vec<&str> = state
        .tools
        .iter()
        .filter(|t| t.def.rate_limit.is_none())
        .map(|t| t.def.name)
        .collect();
    items.push(match c.rate_limit {
        Some(rate) => CheckItem::pass(
            "rate limits",
            format!(
                "{} calls per {} s per caller and tool unless a tool declares its own",
                rate.count,
                rate.per.as_secs()
            ),
        ),
        None if unlimited.is_empty() => {
            CheckItem::pass("rate limits", "every tool declares its own limit")
        }
        None => CheckItem::fail(
            "rate limits",
            format!(
                "SWML_RATE_LIMIT is off and these tools declare no limit: {}",
                unlimited.join(", ")
            ),
            "unset SWML_RATE_LIMIT (default 60/min) or set a limit such as 30/min, or declare #[tool(rate_limit = \"..\")]",
        ),
    });

    let open: Vec<&str> = state
        .tools
        .iter()
        .filter(|t| !t.def.secure && looks_sensitive(t.def.name))
        .map(|t| t.def.name)
        .collect();
    items.push(if open.is_empty() {
        CheckItem::pass(
            "secure tools",
            "every tool that looks destructive or financial is #[tool(secure)]",
        )
    } else {
        CheckItem::fail(
            "secure tools",
            format!(
                "these tools look destructive or financial but need no token: {}",
                open.join(", ")
            ),
            "mark them #[tool(secure)] so every call needs the per-call token",
        )
    });

    let doc: Value =
        serde_json::from_slice(&state.swml_with_call.render(&state.signer, "checklist"))
            .unwrap_or(Value::Null);
    let main = doc["sections"]["main"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let recorded = main.iter().any(|v| v.get("record_call").is_some());
    let prompt = main
        .iter()
        .find_map(|v| v.get("ai"))
        .map(|ai| ai["prompt"].to_string().to_ascii_lowercase())
        .unwrap_or_default();
    items.push(if !recorded {
        CheckItem::pass("recording", "calls are not recorded")
    } else if prompt.contains("record") {
        CheckItem::pass("recording", "calls are recorded and the prompt discloses it")
    } else {
        CheckItem::fail(
            "recording",
            "calls are recorded but the prompt never tells the caller",
            "add a prompt section telling callers the call is recorded (e.g. Section::new(\"Recording notice\").body(\"Tell the caller this call is recorded.\")), or remove .record_call(..)",
        )
    });
    items
}

fn check<A: Agent>(mut builder: AgentBuilder<A>) -> CliOutput {
    // Build as in development so a production configuration that would be
    // refused at start-up is still evaluated item by item.
    let production = builder.config.as_ref().is_some_and(|c| c.production);
    if let Some(c) = builder.config.as_mut() {
        c.production = false;
    }
    let env = if production {
        "production"
    } else {
        "development"
    };
    let mut out = format!(
        "production checklist for agent `{}` (AGENT_ENV={env})\n",
        A::NAME
    );
    let svc = match builder.build() {
        Ok(svc) => svc,
        Err(e) => {
            out.push_str(&format!("FAIL  configuration: {e}\n"));
            return CliOutput::new(EXIT_FAILURE, out, "");
        }
    };
    let items = checklist(&svc);
    let failed = items.iter().filter(|i| !i.passed).count();
    for item in &items {
        out.push_str(&format!("{item}\n"));
    }
    if failed == 0 {
        out.push_str(&format!("all {} checks passed\n", items.len()));
        CliOutput::new(EXIT_OK, out, "")
    } else {
        out.push_str(&format!("{failed} of {} checks failed\n", items.len()));
        CliOutput::new(EXIT_FAILURE, out, "")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_names() {
        for name in [
            "transfer_funds",
            "delete_account",
            "makePayment",
            "pay",
            "close_account",
            "refund_order",
            "reset_pin",
            "cancelSubscription",
        ] {
            assert!(looks_sensitive(name), "{name}");
        }
        for name in ["get_balance", "display_menu", "disclose_hours", "lookup"] {
            assert!(!looks_sensitive(name), "{name}");
        }
    }

    #[test]
    fn masks_url_passwords() {
        let mut v =
            json!({"u": "https://user:s3cr%40t@host:1/swaig/?__token=x", "n": "http://host/x"});
        mask_credentials(&mut v);
        assert_eq!(v["u"], "https://user:****@host:1/swaig/?__token=x");
        assert_eq!(v["n"], "http://host/x");
    }
}
