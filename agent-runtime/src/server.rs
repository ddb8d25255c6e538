//! The actix-web service: routes, authentication, SWML and post-prompt
//! endpoints, and the blocking `run` entry point.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::web::{self, Bytes, Payload};
use actix_web::{HttpRequest, HttpResponse, HttpServer};
use serde_json::Value;

use crate::audit::{self, AuditEvent, AuditRecord, AuditSink};
use crate::auth::BasicAuth;
use crate::config::{AgentConfig, CredentialSource, KeySource};
use crate::dispatch::{check_call_id, client_addr, parse_object};
use crate::http::{HttpError, check_content_type, json_response, query_param, read_body};
use crate::schema::ArgsValidator;
use crate::swml::{POST_PROMPT_FUNCTION, SwmlTemplate};
use crate::token::TokenSigner;
use crate::tool::{Agent, SummaryHandler, ToolDef};

/// A tool with its validator, compiled once at start-up.
pub(crate) struct CompiledTool<A> {
    pub def: ToolDef<A>,
    pub validator: ArgsValidator,
    /// The tool has `#[sensitive]` parameters or secret-looking field names,
    /// so handler error text is scrubbed of their values.
    pub may_hold_secrets: bool,
}

/// Everything a request needs, shared by all workers.
pub(crate) struct AgentState<A> {
    pub agent: A,
    pub config: AgentConfig,
    pub auth: BasicAuth,
    pub signer: TokenSigner,
    pub tools: Vec<CompiledTool<A>>,
    pub by_name: HashMap<&'static str, usize>,
    /// Rendered when the request carries a call id.
    pub swml_with_call: SwmlTemplate,
    /// Rendered without a call id: no secure tools, no post-prompt URL.
    pub swml_without_call: SwmlTemplate,
    /// Rendered in emergency mode: no secure tools.
    pub swml_emergency: SwmlTemplate,
    /// Emergency mode, switchable at run time.
    pub emergency: crate::builder::EmergencySwitch,
    pub summary: Option<SummaryHandler<A>>,
    pub sinks: Vec<Arc<dyn AuditSink>>,
    pub tool_timeout: Duration,
    pub route: String,
    pub hooks: AccessHooks,
    /// Rate-limit state (per tool and `http`).
    pub limits: Arc<dyn crate::ratelimit::RateLimitStore>,
    /// Whether the per-address HTTP limit is on.
    pub http_limited: bool,
    /// TLS server configuration, loaded at start-up.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Webhook signature check, when a signing key is configured.
    pub signatures: Option<crate::signature::SignatureVerifier>,
}

/// A redacted view of one request for access logging: no query string, no
/// headers, no body, so no token or credential can reach the log through it.
#[derive(Debug, Clone)]
pub struct AccessView<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Path without its query string.
    pub path: &'a str,
    /// Response status (`None` in `on_request`).
    pub status: Option<u16>,
    /// Time spent (`None` in `on_request`).
    pub duration: Option<Duration>,
    /// Call id, when the request carried a valid one.
    pub call_id: Option<&'a str>,
    /// Function name, when it named a registered tool.
    pub function: Option<&'a str>,
    /// Client address.
    pub client: Option<std::net::IpAddr>,
}

/// An access-log hook.
pub type AccessHook = Arc<dyn Fn(&AccessView<'_>) + Send + Sync>;

/// The `on_request` / `on_response` hooks of an agent.
#[derive(Clone, Default)]
pub(crate) struct AccessHooks {
    pub on_request: Option<AccessHook>,
    pub on_response: Option<AccessHook>,
}

/// What a handler learned about a request, for the access hooks.
#[derive(Debug, Default)]
pub(crate) struct Notes {
    pub call_id: Option<String>,
    pub function: Option<&'static str>,
}

impl AccessHooks {
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

    fn begin(&self, req: &HttpRequest) -> Option<std::time::Instant> {
        if let Some(hook) = &self.on_request {
            hook(&Self::view(req, None));
        }
        self.on_response.as_ref().map(|_| std::time::Instant::now())
    }

    fn end(
        &self,
        req: &HttpRequest,
        started: Option<std::time::Instant>,
        notes: &Notes,
        res: HttpResponse,
    ) -> HttpResponse {
        if let (Some(hook), Some(started)) = (&self.on_response, started) {
            let mut view = Self::view(req, Some(notes));
            view.status = Some(res.status().as_u16());
            view.duration = Some(started.elapsed());
            hook(&view);
        }
        res
    }
}

impl<A> AgentState<A> {
    pub(crate) fn audit(&self, record: &AuditRecord) {
        audit::emit(&self.sinks, record);
    }

    /// With a signing key: the signature over the URL the platform called
    /// (public base + path + query) and the raw body must be valid.
    fn check_signature(&self, req: &HttpRequest, body: &[u8]) -> Result<(), HttpError> {
        let Some(verifier) = &self.signatures else {
            return Ok(());
        };
        let target = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
        let url = format!("{}{target}", self.request_base(req));
        let header = req.headers().get(crate::signature::SIGNATURE_HEADER);
        if verifier.verify(&url, body, header.map(|h| h.as_bytes())) {
            return Ok(());
        }
        let reason = if header.is_some() {
            "bad_signature"
        } else {
            "missing_signature"
        };
        self.audit_refusal(req, AuditEvent::SignatureFailure, reason);
        Err(HttpError::Forbidden)
    }

    /// The URL base the platform called: `SWML_PROXY_URL_BASE`, else the
    /// scheme and the `Host` header (or, when trusted, `X-Forwarded-Proto` and
    /// `X-Forwarded-Host`). Using the request's own host is safe here: the
    /// signature covers it.
    fn request_base(&self, req: &HttpRequest) -> String {
        if let Some(base) = &self.config.proxy_url_base {
            return base.clone();
        }
        let header = |name: &str| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        };
        let mut scheme = if self.tls.is_some() { "https" } else { "http" };
        let mut host = header("host").unwrap_or("localhost");
        if self.config.trust_proxy_headers {
            if let Some(p @ ("http" | "https")) = header("x-forwarded-proto") {
                scheme = p;
            }
            if let Some(h) = header("x-forwarded-host").filter(|h| is_host_port(h)) {
                host = h;
            }
        }
        format!("{scheme}://{host}")
    }

    /// The client address: the peer, or with trusted proxy headers the first
    /// address of `X-Forwarded-For`.
    pub(crate) fn client_ip(&self, req: &HttpRequest) -> String {
        if self.config.trust_proxy_headers
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

    /// `SWML_ALLOWED_HOSTS`: the `Host` header (without port) must be listed.
    fn check_host(&self, req: &HttpRequest) -> Result<(), HttpError> {
        let Some(allowed) = &self.config.allowed_hosts else {
            return Ok(());
        };
        let host = req
            .headers()
            .get(actix_web::http::header::HOST)
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
            Err(HttpError::BadRequest(
                crate::http::bad_request::HOST_NOT_ALLOWED,
            ))
        }
    }

    /// The CORS origin to echo, when the request's `Origin` is allowed.
    fn cors_origin<'r>(&self, req: &'r HttpRequest) -> Option<&'r str> {
        if self.config.cors_origins.is_empty() {
            return None;
        }
        let origin = req.headers().get("origin").and_then(|v| v.to_str().ok())?;
        self.config
            .cors_origins
            .iter()
            .any(|o| o.eq_ignore_ascii_case(origin))
            .then_some(origin)
    }

    /// Last step of every agent response: CORS headers when allowed, then the
    /// access hook.
    fn finish(
        &self,
        req: &HttpRequest,
        started: Option<std::time::Instant>,
        notes: &Notes,
        mut res: HttpResponse,
    ) -> HttpResponse {
        if let Some(origin) = self.cors_origin(req)
            && let Ok(value) = actix_web::http::header::HeaderValue::from_str(origin)
        {
            let h = res.headers_mut();
            h.insert(actix_web::http::header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
            h.insert(
                actix_web::http::header::VARY,
                actix_web::http::header::HeaderValue::from_static("Origin"),
            );
        }
        self.hooks.end(req, started, notes, res)
    }

    /// The per-client-address HTTP limit (429 with `Retry-After`).
    fn check_http_rate(&self, req: &HttpRequest) -> Result<(), HttpError> {
        if !self.http_limited {
            return Ok(());
        }
        let client = self.client_ip(req);
        self.limits.check(HTTP_SCOPE, &client).map_err(|wait| {
            let mut record =
                AuditRecord::new(AuditEvent::RateLimited, "refused", "http_rate_limit");
            record.client = Some(client);
            self.audit(&record);
            HttpError::TooManyRequests(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
        })
    }

    /// Audits a request refused before it reached any tool.
    fn audit_refusal(&self, req: &HttpRequest, event: AuditEvent, reason: &'static str) {
        let mut record = AuditRecord::new(event, "refused", reason);
        record.client = client_addr(req);
        self.audit(&record);
    }

    /// Checks basic auth; audits and refuses on failure.
    fn authorize(&self, req: &HttpRequest) -> Result<(), HttpError> {
        self.check_host(req)?;
        self.check_http_rate(req)?;
        let header = req.headers().get(actix_web::http::header::AUTHORIZATION);
        if self.auth.check(header.map(|h| h.as_bytes())) {
            return Ok(());
        }
        let reason = if header.is_some() {
            "bad_credentials"
        } else {
            "missing_credentials"
        };
        self.audit_refusal(req, AuditEvent::AuthFailure, reason);
        Err(HttpError::Unauthorized)
    }
}

fn respond(result: Result<Vec<u8>, HttpError>) -> HttpResponse {
    match result {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(e) => e.response(),
    }
}

async fn swml_get<A: Agent>(req: HttpRequest, state: web::Data<AgentState<A>>) -> HttpResponse {
    let started = state.hooks.begin(&req);
    let mut notes = Notes::default();
    let res = respond(render_swml(&req, &state, None, &mut notes));
    state.finish(&req, started, &notes, res)
}

async fn swml_post<A: Agent>(
    req: HttpRequest,
    payload: Payload,
    state: web::Data<AgentState<A>>,
) -> HttpResponse {
    let started = state.hooks.begin(&req);
    let mut notes = Notes::default();
    let res = match read_authorized(&req, payload, &state).await {
        Ok(body) => respond(render_swml(&req, &state, Some(body), &mut notes)),
        Err(e) => e.response(),
    };
    state.finish(&req, started, &notes, res)
}

/// Auth, content type and size checks, in that order, then the body.
async fn read_authorized<A>(
    req: &HttpRequest,
    payload: Payload,
    state: &AgentState<A>,
) -> Result<Bytes, HttpError> {
    if let Err(refused) = state.authorize(req) {
        // A small unread body would make actix close the connection after
        // the refusal; reading it keeps the connection for the next request.
        // Larger bodies are not read (the connection is closed instead).
        if refused == HttpError::Unauthorized {
            let _ = read_body(req, payload, DRAIN_BEFORE_REFUSAL).await;
        }
        return Err(refused);
    }
    check_content_type(req)?;
    let body = read_body(req, payload, state.config.max_request_size).await?;
    state.check_signature(req, &body)?;
    Ok(body)
}

fn render_swml<A>(
    req: &HttpRequest,
    state: &AgentState<A>,
    body: Option<Bytes>,
    notes: &mut Notes,
) -> Result<Vec<u8>, HttpError> {
    if body.is_none() {
        state.authorize(req)?;
        state.check_signature(req, b"")?;
    }
    let mut call_id = None;
    if let Some(body) = body.filter(|b| !b.trim_ascii().is_empty()) {
        call_id = crate::envelope::SwmlRequest::parse(&body)?.call_id()?;
    }
    if call_id.is_none() {
        call_id = query_param(req.query_string(), "call_id")?;
    }
    notes.call_id = check_call_id(call_id)?;
    match &notes.call_id {
        Some(id) if state.emergency.is_on() => Ok(state.swml_emergency.render(&state.signer, id)),
        Some(id) => Ok(state.swml_with_call.render(&state.signer, id)),
        None => Ok(state.swml_without_call.render(&state.signer, "")),
    }
}

async fn swaig_post<A: Agent>(
    req: HttpRequest,
    payload: Payload,
    state: web::Data<AgentState<A>>,
) -> HttpResponse {
    let started = state.hooks.begin(&req);
    let mut notes = Notes::default();
    let res = match read_authorized(&req, payload, &state).await {
        Ok(body) => respond(state.dispatch(&req, body, &mut notes).await),
        Err(e) => e.response(),
    };
    state.finish(&req, started, &notes, res)
}

async fn post_prompt<A: Agent>(
    req: HttpRequest,
    payload: Payload,
    state: web::Data<AgentState<A>>,
) -> HttpResponse {
    let started = state.hooks.begin(&req);
    let mut notes = Notes {
        call_id: None,
        function: Some(POST_PROMPT_FUNCTION),
    };
    let res = match read_authorized(&req, payload, &state).await {
        Ok(body) => respond(handle_summary(&req, &state, body, &mut notes).await),
        Err(e) => e.response(),
    };
    state.finish(&req, started, &notes, res)
}

async fn handle_summary<A: Agent>(
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
    let caller = match body
        .get("caller_id_number")
        .or_else(|| body.get("caller_id_num"))
    {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    let mut record = AuditRecord::new(AuditEvent::Summary, "ok", "");
    record.call_id.clone_from(&call_id);
    record.caller.clone_from(&caller);
    record.function = Some(POST_PROMPT_FUNCTION.to_owned());
    record.client = client_addr(req);
    if let Err(kind) =
        state
            .signer
            .verify(token.as_deref(), POST_PROMPT_FUNCTION, call_id.as_deref())
    {
        record.event = AuditEvent::TokenFailure;
        record.outcome = "refused";
        record.reason = kind.reason().to_owned();
        state.audit(&record);
        return Err(HttpError::Forbidden);
    }
    state.audit(&record);
    if let Some(handler) = state.summary {
        let summary = extract_summary(&mut body);
        let call = crate::context::Call {
            id: crate::context::CallId(call_id),
            caller: crate::context::Caller {
                name: None,
                number: caller,
            },
            global_data: crate::context::GlobalData(match body.remove("global_data") {
                Some(Value::Object(m)) => m,
                _ => serde_json::Map::new(),
            }),
            meta_data: crate::context::MetaData::default(),
            raw: crate::context::RawBody(raw),
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

async fn method_not_allowed<A>(req: HttpRequest, state: web::Data<AgentState<A>>) -> HttpResponse {
    let started = state.hooks.begin(&req);
    // A CORS preflight from an allowed origin (only when SWML_CORS_ORIGINS is
    // set): answered without credentials, as browsers send none.
    if req.method() == actix_web::http::Method::OPTIONS && state.cors_origin(&req).is_some() {
        let mut res = HttpResponse::NoContent().finish();
        let h = res.headers_mut();
        use actix_web::http::header::{self, HeaderValue};
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
        return state.finish(&req, started, &Notes::default(), res);
    }
    let res = match state.authorize(&req) {
        Ok(()) => HttpError::MethodNotAllowed.response(),
        Err(e) => e.response(),
    };
    state.finish(&req, started, &Notes::default(), res)
}

async fn not_found<A>(req: HttpRequest, state: web::Data<AgentState<A>>) -> HttpResponse {
    let started = state.hooks.begin(&req);
    let res = match state.authorize(&req) {
        Ok(()) => HttpError::NotFound.response(),
        Err(e) => e.response(),
    };
    state.finish(&req, started, &Notes::default(), res)
}

async fn health() -> HttpResponse {
    json_response(
        StatusCode::OK,
        Bytes::from_static(br#"{"status":"healthy"}"#),
    )
}

async fn ready() -> HttpResponse {
    json_response(StatusCode::OK, Bytes::from_static(br#"{"status":"ready"}"#))
}

/// `host` or `host:port` with a conservative character set.
fn is_host_port(value: &str) -> bool {
    let (host, port) = value.rsplit_once(':').unwrap_or((value, "0"));
    !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && port.parse::<u16>().is_ok()
}

/// The rate-limit scope of the per-address HTTP limit.
pub(crate) const HTTP_SCOPE: &str = "\u{0}http";

/// The largest body read (and dropped) before a 401, to keep the connection.
const DRAIN_BEFORE_REFUSAL: usize = 16 * 1024;

/// Both spellings of a path: with and without the trailing slash.
fn paths(route: &str, endpoint: &str) -> Vec<String> {
    let base = format!("{route}{endpoint}");
    if base.is_empty() || base == "/" {
        return vec!["/".to_owned()];
    }
    vec![base.clone(), format!("{base}/")]
}

/// Registers the agent's routes (plus `/health` and `/ready`) on an actix-web
/// service configuration.
pub(crate) fn configure<A: Agent>(
    state: web::Data<AgentState<A>>,
    cfg: &mut web::ServiceConfig,
    probes: bool,
) {
    let route = state.route.clone();
    // Each resource carries its own state as well, so several agents of the
    // same type can share one app (multi-agent server).
    let own = state.clone();
    cfg.app_data(state);
    if probes {
        configure_probes(cfg);
    }
    // One resource per spelling: a single pattern is a plain string match,
    // a list of patterns makes the router fall back to regex matching.
    // Every agent resource carries the agent's state and answers methods it
    // has no route for with 405.
    let resource = |path: String| {
        web::resource(path)
            .app_data(own.clone())
            .default_service(web::to(method_not_allowed::<A>))
    };
    for path in paths(&route, "") {
        cfg.service(
            resource(path)
                .route(web::get().to(swml_get::<A>))
                .route(web::post().to(swml_post::<A>)),
        );
    }
    for path in paths(&route, "/swaig") {
        cfg.service(resource(path).route(web::post().to(swaig_post::<A>)));
    }
    for path in paths(&route, "/post_prompt") {
        cfg.service(resource(path).route(web::post().to(post_prompt::<A>)));
    }
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

/// The default service: authenticated 404.
pub(crate) fn default_service<A: Agent>(cfg: &mut web::ServiceConfig) {
    cfg.default_service(web::to(not_found::<A>));
}

/// Prints the start-up banner: where the agent listens, and loud warnings for
/// development-only settings. A generated password is printed here, once.
pub(crate) fn print_banner<A: Agent>(state: &AgentState<A>) {
    let c = &state.config;
    let route = if state.route.is_empty() {
        "/"
    } else {
        state.route.as_str()
    };
    eprintln!(
        "agent `{}` listening on {}:{} (route {route})",
        A::NAME,
        c.host,
        c.port
    );
    eprintln!("  SWML URL for SignalWire: {}{}", c.public_base(), route);
    match c.credentials.source {
        CredentialSource::Generated => {
            eprintln!(
                "  WARNING: SWML_BASIC_AUTH_PASSWORD is not set; generated credentials for DEVELOPMENT ONLY:"
            );
            eprintln!(
                "    user: {}  password: {}",
                c.credentials.user,
                c.credentials.password.expose_secret()
            );
            eprintln!(
                "    they change at every start; set SWML_BASIC_AUTH_USER and SWML_BASIC_AUTH_PASSWORD in production"
            );
        }
        CredentialSource::Environment => {
            eprintln!(
                "  basic auth user `{}` (password from SWML_BASIC_AUTH_PASSWORD)",
                c.credentials.user
            )
        }
        CredentialSource::Builder => {
            eprintln!("  basic auth user `{}` (set in code)", c.credentials.user)
        }
    }
    if c.signing_key.is_none() {
        eprintln!(
            "  WARNING: SIGNALWIRE_SIGNING_KEY is not set; requests are not checked for the platform's \
             X-SignalWire-Signature"
        );
    }
    if c.key_source == KeySource::Random {
        eprintln!(
            "  WARNING: SIGNALWIRE_SWAIG_SECRET is not set; secure-tool tokens use a random per-process key, so \
             replicas will not accept each other's tokens and a restart invalidates every call in progress"
        );
    }
}

/// Replaces the process panic hook (once) with one that prints where a panic
/// happened but never its message: a handler's panic message may contain call
/// data (a PIN, a card number). The panic itself is caught per request and the
/// caller hears a generic apology.
pub fn install_redacting_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let location = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_else(|| "unknown location".to_owned());
            eprintln!(
                "panic at {location} (message withheld by agent-runtime: it may contain call data)"
            );
            tracing::error!(target: "agent_runtime::panic", %location, "panic (message withheld)");
        }));
    });
}

/// Runs the HTTP server until it is stopped, on `listener` when given, else
/// on the configured host and port; over TLS when TLS is configured.
pub(crate) async fn serve_state<A: Agent + Send + Sync>(
    state: web::Data<AgentState<A>>,
    listener: Option<std::net::TcpListener>,
) -> std::io::Result<()> {
    install_redacting_panic_hook();
    crate::logging::init_default_logging();
    print_banner(&state);
    let settings = ServeSettings {
        bind: (state.config.host.clone(), state.config.port),
        workers: state.config.workers,
        tls: state.tls.clone(),
        listener,
    };
    serve_app(settings, move |cfg| {
        configure(state.clone(), cfg, true);
        default_service::<A>(cfg);
    })
    .await
}

/// Where and how to serve (shared by single- and multi-agent servers).
pub(crate) struct ServeSettings {
    pub bind: (String, u16),
    pub workers: Option<usize>,
    pub tls: Option<Arc<rustls::ServerConfig>>,
    pub listener: Option<std::net::TcpListener>,
}

/// Builds and runs the actix server: `TCP_NODELAY`, client timeouts, HSTS
/// when TLS is on, routes from `routes`. Flushes the default log writer when
/// the server stops.
pub(crate) async fn serve_app(
    settings: ServeSettings,
    routes: impl Fn(&mut web::ServiceConfig) + Send + Clone + 'static,
) -> std::io::Result<()> {
    let hsts = settings.tls.is_some();
    let mut server = HttpServer::new(move || {
        let routes = routes.clone();
        actix_web::App::new()
            .wrap(actix_web::middleware::Condition::new(
                hsts,
                actix_web::middleware::DefaultHeaders::new().add((
                    actix_web::http::header::STRICT_TRANSPORT_SECURITY,
                    crate::tls::HSTS_VALUE,
                )),
            ))
            .configure(routes)
    });
    if let Some(n) = settings.workers {
        server = server.workers(n);
    }
    let server = server
        .tcp_nodelay(true)
        .client_request_timeout(Duration::from_secs(5))
        .client_disconnect_timeout(Duration::from_secs(1))
        .tls_handshake_timeout(Duration::from_secs(5));
    let server = match (settings.listener, settings.tls) {
        (Some(l), Some(tls)) => server.listen_rustls_0_23(l, (*tls).clone())?,
        (Some(l), None) => server.listen(l)?,
        (None, Some(tls)) => server.bind_rustls_0_23(settings.bind, (*tls).clone())?,
        (None, None) => server.bind(settings.bind)?,
    };
    let served = server.run().await;
    // Audit lines still queued for stderr are written before we return.
    crate::logging::flush_default_logging();
    served
}
