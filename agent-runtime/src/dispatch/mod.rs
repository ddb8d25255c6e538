//! The SWAIG pipeline: one request that passed the HTTP checks becomes one
//! tool run, or one refusal.
//!
//! The envelope is parsed and the tool looked up first (a malformed envelope
//! or an unknown function is a plain 4xx). Then the stages run in order, each
//! either passing or returning one [`Refused`]: emergency mode, token, rate
//! limit, guard, argument validation, and the handler itself (whose typed
//! argument decoding can still refuse). Every refusal is audited in one
//! place, [`run`], and answered with its reply; no reply echoes the request.
//! Every 200 answer of a tool that pauses or resumes the call recording
//! (an unrecorded tool and its companion) ends with that action, whatever
//! the outcome; an HTTP refusal carries no action.

mod refused;
mod stages;

use actix_web::HttpRequest;
use actix_web::web::Bytes;

use crate::access::Notes;
use crate::agent::Agent;
use crate::audit::{AuditEvent, AuditRecord};
use crate::context::Caller;
use crate::request::envelope::{Field, SwaigEnvelope};
use crate::request::{check_call_id, check_caller_name, check_caller_number};
use crate::response::{HttpError, bad_request};
use crate::state::{AgentState, CompiledTool};

pub(crate) use refused::{
    EMERGENCY_REFUSAL, HANDLER_APOLOGY, RATE_LIMIT_REFUSAL, Refused, STATE_UNAVAILABLE_REFUSAL,
    TIMEOUT_APOLOGY,
};

/// Who and what one SWAIG request is about, as every audit record of it
/// names them.
pub(crate) struct Subject<'r> {
    pub function: &'static str,
    pub call_id: Option<String>,
    pub caller: Caller,
    pub client: Option<String>,
    pub req: &'r HttpRequest,
}

impl Subject<'_> {
    /// An audit record about this request.
    pub(crate) fn record(
        &self,
        event: AuditEvent,
        outcome: &'static str,
        reason: impl Into<String>,
    ) -> AuditRecord {
        let mut r = AuditRecord::new(event, outcome, reason);
        r.call_id.clone_from(&self.call_id);
        r.caller.clone_from(&self.caller.number);
        r.function = Some(self.function.to_owned());
        r.client.clone_from(&self.client);
        r
    }
}

/// Runs one SWAIG request whose body has been read and authenticated, and
/// returns the JSON body of the 200 answer (a tool result, or a spoken
/// refusal) or the HTTP refusal.
pub(crate) async fn run<A: Agent>(
    state: &AgentState<A>,
    req: &HttpRequest,
    raw: Bytes,
    notes: &mut Notes,
) -> Result<Vec<u8>, HttpError> {
    let envelope = SwaigEnvelope::parse(&raw)?;
    let tool = find_tool(state, &envelope)?;
    notes.function = Some(tool.def.name);
    let string = |f: &Option<Field<'_>>| f.clone().and_then(Field::into_string);
    let call_id = check_call_id(string(&envelope.call_id))?;
    notes.call_id.clone_from(&call_id);
    // A blank caller id is no caller id (it must not become a shared
    // rate-limit key or pass an identity check); one that breaks the rules is
    // refused before it reaches a limiter, a guard or an audit record.
    let mut subject = Subject {
        function: tool.def.name,
        call_id,
        caller: Caller::default(),
        client: client_addr(req),
        req,
    };
    let caller = check_caller_name(string(&envelope.caller_id_name)).and_then(|name| {
        Ok(Caller {
            name,
            number: check_caller_number(string(&envelope.caller_id_num))?,
        })
    });
    subject.caller = match caller {
        Ok(caller) => caller,
        Err(refusal) => {
            // Audited without the string itself, which is what was wrong.
            let reason = match refusal {
                HttpError::BadRequest(bad_request::INVALID_CALLER_NAME) => "invalid_caller_name",
                _ => "invalid_caller_number",
            };
            let record = subject.record(AuditEvent::ValidationFailure, "refused", reason);
            state.audit.emit(&record);
            return Err(refusal);
        }
    };
    let last = tool.recording.last_action();
    match stages::run_tool(state, tool, &subject, &envelope, &raw).await {
        Ok(result) => Ok(result.to_json_vec_ending_with(last)),
        Err(refused) => {
            state
                .audit
                .emit(&subject.record(refused.event, "refused", refused.reason.clone()));
            refused.into_reply(last)
        }
    }
}

/// The tool the envelope names: 400 for a missing or impossible name, 404
/// for a name no tool has.
fn find_tool<'s, A>(
    state: &'s AgentState<A>,
    envelope: &SwaigEnvelope<'_>,
) -> Result<&'s CompiledTool<A>, HttpError> {
    let name = match &envelope.function {
        Some(Field::Str(s)) if !s.is_empty() => s.as_ref(),
        None | Some(Field::Null | Field::Str(_)) => {
            return Err(HttpError::BadRequest(bad_request::MISSING_FUNCTION));
        }
        Some(Field::Other) => return Err(HttpError::BadRequest(bad_request::INVALID_FUNCTION)),
    };
    if !agent_rules::function::is_valid(name) {
        return Err(HttpError::BadRequest(bad_request::INVALID_FUNCTION));
    }
    state.tools.get(name).ok_or(HttpError::NotFound)
}

/// The peer address, for audit records.
pub(crate) fn client_addr(req: &HttpRequest) -> Option<String> {
    req.peer_addr().map(|a| a.ip().to_string())
}
