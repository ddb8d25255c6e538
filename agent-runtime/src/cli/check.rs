//! `check`: the production hardening checklist, item by item.

use serde_json::Value;

use super::{CliOutput, EXIT_FAILURE, EXIT_OK};
use crate::agent::Agent;
use crate::config::{CredentialSource, KeySource};
use crate::service::{AgentBuilder, AgentService};

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

/// The production hardening checklist, evaluated
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
        .tools
        .iter()
        .filter(|t| !t.def.secure && agent_rules::names::looks_destructive(t.def.name))
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

    let doc: Value = serde_json::from_slice(
        &state
            .swml
            .with_call
            .render(&state.guards.signer, "checklist"),
    )
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

pub(super) fn check<A: Agent>(mut builder: AgentBuilder<A>) -> CliOutput {
    // Build as in development so a production configuration that would be
    // refused at start-up is still evaluated item by item.
    let production = builder.config_ref().is_some_and(|c| c.production);
    if let Some(c) = builder.config_mut() {
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
