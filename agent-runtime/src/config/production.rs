//! The production rule, in one place: the checklist `check` prints is the
//! checklist `AGENT_ENV=production` enforces at start-up.
//!
//! Each item passes, fails, or fails and is waived. An item can be waived
//! only by its own named variable (`AGENT_WAIVE_SIGNING_KEY`, ...) whose
//! value is the operator's reason; every waiver is printed at start-up and
//! by `check`. Some items cannot be waived at all: an agent with generated or
//! weak credentials, or without a shared token secret, is not a production
//! agent whatever the reason.

use std::fmt;

use super::{AgentConfig, CredentialSource, KeySource, MetricsAuth, WAIVER_VARIABLES};

/// The shortest basic-auth password production accepts.
pub const MIN_PASSWORD_CHARS: usize = 32;
/// The fewest distinct characters a production password must use.
pub const MIN_DISTINCT_PASSWORD_CHARS: usize = 10;

/// How one item came out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The configuration passes.
    Pass,
    /// It fails; `fix` says what to change.
    Fail {
        /// What to change.
        fix: String,
    },
    /// It fails, and the operator waived it.
    Waived {
        /// The variable that waived it.
        variable: &'static str,
        /// The reason given as its value.
        reason: String,
    },
}

/// One item of the production checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckItem {
    /// Short name (`credentials`, `token secret`, ...).
    pub name: &'static str,
    /// What was found (never a secret value).
    pub detail: String,
    /// The outcome.
    pub verdict: Verdict,
}

impl CheckItem {
    /// Whether the item passed.
    pub fn passed(&self) -> bool {
        self.verdict == Verdict::Pass
    }

    /// Whether the item failed and was not waived (it stops a production
    /// start).
    pub fn blocks(&self) -> bool {
        matches!(self.verdict, Verdict::Fail { .. })
    }
}

impl fmt::Display for CheckItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.verdict {
            Verdict::Pass => write!(f, "PASS    {}: {}", self.name, self.detail),
            Verdict::Fail { fix } => {
                write!(f, "FAIL    {}: {} -- fix: {fix}", self.name, self.detail)
            }
            Verdict::Waived { variable, reason } => write!(
                f,
                "WAIVED  {}: {} -- waived by {variable}: {reason}",
                self.name, self.detail
            ),
        }
    }
}

/// The checklist of one agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checklist {
    /// Every item, in a fixed order.
    pub items: Vec<CheckItem>,
}

impl Checklist {
    /// The items that stop a production start (failed, not waived).
    pub fn blocking(&self) -> impl Iterator<Item = &CheckItem> {
        self.items.iter().filter(|i| i.blocks())
    }

    /// The waived items.
    pub fn waived(&self) -> impl Iterator<Item = &CheckItem> {
        self.items
            .iter()
            .filter(|i| matches!(i.verdict, Verdict::Waived { .. }))
    }

    /// Whether a production start is allowed.
    pub fn allows_production(&self) -> bool {
        self.blocking().next().is_none()
    }
}

/// What the checklist needs to know about one tool.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ToolFacts<'a> {
    pub name: &'a str,
    pub secure: bool,
    pub declares_rate_limit: bool,
}

/// Evaluates every item against the configuration, the tools and the
/// recording settings.
pub(crate) fn evaluate(
    config: &AgentConfig,
    tools: &[ToolFacts<'_>],
    recorded: bool,
    prompt_discloses_recording: bool,
) -> Checklist {
    let raw = [
        credentials(config),
        password_strength(config),
        token_secret(config),
        transport(config),
        signing_key(config),
        shared_state(config),
        rate_limits(config, tools),
        secure_tools(tools),
        recording(recorded, prompt_discloses_recording),
        metrics(config),
    ];
    let items = raw
        .into_iter()
        .map(|(name, detail, fix)| {
            let verdict = match fix {
                None => Verdict::Pass,
                Some(fix) => match waiver_for(config, name) {
                    Some((variable, reason)) => Verdict::Waived { variable, reason },
                    None => Verdict::Fail { fix },
                },
            };
            CheckItem {
                name,
                detail,
                verdict,
            }
        })
        .collect();
    Checklist { items }
}

/// The waiver of item `name`, when it is waivable and waived.
fn waiver_for(config: &AgentConfig, name: &str) -> Option<(&'static str, String)> {
    let (_, variable) = WAIVER_VARIABLES.iter().find(|(item, _)| *item == name)?;
    config
        .waivers
        .iter()
        .find(|(v, _)| v == variable)
        .map(|(_, reason)| (*variable, reason.clone()))
}

/// One item before waivers: name, what was found, the fix when it fails.
type Raw = (&'static str, String, Option<String>);

fn pass(name: &'static str, detail: impl Into<String>) -> Raw {
    (name, detail.into(), None)
}

fn fail(name: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Raw {
    (name, detail.into(), Some(fix.into()))
}

fn credentials(c: &AgentConfig) -> Raw {
    match c.credentials.source {
        CredentialSource::Generated => fail(
            "credentials",
            "basic-auth credentials are generated at every start",
            "set SWML_BASIC_AUTH_USER and SWML_BASIC_AUTH_PASSWORD",
        ),
        CredentialSource::Environment => {
            pass("credentials", "basic-auth credentials from the environment")
        }
        CredentialSource::Builder => pass("credentials", "basic-auth credentials set in code"),
    }
}

fn password_strength(c: &AgentConfig) -> Raw {
    let password = c.credentials.password.expose_secret();
    let mut chars: Vec<char> = password.chars().collect();
    let length = chars.len();
    chars.sort_unstable();
    chars.dedup();
    let fix =
        format!("set SWML_BASIC_AUTH_PASSWORD to at least {MIN_PASSWORD_CHARS} random characters");
    if c.credentials.source == CredentialSource::Generated {
        fail("password strength", "no password is configured", fix)
    } else if length < MIN_PASSWORD_CHARS || chars.len() < MIN_DISTINCT_PASSWORD_CHARS {
        fail(
            "password strength",
            format!(
                "the basic-auth password is shorter than {MIN_PASSWORD_CHARS} characters or uses \
                 fewer than {MIN_DISTINCT_PASSWORD_CHARS} different characters"
            ),
            fix,
        )
    } else {
        pass(
            "password strength",
            format!("at least {MIN_PASSWORD_CHARS} characters, not repetitive"),
        )
    }
}

fn token_secret(c: &AgentConfig) -> Raw {
    match c.key_source {
        KeySource::Random => fail(
            "token secret",
            "secure-tool tokens use a random per-process key (replicas and restarts disagree)",
            "set SIGNALWIRE_SWAIG_SECRET (at least 32 bytes, the same on every replica)",
        ),
        KeySource::Environment => pass("token secret", "SIGNALWIRE_SWAIG_SECRET is set"),
        KeySource::Builder => pass("token secret", "token key set in code"),
    }
}

fn transport(c: &AgentConfig) -> Raw {
    match (&c.tls, &c.proxy_url_base) {
        (Some(_), _) => pass("transport", "HTTPS via rustls"),
        (None, Some(base)) if base.starts_with("https://") => {
            pass("transport", "behind an HTTPS proxy (SWML_PROXY_URL_BASE)")
        }
        (None, Some(_)) => fail(
            "transport",
            "SWML_PROXY_URL_BASE is a plain http:// address",
            "set SWML_PROXY_URL_BASE to the https:// address of the TLS-terminating proxy",
        ),
        (None, None) => fail(
            "transport",
            "the agent is reachable over plain HTTP",
            "set SWML_SSL_ENABLED with SWML_SSL_CERT_PATH and SWML_SSL_KEY_PATH, or \
             SWML_PROXY_URL_BASE to the https:// address of a TLS-terminating proxy",
        ),
    }
}

fn signing_key(c: &AgentConfig) -> Raw {
    if c.signing_key.is_some() {
        pass(
            "signing key",
            "every request must carry a valid platform signature",
        )
    } else {
        fail(
            "signing key",
            "requests are not checked for the platform's signature",
            "set SIGNALWIRE_SIGNING_KEY to the signing key of your SignalWire space",
        )
    }
}

fn shared_state(c: &AgentConfig) -> Raw {
    match &c.state_url {
        Some(url) if url.expose_secret().starts_with("rediss://") => pass(
            "shared state",
            "rate limits, lockouts, call facts and the emergency switch are shared (Redis over TLS)",
        ),
        Some(_) => pass(
            "shared state",
            "rate limits, lockouts, call facts and the emergency switch are shared (Redis)",
        ),
        None => fail(
            "shared state",
            "rate limits, lockouts, call facts and the emergency switch are kept per process: \
             replicas do not agree and a restart forgets them",
            "set SWML_STATE_URL to a Redis shared by every replica (or waive with \
             AGENT_WAIVE_SHARED_STATE when exactly one replica runs)",
        ),
    }
}

fn rate_limits(c: &AgentConfig, tools: &[ToolFacts<'_>]) -> Raw {
    let unlimited: Vec<&str> = tools
        .iter()
        .filter(|t| !t.declares_rate_limit)
        .map(|t| t.name)
        .collect();
    match c.rate_limit {
        Some(rate) => pass(
            "rate limits",
            format!(
                "{} calls per {} s per caller and tool unless a tool declares its own",
                rate.count,
                rate.per.as_secs()
            ),
        ),
        None if unlimited.is_empty() => pass("rate limits", "every tool declares its own limit"),
        None => fail(
            "rate limits",
            format!(
                "SWML_RATE_LIMIT is off and these tools declare no limit: {}",
                unlimited.join(", ")
            ),
            "unset SWML_RATE_LIMIT (default 60/min) or set a limit such as 30/min, or declare \
             #[tool(rate_limit = \"..\")]",
        ),
    }
}

fn secure_tools(tools: &[ToolFacts<'_>]) -> Raw {
    let open: Vec<&str> = tools
        .iter()
        .filter(|t| !t.secure && agent_rules::names::looks_destructive(t.name))
        .map(|t| t.name)
        .collect();
    if open.is_empty() {
        pass(
            "secure tools",
            "every tool that looks destructive or financial is #[tool(secure)]",
        )
    } else {
        fail(
            "secure tools",
            format!(
                "these tools look destructive or financial but need no token: {}",
                open.join(", ")
            ),
            "mark them #[tool(secure)] so every call needs the per-call token",
        )
    }
}

fn recording(recorded: bool, disclosed: bool) -> Raw {
    if !recorded {
        pass("recording", "calls are not recorded")
    } else if disclosed {
        pass(
            "recording",
            "calls are recorded and the prompt discloses it",
        )
    } else {
        fail(
            "recording",
            "calls are recorded but the prompt never tells the caller",
            "add a prompt section telling callers the call is recorded (e.g. \
             Section::new(\"Recording notice\").body(\"Tell the caller this call is recorded.\")), \
             or remove .record_call(..)",
        )
    }
}

fn metrics(c: &AgentConfig) -> Raw {
    match (c.metrics_auth, c.metrics_addr) {
        (MetricsAuth::Basic, None) => pass(
            "metrics",
            "/metrics is served on the agent's port behind basic auth",
        ),
        (MetricsAuth::Basic, Some(addr)) => pass(
            "metrics",
            format!("/metrics is served on {addr} behind basic auth"),
        ),
        (MetricsAuth::Off, Some(addr)) if addr.ip().is_loopback() => pass(
            "metrics",
            format!("/metrics is served without basic auth on {addr}, a loopback address"),
        ),
        (MetricsAuth::Off, addr) => fail(
            "metrics",
            match addr {
                Some(addr) => format!(
                    "/metrics is served without basic auth on {addr}, reachable from other hosts"
                ),
                None => "/metrics is served without basic auth".to_owned(),
            },
            "unset SWML_METRICS_AUTH (basic auth), or bind SWML_METRICS_ADDR to a loopback \
             address such as 127.0.0.1:9464 (or waive with AGENT_WAIVE_METRICS when only the \
             scraper can reach that address)",
        ),
    }
}
