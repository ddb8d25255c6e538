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
//! | `tools` | every tool with its JSON Schema (as sent to the platform) and security flags; `recording` is `unrecorded`, `recorded` or `undeclared` as the tool declares, `pauses` for the companion registered beside an unrecorded tool on an agent that records |
//! | `call TOOL --args JSON [--call-id ID] [--caller NUM] [--global-data JSON] [--no-token \| --bad-token[=KIND]]` | one tool call through the full in-process HTTP stack; the token is read from the SWML for the call, as the platform would; prints the response body and, on stderr, the audit records of the call |
//! | `check` | the production checklist (the one `AGENT_ENV=production` enforces), one line per item, non-zero exit when a production start would be refused |
//! | `emergency on\|off\|status` | switches emergency mode on every replica through the shared state store (`SWML_STATE_URL`), or shows it; each flip is an audit record naming the command, process and user |
//! | `audit verify FILE [--key-env VAR]` | verifies a chained audit file and reports its kind (keyed with key id X, or unkeyed), records, segments, last seal and unproven tail. The key is read from the environment variable `VAR`, never from the command line; with a key an unkeyed chain or another key id is refused, without one a keyed chain is refused as unverifiable |
//!
//! Exit codes: 0 success, 1 refusal or failure, 2 usage error, 3 (`audit
//! verify`) a chain that verifies but does not end with a stop seal.

mod check;
mod emergency;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand, ValueEnum};
use serde_json::{Value, json};

use crate::agent::{Agent, RecordingPolicy};
use crate::config::AgentConfig;
use crate::harness::{TestAgent, Token, ToolCall};
use crate::service::{AgentBuilder, AgentService};
use crate::state::{CompiledTool, RecordingStep};

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: a refusal, a failed check or an error.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code: the command line was wrong.
pub const EXIT_USAGE: u8 = 2;
/// Exit code of `audit verify` for a chain that verifies but does not end
/// with a stop seal: the records after its last seal cannot be shown
/// complete (the writer is running, stopped without a clean stop, or the
/// file was cut).
pub const EXIT_UNPROVEN_TAIL: u8 = 3;

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
    /// Switch emergency mode on every replica, or show it (needs the shared
    /// state store, SWML_STATE_URL).
    Emergency {
        #[command(subcommand)]
        command: EmergencyCommand,
    },
    /// Audit-file tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Debug, Clone, Subcommand)]
enum EmergencyCommand {
    /// Withdraw a scope on every replica (within a second): `secure` (every
    /// secure tool, the default), `tool:<name>`, `group:<name>` or `agent`
    /// (every new call hears the emergency message and ends).
    On {
        /// What to withdraw.
        #[arg(default_value = "secure")]
        scope: crate::emergency::EmergencyScope,
    },
    /// Put a scope back in service; without one, end emergency mode (every
    /// scope).
    Off {
        /// What to put back (all when absent).
        scope: Option<crate::emergency::EmergencyScope>,
    },
    /// Show the scopes in force.
    Status,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Verify a chained audit file: its kind and key id, changed, removed or
    /// reordered lines, seals, the unproven tail. Exit 3: intact, but not
    /// closed by a stop seal.
    Verify {
        /// The JSON-lines audit file.
        file: PathBuf,
        /// Environment variable holding the chain key (omit only for unkeyed
        /// chains; a keyed chain is refused without its key).
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
        let names = std::env::vars_os().filter_map(|(name, _)| name.into_string().ok());
        let out = match crate::config::check_waiver_names(names) {
            Ok(()) => run_with(self, std::env::args_os(), |name| std::env::var(name).ok()),
            Err(e) => CliOutput::failure(e),
        };
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
    if builder.config_ref().is_none() {
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
        Command::Check => check::check(builder),
        Command::Emergency { command } => emergency::emergency(builder, command, &lookup),
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
        .tools
        .iter()
        .map(|t| {
            let full = (t.def.schema)().to_value();
            let parameters = crate::schema::to_swaig_parameters(&full)
                .unwrap_or_else(|e| json!({ "error": e.to_string() }));
            json!({
                "name": t.def.name,
                "description": t.description,
                "secure": t.def.secure,
                "sensitive": t.redaction.secret_paths(),
                "rate_limit": t.def.rate_limit,
                "guard": t.def.guard.is_some(),
                "check": t.def.checked,
                "recording": recording_label(t),
                "looks_destructive_or_financial": agent_rules::names::looks_destructive(t.def.name),
                "parameters": parameters,
            })
        })
        .collect();
    let text = serde_json::to_string_pretty(&list).unwrap_or_default();
    CliOutput::new(EXIT_OK, text + "\n", "")
}

/// How a tool handles the call recording, as `tools` lists it.
fn recording_label<A>(tool: &CompiledTool<A>) -> &'static str {
    match (&tool.recording, tool.def.recording) {
        (RecordingStep::Pauses(_), _) => "pauses",
        (_, RecordingPolicy::Unrecorded { .. }) => "unrecorded",
        (_, RecordingPolicy::Recorded) => "recorded",
        (_, RecordingPolicy::Undeclared) => "undeclared",
    }
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

/// `audit verify`: the report of [`verify_file`](crate::audit::chain::verify_file)
/// on stdout. Exit 0 for an intact chain that ends with a stop seal,
/// [`EXIT_UNPROVEN_TAIL`] for an intact chain whose tail after the last seal
/// cannot be shown complete, 1 for a broken or refused file, 2 for a key
/// variable that is unset or too short.
fn audit_verify(
    file: &std::path::Path,
    key_env: Option<&str>,
    lookup: &impl Fn(&str) -> Option<String>,
) -> CliOutput {
    use crate::audit::chain::{AuditKey, verify_file};
    let key = match key_env {
        Some(var) => match lookup(var).filter(|k| !k.is_empty()) {
            Some(k) => match AuditKey::from_secret(&crate::secret::SecretString::new(k)) {
                Ok(key) => Some(key),
                Err(e) => return CliOutput::usage(format!("{var}: {e}")),
            },
            None => return CliOutput::usage(format!("{var} is not set")),
        },
        None => None,
    };
    match verify_file(file, key.as_ref()) {
        Ok(report) => {
            let code = if report.clean_stop() {
                EXIT_OK
            } else {
                EXIT_UNPROVEN_TAIL
            };
            CliOutput::new(code, report.to_string(), "")
        }
        Err(e) => {
            let hint = match &e.problem {
                crate::audit::chain::ChainProblem::KeyedChainWithoutKey { .. } => {
                    "\nhint: pass --key-env VAR with the chain key in the variable VAR\n"
                }
                _ => "\n",
            };
            CliOutput::new(EXIT_FAILURE, format!("{e}{hint}"), "")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_url_passwords() {
        let mut v =
            json!({"u": "https://user:s3cr%40t@host:1/swaig/?__token=x", "n": "http://host/x"});
        mask_credentials(&mut v);
        assert_eq!(v["u"], "https://user:****@host:1/swaig/?__token=x");
        assert_eq!(v["n"], "http://host/x");
    }
}
