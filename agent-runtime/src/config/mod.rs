//! Run-time configuration: where the agent listens, its credentials, token keys
//! and limits. Read once at start-up from the environment (or set through the
//! builder); never re-read per request.

use std::net::SocketAddr;
use std::time::Duration;

mod production;
mod tls;

pub use production::{
    CheckItem, Checklist, MIN_DISTINCT_PASSWORD_CHARS, MIN_PASSWORD_CHARS, Verdict,
};
pub(crate) use production::{ToolFacts, evaluate as evaluate_checklist};
pub use tls::TlsSettings;

use crate::ratelimit::{Rate, RateError};
use crate::secret::SecretString;
use crate::security::token::{DEFAULT_TOKEN_TTL, TokenKey, TokenSigner};

/// Default maximum request body: 1 MiB.
pub const DEFAULT_MAX_REQUEST_SIZE: usize = 1024 * 1024;
/// Default per-tool handler timeout.
pub const DEFAULT_TOOL_TIMEOUT: Duration = Duration::from_secs(30);
/// User name used when `SWML_BASIC_AUTH_USER` is not set.
pub const DEFAULT_USER: &str = "signalwire";

/// A configuration value that could not be used. Names the variable and the
/// rule, never the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The environment variable or builder setting at fault.
    pub setting: &'static str,
    /// What was wrong with it.
    pub problem: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "invalid configuration `{}`: {}",
            self.setting, self.problem
        )
    }
}

impl std::error::Error for ConfigError {}

fn config_err(setting: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        setting,
        problem: problem.into(),
    }
}

/// Where the basic-auth credentials came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialSource {
    /// `SWML_BASIC_AUTH_USER` / `SWML_BASIC_AUTH_PASSWORD`.
    Environment,
    /// Set in code through the builder.
    Builder,
    /// No password was configured: a random one was generated for this process
    /// (development only).
    Generated,
}

/// Basic-auth credentials. The password is a [`SecretString`].
#[derive(Debug, Clone)]
pub struct Credentials {
    /// User name (not secret, but never logged next to a password).
    pub user: String,
    /// Password.
    pub password: SecretString,
    /// Where they came from.
    pub source: CredentialSource,
}

/// Where the token keys came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// `SIGNALWIRE_SWAIG_SECRET` (plus `SIGNALWIRE_SWAIG_SECRET_PREVIOUS`).
    Environment,
    /// Set in code through the builder.
    Builder,
    /// Random per process: replicas and restarts will not accept each other's
    /// tokens.
    Random,
}

/// Whether the metrics endpoint asks for basic auth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MetricsAuth {
    /// The agent's own basic-auth credentials, checked and audited like on
    /// every other route (the default, and the only choice on the agent's
    /// own port).
    #[default]
    Basic,
    /// No credentials (`SWML_METRICS_AUTH=off`): only on the separate
    /// metrics listener (`SWML_METRICS_ADDR`), for a scraper that cannot
    /// send basic auth. Outside the loopback range this fails the
    /// production checklist unless waived (`AGENT_WAIVE_METRICS`).
    Off,
}

/// The complete run-time configuration of one agent.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// Bind address (`HOST`, default `0.0.0.0`).
    pub host: String,
    /// Port (`PORT`, default 3000).
    pub port: u16,
    /// Public base URL (`SWML_PROXY_URL_BASE`), trailing `/` removed.
    pub proxy_url_base: Option<String>,
    /// Basic-auth credentials.
    pub credentials: Credentials,
    /// Token signer (current key, previous keys, lifetime).
    pub signer: TokenSigner,
    /// Where the token keys came from.
    pub key_source: KeySource,
    /// Maximum request body in bytes (`SWML_MAX_REQUEST_SIZE`).
    pub max_request_size: usize,
    /// Per-tool handler timeout (`SWML_TOOL_TIMEOUT_SECS`).
    pub tool_timeout: Duration,
    /// Deadline for a request body, counted from the end of its headers
    /// (`SWML_BODY_TIMEOUT`, seconds): a body that stops arriving gets 408
    /// and its connection is closed.
    pub body_timeout: Duration,
    /// How long an idle keep-alive connection stays open
    /// (`SWML_KEEP_ALIVE_SECS`).
    pub keep_alive: Duration,
    /// Connections each worker serves at once (`SWML_MAX_CONNECTIONS`);
    /// further connections wait in the listen queue.
    pub max_connections: usize,
    /// HTTP worker threads (`SWML_WORKERS`); `None` means one per CPU core.
    pub workers: Option<usize>,
    /// Start in emergency mode (`AGENT_EMERGENCY_MODE`): secure tools are
    /// withdrawn. Switchable at run time through
    /// [`AgentService::emergency_switch`](crate::AgentService::emergency_switch).
    pub emergency_mode: bool,
    /// `AGENT_ENV=production` (else `development`, the default): start-up
    /// refuses a configuration that fails the production checklist (see
    /// [`Checklist`]), item by item, unless the item is
    /// waived.
    pub production: bool,
    /// Checklist items the operator waived: the waiver variable set
    /// (`AGENT_WAIVE_SIGNING_KEY`, ...) and its value, the reason. See
    /// [`WAIVER_VARIABLES`].
    pub waivers: Vec<(&'static str, String)>,
    /// Webhook signing key (`SIGNALWIRE_SIGNING_KEY`): when set, every request
    /// must carry a valid `X-SignalWire-Signature`.
    pub signing_key: Option<SecretString>,
    /// Default per-caller, per-tool limit (`SWML_RATE_LIMIT`, default
    /// `60/min`; `off` disables). A tool may declare its own.
    pub rate_limit: Option<Rate>,
    /// Per-client-address HTTP limit (`SWML_HTTP_RATE_LIMIT`, off by default
    /// because the platform calls from a few shared addresses).
    pub http_rate_limit: Option<Rate>,
    /// The shared state store (`SWML_STATE_URL`, `redis://` or `rediss://`);
    /// unset means the in-process store (one replica). A secret: the URL may
    /// carry the store's password.
    pub state_url: Option<SecretString>,
    /// How long a request waits on the shared store at most
    /// (`SWML_STATE_TIMEOUT_MS`).
    pub state_timeout: Duration,
    /// What throttling does while the shared store is unavailable
    /// (`SWML_STATE_FAILURE`). Decisions that protect something (secure
    /// tools, lockouts, per-call facts) refuse whatever this says.
    pub state_failure: StateFailure,
    /// TLS (`SWML_SSL_ENABLED` with `SWML_SSL_CERT_PATH`, `SWML_SSL_KEY_PATH`).
    pub tls: Option<TlsSettings>,
    /// Public host name used in URLs when TLS is on (`SWML_DOMAIN`).
    pub domain: Option<String>,
    /// Host names accepted in the `Host` header (`SWML_ALLOWED_HOSTS`,
    /// comma-separated; unset or `*` accepts any).
    pub allowed_hosts: Option<Vec<String>>,
    /// Origins allowed for CORS (`SWML_CORS_ORIGINS`, comma-separated); CORS
    /// is off (no headers, preflights refused) when empty.
    pub cors_origins: Vec<String>,
    /// Honour `X-Forwarded-For` for the client address of the per-address
    /// limit (`SWML_TRUST_PROXY_HEADERS`): only behind a proxy that sets it.
    /// No URL is ever built from request headers.
    pub trust_proxy_headers: bool,
    /// A separate listener for the metrics (`SWML_METRICS_ADDR`, an IP
    /// address and port such as `127.0.0.1:9464`): `/metrics` is then served
    /// there only, over TLS when the agent's port uses TLS. `None` (the
    /// default) serves `/metrics` on the agent's own port, under its route.
    pub metrics_addr: Option<SocketAddr>,
    /// Whether the metrics need basic auth (`SWML_METRICS_AUTH`, `basic` by
    /// default; `off` only together with `SWML_METRICS_ADDR`).
    pub metrics_auth: MetricsAuth,
}

impl AgentConfig {
    /// Reads the configuration from the process environment. A variable
    /// named like a waiver (`AGENT_WAIVE_...`) that waives nothing is an
    /// error, so a misspelt waiver is not silently ignored.
    pub fn from_env() -> Result<Self, ConfigError> {
        check_waiver_names(std::env::vars_os().filter_map(|(name, _)| name.into_string().ok()))?;
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (a stand-in for the
    /// environment, so tests need not mutate the process environment).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let host = get("HOST").unwrap_or_else(|| "0.0.0.0".to_owned());
        let port = match get("PORT") {
            Some(p) => p
                .trim()
                .parse::<u16>()
                .map_err(|_| config_err("PORT", "must be a port number between 0 and 65535"))?,
            None => 3000,
        };
        let proxy_url_base = get("SWML_PROXY_URL_BASE")
            .map(|v| parse_proxy_base(&v))
            .transpose()?;
        let credentials =
            credentials_from(get("SWML_BASIC_AUTH_USER"), get("SWML_BASIC_AUTH_PASSWORD"))?;
        let ttl = match get("SIGNALWIRE_SWAIG_TOKEN_TTL") {
            Some(v) => Duration::from_secs(parse_positive(&v, "SIGNALWIRE_SWAIG_TOKEN_TTL")?),
            None => DEFAULT_TOKEN_TTL,
        };
        let (signer, key_source) = signer_from(
            get("SIGNALWIRE_SWAIG_SECRET"),
            get("SIGNALWIRE_SWAIG_SECRET_PREVIOUS"),
            ttl,
        )?;
        let max_request_size = match get("SWML_MAX_REQUEST_SIZE") {
            Some(v) => usize::try_from(parse_positive(&v, "SWML_MAX_REQUEST_SIZE")?)
                .map_err(|_| config_err("SWML_MAX_REQUEST_SIZE", "is too large"))?,
            None => DEFAULT_MAX_REQUEST_SIZE,
        };
        let seconds = |name: &'static str, default: Duration| -> Result<Duration, ConfigError> {
            match get(name) {
                Some(v) => Ok(Duration::from_secs(parse_positive(&v, name)?)),
                None => Ok(default),
            }
        };
        let body_timeout = seconds("SWML_BODY_TIMEOUT", DEFAULT_BODY_TIMEOUT)?;
        let keep_alive = seconds("SWML_KEEP_ALIVE_SECS", DEFAULT_KEEP_ALIVE)?;
        let max_connections = match get("SWML_MAX_CONNECTIONS") {
            Some(v) => usize::try_from(parse_positive(&v, "SWML_MAX_CONNECTIONS")?)
                .map_err(|_| config_err("SWML_MAX_CONNECTIONS", "is too large"))?,
            None => DEFAULT_MAX_CONNECTIONS,
        };
        let tool_timeout = match get("SWML_TOOL_TIMEOUT_SECS") {
            Some(v) => Duration::from_secs(parse_positive(&v, "SWML_TOOL_TIMEOUT_SECS")?),
            None => DEFAULT_TOOL_TIMEOUT,
        };
        let workers = match get("SWML_WORKERS") {
            Some(v) => Some(
                usize::try_from(parse_positive(&v, "SWML_WORKERS")?)
                    .map_err(|_| config_err("SWML_WORKERS", "is too large"))?,
            ),
            None => None,
        };
        let emergency_mode = match get("AGENT_EMERGENCY_MODE") {
            Some(v) => parse_bool(&v, "AGENT_EMERGENCY_MODE")?,
            None => false,
        };
        let production = match get("AGENT_ENV").map(|v| v.trim().to_ascii_lowercase()) {
            None => false,
            Some(v) if v == "production" => true,
            Some(v) if v == "development" => false,
            Some(_) => {
                return Err(config_err("AGENT_ENV", "must be production or development"));
            }
        };
        let waivers = WAIVER_VARIABLES
            .iter()
            .filter_map(|(_, variable)| {
                get(variable).map(|reason| (*variable, reason.trim().to_owned()))
            })
            .collect();
        let signing_key = get("SIGNALWIRE_SIGNING_KEY").map(SecretString::new);
        let state_url = get("SWML_STATE_URL")
            .map(|url| {
                let url = url.trim().to_owned();
                if url.starts_with("redis://") || url.starts_with("rediss://") {
                    Ok(SecretString::new(url))
                } else {
                    Err(config_err(
                        "SWML_STATE_URL",
                        "must be a redis://host:port/db or rediss://host:port/db URL",
                    ))
                }
            })
            .transpose()?;
        let state_timeout = match get("SWML_STATE_TIMEOUT_MS") {
            Some(v) => Duration::from_millis(parse_positive(&v, "SWML_STATE_TIMEOUT_MS")?),
            None => DEFAULT_STATE_TIMEOUT,
        };
        let state_failure = match get("SWML_STATE_FAILURE").map(|v| v.trim().to_ascii_lowercase()) {
            None => StateFailure::Open,
            Some(v) if v == "open" => StateFailure::Open,
            Some(v) if v == "closed" => StateFailure::Closed,
            Some(_) => return Err(config_err("SWML_STATE_FAILURE", "must be open or closed")),
        };
        let rate_limit = parse_rate(
            get("SWML_RATE_LIMIT"),
            "SWML_RATE_LIMIT",
            Some(DEFAULT_RATE_LIMIT),
        )?;
        let http_rate_limit =
            parse_rate(get("SWML_HTTP_RATE_LIMIT"), "SWML_HTTP_RATE_LIMIT", None)?;
        let tls = match get("SWML_SSL_ENABLED")
            .map(|v| parse_bool(&v, "SWML_SSL_ENABLED"))
            .transpose()?
        {
            Some(true) => Some(TlsSettings {
                cert_path: get("SWML_SSL_CERT_PATH")
                    .ok_or_else(|| {
                        config_err(
                            "SWML_SSL_CERT_PATH",
                            "must be set when SWML_SSL_ENABLED is on",
                        )
                    })?
                    .into(),
                key_path: get("SWML_SSL_KEY_PATH")
                    .ok_or_else(|| {
                        config_err(
                            "SWML_SSL_KEY_PATH",
                            "must be set when SWML_SSL_ENABLED is on",
                        )
                    })?
                    .into(),
            }),
            _ => None,
        };
        let domain = get("SWML_DOMAIN").map(|d| d.trim().to_owned());
        if let Some(d) = &domain
            && (d.is_empty()
                || !d
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')))
        {
            return Err(config_err(
                "SWML_DOMAIN",
                "must be a host name such as agents.example.com",
            ));
        }
        let list = |name: &str| -> Vec<String> {
            get(name)
                .map(|v| {
                    v.split(',')
                        .map(|h| h.trim().to_ascii_lowercase())
                        .filter(|h| !h.is_empty())
                        .collect()
                })
                .unwrap_or_default()
        };
        let hosts = list("SWML_ALLOWED_HOSTS");
        let allowed_hosts = (!hosts.is_empty() && !hosts.iter().any(|h| h == "*")).then_some(hosts);
        let cors_origins = list("SWML_CORS_ORIGINS");
        let trust_proxy_headers = match get("SWML_TRUST_PROXY_HEADERS") {
            Some(v) => parse_bool(&v, "SWML_TRUST_PROXY_HEADERS")?,
            None => false,
        };
        let metrics_addr = get("SWML_METRICS_ADDR")
            .map(|v| {
                v.trim().parse::<SocketAddr>().map_err(|_| {
                    config_err(
                        "SWML_METRICS_ADDR",
                        "must be an IP address and port such as 127.0.0.1:9464",
                    )
                })
            })
            .transpose()?;
        let metrics_auth = match get("SWML_METRICS_AUTH").map(|v| v.trim().to_ascii_lowercase()) {
            None => MetricsAuth::Basic,
            Some(v) if v == "basic" => MetricsAuth::Basic,
            Some(v) if v == "off" => MetricsAuth::Off,
            Some(_) => return Err(config_err("SWML_METRICS_AUTH", "must be basic or off")),
        };
        check_metrics(metrics_addr, metrics_auth)?;
        Ok(AgentConfig {
            metrics_addr,
            metrics_auth,
            allowed_hosts,
            cors_origins,
            trust_proxy_headers,
            tls,
            domain,
            rate_limit,
            http_rate_limit,
            signing_key,
            state_url,
            state_timeout,
            state_failure,
            production,
            waivers,
            emergency_mode,
            workers,
            host,
            port,
            proxy_url_base,
            credentials,
            signer,
            key_source,
            max_request_size,
            tool_timeout,
            body_timeout,
            keep_alive,
            max_connections,
        })
    }

    /// The base URL the platform must use to reach this agent (no route, no
    /// credentials): `SWML_PROXY_URL_BASE` when set, else built from host and
    /// port (`0.0.0.0` and loopback addresses are shown as `localhost`).
    pub fn public_base(&self) -> String {
        if let Some(base) = &self.proxy_url_base {
            return base.clone();
        }
        let local = match self.host.as_str() {
            "0.0.0.0" | "127.0.0.1" | "::" | "::1" | "" => "localhost",
            other => other,
        };
        let (scheme, default_port) = if self.tls.is_some() {
            ("https", 443)
        } else {
            ("http", 80)
        };
        let host = match (&self.tls, &self.domain) {
            (Some(_), Some(domain)) => domain.as_str(),
            _ => local,
        };
        if self.port == default_port {
            format!("{scheme}://{host}")
        } else {
            format!("{scheme}://{host}:{}", self.port)
        }
    }
}

/// Metrics without basic auth are only possible on their own listener: the
/// agent's port never serves anything without credentials but the probes.
pub(crate) fn check_metrics(
    addr: Option<SocketAddr>,
    auth: MetricsAuth,
) -> Result<(), ConfigError> {
    if auth == MetricsAuth::Off && addr.is_none() {
        return Err(config_err(
            "SWML_METRICS_AUTH",
            "off needs SWML_METRICS_ADDR: metrics on the agent's own port always need basic auth",
        ));
    }
    Ok(())
}

/// Refuses a variable named like a waiver (`AGENT_WAIVE_...`) that waives
/// no checklist item, so a misspelt waiver is not silently ignored.
pub(crate) fn check_waiver_names(names: impl Iterator<Item = String>) -> Result<(), ConfigError> {
    for name in names {
        if name.starts_with(WAIVER_PREFIX) && !WAIVER_VARIABLES.iter().any(|(_, v)| *v == name) {
            return Err(config_err(
                "AGENT_WAIVE_*",
                "an AGENT_WAIVE_ variable names no checklist item; the waivable items are \
                 AGENT_WAIVE_SIGNING_KEY, AGENT_WAIVE_TRANSPORT, AGENT_WAIVE_SHARED_STATE, \
                 AGENT_WAIVE_RATE_LIMITS, AGENT_WAIVE_SECURE_TOOLS, AGENT_WAIVE_RECORDING and \
                 AGENT_WAIVE_METRICS",
            ));
        }
    }
    Ok(())
}

/// What throttling does while the shared state store is unavailable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateFailure {
    /// Rate limits let requests through (and each such request is audited
    /// as `state_unavailable`): callers are served while the store is down.
    Open,
    /// Rate limits refuse (spoken refusal for tools, 503 for the per-address
    /// limit).
    Closed,
}

/// Default longest wait on the shared state store.
pub const DEFAULT_STATE_TIMEOUT: Duration = Duration::from_millis(250);

/// Default deadline for a request body (from the end of its headers).
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(5);
/// Default keep-alive of an idle connection.
pub const DEFAULT_KEEP_ALIVE: Duration = Duration::from_secs(5);
/// Default number of connections each worker serves at once.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// The prefix of waiver variables.
const WAIVER_PREFIX: &str = "AGENT_WAIVE_";

/// The production checklist items an operator may waive, and the variable
/// that waives each (its value is the reason, printed at start-up).
pub const WAIVER_VARIABLES: [(&str, &str); 7] = [
    ("signing key", "AGENT_WAIVE_SIGNING_KEY"),
    ("transport", "AGENT_WAIVE_TRANSPORT"),
    ("shared state", "AGENT_WAIVE_SHARED_STATE"),
    ("rate limits", "AGENT_WAIVE_RATE_LIMITS"),
    ("secure tools", "AGENT_WAIVE_SECURE_TOOLS"),
    ("recording", "AGENT_WAIVE_RECORDING"),
    ("metrics", "AGENT_WAIVE_METRICS"),
];

/// Default per-caller, per-tool limit.
pub const DEFAULT_RATE_LIMIT: &str = "60/min";

fn parse_rate(
    value: Option<String>,
    setting: &'static str,
    default: Option<&str>,
) -> Result<Option<Rate>, ConfigError> {
    let text = match value {
        Some(v) if v.trim().eq_ignore_ascii_case("off") => return Ok(None),
        Some(v) => v,
        None => match default {
            Some(d) => d.to_owned(),
            None => return Ok(None),
        },
    };
    text.parse()
        .map(Some)
        .map_err(|e: RateError| config_err(setting, e.to_string()))
}

fn parse_bool(value: &str, setting: &'static str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(config_err(setting, "must be true or false")),
    }
}

fn parse_positive(value: &str, setting: &'static str) -> Result<u64, ConfigError> {
    match value.trim().parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(config_err(setting, "must be a whole number greater than 0")),
    }
}

fn parse_proxy_base(value: &str) -> Result<String, ConfigError> {
    let trimmed = value.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(['@', '?', '#', ' ']) => {
            Ok(trimmed.to_owned())
        }
        _ => Err(config_err(
            "SWML_PROXY_URL_BASE",
            "must be an http:// or https:// URL without credentials, query or fragment",
        )),
    }
}

fn credentials_from(
    user: Option<String>,
    password: Option<String>,
) -> Result<Credentials, ConfigError> {
    let source = if password.is_some() {
        CredentialSource::Environment
    } else {
        CredentialSource::Generated
    };
    let user = user.unwrap_or_else(|| DEFAULT_USER.to_owned());
    let password = match password {
        Some(p) => SecretString::new(p),
        None => generate_password()?,
    };
    Ok(Credentials {
        user,
        password,
        source,
    })
}

/// Generates a 43-character URL-safe random password (256 bits).
pub fn generate_password() -> Result<SecretString, ConfigError> {
    use base64::Engine as _;
    let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
    getrandom::fill(bytes.as_mut()).map_err(|_| {
        config_err(
            "SWML_BASIC_AUTH_PASSWORD",
            "the system random source failed",
        )
    })?;
    Ok(SecretString::new(
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes.as_ref()),
    ))
}

fn signer_from(
    current: Option<String>,
    previous: Option<String>,
    ttl: Duration,
) -> Result<(TokenSigner, KeySource), ConfigError> {
    let (key, source) = match current {
        Some(secret) => (
            TokenKey::from_secret(&secret)
                .map_err(|e| config_err("SIGNALWIRE_SWAIG_SECRET", e.to_string()))?,
            KeySource::Environment,
        ),
        None => (
            TokenKey::random().map_err(|e| config_err("SIGNALWIRE_SWAIG_SECRET", e.to_string()))?,
            KeySource::Random,
        ),
    };
    let mut old = Vec::new();
    for secret in previous
        .iter()
        .flat_map(|p| p.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        old.push(
            TokenKey::from_secret(secret)
                .map_err(|e| config_err("SIGNALWIRE_SWAIG_SECRET_PREVIOUS", e.to_string()))?,
        );
    }
    Ok((TokenSigner::new(key, old, ttl), source))
}

/// Builds a signer from explicit secrets (builder path).
pub(crate) fn signer_from_secrets(
    current: &str,
    previous: &[&str],
    ttl: Duration,
) -> Result<TokenSigner, ConfigError> {
    let key =
        TokenKey::from_secret(current).map_err(|e| config_err("token_secret", e.to_string()))?;
    let old = previous
        .iter()
        .map(|s| {
            TokenKey::from_secret(s)
                .map_err(|e| config_err("previous_token_secrets", e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(TokenSigner::new(key, old, ttl))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn defaults_generate_password_and_random_key() {
        let c = AgentConfig::from_lookup(lookup(&[])).unwrap();
        assert_eq!(c.credentials.user, "signalwire");
        assert_eq!(c.credentials.source, CredentialSource::Generated);
        assert_eq!(c.credentials.password.expose_secret().len(), 43);
        assert_eq!(c.key_source, KeySource::Random);
        assert_eq!(c.port, 3000);
        assert_eq!(c.public_base(), "http://localhost:3000");
        assert_eq!(c.max_request_size, 1024 * 1024);
    }

    #[test]
    fn bad_values_name_the_variable_not_the_value() {
        let e = AgentConfig::from_lookup(lookup(&[("PORT", "secretish-99999")])).unwrap_err();
        assert_eq!(e.setting, "PORT");
        assert!(!e.to_string().contains("secretish"));
        let e = AgentConfig::from_lookup(lookup(&[("SIGNALWIRE_SWAIG_SECRET", "short-canary")]))
            .unwrap_err();
        assert_eq!(e.setting, "SIGNALWIRE_SWAIG_SECRET");
        assert!(!e.to_string().contains("short-canary"));
        let e =
            AgentConfig::from_lookup(lookup(&[("SWML_PROXY_URL_BASE", "https://u:p@x.example")]))
                .unwrap_err();
        assert_eq!(e.setting, "SWML_PROXY_URL_BASE");
    }

    #[test]
    fn metrics_settings_are_read_and_checked() {
        let c = AgentConfig::from_lookup(lookup(&[])).unwrap();
        assert_eq!((c.metrics_addr, c.metrics_auth), (None, MetricsAuth::Basic));
        let c = AgentConfig::from_lookup(lookup(&[
            ("SWML_METRICS_ADDR", " 127.0.0.1:9464 "),
            ("SWML_METRICS_AUTH", "OFF"),
        ]))
        .unwrap();
        assert_eq!(c.metrics_addr, Some(([127, 0, 0, 1], 9464).into()));
        assert_eq!(c.metrics_auth, MetricsAuth::Off);
        let c = AgentConfig::from_lookup(lookup(&[("SWML_METRICS_ADDR", "[::1]:9464")])).unwrap();
        assert_eq!(c.metrics_auth, MetricsAuth::Basic);
        // Without a listener of their own, metrics always need credentials.
        let e = AgentConfig::from_lookup(lookup(&[("SWML_METRICS_AUTH", "off")])).unwrap_err();
        assert_eq!(e.setting, "SWML_METRICS_AUTH");
        let e =
            AgentConfig::from_lookup(lookup(&[("SWML_METRICS_AUTH", "canary-auth")])).unwrap_err();
        assert_eq!(e.setting, "SWML_METRICS_AUTH");
        assert!(!e.to_string().contains("canary"));
        for bad in ["localhost:9464", "10.1.2.3", "canary-addr"] {
            let e = AgentConfig::from_lookup(lookup(&[("SWML_METRICS_ADDR", bad)])).unwrap_err();
            assert_eq!(e.setting, "SWML_METRICS_ADDR");
            assert!(!e.to_string().contains(bad));
        }
    }

    #[test]
    fn proxy_base_wins_and_loses_trailing_slash() {
        let c = AgentConfig::from_lookup(lookup(&[(
            "SWML_PROXY_URL_BASE",
            "https://agents.example.com/",
        )]))
        .unwrap();
        assert_eq!(c.public_base(), "https://agents.example.com");
    }
}
