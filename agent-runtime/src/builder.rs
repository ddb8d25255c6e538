//! The agent builder: static SWML settings and run-time configuration, compiled
//! once into a ready-to-serve [`AgentService`].

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::web;
use serde_json::{Map, Value};

use crate::audit::AuditSink;
use crate::auth::BasicAuth;
use crate::config::{
    AgentConfig, ConfigError, CredentialSource, Credentials, KeySource, signer_from_secrets,
};
use crate::dispatch::is_valid_function_name;
use crate::prompt::{Hint, Language, Recording, Section};
use crate::schema::{ArgsValidator, to_swaig_parameters};
use crate::secret::SecretString;
use crate::server::{AgentState, CompiledTool};
use crate::swml::{SwmlFunction, SwmlSpec, SwmlTemplate, Variant, url_with_credentials};
use crate::tool::Agent;

/// Why an agent could not be built. Each message says what to change.
#[derive(Debug)]
pub enum BuildError {
    /// A configuration value (environment or builder) is unusable.
    Config(ConfigError),
    /// The prompt is missing or malformed.
    Prompt(String),
    /// A tool's argument schema cannot be used.
    Tool {
        /// The tool.
        tool: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// The route is not a valid path prefix.
    Route(String),
    /// `AGENT_ENV=production` and the configuration is not fit for it; one
    /// entry per problem, each naming the variable to set.
    Production(Vec<String>),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::Config(e) => e.fmt(f),
            BuildError::Prompt(p) => write!(f, "invalid prompt: {p}"),
            BuildError::Tool { tool, problem } => write!(f, "tool `{tool}`: {problem}"),
            BuildError::Route(r) => write!(f, "invalid route: {r}"),
            BuildError::Production(problems) => {
                write!(f, "refusing to start with AGENT_ENV=production:")?;
                problems.iter().try_for_each(|p| write!(f, "\n  - {p}"))
            }
        }
    }
}

impl std::error::Error for BuildError {}

impl From<ConfigError> for BuildError {
    fn from(e: ConfigError) -> Self {
        BuildError::Config(e)
    }
}

impl From<BuildError> for std::io::Error {
    fn from(e: BuildError) -> Self {
        std::io::Error::other(e.to_string())
    }
}

/// Configures an agent. Obtain one with [`AgentBuilder::new`] (or
/// `MyAgent { .. }.builder()` through [`AgentExt`]).
///
/// ```no_run
/// use agent_runtime::prelude::*;
///
/// /// A friendly greeter.
/// #[agent(name = "greeter")]
/// struct Greeter;
///
/// #[agent]
/// impl Greeter {
///     /// Say hello to someone.
///     #[tool]
///     fn hello(&self, name: String) -> ToolResult {
///         ToolResult::new(format!("Hello, {name}!"))
///     }
/// }
///
/// fn main() -> std::io::Result<()> {
///     Greeter
///         .builder()
///         .section(Section::new("Role").body("You greet callers."))
///         .run()
/// }
/// ```
pub struct AgentBuilder<A: Agent> {
    agent: A,
    pub(crate) config: Option<AgentConfig>,
    sections: Vec<Section>,
    prompt_text: Option<String>,
    post_prompt: Option<String>,
    params: Map<String, Value>,
    hints: Vec<Hint>,
    languages: Vec<Language>,
    global_data: Map<String, Value>,
    record_call: Option<Recording>,
    sinks: Vec<Arc<dyn AuditSink>>,
    basic_auth: Option<(String, SecretString)>,
    token_secrets: Option<(SecretString, Vec<SecretString>)>,
    route: Option<String>,
    hooks: crate::server::AccessHooks,
    tool_rates: Vec<(String, String)>,
    rate_store: Option<Arc<dyn crate::ratelimit::RateLimitStore>>,
}

impl<A: Agent> std::fmt::Debug for AgentBuilder<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentBuilder")
            .field("agent", &A::NAME)
            .finish_non_exhaustive()
    }
}

/// `.builder()` on any agent value.
pub trait AgentExt: Agent {
    /// Starts configuring this agent.
    fn builder(self) -> AgentBuilder<Self> {
        AgentBuilder::new(self)
    }
}

impl<A: Agent> AgentExt for A {}

impl<A: Agent> AgentBuilder<A> {
    /// Starts from an agent value. Configuration defaults to the environment
    /// (read at [`build`](Self::build)).
    pub fn new(agent: A) -> Self {
        AgentBuilder {
            agent,
            config: None,
            sections: Vec::new(),
            prompt_text: None,
            post_prompt: None,
            params: Map::new(),
            hints: Vec::new(),
            languages: Vec::new(),
            global_data: Map::new(),
            record_call: None,
            sinks: Vec::new(),
            basic_auth: None,
            token_secrets: None,
            route: None,
            hooks: crate::server::AccessHooks::default(),
            tool_rates: Vec::new(),
            rate_store: None,
        }
    }

    /// Uses this configuration instead of reading the environment.
    pub fn config(mut self, config: AgentConfig) -> Self {
        self.config = Some(config);
        self
    }
    /// Adds a prompt section (POM).
    pub fn section(mut self, section: Section) -> Self {
        self.sections.push(section);
        self
    }
    /// Uses a plain-text prompt instead of sections.
    pub fn prompt_text(mut self, text: impl Into<String>) -> Self {
        self.prompt_text = Some(text.into());
        self
    }
    /// Sets the post prompt (end-of-call summary instruction). Its result is
    /// posted to `/post_prompt` with a token bound to the call.
    pub fn post_prompt(mut self, text: impl Into<String>) -> Self {
        self.post_prompt = Some(text.into());
        self
    }
    /// Sets one `ai.params` entry (e.g. `end_of_speech_timeout`).
    pub fn param(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.params.insert(key.into(), value.into());
        self
    }
    /// Adds a speech-recognition hint.
    pub fn hint(mut self, hint: impl Into<Hint>) -> Self {
        self.hints.push(hint.into());
        self
    }
    /// Adds a language.
    pub fn language(mut self, language: Language) -> Self {
        self.languages.push(language);
        self
    }
    /// Sets one `global_data` entry sent to the platform at call start.
    pub fn global_data(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.global_data.insert(key.into(), value.into());
        self
    }
    /// Records the call (off by default).
    pub fn record_call(mut self, record: Recording) -> Self {
        self.record_call = Some(record);
        self
    }
    /// Sends audit records to `sink` as well as to `tracing`.
    pub fn audit_sink(mut self, sink: Arc<dyn AuditSink>) -> Self {
        self.sinks.push(sink);
        self
    }
    /// Sets the basic-auth credentials in code (overrides the environment).
    pub fn basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.basic_auth = Some((user.into(), SecretString::new(password.into())));
        self
    }
    /// Sets the token key in code, plus previous keys still accepted during a
    /// rotation (overrides `SIGNALWIRE_SWAIG_SECRET`).
    pub fn token_secret(mut self, current: impl Into<String>, previous: &[&str]) -> Self {
        let previous = previous
            .iter()
            .map(|s| SecretString::new((*s).to_owned()))
            .collect();
        self.token_secrets = Some((SecretString::new(current.into()), previous));
        self
    }
    /// Calls `hook` when a request arrives, with a redacted view (method,
    /// path without query, client address).
    pub fn on_request(
        mut self,
        hook: impl Fn(&crate::server::AccessView<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.hooks.on_request = Some(Arc::new(hook));
        self
    }
    /// Calls `hook` when a response is ready, with a redacted view (adds
    /// status, duration, call id and function; never a header or token).
    pub fn on_response(
        mut self,
        hook: impl Fn(&crate::server::AccessView<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.hooks.on_response = Some(Arc::new(hook));
        self
    }
    /// Limits how often one caller may use `tool` (`"5/min"`, `"1/sec"`,
    /// `"20/hour"`), overriding `SWML_RATE_LIMIT` and the tool's declaration.
    pub fn tool_rate_limit(mut self, tool: impl Into<String>, rate: impl Into<String>) -> Self {
        self.tool_rates.push((tool.into(), rate.into()));
        self
    }
    /// Keeps rate-limit state in `store` (e.g. shared by replicas) instead of
    /// in memory.
    pub fn rate_limit_store(mut self, store: Arc<dyn crate::ratelimit::RateLimitStore>) -> Self {
        self.rate_store = Some(store);
        self
    }
    /// Overrides the route declared with `#[agent(route = "...")]`.
    pub fn route(mut self, route: impl Into<String>) -> Self {
        self.route = Some(route.into());
        self
    }

    /// Validates everything and compiles schemas, validators and the SWML
    /// template. Nothing of this is repeated per request.
    pub fn build(self) -> Result<AgentService<A>, BuildError> {
        let mut config = match self.config {
            Some(c) => c,
            None => AgentConfig::from_env()?,
        };
        if let Some((user, password)) = self.basic_auth {
            config.credentials = Credentials {
                user,
                password,
                source: CredentialSource::Builder,
            };
        }
        if let Some((current, previous)) = &self.token_secrets {
            let prev: Vec<&str> = previous
                .iter()
                .map(|s| s.expose_secret().as_str())
                .collect();
            config.signer =
                signer_from_secrets(current.expose_secret(), &prev, config.signer.token_ttl())?;
            config.key_source = KeySource::Builder;
        }
        if config.production {
            let problems = config.production_problems();
            if !problems.is_empty() {
                return Err(BuildError::Production(problems));
            }
        }
        let route = normalize_route(self.route.as_deref().unwrap_or(A::ROUTE))?;
        let prompt = build_prompt(&self.sections, self.prompt_text)?;

        let mut tools = Vec::new();
        let mut functions = Vec::new();
        let mut by_name = HashMap::new();
        for def in A::tools() {
            let problem = |problem: String| BuildError::Tool {
                tool: def.name,
                problem,
            };
            if !is_valid_function_name(def.name) {
                return Err(problem(
                    "the name must match ^[A-Za-z_][A-Za-z0-9_]{0,63}$".into(),
                ));
            }
            if by_name.insert(def.name, tools.len()).is_some() {
                return Err(problem("two tools have this name".into()));
            }
            let full = (def.schema)().to_value();
            let parameters = to_swaig_parameters(&full).map_err(|e| problem(e.to_string()))?;
            let validator = ArgsValidator::new(&full).map_err(|e| problem(e.to_string()))?;
            functions.push(SwmlFunction {
                name: def.name,
                description: def.description,
                secure: def.secure,
                parameters,
            });
            let may_hold_secrets = !def.sensitive.is_empty() || mentions_secret_key(&full);
            tools.push(CompiledTool {
                def,
                validator,
                may_hold_secrets,
            });
        }

        let url_base = url_with_credentials(
            &config.public_base(),
            &config.credentials.user,
            config.credentials.password.expose_secret(),
            &route,
        );
        let spec = SwmlSpec {
            prompt,
            post_prompt: self.post_prompt,
            params: self.params,
            hints: self.hints.iter().map(Hint::to_json).collect(),
            languages: self.languages.iter().map(Language::to_json).collect(),
            global_data: self.global_data,
            record_call: self.record_call.map(Recording::to_json),
            functions,
            url_base,
        };
        let compile = |variant| {
            SwmlTemplate::compile(&spec, variant)
                .map_err(|e| BuildError::Prompt(format!("SWML could not be serialised: {e}")))
        };
        let swml_with_call = compile(Variant {
            secure_tools: true,
            post_prompt_url: true,
        })?;
        let swml_without_call = compile(Variant {
            secure_tools: false,
            post_prompt_url: false,
        })?;
        let swml_emergency = compile(Variant {
            secure_tools: false,
            post_prompt_url: true,
        })?;
        let emergency = EmergencySwitch::new(config.emergency_mode);
        let limits: Arc<dyn crate::ratelimit::RateLimitStore> = match self.rate_store {
            Some(store) => store,
            None => Arc::new(build_rate_limits(&config, &tools, &self.tool_rates)?),
        };
        let http_limited = config.http_rate_limit.is_some();
        let tls = config
            .tls
            .as_ref()
            .map(crate::tls::TlsSettings::load)
            .transpose()?;
        let signatures = config
            .signing_key
            .as_ref()
            .map(crate::signature::SignatureVerifier::new);
        let state = AgentState {
            auth: BasicAuth::new(&config.credentials),
            signer: config.signer.clone(),
            tool_timeout: config.tool_timeout,
            agent: self.agent,
            config,
            tools,
            by_name,
            swml_with_call,
            swml_without_call,
            swml_emergency,
            emergency,
            summary: A::summary_handler(),
            sinks: self.sinks,
            route,
            hooks: self.hooks,
            signatures,
            http_limited,
            tls,
            limits,
        };
        Ok(AgentService {
            state: web::Data::new(state),
        })
    }

    /// Builds and serves on the current thread until stopped (creates its own
    /// actix runtime). Errors (bad configuration, port in use) are returned.
    pub fn run(self) -> std::io::Result<()>
    where
        A: Send + Sync,
    {
        self.build()?.run()
    }
}

/// In-memory limits: one scope per tool (its override, else its declared
/// `rate_limit`, else the agent-wide default) plus the per-address HTTP scope.
fn build_rate_limits<A>(
    config: &AgentConfig,
    tools: &[CompiledTool<A>],
    overrides: &[(String, String)],
) -> Result<crate::ratelimit::InMemoryRateLimits, BuildError> {
    let mut scopes = Vec::new();
    for (name, rate) in overrides {
        if !tools.iter().any(|t| t.def.name == name) {
            return Err(BuildError::Config(ConfigError {
                setting: "tool_rate_limit",
                problem: format!("no tool is named `{name}`"),
            }));
        }
        let rate = rate.parse().map_err(|problem| {
            BuildError::Config(ConfigError {
                setting: "tool_rate_limit",
                problem,
            })
        })?;
        scopes.push((name.clone(), rate));
    }
    for tool in tools {
        if overrides.iter().any(|(n, _)| n == tool.def.name) {
            continue;
        }
        // Declared on the tool (checked at compile time), else agent-wide.
        let declared = tool
            .def
            .rate_limit
            .map(str::parse)
            .transpose()
            .map_err(|problem| BuildError::Tool {
                tool: tool.def.name,
                problem,
            })?;
        if let Some(rate) = declared.or(config.rate_limit) {
            scopes.push((tool.def.name.to_owned(), rate));
        }
    }
    if let Some(rate) = config.http_rate_limit {
        scopes.push((crate::server::HTTP_SCOPE.to_owned(), rate));
    }
    Ok(crate::ratelimit::InMemoryRateLimits::new(scopes))
}

/// True when any property name in the schema looks secret.
fn mentions_secret_key(schema: &Value) -> bool {
    match schema {
        Value::Object(map) => map.iter().any(|(k, v)| {
            (k == "properties"
                && v.as_object().is_some_and(|props| {
                    props.keys().any(|name| crate::redact::is_secret_key(name))
                }))
                || mentions_secret_key(v)
        }),
        Value::Array(items) => items.iter().any(mentions_secret_key),
        _ => false,
    }
}

fn normalize_route(route: &str) -> Result<String, BuildError> {
    let trimmed = route.trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(String::new());
    }
    let ok = trimmed.starts_with('/')
        && trimmed
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.'))
        && !trimmed.contains("//")
        && !trimmed.split('/').any(|seg| seg == "." || seg == "..");
    if ok {
        Ok(trimmed.to_owned())
    } else {
        Err(BuildError::Route(
            "a route starts with `/` and contains only letters, digits, `-`, `_`, `.` and `/`"
                .into(),
        ))
    }
}

fn build_prompt(sections: &[Section], text: Option<String>) -> Result<Value, BuildError> {
    match (sections.is_empty(), text) {
        (true, None) => Err(BuildError::Prompt(
            "add at least one section with `.section(..)` or a text prompt with `.prompt_text(..)`"
                .into(),
        )),
        (false, Some(_)) => Err(BuildError::Prompt(
            "use either prompt sections or a text prompt, not both".into(),
        )),
        (true, Some(text)) => Ok(serde_json::json!({ "text": text })),
        (false, None) => {
            sections
                .iter()
                .try_for_each(Section::check)
                .map_err(BuildError::Prompt)?;
            let pom: Vec<Value> = sections.iter().map(Section::to_json).collect();
            Ok(serde_json::json!({ "pom": pom }))
        }
    }
}

/// The run-time emergency switch: while on, secure tools are left out of new
/// SWML and refused at dispatch with a polite spoken message (each refusal is
/// audited). Clone it freely; all clones control the same agent.
///
/// ```no_run
/// # fn demo<A: agent_runtime::Agent>(svc: &agent_runtime::AgentService<A>) {
/// let switch = svc.emergency_switch();
/// switch.set(true); // e.g. from an admin endpoint or a signal handler
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct EmergencySwitch(Arc<std::sync::atomic::AtomicBool>);

impl EmergencySwitch {
    fn new(on: bool) -> Self {
        EmergencySwitch(Arc::new(std::sync::atomic::AtomicBool::new(on)))
    }
    /// Turns emergency mode on or off.
    pub fn set(&self, on: bool) {
        let was = self.0.swap(on, std::sync::atomic::Ordering::SeqCst);
        if was != on {
            tracing::warn!(target: "agent_runtime::audit", event = "emergency_mode", on, "emergency mode switched");
        }
    }
    /// Whether emergency mode is on.
    pub fn is_on(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// A built agent, ready to serve.
pub struct AgentService<A: Agent> {
    pub(crate) state: web::Data<AgentState<A>>,
}

impl<A: Agent> Clone for AgentService<A> {
    fn clone(&self) -> Self {
        AgentService {
            state: self.state.clone(),
        }
    }
}

impl<A: Agent> std::fmt::Debug for AgentService<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentService")
            .field("agent", &A::NAME)
            .field("route", &self.state.route)
            .field("tools", &self.state.tools.len())
            .finish()
    }
}

impl<A: Agent> AgentService<A> {
    /// Registers the agent's routes, `/health`, `/ready` and the authenticated
    /// 404 on an actix-web app: `App::new().configure(|c| svc.configure(c))`.
    pub fn configure(&self, cfg: &mut web::ServiceConfig) {
        crate::server::configure(self.state.clone(), cfg, true);
        crate::server::default_service::<A>(cfg);
    }

    /// The agent's configuration as resolved at build time.
    pub fn config(&self) -> &AgentConfig {
        &self.state.config
    }

    /// The route prefix (`""` for `/`).
    pub fn route(&self) -> &str {
        &self.state.route
    }

    /// The emergency-mode switch of this agent.
    pub fn emergency_switch(&self) -> EmergencySwitch {
        self.state.emergency.clone()
    }

    /// The token signer (for tests and tooling that need a valid token).
    pub fn signer(&self) -> &crate::token::TokenSigner {
        &self.state.signer
    }

    /// Serves until stopped, inside an existing actix/tokio runtime.
    pub async fn serve(self) -> std::io::Result<()>
    where
        A: Send + Sync,
    {
        crate::server::serve_state(self.state, None).await
    }

    /// Serves on an already bound listener (e.g. port 0 in tests), over TLS
    /// when configured.
    pub async fn serve_on(self, listener: std::net::TcpListener) -> std::io::Result<()>
    where
        A: Send + Sync,
    {
        crate::server::serve_state(self.state, Some(listener)).await
    }

    /// Serves until stopped, creating its own runtime.
    pub fn run(self) -> std::io::Result<()>
    where
        A: Send + Sync,
    {
        actix_web::rt::System::new().block_on(self.serve())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(normalize_route("/").unwrap(), "");
        assert_eq!(normalize_route("/bank/").unwrap(), "/bank");
        assert!(normalize_route("bank").is_err());
        assert!(normalize_route("/a/../b").is_err());
        assert!(normalize_route("/a b").is_err());
    }
}
