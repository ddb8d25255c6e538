//! What [`AgentBuilder::build`] does: resolve the configuration, check the
//! production rule, compile every tool (schema for the model, validator and
//! redaction plan for the runtime; on an agent that records, the recording
//! companions of unrecorded tools), compile the three SWML templates, and
//! set up the request checks. Nothing here is repeated per request.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use actix_web::web;
use serde_json::{Map, Value};

use super::AgentService;
use super::error::{BuildError, ToolError};
use super::recording::{RecordingActions, companion, unrecorded_description};
use crate::access::AccessHooks;
use crate::agent::{Agent, RecordingPolicy, ToolDef};
use crate::audit::{AuditSink, AuditTrail};
use crate::config::{
    AgentConfig, Checklist, ConfigError, CredentialSource, Credentials, KeySource, ToolFacts,
    check_metrics, evaluate_checklist, signer_from_secrets,
};
use crate::emergency::{AGENT_EMERGENCY_MESSAGE, EmergencyPlan, EmergencySwitch};
use crate::metrics::Metrics;
use crate::ratelimit::Rate;
use crate::schema::{ArgsValidator, RedactionPlan, to_swaig_parameters};
use crate::secret::SecretString;
use crate::security::auth::BasicAuth;
use crate::security::signature::SignatureVerifier;
use crate::state::{
    AgentState, CompiledTool, Guards, HTTP_SCOPE, RecordingStep, SwmlTemplates, ToolTable,
};
use crate::store::StateStore;
use crate::swml::template::{SwmlFunction, SwmlSpec, SwmlTemplate, Variant, url_with_credentials};
use crate::swml::{Hint, Language, Recording, Section};

/// Everything an [`AgentBuilder`](super::AgentBuilder) collects, as
/// [`build`] takes it.
pub(super) struct Settings<A> {
    pub(super) agent: A,
    pub(super) config: Option<AgentConfig>,
    pub(super) sections: Vec<Section>,
    pub(super) prompt_text: Option<String>,
    pub(super) post_prompt: Option<String>,
    pub(super) params: Map<String, Value>,
    pub(super) hints: Vec<Hint>,
    pub(super) languages: Vec<Language>,
    pub(super) global_data: Map<String, Value>,
    pub(super) record_call: Option<Recording>,
    pub(super) sinks: Vec<Arc<dyn AuditSink>>,
    pub(super) basic_auth: Option<(String, SecretString)>,
    pub(super) token_secrets: Option<(SecretString, Vec<SecretString>)>,
    pub(super) route: Option<String>,
    pub(super) hooks: AccessHooks,
    pub(super) tool_rates: Vec<(String, String)>,
    pub(super) tool_groups: Vec<(String, Vec<String>)>,
}

/// Builds the agent from its settings.
pub(super) fn build<A: Agent>(b: Settings<A>) -> Result<AgentService<A>, BuildError> {
    let config = resolve_config(b.config, b.basic_auth, b.token_secrets)?;
    let route = agent_rules::route::normalize(b.route.as_deref().unwrap_or(A::ROUTE))
        .map_err(BuildError::Route)?
        .to_owned();
    let prompt = build_prompt(&b.sections, b.prompt_text)?;
    let recording = b.record_call.map(RecordingActions::new).transpose()?;
    let (tools, functions) = compile_tools(A::tools(), recording.as_ref())?;
    // The recording needs a control id for the pause and resume actions to
    // name, and only then.
    let pauses = tools.tools.iter().any(|t| t.recording.is_companion());
    let control_id = pauses.then_some(Recording::CONTROL_ID);
    let url_base = url_with_credentials(
        &config.public_base(),
        &config.credentials.user,
        config.credentials.password.expose_secret(),
        &route,
    );
    let spec = SwmlSpec {
        prompt,
        post_prompt: b.post_prompt,
        params: b.params,
        hints: b.hints.iter().map(Hint::to_json).collect(),
        languages: b.languages.iter().map(Language::to_json).collect(),
        global_data: b.global_data,
        record_call: b.record_call.map(|r| r.to_json(control_id)),
        functions,
        url_base,
    };
    let checklist = production_checklist(&config, &tools, &b.tool_rates, &spec);
    if config.production && !checklist.allows_production() {
        return Err(BuildError::Production(
            checklist.blocking().cloned().collect(),
        ));
    }
    let swml = compile_templates(&spec)?;
    let groups = tool_groups(&tools.tools, b.tool_groups)?;
    let scopes = rate_scopes(&config, &tools.tools, &b.tool_rates)?;
    let store = match &config.state_url {
        // Keys are namespaced by the agent's name and route, like its token
        // keys: two agents sharing a store never share a counter.
        Some(url) => StateStore::redis(
            url.expose_secret(),
            &format!("{}{}", A::NAME, route),
            scopes,
            config.state_timeout,
        )
        .map_err(|_| {
            BuildError::Config(ConfigError {
                setting: "SWML_STATE_URL",
                problem: "the URL cannot be used".to_owned(),
            })
        })?,
        None => StateStore::in_process(scopes),
    };
    let guards = Guards {
        auth: BasicAuth::new(&config.credentials.user, &config.credentials.password),
        signer: config.signer.for_agent(A::NAME, &route),
        signatures: config
            .signing_key
            .as_ref()
            .map(|key| SignatureVerifier::new(key, &config.public_base())),
        store: store.clone(),
        http_limited: config.http_rate_limit.is_some(),
    };
    let tls = config.tls.as_ref().map(|t| t.load()).transpose()?;
    // Registered once here; the counting sink sees every record the trail
    // emits, whoever emits it.
    let names: Vec<&'static str> = tools.tools.iter().map(|t| t.def.name).collect();
    let metrics = Metrics::new(A::NAME, &names);
    let mut sinks = b.sinks;
    sinks.push(metrics.audit_sink());
    let audit = AuditTrail::new(sinks);
    let state = AgentState {
        emergency: EmergencySwitch::new(
            config.emergency_mode,
            EmergencyPlan {
                tools: tools
                    .tools
                    .iter()
                    .map(|t| (t.def.name, t.def.secure))
                    .collect(),
                groups,
                companions: tools
                    .tools
                    .iter()
                    .filter_map(|t| match t.def.recording {
                        RecordingPolicy::Unrecorded { companion }
                            if tools.by_name.contains_key(companion) =>
                        {
                            Some((t.def.name, companion))
                        }
                        _ => None,
                    })
                    .collect(),
                spec,
                agent_document: agent_document()?,
            },
            store,
            audit.clone(),
            A::NAME,
        ),
        tool_timeout: config.tool_timeout,
        agent: b.agent,
        config,
        route,
        tools,
        swml,
        summary: A::summary_handler(),
        guards,
        audit,
        metrics,
        hooks: b.hooks,
        tls,
        checklist,
    };
    Ok(AgentService {
        state: web::Data::new(state),
    })
}

/// The configuration from the builder or the environment, with the
/// credentials and token secrets set in code applied.
fn resolve_config(
    config: Option<AgentConfig>,
    basic_auth: Option<(String, SecretString)>,
    token_secrets: Option<(SecretString, Vec<SecretString>)>,
) -> Result<AgentConfig, BuildError> {
    let mut config = match config {
        Some(c) => c,
        None => AgentConfig::from_env()?,
    };
    // A configuration built in code passes the rule `from_env` applies.
    check_metrics(config.metrics_addr, config.metrics_auth)?;
    if let Some((user, password)) = basic_auth {
        config.credentials = Credentials {
            user,
            password,
            source: CredentialSource::Builder,
        };
    }
    if let Some((current, previous)) = &token_secrets {
        let prev: Vec<&str> = previous
            .iter()
            .map(|s| s.expose_secret().as_str())
            .collect();
        config.signer =
            signer_from_secrets(current.expose_secret(), &prev, config.signer.token_ttl())?;
        config.key_source = KeySource::Builder;
    }
    Ok(config)
}

/// Every tool with its validator, and its entry in the SWML document. On
/// an agent that records (`recording` is set), a tool taking a secret must
/// say whether its input may be recorded, and each unrecorded tool is
/// preceded by its companion, which pauses the recording.
fn compile_tools<A>(
    defs: Vec<ToolDef<A>>,
    recording: Option<&RecordingActions>,
) -> Result<(ToolTable<A>, Vec<SwmlFunction>), BuildError> {
    let mut table = ToolTable {
        tools: Vec::with_capacity(defs.len()),
        by_name: HashMap::new(),
    };
    let mut functions = Vec::with_capacity(defs.len());
    for def in defs {
        let tool_name = def.name;
        let refuse = |source| BuildError::Tool {
            tool: tool_name,
            source,
        };
        if !agent_rules::function::is_valid(tool_name) {
            return Err(refuse(ToolError::InvalidName));
        }
        if agent_rules::function::is_reserved(tool_name) {
            return Err(refuse(ToolError::ReservedName));
        }
        if let Some(taken) = name_taken(&table, tool_name) {
            return Err(taken);
        }
        let (mut tool, parameters) = compile_tool(def)?;
        if let Some(actions) = recording {
            match tool.def.recording {
                RecordingPolicy::Undeclared if tool.redaction.has_secrets() => {
                    return Err(BuildError::RecordingNotDeclared { tool: tool_name });
                }
                RecordingPolicy::Unrecorded { companion: name } => {
                    if !agent_rules::function::is_valid(name) {
                        return Err(refuse(ToolError::InvalidCompanionName { companion: name }));
                    }
                    if table.by_name.contains_key(name) {
                        return Err(refuse(ToolError::CompanionNameTaken { companion: name }));
                    }
                    let (mut pause, none) = compile_tool(companion(&tool.def, name))?;
                    pause.recording = RecordingStep::Pauses(actions.pause.clone());
                    register(&mut table, &mut functions, pause, none);
                    tool.description = unrecorded_description(tool.def.description, name);
                    tool.recording = RecordingStep::Resumes(actions.resume.clone());
                }
                RecordingPolicy::Undeclared | RecordingPolicy::Recorded => {}
            }
        }
        register(&mut table, &mut functions, tool, parameters);
    }
    Ok((table, functions))
}

/// Why `name` cannot be registered, if it is taken: by another tool, or by
/// the companion of an earlier unrecorded tool (registered just before it).
fn name_taken<A>(table: &ToolTable<A>, name: &'static str) -> Option<BuildError> {
    let at = *table.by_name.get(name)?;
    let taken_by_companion = table.tools.get(at)?.recording.is_companion();
    Some(match table.tools.get(at + 1) {
        Some(unrecorded) if taken_by_companion => BuildError::Tool {
            tool: unrecorded.def.name,
            source: ToolError::CompanionNameTaken { companion: name },
        },
        _ => BuildError::Tool {
            tool: name,
            source: ToolError::DuplicateName,
        },
    })
}

/// One tool with its validator and redaction plan, and its parameters as
/// the model reads them.
fn compile_tool<A>(def: ToolDef<A>) -> Result<(CompiledTool<A>, Value), BuildError> {
    let name = def.name;
    let refuse = |source| BuildError::Tool { tool: name, source };
    let full = (def.schema)().to_value();
    let parameters = to_swaig_parameters(&full).map_err(|e| refuse(ToolError::Schema(e)))?;
    let validator = ArgsValidator::new(&full).map_err(|e| refuse(ToolError::Schema(e)))?;
    // Read after the normaliser accepted the schema, so every `$ref`
    // resolves and no type contains itself.
    let redaction = RedactionPlan::new(&full).with_secret_fields(def.sensitive);
    let may_hold_secrets = redaction.has_secrets() || mentions_secret_key(&full);
    let tool = CompiledTool {
        description: Cow::Borrowed(def.description),
        def,
        validator,
        redaction,
        may_hold_secrets,
        recording: RecordingStep::Untouched,
    };
    Ok((tool, parameters))
}

/// Adds `tool` to the table, and to the document with `parameters`.
fn register<A>(
    table: &mut ToolTable<A>,
    functions: &mut Vec<SwmlFunction>,
    tool: CompiledTool<A>,
    parameters: Value,
) {
    table.by_name.insert(tool.def.name, table.tools.len());
    functions.push(SwmlFunction {
        name: tool.def.name,
        description: tool.description.clone(),
        secure: tool.def.secure,
        parameters,
    });
    table.tools.push(tool);
}

/// The production checklist of this agent (the same one `check` prints).
fn production_checklist<A>(
    config: &AgentConfig,
    tools: &ToolTable<A>,
    overrides: &[(String, String)],
    spec: &SwmlSpec,
) -> Checklist {
    let facts: Vec<ToolFacts<'_>> = tools
        .tools
        .iter()
        // A companion is judged with its tool.
        .filter(|t| !t.recording.is_companion())
        .map(|t| ToolFacts {
            name: t.def.name,
            secure: t.def.secure,
            declares_rate_limit: t.def.rate_limit.is_some()
                || overrides.iter().any(|(name, _)| name == t.def.name),
        })
        .collect();
    let disclosed = spec
        .prompt
        .to_string()
        .to_ascii_lowercase()
        .contains("record");
    evaluate_checklist(config, &facts, spec.record_call.is_some(), disclosed)
}

/// The groups declared with `tool_group`: names in the function-name
/// grammar, given once, each naming existing tools.
fn tool_groups<A>(
    tools: &[CompiledTool<A>],
    declared: Vec<(String, Vec<String>)>,
) -> Result<BTreeMap<String, Vec<&'static str>>, BuildError> {
    let problem = |problem: String| {
        BuildError::Config(ConfigError {
            setting: "tool_group",
            problem,
        })
    };
    let mut groups = BTreeMap::new();
    for (name, members) in declared {
        if !agent_rules::function::is_valid(&name) {
            return Err(problem(format!(
                "a group name must match {}",
                agent_rules::function::GRAMMAR
            )));
        }
        let mut names = Vec::new();
        for member in &members {
            match tools.iter().find(|t| t.def.name == member) {
                Some(t) => names.push(t.def.name),
                None => return Err(problem(format!("no tool is named `{member}`"))),
            }
        }
        if names.is_empty() {
            return Err(problem(format!("group `{name}` names no tool")));
        }
        if groups.insert(name.clone(), names).is_some() {
            return Err(problem(format!("group `{name}` is declared twice")));
        }
    }
    Ok(groups)
}

/// What a new call gets while the whole agent is withdrawn: the emergency
/// message, then the end of the call.
fn agent_document() -> Result<Arc<[u8]>, BuildError> {
    let doc = serde_json::json!({
        "version": "1.0.0",
        "sections": {"main": [
            {"answer": {}},
            {"play": {"url": format!("say:{AGENT_EMERGENCY_MESSAGE}")}},
            {"hangup": {}}
        ]}
    });
    serde_json::to_vec(&doc)
        .map(Into::into)
        .map_err(|e| BuildError::Prompt(format!("SWML could not be serialised: {e}")))
}

/// The document with a call id and without one.
fn compile_templates(spec: &SwmlSpec) -> Result<SwmlTemplates, BuildError> {
    let compile = |secure_tools, post_prompt_url| {
        SwmlTemplate::compile(
            spec,
            Variant {
                secure_tools,
                post_prompt_url,
            },
        )
        .map_err(|e| BuildError::Prompt(format!("SWML could not be serialised: {e}")))
    };
    Ok(SwmlTemplates {
        with_call: compile(true, true)?,
        without_call: compile(false, false)?,
    })
}

/// The rate-limit scopes: one per tool (its override, else its declared
/// `rate_limit`, else the agent-wide default) plus the per-address HTTP scope.
fn rate_scopes<A>(
    config: &AgentConfig,
    tools: &[CompiledTool<A>],
    overrides: &[(String, String)],
) -> Result<Vec<(String, Rate)>, BuildError> {
    let mut scopes = Vec::new();
    for (name, rate) in overrides {
        if !tools.iter().any(|t| t.def.name == name) {
            return Err(BuildError::Config(ConfigError {
                setting: "tool_rate_limit",
                problem: format!("no tool is named `{name}`"),
            }));
        }
        let rate = rate.parse().map_err(|e: crate::ratelimit::RateError| {
            BuildError::Config(ConfigError {
                setting: "tool_rate_limit",
                problem: e.to_string(),
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
            .map_err(|e| BuildError::Tool {
                tool: tool.def.name,
                source: ToolError::RateLimit(e),
            })?;
        if let Some(rate) = declared.or(config.rate_limit) {
            scopes.push((tool.def.name.to_owned(), rate));
        }
    }
    if let Some(rate) = config.http_rate_limit {
        scopes.push((HTTP_SCOPE.to_owned(), rate));
    }
    Ok(scopes)
}

/// True when any property name in the schema looks secret.
fn mentions_secret_key(schema: &Value) -> bool {
    match schema {
        Value::Object(map) => map.iter().any(|(k, v)| {
            (k == "properties"
                && v.as_object().is_some_and(|props| {
                    props.keys().any(|name| agent_rules::names::is_secret(name))
                }))
                || mentions_secret_key(v)
        }),
        Value::Array(items) => items.iter().any(mentions_secret_key),
        _ => false,
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
