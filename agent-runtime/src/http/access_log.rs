//! What wraps every agent route: the `on_request` hook before the request
//! checks, and once the response is ready its count in the agent's metrics,
//! the CORS headers (for an allowed `Origin`) and the `on_response` hook.

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::Data;
use actix_web::{HttpMessage as _, HttpRequest};

use crate::access::{AccessView, Notes};
use crate::agent::Agent;
use crate::state::AgentState;

/// The `route` label of a resource: its pattern, set once when the routes
/// are registered (resource data), so no request path becomes a label.
#[derive(Debug, Clone)]
pub(crate) struct RouteName(pub Arc<str>);

/// The middleware function (mounted with `actix_web::middleware::from_fn`).
pub(crate) async fn access_log<A: Agent>(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let Some(state) = req.app_data::<Data<AgentState<A>>>().cloned() else {
        return next.call(req).await;
    };
    if let Some(hook) = &state.hooks.on_request {
        hook(&view(req.request(), None));
    }
    // A request no resource answers has no route name (label `unmatched`).
    let route = req.app_data::<RouteName>().map(|name| Arc::clone(&name.0));
    let started = state.hooks.on_response.is_some().then(Instant::now);
    let mut res = match next.call(req).await {
        Ok(res) => res,
        Err(e) => {
            let status = e.as_response_error().status_code().as_u16();
            state.metrics.count_request(route.as_ref(), status);
            return Err(e);
        }
    };
    state
        .metrics
        .count_request(route.as_ref(), res.status().as_u16());
    if let Some(origin) = cors_origin(&state, res.request()) {
        let h = res.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    if let (Some(hook), Some(started)) = (&state.hooks.on_response, started) {
        let notes = res.request().extensions().get::<Notes>().cloned();
        let mut seen = view(res.request(), notes.as_ref());
        seen.status = Some(res.status().as_u16());
        seen.duration = Some(started.elapsed());
        hook(&seen);
    }
    Ok(res)
}

/// Keeps what a handler learned (call id, tool) for the `on_response` hook,
/// when the agent has one.
pub(crate) fn keep_notes<A>(state: &AgentState<A>, req: &HttpRequest, notes: Notes) {
    if state.hooks.on_response.is_some() {
        req.extensions_mut().insert(notes);
    }
}

fn view<'a>(req: &'a HttpRequest, notes: Option<&'a Notes>) -> AccessView<'a> {
    AccessView {
        method: req.method().as_str(),
        path: req.path(),
        status: None,
        duration: None,
        call_id: notes.and_then(|n| n.call_id.as_deref()),
        function: notes.and_then(|n| n.function),
        client: req.peer_addr().map(|a| a.ip()),
    }
}

/// The request's `Origin`, when CORS is configured and the origin is listed.
pub(crate) fn cors_origin<A>(state: &AgentState<A>, req: &HttpRequest) -> Option<HeaderValue> {
    if state.config.cors_origins.is_empty() {
        return None;
    }
    let origin = req.headers().get(header::ORIGIN)?;
    let text = origin.to_str().ok()?;
    state
        .config
        .cors_origins
        .iter()
        .any(|o| o.eq_ignore_ascii_case(text))
        .then(|| origin.clone())
}
