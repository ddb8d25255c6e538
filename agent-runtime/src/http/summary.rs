//! The post-prompt endpoint: the end-of-call summary the platform posts. It
//! needs its own call-bound token (the Python SDK does not enforce one), and
//! an `#[on_summary]` handler, if any, gets the summary with the call.

use actix_web::HttpRequest;
use actix_web::web::Bytes;
use serde_json::Value;

use crate::access::Notes;
use crate::agent::Agent;
use crate::audit::{AuditEvent, AuditRecord};
use crate::context::{Call, CallId, Caller, GlobalData, MetaData, RawBody, StoreAccess};
use crate::dispatch::client_addr;
use crate::request::query::query_param;
use crate::request::{check_call_id, check_caller_number, parse_object};
use crate::response::HttpError;
use crate::state::AgentState;
use crate::swml::template::POST_PROMPT_FUNCTION;

pub(super) async fn handle_summary<A: Agent>(
    req: &HttpRequest,
    state: &AgentState<A>,
    raw: Bytes,
    notes: &mut Notes,
) -> Result<Vec<u8>, HttpError> {
    let mut body = parse_object(&raw)?;
    let call_id = match body.remove("call_id") {
        Some(Value::String(s)) => check_call_id(Some(s))?,
        _ => None,
    };
    notes.call_id.clone_from(&call_id);
    let token = query_param(req.query_string(), "__token")?;
    let caller = check_caller_number(
        match body
            .get("caller_id_number")
            .or_else(|| body.get("caller_id_num"))
        {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        },
    )?;
    let mut record = AuditRecord::new(AuditEvent::Summary, "ok", "");
    record.call_id.clone_from(&call_id);
    record.caller.clone_from(&caller);
    record.function = Some(POST_PROMPT_FUNCTION.to_owned());
    record.client = client_addr(req);
    if let Err(kind) =
        state
            .guards
            .signer
            .verify(token.as_deref(), POST_PROMPT_FUNCTION, call_id.as_deref())
    {
        record.event = AuditEvent::TokenFailure;
        record.outcome = "refused";
        record.reason = kind.reason().to_owned();
        state.audit.emit(&record);
        return Err(HttpError::Forbidden);
    }
    state.audit.emit(&record);
    if let Some(handler) = state.summary {
        let summary = extract_summary(&mut body);
        let call = Call {
            id: CallId(call_id),
            caller: Caller {
                name: None,
                number: caller,
            },
            global_data: GlobalData(match body.remove("global_data") {
                Some(Value::Object(m)) => m,
                _ => serde_json::Map::new(),
            }),
            meta_data: MetaData::default(),
            raw: RawBody(raw),
            store: Some(StoreAccess {
                store: state.guards.store.clone(),
                ttl: state.guards.signer.token_ttl(),
                loaded: None,
            }),
            events: Some(crate::audit::EventSink {
                trail: state.audit.clone(),
                function: Some(POST_PROMPT_FUNCTION),
                client: record.client.clone(),
            }),
        };
        let run = std::panic::AssertUnwindSafe(handler(&state.agent, &call, summary));
        if futures_util::FutureExt::catch_unwind(run).await.is_err() {
            tracing::error!(target: "agent_runtime::summary", "summary handler panicked");
        }
    }
    Ok(br#"{"success":true}"#.to_vec())
}

/// `summary`, else `post_prompt_data.parsed[0]`, else `post_prompt_data.raw`
/// (parsed as JSON when it is JSON, else as a string).
fn extract_summary(body: &mut serde_json::Map<String, Value>) -> Option<Value> {
    if let Some(s) = body.remove("summary").filter(|v| !v.is_null()) {
        return Some(s);
    }
    let Some(Value::Object(mut data)) = body.remove("post_prompt_data") else {
        return None;
    };
    if let Some(Value::Array(parsed)) = data.remove("parsed")
        && let Some(first) = parsed.into_iter().next()
    {
        return Some(first);
    }
    match data.remove("raw") {
        Some(Value::String(raw)) => Some(serde_json::from_str(&raw).unwrap_or(Value::String(raw))),
        _ => None,
    }
}
