//! Test harness: start an agent in-process and drive it through the real HTTP
//! stack (basic auth, signatures, tokens, validation, rate limits, dispatch,
//! audit) without opening a socket.
//!
//! Tokens are obtained the way the platform obtains them: by requesting the
//! SWML document for the call and reading the tool's `web_hook_url`. Bad
//! tokens of every kind are one [`Token`] away, and every reply carries the
//! audit records its request produced.
//!
//! ```
//! use agent_runtime::harness::{TestAgent, ToolCall, Token};
//! use agent_runtime::prelude::*;
//!
//! /// Voice banking assistant.
//! #[agent(name = "mini-bank")]
//! struct Bank;
//!
//! #[agent]
//! impl Bank {
//!     /// Close the caller's account.
//!     #[tool(secure)]
//!     async fn close_account(&self, account: String) -> ToolResult {
//!         ToolResult::new(format!("Closed {account}."))
//!     }
//! }
//!
//! # actix_web::rt::System::new().block_on(async {
//! let agent = TestAgent::start(Bank.builder().prompt_text("You help callers."))
//!     .await
//!     .unwrap();
//!
//! // SWML as the platform gets it.
//! let swml = agent.swml(Some("call-1")).await;
//! assert_eq!(swml.status, 200);
//!
//! // A correct token, read from the SWML for this call.
//! let ok = agent.call("close_account", json!({"account": "42"})).await;
//! assert_eq!(ok.response_text().as_deref(), Some("Closed 42."));
//!
//! // No token: refused before the handler runs, and audited.
//! let refused = agent
//!     .call_with(ToolCall::new("close_account", json!({"account": "42"})).token(Token::Missing))
//!     .await;
//! assert_eq!(refused.status, 403);
//! assert_eq!(refused.audit[0].reason, "token_missing");
//! # });
//! ```
//!
//! Tests that need a real socket (TLS, slow clients, raw HTTP over TCP) start
//! the same service on a loopback port with [`TestServer`].
//!
//! The harness is behind the `harness` feature (on by default); the built-in
//! command line's `call` (feature `cli`) uses the same code path. A
//! production build with `default-features = false` carries neither the
//! harness nor its fixed test credentials.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::rc::Rc;

use actix_web::App;
use actix_web::dev::{ServerHandle, Service as _};
use actix_web::http::header::HeaderMap;
use actix_web::test::TestRequest;
use actix_web::web::Bytes;
use futures_util::future::LocalBoxFuture;
use serde_json::{Map, Value, json};

use crate::agent::Agent;
use crate::audit::{AuditRecord, MemoryAuditSink};
use crate::config::{AgentConfig, ConfigError};
use crate::service::{AgentBuilder, AgentService, BuildError, ServeSettings};

/// User name of [`test_config`].
pub const TEST_USER: &str = "harness";
/// Password of [`test_config`] (test use only).
pub const TEST_PASSWORD: &str = "harness-password-for-tests-only-0123456789";
/// Token secret of [`test_config`] (test use only).
pub const TEST_SECRET: &str = "harness-swaig-secret-for-tests-only-0123456789";
/// Caller number sent by [`ToolCall`] unless another is chosen.
pub const TEST_CALLER: &str = "+15550100000";

/// An `Authorization: Basic ...` header value for `user` and `password`.
pub fn basic_header(user: &str, password: &str) -> String {
    crate::security::auth::basic_header(user, password)
}

/// How the platform signs a webhook request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureKind {
    /// `X-SignalWire-Sha256-Signature`: hex HMAC-SHA256 (what the platform
    /// prefers).
    Sha256,
    /// `X-SignalWire-Signature`: hex HMAC-SHA1.
    Sha1,
}

impl SignatureKind {
    /// The header the signature travels in.
    pub fn header(self) -> &'static str {
        match self {
            SignatureKind::Sha256 => crate::security::signature::SHA256_HEADER,
            SignatureKind::Sha1 => crate::security::signature::SHA1_HEADER,
        }
    }
}

/// The signature the platform sends for `url` (the full URL it called) and
/// `body` when its signing key is `key`, in the header of `kind`.
pub fn webhook_signature(kind: SignatureKind, key: &str, url: &str, body: &[u8]) -> String {
    let verifier = crate::security::signature::SignatureVerifier::new(
        &crate::secret::SecretString::new(key.to_owned()),
        url,
    );
    match kind {
        SignatureKind::Sha256 => verifier.sign_sha256(url, body),
        SignatureKind::Sha1 => verifier.sign_sha1(url, body),
    }
}

/// A fixed development configuration: known credentials and token key, every
/// other setting at its default. Used by [`TestAgent::start`] when the
/// builder carries no configuration of its own.
pub fn test_config() -> AgentConfig {
    test_config_with(&[])
}

/// [`test_config`] as if the environment also held `vars` (name, value):
/// a variable given here replaces the test default of the same name, and an
/// empty value unsets it. Panics, naming the setting, when the result is not
/// a valid configuration; [`try_test_config_with`] returns the error instead.
///
/// ```
/// use agent_runtime::harness::test_config_with;
///
/// let config = test_config_with(&[("SWML_RATE_LIMIT", "2/hour"), ("PORT", "8080")]);
/// assert_eq!(config.port, 8080);
/// ```
pub fn test_config_with(vars: &[(&str, &str)]) -> AgentConfig {
    match try_test_config_with(vars) {
        Ok(config) => config,
        Err(e) => invalid_test_config(e),
    }
}

/// [`test_config_with`], returning the configuration error (for tests of
/// what a setting refuses).
///
/// ```
/// use agent_runtime::harness::try_test_config_with;
///
/// let refused = try_test_config_with(&[("AGENT_EMERGENCY_MODE", "maybe")]).unwrap_err();
/// assert_eq!(refused.setting, "AGENT_EMERGENCY_MODE");
/// ```
pub fn try_test_config_with(vars: &[(&str, &str)]) -> Result<AgentConfig, ConfigError> {
    AgentConfig::from_lookup(
        |name| match vars.iter().rev().find(|(key, _)| *key == name) {
            Some((_, value)) => Some((*value).to_owned()),
            None => test_default(name),
        },
    )
}

/// The variables [`test_config`] sets.
fn test_default(name: &str) -> Option<String> {
    match name {
        "SWML_BASIC_AUTH_USER" => Some(TEST_USER.to_owned()),
        "SWML_BASIC_AUTH_PASSWORD" => Some(TEST_PASSWORD.to_owned()),
        "SIGNALWIRE_SWAIG_SECRET" => Some(TEST_SECRET.to_owned()),
        _ => None,
    }
}

#[cold]
fn invalid_test_config(e: ConfigError) -> AgentConfig {
    #[allow(clippy::panic)]
    {
        panic!("the test configuration is invalid: {e}")
    }
}

/// One HTTP exchange: status, headers, body, and the audit records written
/// while the request was handled.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// Raw body.
    pub body: Bytes,
    /// Audit records produced by this request, oldest first.
    pub audit: Vec<AuditRecord>,
    /// The call id the request carried (tool calls and SWML with a call id).
    pub call_id: Option<String>,
}

impl Reply {
    /// The body as JSON, when it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// The SWAIG `response` text of a successful tool call.
    pub fn response_text(&self) -> Option<String> {
        self.json()?.get("response")?.as_str().map(str::to_owned)
    }
    /// True unless the status is 200.
    pub fn is_refused(&self) -> bool {
        self.status != 200
    }
    /// A response header as text; `None` when it is absent or not visible
    /// ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }
    /// The `action` list of a SWAIG result, in order; empty when the body has
    /// none.
    pub fn actions(&self) -> Vec<Value> {
        match self.json() {
            Some(Value::Object(mut result)) => match result.remove("action") {
                Some(Value::Array(actions)) => actions,
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }
    /// The object of the result's first `set_global_data` action: what the
    /// platform will send back as `global_data` on the next request of the
    /// call.
    pub fn global_data_update(&self) -> Option<Value> {
        self.actions()
            .into_iter()
            .find_map(|mut action| action.get_mut("set_global_data").map(Value::take))
    }
}

/// Which token a [`ToolCall`] carries.
///
/// [`Token::FromSwml`], [`Token::Tampered`] and [`Token::ForOtherCall`] read
/// the SWML document first (one extra request, as the platform makes it);
/// the others send the tool call alone.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Token {
    /// The token the SWML document for this call carries (none for tools
    /// that are not secure, exactly as the platform would send it).
    #[default]
    FromSwml,
    /// No `__token` at all.
    Missing,
    /// `__token=` with an empty value.
    Empty,
    /// A string that is not a token.
    Garbage,
    /// The right token with its signature changed.
    Tampered,
    /// A valid token minted for another call id.
    ForOtherCall,
    /// A token for this call and tool whose lifetime is over.
    Expired,
    /// Exactly this value.
    Exact(String),
}

/// A SWAIG request to build: function, arguments, platform data and token.
#[derive(Debug, Clone)]
pub struct ToolCall {
    function: String,
    args: Value,
    call_id: Option<String>,
    send_call_id: bool,
    caller: Option<String>,
    global_data: Option<Value>,
    token: Token,
}

impl ToolCall {
    /// A call of `function` with `args` (the object the model filled), a
    /// fresh call id, the [`TEST_CALLER`] number and the SWML token.
    pub fn new(function: impl Into<String>, args: Value) -> Self {
        ToolCall {
            function: function.into(),
            args,
            call_id: None,
            send_call_id: true,
            caller: Some(TEST_CALLER.to_owned()),
            global_data: None,
            token: Token::FromSwml,
        }
    }
    /// Uses this call id instead of a fresh one.
    pub fn call_id(mut self, id: impl Into<String>) -> Self {
        self.call_id = Some(id.into());
        self
    }
    /// Leaves `call_id` out of the request body (the platform always sends
    /// one; a secure tool must then refuse). The token is still chosen for
    /// the call id the call would have had.
    pub fn without_call_id(mut self) -> Self {
        self.send_call_id = false;
        self
    }
    /// Sends this caller number (`caller_id_num`).
    pub fn caller(mut self, number: impl Into<String>) -> Self {
        self.caller = Some(number.into());
        self
    }
    /// Sends no caller number.
    pub fn no_caller(mut self) -> Self {
        self.caller = None;
        self
    }
    /// Sends this `global_data` object.
    pub fn global_data(mut self, data: Value) -> Self {
        self.global_data = Some(data);
        self
    }
    /// Chooses the token.
    pub fn token(mut self, token: Token) -> Self {
        self.token = token;
        self
    }
}

/// A fresh call id (`test-` and 16 random hex digits).
pub fn fresh_call_id() -> String {
    let mut bytes = [0u8; 8];
    // A failing random source only makes ids less unique.
    let _ = getrandom::fill(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("test-{hex}")
}

type Sender = Rc<dyn Fn(TestRequest) -> LocalBoxFuture<'static, (u16, HeaderMap, Bytes)>>;

/// An agent running in-process behind the real actix-web service.
///
/// Use inside an actix runtime (`#[actix_web::test]`, or
/// `actix_web::rt::System::new().block_on(..)`).
pub struct TestAgent<A: Agent> {
    service: AgentService<A>,
    sink: MemoryAuditSink,
    send: Sender,
}

impl<A: Agent> std::fmt::Debug for TestAgent<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestAgent")
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl<A: Agent> TestAgent<A> {
    /// Builds the agent (with [`test_config`] unless the builder has a
    /// configuration), records its audit trail in memory, and starts the
    /// in-process service.
    pub async fn start(builder: AgentBuilder<A>) -> Result<Self, BuildError> {
        let builder = if builder.config_ref().is_some() {
            builder
        } else {
            builder.config(test_config())
        };
        let sink = MemoryAuditSink::new();
        let service = builder
            .audit_sink(std::sync::Arc::new(sink.clone()))
            .build()?;
        Ok(Self::from_parts(service, sink).await)
    }

    /// Drives an already built service. Audit records are only seen when
    /// `sink` was added to its builder.
    pub async fn from_service(service: AgentService<A>, sink: MemoryAuditSink) -> Self {
        Self::from_parts(service, sink).await
    }

    async fn from_parts(service: AgentService<A>, sink: MemoryAuditSink) -> Self {
        let svc = service.clone();
        let app =
            actix_web::test::init_service(App::new().configure(move |c| svc.configure(c))).await;
        let app = Rc::new(app);
        let send: Sender = Rc::new(move |req: TestRequest| {
            let app = app.clone();
            Box::pin(async move {
                let res = match app.call(req.to_request()).await {
                    Ok(res) => res.into_parts().1,
                    Err(e) => actix_web::HttpResponse::from_error(e),
                };
                let status = res.status().as_u16();
                let headers = res.headers().clone();
                let body = actix_web::body::to_bytes(res.into_body())
                    .await
                    .unwrap_or_default();
                (status, headers, body)
            })
        });
        TestAgent {
            service,
            sink,
            send,
        }
    }

    /// The built service (configuration, route, signer, emergency switch).
    pub fn service(&self) -> &AgentService<A> {
        &self.service
    }

    /// Every audit record so far.
    pub fn audit(&self) -> Vec<AuditRecord> {
        self.sink.records()
    }

    /// The audit records of one call.
    pub fn audit_for_call(&self, call_id: &str) -> Vec<AuditRecord> {
        self.sink
            .records()
            .into_iter()
            .filter(|r| r.call_id.as_deref() == Some(call_id))
            .collect()
    }

    /// The `Authorization` header value of the agent's credentials.
    pub fn auth_header(&self) -> String {
        let c = &self.service.config().credentials;
        basic_header(&c.user, c.password.expose_secret())
    }

    /// `route` + `endpoint` as a path (`/` for the root).
    pub fn path(&self, endpoint: &str) -> String {
        let p = format!("{}{endpoint}", self.service.route());
        if p.is_empty() { "/".to_owned() } else { p }
    }

    /// Sends a request as it is: no credentials or signature are added.
    pub async fn send_raw(&self, req: TestRequest) -> Reply {
        let before = self.sink.records().len();
        let (status, headers, body) = (self.send)(req).await;
        let audit = self.sink.records().split_off(before);
        Reply {
            status,
            headers,
            body,
            audit,
            call_id: None,
        }
    }

    /// POSTs `body` (JSON) to `path_and_query` with the agent's credentials
    /// and, when a signing key is configured, the platform's signature.
    pub async fn post(&self, path_and_query: &str, body: &Value) -> Reply {
        let payload = body.to_string();
        let req = TestRequest::post().insert_header(("Content-Type", "application/json"));
        self.send_raw(
            self.as_platform(req, path_and_query, &payload)
                .set_payload(payload),
        )
        .await
    }

    /// GETs `path_and_query` with the agent's credentials and, when a signing
    /// key is configured, the platform's signature (over an empty body).
    pub async fn get(&self, path_and_query: &str) -> Reply {
        self.send_raw(self.as_platform(TestRequest::get(), path_and_query, ""))
            .await
    }

    /// `req` to `path_and_query` with what the platform adds: credentials,
    /// and the signature of the URL and `payload` when a signing key is set.
    fn as_platform(&self, req: TestRequest, path_and_query: &str, payload: &str) -> TestRequest {
        let mut req = req
            .uri(path_and_query)
            .insert_header(("Authorization", self.auth_header()));
        if let Some(verifier) = &self.service.state.guards.signatures {
            // Sign the URL the platform would call: the configured public
            // base (never anything the request says), path and query.
            let url = format!("{}{path_and_query}", verifier.base());
            req = req.insert_header((
                crate::security::signature::SHA256_HEADER,
                verifier.sign_sha256(&url, payload.as_bytes()),
            ));
        }
        req
    }

    /// The SWML document the platform gets for `call_id` (without a call id:
    /// the document without secure tools).
    pub async fn swml(&self, call_id: Option<&str>) -> Reply {
        let body = match call_id {
            Some(id) => json!({ "call_id": id }),
            None => json!({}),
        };
        let mut reply = self.swml_with_body(&body).await;
        reply.call_id = call_id.map(str::to_owned);
        reply
    }

    /// The SWML document for this request body (as the platform would POST
    /// it at call start).
    pub async fn swml_with_body(&self, body: &Value) -> Reply {
        self.post(&self.path(""), body).await
    }

    /// The path and query of `function`'s webhook in the SWML for `call_id`,
    /// exactly as the document carries it (with the token of secure tools).
    /// `None` when the document does not offer the function.
    pub async fn webhook_for(&self, function: &str, call_id: &str) -> Option<String> {
        let doc = self.swml(Some(call_id)).await.json()?;
        webhook_in(&doc, function)
    }

    /// Calls `function` with `args`, a fresh call id and the token the SWML
    /// carries.
    pub async fn call(&self, function: &str, args: Value) -> Reply {
        self.call_with(ToolCall::new(function, args)).await
    }

    /// Sends the SWAIG request described by `call` (see [`Token`] for when
    /// the SWML document is read first).
    pub async fn call_with(&self, call: ToolCall) -> Reply {
        let call_id = call.call_id.clone().unwrap_or_else(fresh_call_id);
        let swaig = self.path("/swaig/");
        let from_swml = match call.token {
            Token::FromSwml | Token::Tampered => self.webhook_for(&call.function, &call_id).await,
            _ => None,
        };
        let valid = from_swml.as_deref().and_then(token_of);
        let token = match &call.token {
            Token::FromSwml => valid,
            Token::Missing => None,
            Token::Empty => Some(String::new()),
            Token::Garbage => Some("not-a-token".to_owned()),
            Token::Tampered => {
                Some(tamper(&valid.unwrap_or_else(|| {
                    self.service.signer().mint(&call.function, &call_id)
                })))
            }
            Token::ForOtherCall => {
                let other = format!("{call_id}-other");
                self.webhook_for(&call.function, &other)
                    .await
                    .as_deref()
                    .and_then(token_of)
                    .or_else(|| Some(self.service.signer().mint(&call.function, &other)))
            }
            Token::Expired => {
                let signer = self.service.signer();
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                let past = now.saturating_sub(signer.token_ttl().as_secs() + 120);
                Some(signer.mint_at(&call.function, &call_id, past, [7u8; 8]))
            }
            Token::Exact(t) => Some(t.clone()),
        };
        let target = match (&call.token, token) {
            (Token::FromSwml, _) => from_swml.unwrap_or(swaig),
            (_, None) => swaig,
            (_, Some(t)) => format!("{swaig}?__token={}", encode(&t)),
        };
        let mut body = Map::new();
        body.insert("function".into(), Value::String(call.function.clone()));
        body.insert(
            "argument".into(),
            json!({"parsed": [call.args.clone()], "raw": call.args.to_string(), "substituted": ""}),
        );
        if call.send_call_id {
            body.insert("call_id".into(), Value::String(call_id.clone()));
        }
        if let Some(caller) = &call.caller {
            body.insert("caller_id_num".into(), Value::String(caller.clone()));
        }
        if let Some(g) = &call.global_data {
            body.insert("global_data".into(), g.clone());
        }
        body.insert("content_type".into(), Value::String("text/swaig".into()));
        body.insert("version".into(), Value::String("2.0".into()));
        let mut reply = self.post(&target, &Value::Object(body)).await;
        reply.call_id = call.send_call_id.then_some(call_id);
        reply
    }
}

fn encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The path and query of `function`'s webhook in a SWML document: its own
/// `web_hook_url` when it has one (secure tools), else the defaults' URL.
pub fn webhook_in(doc: &Value, function: &str) -> Option<String> {
    let ai = ai_verb(doc)?;
    let swaig = ai.get("SWAIG")?;
    let entry = swaig
        .get("functions")?
        .as_array()?
        .iter()
        .find(|f| f.get("function").and_then(Value::as_str) == Some(function))?;
    let url = entry
        .get("web_hook_url")
        .or_else(|| swaig.get("defaults")?.get("web_hook_url"))?
        .as_str()?;
    path_and_query(url)
}

/// The `__token` of every secure tool in a SWML document, by function name
/// (tools that are not secure have none). Empty for a document rendered
/// without a call id, which offers no secure tool.
pub fn tool_tokens(doc: &Value) -> BTreeMap<String, String> {
    let functions = ai_verb(doc)
        .and_then(|ai| ai.get("SWAIG")?.get("functions")?.as_array())
        .map_or(&[][..], Vec::as_slice);
    functions
        .iter()
        .filter_map(|f| {
            let name = f.get("function")?.as_str()?;
            let url = f.get("web_hook_url")?.as_str()?;
            let token = token_of(&path_and_query(url)?)?;
            Some((name.to_owned(), token))
        })
        .collect()
}

/// The `__token` of a SWML document's `post_prompt_url` (present only when
/// the document was rendered for a call id).
pub fn post_prompt_token(doc: &Value) -> Option<String> {
    let url = ai_verb(doc)?.get("post_prompt_url")?.as_str()?;
    token_of(&path_and_query(url)?)
}

/// The `ai` verb of a SWML document's `main` section.
fn ai_verb(doc: &Value) -> Option<&Value> {
    doc.get("sections")?
        .get("main")?
        .as_array()?
        .iter()
        .find_map(|v| v.get("ai"))
}

/// `/path?query` of an absolute URL.
fn path_and_query(url: &str) -> Option<String> {
    let rest = &url[url.find("://")? + 3..];
    rest.find('/').map(|i| rest[i..].to_owned())
}

/// The decoded `__token` of a path and query.
fn token_of(path_and_query: &str) -> Option<String> {
    let query = path_and_query.split_once('?')?.1;
    crate::request::query::query_param(query, "__token")
        .ok()
        .flatten()
}

/// The same token with the first character of its signature changed. (The
/// last character of unpadded base64 carries spare bits that a strict decoder
/// refuses when set, which would make the token malformed rather than
/// wrongly signed; the first one is all data.)
fn tamper(token: &str) -> String {
    match token.rfind('.') {
        Some(dot) if dot + 1 < token.len() => {
            let (head, tag) = token.split_at(dot + 1);
            let mut chars = tag.chars();
            let first = chars
                .next()
                .map_or('A', |c| if c == 'A' { 'B' } else { 'A' });
            format!("{head}{first}{}", chars.as_str())
        }
        _ => format!("{token}tampered"),
    }
}

/// An agent served over real sockets on a loopback port, in a background
/// thread, for tests that need TCP itself: TLS handshakes, slow or partial
/// requests, body limits on a streamed body, a client of your own.
///
/// It runs the same server as [`AgentService::serve_on`] (timeouts,
/// `TCP_NODELAY`, TLS and HSTS when configured, one worker unless
/// `SWML_WORKERS` says otherwise, the metrics listener when
/// `SWML_METRICS_ADDR` is set), but leaves the process alone: no panic
/// hook and no default logger are installed, so tests in the same process
/// keep their own. Dropping the server stops it.
///
/// ```
/// use std::io::{Read, Write};
///
/// use agent_runtime::harness::{TestServer, test_config};
/// use agent_runtime::prelude::*;
///
/// /// Front desk.
/// #[agent(name = "desk")]
/// struct Desk;
///
/// #[agent]
/// impl Desk {
///     /// Tell the caller the opening hours.
///     #[tool]
///     fn opening_hours(&self) -> ToolResult {
///         ToolResult::new("Nine to five.")
///     }
/// }
///
/// let service = Desk
///     .builder()
///     .prompt_text("You answer questions about the desk.")
///     .config(test_config())
///     .build()
///     .unwrap();
/// let server = TestServer::start(service).unwrap();
/// let mut tcp = std::net::TcpStream::connect(server.addr()).unwrap();
/// tcp.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
///     .unwrap();
/// let mut response = String::new();
/// tcp.read_to_string(&mut response).unwrap();
/// assert!(response.starts_with("HTTP/1.1 200 OK"));
/// ```
#[derive(Debug)]
pub struct TestServer {
    addr: SocketAddr,
    metrics_addr: Option<SocketAddr>,
    handle: ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    /// Binds `127.0.0.1` on a port the system chooses and starts serving
    /// `service` there. Connections are accepted as soon as this returns.
    pub fn start<A: Agent + Send + Sync>(service: AgentService<A>) -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        let addr = listener.local_addr()?;
        let state = service.state;
        // The metrics listener, when configured, is bound here too, so a
        // configured port 0 gets a port the test can read.
        let metrics = match state.config.metrics_addr {
            Some(at) => {
                let bound = std::net::TcpListener::bind(at)?;
                let local = bound.local_addr()?;
                crate::service::metrics_listener(&state, Some(bound)).map(|side| (side, local))
            }
            None => None,
        };
        let metrics_addr = metrics.as_ref().map(|(_, local)| *local);
        let mut settings = ServeSettings::new(&state.config, state.tls.clone(), Some(listener));
        settings.bind = (addr.ip().to_string(), addr.port());
        settings.workers = Some(state.config.workers.unwrap_or(1));
        let audit = state.audit.clone();
        let routes = crate::service::agent_routes(state);
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("agent-test-server".to_owned())
            .spawn(move || {
                actix_web::rt::System::new().block_on(async move {
                    let side = match metrics.map(|(start, _)| start()).transpose() {
                        Ok(side) => side,
                        Err(e) => {
                            let _ = started_tx.send(Err(e));
                            return;
                        }
                    };
                    let side_handle = side.as_ref().map(actix_web::dev::Server::handle);
                    if let Some(side) = side {
                        actix_web::rt::spawn(side);
                    }
                    match crate::service::start_server(settings, routes) {
                        Ok(server) => {
                            let _ = started_tx.send(Ok(server.handle()));
                            // The server ends when it is stopped; there is
                            // no one left to tell how. A stop is a clean
                            // one: the audit sinks are sealed, as `serve`
                            // seals them.
                            let _ = server.await;
                            audit.seal();
                        }
                        Err(e) => {
                            let _ = started_tx.send(Err(e));
                        }
                    }
                    if let Some(handle) = side_handle {
                        handle.stop(false).await;
                    }
                })
            })?;
        let handle = match started_rx.recv() {
            Ok(started) => started?,
            Err(_) => {
                return Err(std::io::Error::other(
                    "the test server thread ended before the server started",
                ));
            }
        };
        Ok(TestServer {
            addr,
            metrics_addr,
            handle,
            thread: Some(thread),
        })
    }

    /// Where the separate metrics listener listens, when the agent's
    /// configuration has one (`SWML_METRICS_ADDR`; port 0 is replaced by the
    /// port the system chose).
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    /// The loopback address and port the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }
}

impl Drop for TestServer {
    /// Stops the server without waiting for open connections, and waits for
    /// its thread to end (which seals the agent's audit sinks).
    fn drop(&mut self) {
        // `stop` sends the command at once; its future only reports the end.
        drop(self.handle.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
