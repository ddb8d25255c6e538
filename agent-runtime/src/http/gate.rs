//! The request checks every agent route applies before a handler sees the
//! request, as two actix extractors:
//!
//! - [`Authorized`]: the `Host` allow-list, the per-address HTTP rate limit
//!   and basic auth, in that order;
//! - [`Admitted`]: those, then the content type, the body within its size
//!   limit, and (with a signing key) the platform's webhook signature over
//!   the URL and the body.
//!
//! The separate metrics listener runs [`authorize_metrics_listener`].
//!
//! A handler that takes one of them runs only for a request that passed; a
//! refused request gets the fixed response of its [`HttpError`]. Every
//! security refusal here is audited through [`refuse`].

use std::marker::PhantomData;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::{Bytes, Data};
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::body::{check_content_type, read_body};
use crate::agent::Agent;
use crate::audit::{AuditEvent, AuditRecord};
use crate::config::{MetricsAuth, StateFailure};
use crate::dispatch::client_addr;
use crate::response::{HttpError, bad_request};
use crate::security::signature::{self, SHA1_HEADER, SHA256_HEADER};
use crate::state::{AgentState, HTTP_SCOPE};

/// The largest body read (and dropped) before a 401, to keep the connection.
const DRAIN_BEFORE_REFUSAL: usize = 16 * 1024;
/// How long that drain may take: a refused client gets little patience.
const DRAIN_DEADLINE: Duration = Duration::from_secs(1);

/// The largest header (name and value) accepted.
pub(crate) const MAX_HEADER_BYTES: usize = 8 * 1024;
/// The largest total of all headers (names and values) accepted.
pub(crate) const MAX_HEADERS_BYTES: usize = 16 * 1024;

/// A request that passed the host, rate and basic-auth checks.
pub(crate) struct Authorized<A>(PhantomData<fn() -> A>);

/// A request that passed every check, with the agent state of its route and
/// the body (empty for `GET`).
pub(crate) struct Admitted<A> {
    pub state: Data<AgentState<A>>,
    pub body: Bytes,
}

/// The agent state registered on the route.
pub(crate) fn state_of<A: Agent>(req: &HttpRequest) -> Result<Data<AgentState<A>>, HttpError> {
    // Every agent route carries its state; a route without one cannot be
    // served, and says nothing more than "not found".
    req.app_data::<Data<AgentState<A>>>()
        .cloned()
        .ok_or(HttpError::NotFound)
}

impl<A: Agent> FromRequest for Authorized<A> {
    type Error = HttpError;
    type Future = LocalBoxFuture<'static, Result<Self, HttpError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = state_of::<A>(&req)?;
            authorize(&state, &req).await?;
            Ok(Authorized(PhantomData))
        })
    }
}

impl<A: Agent> FromRequest for Admitted<A> {
    type Error = HttpError;
    type Future = LocalBoxFuture<'static, Result<Self, HttpError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = payload.take();
        Box::pin(async move {
            let state = state_of::<A>(&req)?;
            let body = admit(&state, &req, payload).await?;
            Ok(Admitted { state, body })
        })
    }
}

/// Header sizes, host, per-address rate limit and basic auth.
pub(crate) async fn authorize<A>(
    state: &AgentState<A>,
    req: &HttpRequest,
) -> Result<(), HttpError> {
    check_header_sizes(req)?;
    check_host(state, req)?;
    if state.guards.http_limited {
        check_http_rate(state, req).await?;
    }
    check_credentials(state, req)
}

/// The checks of the separate metrics listener (`SWML_METRICS_ADDR`):
/// header sizes, the per-address limit, and basic auth unless
/// `SWML_METRICS_AUTH=off`. The `Host` allow-list names the agent's public
/// host; a scraper reaches the listener by another name, so it is not
/// applied there.
pub(crate) async fn authorize_metrics_listener<A>(
    state: &AgentState<A>,
    req: &HttpRequest,
) -> Result<(), HttpError> {
    check_header_sizes(req)?;
    if state.guards.http_limited {
        check_http_rate(state, req).await?;
    }
    match state.config.metrics_auth {
        MetricsAuth::Basic => check_credentials(state, req),
        MetricsAuth::Off => Ok(()),
    }
}

/// Basic auth; a failure is an `auth_failure` audit record.
fn check_credentials<A>(state: &AgentState<A>, req: &HttpRequest) -> Result<(), HttpError> {
    let credentials = req.headers().get(header::AUTHORIZATION);
    if state.guards.auth.check(credentials.map(|h| h.as_bytes())) {
        return Ok(());
    }
    let reason = if credentials.is_some() {
        "bad_credentials"
    } else {
        "missing_credentials"
    };
    refuse(state, req, AuditEvent::AuthFailure, reason);
    Err(HttpError::Unauthorized)
}

/// [`authorize`], then the content type, the body and the signature.
async fn admit<A>(
    state: &AgentState<A>,
    req: &HttpRequest,
    payload: Payload,
) -> Result<Bytes, HttpError> {
    if let Err(refused) = authorize(state, req).await {
        // A small unread body would make actix close the connection after
        // the refusal; reading it keeps the connection for the next request.
        // Larger bodies are not read (the connection is closed instead).
        if refused == HttpError::Unauthorized {
            let _ = read_body(req, payload, DRAIN_BEFORE_REFUSAL, DRAIN_DEADLINE).await;
        }
        return Err(refused);
    }
    let body = if req.method() == actix_web::http::Method::GET {
        Bytes::new()
    } else {
        check_content_type(req)?;
        read_body(
            req,
            payload,
            state.config.max_request_size,
            state.config.body_timeout,
        )
        .await?
    };
    check_signature(state, req, &body)?;
    Ok(body)
}

/// No header over [`MAX_HEADER_BYTES`], all of them within
/// [`MAX_HEADERS_BYTES`] (431 otherwise). The HTTP parser has already read
/// them (actix-web buffers at most 128 KiB of headers and 96 of them), so
/// this cannot save that read; it keeps oversized headers from reaching any
/// check or handler and closes their connection at once.
pub(crate) fn check_header_sizes(req: &HttpRequest) -> Result<(), HttpError> {
    let mut total = 0;
    for (name, value) in req.headers() {
        let size = name.as_str().len() + value.len();
        if size > MAX_HEADER_BYTES {
            return Err(HttpError::HeadersTooLarge);
        }
        total += size;
    }
    if total > MAX_HEADERS_BYTES {
        return Err(HttpError::HeadersTooLarge);
    }
    Ok(())
}

/// `SWML_ALLOWED_HOSTS`: the `Host` header (without port) must be listed.
fn check_host<A>(state: &AgentState<A>, req: &HttpRequest) -> Result<(), HttpError> {
    let Some(allowed) = &state.config.allowed_hosts else {
        return Ok(());
    };
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri().host())
        .unwrap_or("");
    let name = host
        .rsplit_once(':')
        .filter(|(_, port)| port.parse::<u16>().is_ok())
        .map_or(host, |(n, _)| n);
    if allowed.iter().any(|a| a.eq_ignore_ascii_case(name)) {
        Ok(())
    } else {
        Err(HttpError::BadRequest(bad_request::HOST_NOT_ALLOWED))
    }
}

/// The per-client-address HTTP limit (429 with `Retry-After`).
/// When the store cannot answer, `SWML_STATE_FAILURE` decides: `open` lets
/// the request through (audited), `closed` answers 503.
async fn check_http_rate<A>(state: &AgentState<A>, req: &HttpRequest) -> Result<(), HttpError> {
    let client = client_ip(state, req);
    let record = |event, outcome| {
        let mut record = AuditRecord::new(event, outcome, "http_rate_limit");
        record.client = Some(client.clone());
        record
    };
    match state.guards.store.rate(HTTP_SCOPE, &client).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(wait)) => {
            state
                .audit
                .emit(&record(AuditEvent::RateLimited, "refused"));
            Err(HttpError::TooManyRequests(
                wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            ))
        }
        Err(_) if state.config.state_failure == StateFailure::Open => {
            state
                .audit
                .emit(&record(AuditEvent::StateUnavailable, "allowed"));
            Ok(())
        }
        Err(_) => {
            state
                .audit
                .emit(&record(AuditEvent::StateUnavailable, "refused"));
            Err(HttpError::ServiceUnavailable)
        }
    }
}

/// The client address: the peer, or with trusted proxy headers the first
/// address of `X-Forwarded-For`.
fn client_ip<A>(state: &AgentState<A>, req: &HttpRequest) -> String {
    if state.config.trust_proxy_headers
        && let Some(first) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|ip| ip.trim().parse::<std::net::IpAddr>().ok())
    {
        return first.to_string();
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default()
}

/// With a signing key: the platform's signature over the configured public
/// URL (base + the path and query received) and the raw body must be valid.
fn check_signature<A>(
    state: &AgentState<A>,
    req: &HttpRequest,
    body: &[u8],
) -> Result<(), HttpError> {
    let Some(verifier) = &state.guards.signatures else {
        return Ok(());
    };
    let target = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let header = |name| req.headers().get(name).map(|h| h.as_bytes());
    match verifier.check(target, body, header(SHA256_HEADER), header(SHA1_HEADER)) {
        Ok(()) => Ok(()),
        Err(refused) => {
            let reason = match refused {
                signature::Refused::Missing => "missing_signature",
                signature::Refused::Bad => "bad_signature",
            };
            refuse(state, req, AuditEvent::SignatureFailure, reason);
            Err(HttpError::Forbidden)
        }
    }
}

/// Audits a request refused before it reached any tool.
fn refuse<A>(state: &AgentState<A>, req: &HttpRequest, event: AuditEvent, reason: &'static str) {
    let mut record = AuditRecord::new(event, "refused", reason);
    record.client = client_addr(req);
    state.audit.emit(&record);
}
