//! [`AgentBuilder`]: the settings of one agent, in code or from the
//! environment, before they are checked and compiled by
//! [`build`](AgentBuilder::build).

use std::sync::Arc;

use serde_json::{Map, Value};

use super::AgentService;
use super::build::{Settings, build};
use super::error::BuildError;
use crate::access::{AccessHooks, AccessView};
use crate::agent::Agent;
use crate::audit::AuditSink;
use crate::config::AgentConfig;
use crate::secret::SecretString;
use crate::swml::{Hint, Language, Recording, Section};

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
    settings: Settings<A>,
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
            settings: Settings {
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
                hooks: AccessHooks::default(),
                tool_rates: Vec::new(),
                tool_groups: Vec::new(),
            },
        }
    }

    /// Uses this configuration instead of reading the environment.
    pub fn config(mut self, config: AgentConfig) -> Self {
        self.settings.config = Some(config);
        self
    }
    /// Adds a prompt section (POM).
    pub fn section(mut self, section: Section) -> Self {
        self.settings.sections.push(section);
        self
    }
    /// Uses a plain-text prompt instead of sections.
    pub fn prompt_text(mut self, text: impl Into<String>) -> Self {
        self.settings.prompt_text = Some(text.into());
        self
    }
    /// Sets the post prompt (end-of-call summary instruction). Its result is
    /// posted to `/post_prompt` with a token bound to the call.
    pub fn post_prompt(mut self, text: impl Into<String>) -> Self {
        self.settings.post_prompt = Some(text.into());
        self
    }
    /// Sets one `ai.params` entry (e.g. `end_of_speech_timeout`).
    pub fn param(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.settings.params.insert(key.into(), value.into());
        self
    }
    /// Adds a speech-recognition hint.
    pub fn hint(mut self, hint: impl Into<Hint>) -> Self {
        self.settings.hints.push(hint.into());
        self
    }
    /// Adds a language.
    pub fn language(mut self, language: Language) -> Self {
        self.settings.languages.push(language);
        self
    }
    /// Sets one `global_data` entry sent to the platform at call start.
    pub fn global_data(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.settings.global_data.insert(key.into(), value.into());
        self
    }
    /// Records the call (off by default): a `record_call` verb before the
    /// `ai` verb. For a production start the prompt must tell callers the
    /// call is recorded (the `recording` item of the checklist).
    ///
    /// Every tool that takes a secret (a `#[sensitive]` parameter or field,
    /// a `Secret<T>`, a `#[sensitive]` type) must then say whether its input
    /// may be recorded, or [`build`](Self::build) fails with
    /// [`BuildError::RecordingNotDeclared`]: `#[tool(unrecorded)]` pauses
    /// the recording while the caller gives that input (the runtime adds a
    /// `prepare_<tool>` function whose result stops the recording, and every
    /// answer of the tool resumes it; the recording then carries the control
    /// id [`Recording::CONTROL_ID`]), `#[tool(recorded)]` accepts recording
    /// it.
    ///
    /// ```
    /// use agent_runtime::prelude::*;
    /// use agent_runtime::{AgentConfig, BuildError};
    ///
    /// /// Telephone PIN desk.
    /// #[agent]
    /// struct Desk;
    ///
    /// #[agent]
    /// impl Desk {
    ///     /// Check the PIN the caller just said.
    ///     #[tool(secure)]
    ///     async fn verify_pin(&self, #[sensitive] pin: Secret<String>) -> ToolResult {
    ///         let _ = pin.expose_secret();
    ///         ToolResult::new("The PIN is correct.")
    ///     }
    /// }
    ///
    /// let config = AgentConfig::from_lookup(|_| None).unwrap();
    /// let built = Desk
    ///     .builder()
    ///     .config(config)
    ///     .prompt_text("Tell the caller this call is recorded.")
    ///     .record_call(Recording::default())
    ///     .build();
    /// assert!(matches!(built, Err(BuildError::RecordingNotDeclared { tool: "verify_pin" })));
    /// ```
    pub fn record_call(mut self, record: Recording) -> Self {
        self.settings.record_call = Some(record);
        self
    }
    /// Sends audit records to `sink` as well as to `tracing`.
    pub fn audit_sink(mut self, sink: Arc<dyn AuditSink>) -> Self {
        self.settings.sinks.push(sink);
        self
    }
    /// Sets the basic-auth credentials in code (overrides the environment).
    pub fn basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.settings.basic_auth = Some((user.into(), SecretString::new(password.into())));
        self
    }
    /// Sets the token key in code, plus previous keys still accepted during a
    /// rotation (overrides `SIGNALWIRE_SWAIG_SECRET`).
    pub fn token_secret(mut self, current: impl Into<String>, previous: &[&str]) -> Self {
        let previous = previous
            .iter()
            .map(|s| SecretString::new((*s).to_owned()))
            .collect();
        self.settings.token_secrets = Some((SecretString::new(current.into()), previous));
        self
    }
    /// Calls `hook` when a request arrives, with a redacted view (method,
    /// path without query, client address).
    pub fn on_request(mut self, hook: impl Fn(&AccessView<'_>) + Send + Sync + 'static) -> Self {
        self.settings.hooks.on_request = Some(Arc::new(hook));
        self
    }
    /// Calls `hook` when a response is ready, with a redacted view (adds
    /// status, duration, call id and function; never a header or token).
    pub fn on_response(mut self, hook: impl Fn(&AccessView<'_>) + Send + Sync + 'static) -> Self {
        self.settings.hooks.on_response = Some(Arc::new(hook));
        self
    }
    /// Limits how often one caller may use `tool` (`"5/min"`, `"1/sec"`,
    /// `"20/hour"`), overriding `SWML_RATE_LIMIT` and the tool's declaration.
    pub fn tool_rate_limit(mut self, tool: impl Into<String>, rate: impl Into<String>) -> Self {
        self.settings.tool_rates.push((tool.into(), rate.into()));
        self
    }
    /// Declares a group of tools that emergency mode can withdraw together
    /// (`EmergencyScope::Group`, `emergency on group:<name>`). A group name
    /// follows the function-name grammar; every tool must exist (checked by
    /// `build`). A tool may belong to several groups.
    pub fn tool_group<I, S>(mut self, name: impl Into<String>, tools: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let tools = tools.into_iter().map(Into::into).collect();
        self.settings.tool_groups.push((name.into(), tools));
        self
    }
    /// Overrides the route declared with `#[agent(route = "...")]`.
    pub fn route(mut self, route: impl Into<String>) -> Self {
        self.settings.route = Some(route.into());
        self
    }

    /// The configuration set with [`config`](Self::config), if any.
    #[cfg(feature = "harness")]
    pub(crate) fn config_ref(&self) -> Option<&AgentConfig> {
        self.settings.config.as_ref()
    }

    /// The configuration set with [`config`](Self::config), to adjust.
    #[cfg(feature = "cli")]
    pub(crate) fn config_mut(&mut self) -> Option<&mut AgentConfig> {
        self.settings.config.as_mut()
    }

    /// Validates everything and compiles schemas, validators and the SWML
    /// template. Nothing of this is repeated per request.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] naming what to change: an unusable configuration
    /// value, a missing or malformed prompt, a tool whose name or argument
    /// schema cannot be used, an invalid route, a tool taking a secret that
    /// does not say whether it may be recorded on an agent that records, or
    /// (with `AGENT_ENV=production`) every production problem at once.
    pub fn build(self) -> Result<AgentService<A>, BuildError> {
        build(self.settings)
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
