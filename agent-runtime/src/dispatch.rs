//! The SWAIG pipeline: envelope → function → token → arguments → handler →
//! result. Every refusal is audited; no refusal echoes the request.

use std::panic::AssertUnwindSafe;
use std::time::Instant;

use actix_web::HttpRequest;
use actix_web::web::Bytes;
use futures_util::FutureExt as _;
use serde_json::{Map, Value};

use crate::audit::{AuditEvent, AuditRecord};
use crate::context::{Call, CallId, Caller, GlobalData, MetaData, RawBody};
use crate::envelope::{Field, SwaigEnvelope};
use crate::http::{HttpError, bad_request, query_param};
use crate::result::ToolResult;
use crate::schema::{Rule, Violation, Violations};
use crate::server::AgentState;
use crate::tool::{Agent, ToolFailure};

/// What the caller hears when a handler fails or panics.
pub(crate) const HANDLER_APOLOGY: &str = "I'm sorry, something went wrong on our side and I could not complete that. Please try again later.";
/// What the caller hears when a handler takes too long.
pub(crate) const TIMEOUT_APOLOGY: &str =
    "I'm sorry, that is taking longer than it should. Please try again in a moment.";

/// What the caller hears when they use a tool too often.
pub(crate) const RATE_LIMIT_REFUSAL: &str = "I'm sorry, I can't do that again right now because it has been requested too many times. Please try again in a little while.";

/// What the caller hears when a secure tool is withdrawn in emergency mode.
pub(crate) const EMERGENCY_REFUSAL: &str = "I'm sorry, I can't do that right now. This service is temporarily limited; \
     please try again later or speak to a member of staff.";

/// Longest call id accepted (platform ids are UUIDs).
const MAX_CALL_ID_LEN: usize = 256;

/// Parses a body that must be a JSON object.
pub(crate) fn parse_object(body: &[u8]) -> Result<Map<String, Value>, HttpError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(HttpError::BadRequest(bad_request::INVALID_JSON)),
    }
}

/// Checks a call id: bounded length, no control characters.
pub(crate) fn check_call_id(id: Option<String>) -> Result<Option<String>, HttpError> {
    match id {
        Some(id) if id.is_empty() => Ok(None),
        Some(id) if id.len() > MAX_CALL_ID_LEN || id.chars().any(char::is_control) => {
            Err(HttpError::BadRequest(bad_request::INVALID_CALL_ID))
        }
        other => Ok(other),
    }
}

/// `^[A-Za-z_][A-Za-z0-9_]{0,63}$`
pub(crate) fn is_valid_function_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && name.len() <= 64
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

impl<A: Agent> AgentState<A> {
    /// Runs one SWAIG request whose body has been read and authenticated.
    pub(crate) async fn dispatch(
        &self,
        req: &HttpRequest,
        raw: Bytes,
        notes: &mut crate::server::Notes,
    ) -> Result<Vec<u8>, HttpError> {
        let envelope = SwaigEnvelope::parse(&raw)?;
        let name = match &envelope.function {
            Some(Field::Str(s)) if !s.is_empty() => s.as_ref(),
            None | Some(Field::Null | Field::Str(_)) => {
                return Err(HttpError::BadRequest(bad_request::MISSING_FUNCTION));
            }
            Some(Field::Other) => return Err(HttpError::BadRequest(bad_request::INVALID_FUNCTION)),
        };
        if !is_valid_function_name(name) {
            return Err(HttpError::BadRequest(bad_request::INVALID_FUNCTION));
        }
        let Some(&index) = self.by_name.get(name) else {
            return Err(HttpError::NotFound);
        };
        let tool = &self.tools[index];
        notes.function = Some(tool.def.name);
        let string = |f: &Option<Field<'_>>| f.clone().and_then(Field::into_string);
        let call_id = check_call_id(string(&envelope.call_id))?;
        notes.call_id.clone_from(&call_id);
        // An empty caller id is no caller id (it must not become a shared
        // rate-limit key or pass an identity check).
        let caller = Caller {
            name: string(&envelope.caller_id_name).filter(|s| !s.trim().is_empty()),
            number: string(&envelope.caller_id_num).filter(|s| !s.trim().is_empty()),
        };
        let audit_base = |event, outcome, reason: String| {
            let mut r = AuditRecord::new(event, outcome, reason);
            r.call_id.clone_from(&call_id);
            r.caller.clone_from(&caller.number);
            r.function = Some(tool.def.name.to_owned());
            r.client = client_addr(req);
            r
        };

        if tool.def.secure && self.emergency.is_on() {
            self.audit(&audit_base(
                AuditEvent::EmergencyRefusal,
                "refused",
                "emergency_mode".to_owned(),
            ));
            return Ok(ToolResult::new(EMERGENCY_REFUSAL).to_json_vec());
        }
        if tool.def.secure {
            let token = query_param(req.query_string(), "__token")?;
            if let Err(kind) =
                self.signer
                    .verify(token.as_deref(), tool.def.name, call_id.as_deref())
            {
                self.audit(&audit_base(
                    AuditEvent::TokenFailure,
                    "refused",
                    kind.reason().to_owned(),
                ));
                return Err(HttpError::Forbidden);
            }
        }

        // Per caller and tool: the platform's caller id, else the call id.
        let rate_key = caller
            .number
            .as_deref()
            .or(call_id.as_deref())
            .unwrap_or("anonymous");
        if self.limits.check(tool.def.name, rate_key).is_err() {
            self.audit(&audit_base(
                AuditEvent::RateLimited,
                "refused",
                "tool_rate_limit".to_owned(),
            ));
            return Ok(ToolResult::new(RATE_LIMIT_REFUSAL).to_json_vec());
        }

        let args = envelope.arguments()?;
        let call = Call {
            id: CallId(call_id.clone()),
            caller: caller.clone(),
            global_data: GlobalData(envelope.global_data()),
            meta_data: MetaData(envelope.meta_data()),
            raw: RawBody(raw.clone()),
        };
        // Declared guard: after token and rate checks, before the arguments
        // are looked at. A panicking guard refuses too.
        if let Some(guard) = tool.def.guard {
            let verdict = std::panic::catch_unwind(AssertUnwindSafe(|| guard(&self.agent, &call)));
            let refused = match verdict {
                Ok(Ok(())) => None,
                Ok(Err(refusal)) => Some((refusal.audit_reason(), refusal.into_tool_result())),
                Err(_panic) => Some(("guard_panic", ToolResult::new(HANDLER_APOLOGY))),
            };
            if let Some((reason, result)) = refused {
                self.audit(&audit_base(
                    AuditEvent::GuardRefusal,
                    "refused",
                    reason.to_owned(),
                ));
                return Ok(result.to_json_vec());
            }
        }
        if let Err(violations) = tool.validator.validate(&args) {
            self.audit(&audit_base(
                AuditEvent::ValidationFailure,
                "refused",
                violations.fields().join(","),
            ));
            return Ok(ToolResult::new(violations.to_model_message()).to_json_vec());
        }

        // Values that must not reach the log even if a handler puts them in its
        // error text: sensitive parameters and fields under secret-looking keys.
        let secrets = if tool.may_hold_secrets {
            crate::redact::secret_values(&args, tool.def.sensitive)
        } else {
            Vec::new()
        };
        // Refused arguments are not recorded (they failed the rules, so nothing
        // says which parts are secret); accepted ones are, redacted.
        let redacted = crate::redact::redact_arguments(&args, tool.def.sensitive);
        let started = Instant::now();
        let run = AssertUnwindSafe((tool.def.invoke)(&self.agent, &call, args)).catch_unwind();
        let outcome = actix_web::rt::time::timeout(self.tool_timeout, run).await;
        let (result, status, reason) = match outcome {
            Ok(Ok(Ok(result))) => (result, "ok", String::new()),
            Ok(Ok(Err(ToolFailure::InvalidArguments { field }))) => {
                let v = Violations::from(vec![Violation::new(field, &Rule::Invalid)]);
                self.audit(&audit_base(
                    AuditEvent::ValidationFailure,
                    "refused",
                    v.fields().join(","),
                ));
                return Ok(ToolResult::new(v.to_model_message()).to_json_vec());
            }
            Ok(Ok(Err(ToolFailure::Handler(detail)))) => {
                tracing::error!(
                    target: "agent_runtime::tool",
                    function = tool.def.name,
                    call_id = call_id.as_deref().unwrap_or(""),
                    error = %crate::redact::scrub_known(&crate::redact::scrub_text(&detail), &secrets),
                    "tool handler returned an error"
                );
                (
                    ToolResult::new(HANDLER_APOLOGY),
                    "error",
                    "handler_error".to_owned(),
                )
            }
            Ok(Err(_panic)) => {
                // The panic payload is not logged: it may hold anything.
                (
                    ToolResult::new(HANDLER_APOLOGY),
                    "panic",
                    "handler_panic".to_owned(),
                )
            }
            Err(_elapsed) => (
                ToolResult::new(TIMEOUT_APOLOGY),
                "timeout",
                "handler_timeout".to_owned(),
            ),
        };
        let mut record = audit_base(AuditEvent::ToolCall, status, reason);
        record.duration = Some(started.elapsed());
        record.arguments = Some(redacted);
        self.audit(&record);
        Ok(result.to_json_vec())
    }
}

/// The peer address, for audit records.
pub(crate) fn client_addr(req: &HttpRequest) -> Option<String> {
    req.peer_addr().map(|a| a.ip().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names() {
        assert!(is_valid_function_name("get_balance"));
        assert!(is_valid_function_name("_x9"));
        assert!(!is_valid_function_name("9x"));
        assert!(!is_valid_function_name("a-b"));
        assert!(!is_valid_function_name(""));
        assert!(!is_valid_function_name(&"a".repeat(65)));
    }

    #[test]
    fn call_ids() {
        assert_eq!(check_call_id(Some(String::new())), Ok(None));
        assert!(check_call_id(Some("a\nb".into())).is_err());
        assert!(check_call_id(Some("x".repeat(300))).is_err());
        assert_eq!(check_call_id(Some("abc".into())), Ok(Some("abc".into())));
    }
}
