//! Everything a request reads, built once at start-up by the builder and
//! shared by every worker: the agent value, its compiled tools and SWML
//! templates, and the security settings the request checks apply.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::value::RawValue;

use crate::access::AccessHooks;
use crate::agent::{SummaryHandler, ToolDef};
use crate::audit::AuditTrail;
use crate::config::{AgentConfig, Checklist};
use crate::emergency::EmergencySwitch;
use crate::metrics::Metrics;
use crate::schema::{ArgsValidator, RedactionPlan};
use crate::security::auth::BasicAuth;
use crate::security::signature::SignatureVerifier;
use crate::security::token::TokenSigner;
use crate::store::StateStore;
use crate::swml::template::SwmlTemplate;

/// A tool with its validator and redaction plan, compiled once at start-up.
pub(crate) struct CompiledTool<A> {
    pub def: ToolDef<A>,
    pub validator: ArgsValidator,
    /// Which positions of the arguments are secret, read from the schema:
    /// makes the audit copy of the arguments and the list of values to take
    /// out of a handler's error text.
    pub redaction: RedactionPlan,
    /// The arguments can hold a secret (by type or under a secret-looking
    /// field name), so a handler's error text is scrubbed of their values.
    pub may_hold_secrets: bool,
    /// The description as the model reads it (also in the SWML document).
    pub description: Cow<'static, str>,
    /// What every spoken reply of the tool does to the call recording.
    pub recording: RecordingStep,
}

/// What the replies of a tool do to the call recording, beyond what the
/// handler returns: the action each 200 answer of the tool ends with
/// (handler result or spoken refusal alike), serialised once at start-up.
pub(crate) enum RecordingStep {
    /// Nothing: a tool that is not unrecorded, or an agent that does not
    /// record.
    Untouched,
    /// The companion of an unrecorded tool: stops the recording.
    Pauses(Arc<RawValue>),
    /// An unrecorded tool: starts the recording again, after the tool's own
    /// actions.
    Resumes(Arc<RawValue>),
}

impl RecordingStep {
    /// The action the tool's replies end with, if any.
    pub(crate) fn last_action(&self) -> Option<&RawValue> {
        match self {
            RecordingStep::Untouched => None,
            RecordingStep::Pauses(action) | RecordingStep::Resumes(action) => Some(action),
        }
    }

    /// Whether this is the companion the runtime registered beside an
    /// unrecorded tool (not a tool the user declared).
    pub(crate) fn is_companion(&self) -> bool {
        matches!(self, RecordingStep::Pauses(_))
    }
}

/// The tools of an agent, by position and by name.
pub(crate) struct ToolTable<A> {
    pub tools: Vec<CompiledTool<A>>,
    pub by_name: HashMap<&'static str, usize>,
}

impl<A> ToolTable<A> {
    /// The tool registered under `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&CompiledTool<A>> {
        self.by_name.get(name).and_then(|&i| self.tools.get(i))
    }
}

/// The SWML document in the two forms a request can get (emergency mode
/// keeps its own, see [`EmergencySwitch`]).
pub(crate) struct SwmlTemplates {
    /// For a request with a call id: every tool, tokens bound to the call.
    pub with_call: SwmlTemplate,
    /// Without a call id: no secure tools, no post-prompt URL.
    pub without_call: SwmlTemplate,
}

/// What the request checks need: credentials, token keys, webhook
/// signatures and rate limits.
pub(crate) struct Guards {
    pub auth: BasicAuth,
    pub signer: TokenSigner,
    /// Webhook signature check, when a signing key is configured.
    pub signatures: Option<SignatureVerifier>,
    /// Shared state: rate limits (per tool, and the per-address HTTP
    /// scope), attempt counters, per-call facts, the emergency flag.
    pub store: StateStore,
    /// Whether the per-address HTTP limit is on.
    pub http_limited: bool,
}

/// Everything a request needs, shared by all workers.
pub(crate) struct AgentState<A> {
    pub agent: A,
    pub config: AgentConfig,
    /// The route prefix (`""` for `/`).
    pub route: String,
    pub tools: ToolTable<A>,
    pub swml: SwmlTemplates,
    pub summary: Option<SummaryHandler<A>>,
    pub guards: Guards,
    /// Emergency mode, switchable at run time.
    pub emergency: EmergencySwitch,
    pub audit: AuditTrail,
    /// The agent's Prometheus metrics; its audit sink is one of `audit`'s.
    pub metrics: Metrics,
    pub hooks: AccessHooks,
    pub tool_timeout: Duration,
    /// TLS server configuration, loaded at start-up.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// The production checklist, evaluated at start-up.
    pub checklist: Checklist,
}

/// The rate-limit scope of the per-address HTTP limit (no tool can have this
/// name).
pub(crate) const HTTP_SCOPE: &str = "\u{0}http";
