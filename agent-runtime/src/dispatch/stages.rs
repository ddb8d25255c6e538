//! The stages of one tool call, in the order they run. Each returns `Err`
//! with one [`Refused`] when the call must stop there.

use std::panic::AssertUnwindSafe;
use std::time::Instant;

use actix_web::web::Bytes;
use futures_util::FutureExt as _;
use serde_json::Value;

use super::{
    EMERGENCY_REFUSAL, HANDLER_APOLOGY, RATE_LIMIT_REFUSAL, Refused, STATE_UNAVAILABLE_REFUSAL,
    Subject, TIMEOUT_APOLOGY,
};
use crate::action::ToolResult;
use crate::agent::{Agent, ToolFailure};
use crate::audit::{AuditEvent, EventSink};
use crate::config::StateFailure;
use crate::context::{Call, CallId, GlobalData, MetaData, RawBody, StoreAccess};
use crate::request::envelope::SwaigEnvelope;
use crate::request::query::query_param;
use crate::response::HttpError;
use crate::schema::{Rule, Violation, Violations};
use crate::state::{AgentState, CompiledTool};

/// Every stage, then the handler. `Ok` is the tool result's JSON.
pub(super) async fn run_tool<A: Agent>(
    state: &AgentState<A>,
    tool: &CompiledTool<A>,
    subject: &Subject<'_>,
    envelope: &SwaigEnvelope<'_>,
    raw: &Bytes,
) -> Result<Vec<u8>, Refused> {
    state.emergency.refresh().await;
    check_emergency(state, tool)?;
    check_token(state, tool, subject)?;
    check_rate(state, tool, subject).await?;
    // Decoded only now: a request refused above never builds these values.
    let args = envelope
        .arguments()
        .map_err(|e| Refused::http(AuditEvent::ValidationFailure, "malformed_arguments", e))?;
    let malformed = |e| Refused::http(AuditEvent::ValidationFailure, "malformed_platform_data", e);
    let mut call = Call {
        id: CallId(subject.call_id.clone()),
        caller: subject.caller.clone(),
        global_data: GlobalData(envelope.global_data().map_err(malformed)?),
        meta_data: MetaData(envelope.meta_data().map_err(malformed)?),
        raw: RawBody(raw.clone()),
        store: Some(StoreAccess {
            store: state.guards.store.clone(),
            ttl: state.guards.signer.token_ttl(),
            loaded: None,
        }),
        events: Some(EventSink {
            trail: state.audit.clone(),
            function: Some(subject.function),
            client: subject.client.clone(),
        }),
    };
    if tool.def.guard.is_some() {
        load_facts(state, &mut call).await?;
    }
    check_guard(state, tool, &call)?;
    check_arguments(tool, &args)?;
    invoke(state, tool, subject, &call, args).await
}

/// Secure tools are withdrawn while emergency mode is on.
fn check_emergency<A>(state: &AgentState<A>, tool: &CompiledTool<A>) -> Result<(), Refused> {
    if tool.def.secure && state.emergency.is_on() {
        return Err(Refused::spoken(
            AuditEvent::EmergencyRefusal,
            "emergency_mode",
            ToolResult::new(EMERGENCY_REFUSAL),
        ));
    }
    Ok(())
}

/// A secure tool needs a valid token for this function and call; every kind
/// of failure is the same 403, and the audit record says which it was.
fn check_token<A>(
    state: &AgentState<A>,
    tool: &CompiledTool<A>,
    subject: &Subject<'_>,
) -> Result<(), Refused> {
    if !tool.def.secure {
        return Ok(());
    }
    let token = query_param(subject.req.query_string(), "__token")
        .map_err(|e| Refused::http(AuditEvent::TokenFailure, "token_query_invalid", e))?;
    state
        .guards
        .signer
        .verify(token.as_deref(), tool.def.name, subject.call_id.as_deref())
        .map_err(|kind| {
            Refused::http(
                AuditEvent::TokenFailure,
                kind.reason(),
                HttpError::Forbidden,
            )
        })
}

/// Per caller and tool: the platform's caller id, else the call id. When the
/// store cannot answer, a secure tool is refused (it protects something);
/// any other tool follows `SWML_STATE_FAILURE`.
async fn check_rate<A>(
    state: &AgentState<A>,
    tool: &CompiledTool<A>,
    subject: &Subject<'_>,
) -> Result<(), Refused> {
    let key = subject
        .caller
        .number
        .as_deref()
        .or(subject.call_id.as_deref())
        .unwrap_or("anonymous");
    match state.guards.store.rate(tool.def.name, key).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_wait)) => Err(Refused::spoken(
            AuditEvent::RateLimited,
            "tool_rate_limit",
            ToolResult::new(RATE_LIMIT_REFUSAL),
        )),
        Err(_) if !tool.def.secure && state.config.state_failure == StateFailure::Open => {
            // Let through by policy, and said so in the audit trail.
            let record = subject.record(AuditEvent::StateUnavailable, "allowed", "tool_rate_limit");
            state.audit.emit(&record);
            Ok(())
        }
        Err(_) => Err(state_unavailable("tool_rate_limit")),
    }
}

/// The refusal of a protective decision the store could not answer.
fn state_unavailable(decision: &'static str) -> Refused {
    Refused::spoken(
        AuditEvent::StateUnavailable,
        decision,
        ToolResult::new(STATE_UNAVAILABLE_REFUSAL),
    )
}

/// Loads the call's facts for its guard, which cannot wait on the store. A
/// store that cannot be read refuses the call: a guard must never decide on
/// facts it could not see.
async fn load_facts<A>(state: &AgentState<A>, call: &mut Call) -> Result<(), Refused> {
    let Some(call_id) = call.id().map(str::to_owned) else {
        return Ok(());
    };
    match state.guards.store.call_facts(&call_id).await {
        Ok(facts) => {
            if let Some(access) = call.store.as_mut() {
                access.loaded = Some(facts);
            }
            Ok(())
        }
        Err(_) => Err(state_unavailable("call_facts")),
    }
}

/// The tool's declared guard: after the token and rate checks, before the
/// arguments are looked at. A panicking guard refuses too.
fn check_guard<A: Agent>(
    state: &AgentState<A>,
    tool: &CompiledTool<A>,
    call: &Call,
) -> Result<(), Refused> {
    let Some(guard) = tool.def.guard else {
        return Ok(());
    };
    match std::panic::catch_unwind(AssertUnwindSafe(|| guard(&state.agent, call))) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(refusal)) => Err(Refused::spoken(
            AuditEvent::GuardRefusal,
            refusal.reason(),
            refusal.into_tool_result(),
        )),
        Err(_panic) => Err(Refused::spoken(
            AuditEvent::GuardRefusal,
            "guard_panic",
            ToolResult::new(HANDLER_APOLOGY),
        )),
    }
}

/// The full rules of the tool's argument type. The model hears which field
/// broke which rule, never the value.
fn check_arguments<A>(tool: &CompiledTool<A>, args: &Value) -> Result<(), Refused> {
    tool.validator
        .validate(args)
        .map_err(|violations| validation_refusal(&violations))
}

fn validation_refusal(violations: &Violations) -> Refused {
    Refused::spoken(
        AuditEvent::ValidationFailure,
        violations.fields().join(","),
        ToolResult::new(violations.to_model_message()),
    )
}

/// Runs the handler (panics caught, time bounded) and audits the call with
/// its outcome, duration and redacted arguments.
async fn invoke<A: Agent>(
    state: &AgentState<A>,
    tool: &CompiledTool<A>,
    subject: &Subject<'_>,
    call: &Call,
    args: Value,
) -> Result<Vec<u8>, Refused> {
    // Values that must not reach the log even if a handler puts them in its
    // error text: those at secret positions of the tool's redaction plan and
    // those under secret-looking keys, at any depth.
    let secrets = if tool.may_hold_secrets {
        tool.redaction.secret_values(&args)
    } else {
        Vec::new()
    };
    // Refused arguments are not recorded (they failed the rules, so they may
    // not have the shape the plan describes); accepted ones are, redacted by
    // walking them beside the plan compiled at start-up.
    let redacted = tool.redaction.audit_copy(&args);
    let started = Instant::now();
    let run = AssertUnwindSafe((tool.def.invoke)(&state.agent, call, args)).catch_unwind();
    let outcome = actix_web::rt::time::timeout(state.tool_timeout, run).await;
    let (result, status, reason) = match outcome {
        Ok(Ok(Ok(result))) => (result, "ok", ""),
        Ok(Ok(Err(ToolFailure::InvalidArguments { field }))) => {
            let v = Violations::from(vec![Violation::new(field, &Rule::Invalid)]);
            return Err(validation_refusal(&v));
        }
        Ok(Ok(Err(ToolFailure::Handler(detail)))) => {
            tracing::error!(
                target: "agent_runtime::tool",
                function = tool.def.name,
                call_id = subject.call_id.as_deref().unwrap_or(""),
                error = %crate::redact::scrub_known(&crate::redact::scrub_text(&detail), &secrets),
                "tool handler returned an error"
            );
            (ToolResult::new(HANDLER_APOLOGY), "error", "handler_error")
        }
        // The panic payload is not logged: it may hold anything.
        Ok(Err(_panic)) => (ToolResult::new(HANDLER_APOLOGY), "panic", "handler_panic"),
        Err(_elapsed) => (
            ToolResult::new(TIMEOUT_APOLOGY),
            "timeout",
            "handler_timeout",
        ),
    };
    let mut record = subject.record(AuditEvent::ToolCall, status, reason);
    record.duration = Some(started.elapsed());
    record.arguments = Some(redacted);
    state.audit.emit(&record);
    Ok(result.to_json_vec())
}
