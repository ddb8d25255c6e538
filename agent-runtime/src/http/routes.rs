//! The agent's routes and their handlers. Every handler takes one of the
//! request checks of [`super::gate`], so it runs only for a request that
//! passed them.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::from_fn;
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse};

use super::access_log::{RouteName, access_log, cors_origin, keep_notes};
use super::gate::{
    Admitted, Authorized, authorize, authorize_metrics_listener, check_header_sizes, state_of,
};
use super::summary::handle_summary;
use crate::access::Notes;
use crate::agent::Agent;
use crate::audit::{AuditEvent, AuditRecord};
use crate::dispatch::client_addr;
use crate::request::envelope::{SwmlCall, SwmlRequest};
use crate::request::query::query_param;
use crate::request::{check_call_id, check_caller_number};
use crate::response::{HttpError, json_response, typed_response};
use crate::state::AgentState;
use crate::swml::template::POST_PROMPT_FUNCTION;

fn respond(result: Result<Vec<u8>, HttpError>) -> HttpResponse {
    match result {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(e) => e.response(),
    }
}

/// `GET` or `POST` of the route itself: the SWML document for the call.
async fn swml<A: Agent>(req: HttpRequest, admitted: Admitted<A>) -> HttpResponse {
    let Admitted { state, body } = admitted;
    let mut notes = Notes::default();
    state.emergency.refresh().await;
    let res = respond(render_swml(&req, &state, &body, &mut notes));
    keep_notes(&state, &req, notes);
    res
}

/// The call id comes from the body (`call_id`, else `call.call_id`), else
/// from the query string; without one the document has no secure tools.
/// A document served is a `call_start` audit record.
fn render_swml<A>(
    req: &HttpRequest,
    state: &AgentState<A>,
    body: &Bytes,
    notes: &mut Notes,
) -> Result<Vec<u8>, HttpError> {
    let mut call = SwmlCall::default();
    if !body.trim_ascii().is_empty() {
        call = SwmlRequest::parse(body)?.into_call();
    }
    if call.call_id.is_none() {
        call.call_id = query_param(req.query_string(), "call_id")?;
    }
    notes.call_id = check_call_id(call.call_id.take())?;
    let signer = &state.guards.signer;
    let document = match state.emergency.render(signer, notes.call_id.as_deref()) {
        Some(document) => document,
        None => match &notes.call_id {
            Some(id) => state.swml.with_call.render(signer, id),
            None => state.swml.without_call.render(signer, ""),
        },
    };
    state
        .audit
        .emit(&call_start(req, notes.call_id.clone(), call));
    Ok(document)
}

/// The `call_start` record of a SWML request. The numbers are kept only
/// when they pass the caller-number rule and the direction only when it is
/// one the platform sends; a SIP address or anything else is left out (and
/// the document is still served: the start of a call is not refused for
/// what it says about itself).
fn call_start(req: &HttpRequest, call_id: Option<String>, call: SwmlCall) -> AuditRecord {
    let number = |n: Option<String>| check_caller_number(n).ok().flatten();
    let mut record = AuditRecord::new(AuditEvent::CallStart, "ok", "");
    record.call_id = call_id;
    record.caller = number(call.from);
    record.client = client_addr(req);
    let mut details = serde_json::Map::new();
    if let Some(to) = number(call.to) {
        details.insert("to".to_owned(), to.into());
    }
    if let Some(direction) = call
        .direction
        .filter(|d| matches!(d.as_str(), "inbound" | "outbound"))
    {
        details.insert("direction".to_owned(), direction.into());
    }
    if !details.is_empty() {
        record.details = Some(details.into());
    }
    record
}

/// `POST /swaig`: one tool call.
async fn swaig<A: Agent>(req: HttpRequest, admitted: Admitted<A>) -> HttpResponse {
    let Admitted { state, body } = admitted;
    let mut notes = Notes::default();
    let res = respond(crate::dispatch::run(&state, &req, body, &mut notes).await);
    keep_notes(&state, &req, notes);
    res
}

/// `POST /post_prompt`: the end-of-call summary.
async fn post_prompt<A: Agent>(req: HttpRequest, admitted: Admitted<A>) -> HttpResponse {
    let Admitted { state, body } = admitted;
    let mut notes = Notes {
        call_id: None,
        function: Some(POST_PROMPT_FUNCTION),
    };
    let res = respond(handle_summary(&req, &state, body, &mut notes).await);
    keep_notes(&state, &req, notes);
    res
}

/// Any other method on an agent path: a CORS preflight from an allowed
/// origin (only when `SWML_CORS_ORIGINS` is set) is answered without
/// credentials, as browsers send none; everything else is an authenticated
/// 405.
async fn method_not_allowed<A: Agent>(req: HttpRequest) -> HttpResponse {
    let state = match state_of::<A>(&req) {
        Ok(s) => s,
        Err(e) => return e.response(),
    };
    if let Err(e) = check_header_sizes(&req) {
        return e.response();
    }
    if req.method() == actix_web::http::Method::OPTIONS && cors_origin(&state, &req).is_some() {
        let mut res = HttpResponse::NoContent().finish();
        let h = res.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("authorization, content-type"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        return res;
    }
    match authorize(&state, &req).await {
        Ok(()) => HttpError::MethodNotAllowed.response(),
        Err(e) => e.response(),
    }
}

/// `GET /metrics` under the agent's route, on its own port: the agent's
/// metrics, for a request that passed the checks of every route.
async fn metrics<A: Agent>(req: HttpRequest, _: Authorized<A>) -> HttpResponse {
    match state_of::<A>(&req) {
        Ok(state) => metrics_response(&state),
        Err(e) => e.response(),
    }
}

/// `GET /metrics` on the separate metrics listener.
async fn listener_metrics<A: Agent>(req: HttpRequest) -> HttpResponse {
    let state = match state_of::<A>(&req) {
        Ok(s) => s,
        Err(e) => return e.response(),
    };
    match authorize_metrics_listener(&state, &req).await {
        Ok(()) => metrics_response(&state),
        Err(e) => e.response(),
    }
}

/// Anything else on the separate metrics listener: 405 on `/metrics`, 404
/// elsewhere, once the request passed the listener's checks.
async fn listener_other<A: Agent>(req: HttpRequest) -> HttpResponse {
    let state = match state_of::<A>(&req) {
        Ok(s) => s,
        Err(e) => return e.response(),
    };
    if let Err(e) = authorize_metrics_listener(&state, &req).await {
        return e.response();
    }
    if req.app_data::<RouteName>().is_some() {
        HttpError::MethodNotAllowed.response()
    } else {
        HttpError::NotFound.response()
    }
}

fn metrics_response<A>(state: &AgentState<A>) -> HttpResponse {
    match state.metrics.render() {
        Ok(text) => typed_response(StatusCode::OK, crate::metrics::CONTENT_TYPE, text),
        Err(_) => HttpError::Internal.response(),
    }
}

/// Any path no route answers: an authenticated 404.
async fn not_found<A: Agent>(_: Authorized<A>) -> HttpResponse {
    HttpError::NotFound.response()
}

async fn health(req: HttpRequest) -> HttpResponse {
    match check_header_sizes(&req) {
        Ok(()) => json_response(
            StatusCode::OK,
            Bytes::from_static(br#"{"status":"healthy"}"#),
        ),
        Err(e) => e.response(),
    }
}

async fn ready(req: HttpRequest) -> HttpResponse {
    match check_header_sizes(&req) {
        Ok(()) => json_response(StatusCode::OK, Bytes::from_static(br#"{"status":"ready"}"#)),
        Err(e) => e.response(),
    }
}

/// Both spellings of a path: with and without the trailing slash.
pub(crate) fn paths(route: &str, endpoint: &str) -> Vec<String> {
    let base = format!("{route}{endpoint}");
    if base.is_empty() || base == "/" {
        return vec!["/".to_owned()];
    }
    vec![base.clone(), format!("{base}/")]
}

/// The endpoints under an agent's route: SWML, SWAIG, post-prompt and the
/// metrics (the last one is reserved even when the metrics have a listener
/// of their own, so a route never depends on that setting).
pub(crate) const ENDPOINTS: [&str; 4] = ["", "/swaig", "/post_prompt", "/metrics"];

/// The `route` label of an endpoint: `route` + `endpoint`, `/` for the root.
fn route_name(route: &str, endpoint: &str) -> RouteName {
    let pattern = format!("{route}{endpoint}");
    RouteName(if pattern.is_empty() {
        "/".into()
    } else {
        pattern.into()
    })
}

/// Registers the agent's routes (plus `/health` and `/ready` when `probes`)
/// on an actix-web service configuration.
pub(crate) fn configure<A: Agent>(
    state: web::Data<AgentState<A>>,
    cfg: &mut web::ServiceConfig,
    probes: bool,
) {
    let route = state.route.clone();
    let metrics_here = state.config.metrics_addr.is_none();
    // Each resource carries its own state as well, so several agents of the
    // same type can share one app (multi-agent server).
    let own = state.clone();
    cfg.app_data(state);
    if probes {
        configure_probes(cfg);
    }
    // One resource per spelling: a single pattern is a plain string match,
    // a list of patterns makes the router fall back to regex matching.
    // Every agent resource answers methods it has no route for with 405,
    // and passes through the access layer (metrics, hooks, CORS headers),
    // which reads the resource's route name.
    let resource = |path: String, endpoint: &str| {
        web::resource(path)
            .app_data(own.clone())
            .app_data(route_name(&route, endpoint))
            .default_service(web::to(method_not_allowed::<A>))
            .wrap(from_fn(access_log::<A>))
    };
    let [swml_at, swaig_at, post_prompt_at, metrics_at] = ENDPOINTS;
    for path in paths(&route, swml_at) {
        cfg.service(
            resource(path, swml_at)
                .route(web::get().to(swml::<A>))
                .route(web::post().to(swml::<A>)),
        );
    }
    for path in paths(&route, swaig_at) {
        cfg.service(resource(path, swaig_at).route(web::post().to(swaig::<A>)));
    }
    for path in paths(&route, post_prompt_at) {
        cfg.service(resource(path, post_prompt_at).route(web::post().to(post_prompt::<A>)));
    }
    if metrics_here {
        for path in paths(&route, metrics_at) {
            cfg.service(resource(path, metrics_at).route(web::get().to(metrics::<A>)));
        }
    }
}

/// The routes of the separate metrics listener (`SWML_METRICS_ADDR`):
/// `GET /metrics`, and a refusal for everything else, all behind
/// [`authorize_metrics_listener`].
pub(crate) fn configure_metrics_listener<A: Agent>(
    state: web::Data<AgentState<A>>,
    cfg: &mut web::ServiceConfig,
) {
    cfg.app_data(state);
    for path in paths("", ENDPOINTS[3]) {
        cfg.service(
            web::resource(path)
                .app_data(route_name("", ENDPOINTS[3]))
                .route(web::get().to(listener_metrics::<A>))
                .default_service(web::to(listener_other::<A>))
                .wrap(from_fn(access_log::<A>)),
        );
    }
    cfg.default_service(web::to(listener_other::<A>).wrap(from_fn(access_log::<A>)));
}

/// `/health` and `/ready`: unauthenticated, reveal only a status.
pub(crate) fn configure_probes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/health")
            .route(web::get().to(health))
            .route(web::post().to(health)),
    )
    .service(
        web::resource("/ready")
            .route(web::get().to(ready))
            .route(web::post().to(ready)),
    );
}

/// The default service of a single-agent app: authenticated 404, through
/// the access layer (counted under the route `unmatched`).
pub(crate) fn default_service<A: Agent>(cfg: &mut web::ServiceConfig) {
    cfg.default_service(web::to(not_found::<A>).wrap(from_fn(access_log::<A>)));
}
