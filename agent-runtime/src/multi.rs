//! Several agents in one process: each on its own route with its own
//! credentials, token keys, limits and audit sinks, sharing the public
//! `/health` and `/ready` probes.
//!
//! ```no_run
//! use agent_runtime::multi::AgentServer;
//! use agent_runtime::prelude::*;
//!
//! /// Banking.
//! #[agent(name = "bank", route = "/bank")]
//! struct Bank;
//! #[agent]
//! impl Bank {
//!     /// Close the caller's account.
//!     #[tool(secure)]
//!     fn close_account(&self) -> ToolResult { ToolResult::new("Closed.") }
//! }
//!
//! /// Opening hours.
//! #[agent(name = "hours", route = "/hours")]
//! struct Hours;
//! #[agent]
//! impl Hours {
//!     /// Tell the caller the opening hours.
//!     #[tool]
//!     fn opening_hours(&self) -> ToolResult { ToolResult::new("9 to 5.") }
//! }
//!
//! fn main() -> std::io::Result<()> {
//!     let bank = Bank.builder().prompt_text("You help with banking.").build()?;
//!     let hours = Hours
//!         .builder()
//!         .prompt_text("You tell callers when we are open.")
//!         .basic_auth("hours", "another-long-password-for-the-hours-agent")
//!         .build()?;
//!     AgentServer::new().agent(bank).agent(hours).run()
//! }
//! ```
//!
//! An unknown path answers 401 unless the request carries the credentials of
//! one of the agents, then 404, so the set of agents is not revealed to
//! strangers. Routes must be distinct: two agents whose endpoints would share
//! a path (or shadow `/health` or `/ready`) are refused.
//!
//! Each agent's metrics are under its own route (`/bank/metrics`), behind its
//! own credentials, and count its own requests and audit records (an
//! `auth_failure` on an unknown path is in every agent's audit sinks, so in
//! every agent's refusals; the request itself belongs to no agent and is not
//! in any `agent_http_requests_total`). An agent with `SWML_METRICS_ADDR` gets
//! a metrics listener of its own instead.

use std::sync::Arc;

use actix_web::web;
use actix_web::{HttpRequest, HttpResponse};

use crate::agent::Agent;
use crate::audit::{AuditEvent, AuditRecord, AuditTrail, emit_to_log};
use crate::http::routes::{ENDPOINTS, configure, configure_probes, paths};
use crate::response::HttpError;
use crate::service::{
    AgentService, ServeSettings, SideServer, install_redacting_panic_hook, metrics_listener,
    print_banner, serve_app,
};

/// One mounted agent, type-erased.
trait Mounted: Send + Sync {
    fn name(&self) -> &'static str;
    fn route(&self) -> &str;
    fn configure(&self, cfg: &mut web::ServiceConfig);
    fn authorizes(&self, header: Option<&[u8]>) -> bool;
    fn audit(&self) -> &AuditTrail;
    fn banner(&self);
    fn config(&self) -> &crate::config::AgentConfig;
    fn tls(&self) -> Option<Arc<rustls::ServerConfig>>;
    fn metrics_listener(&self) -> Option<SideServer>;
}

impl<A: Agent + Send + Sync> Mounted for AgentService<A> {
    fn name(&self) -> &'static str {
        A::NAME
    }
    fn route(&self) -> &str {
        &self.state.route
    }
    fn configure(&self, cfg: &mut web::ServiceConfig) {
        configure(self.state.clone(), cfg, false);
    }
    fn authorizes(&self, header: Option<&[u8]>) -> bool {
        self.state.guards.auth.check(header)
    }
    fn audit(&self) -> &AuditTrail {
        &self.state.audit
    }
    fn banner(&self) {
        print_banner(&self.state);
    }
    fn config(&self) -> &crate::config::AgentConfig {
        &self.state.config
    }
    fn tls(&self) -> Option<Arc<rustls::ServerConfig>> {
        self.state.tls.clone()
    }
    fn metrics_listener(&self) -> Option<SideServer> {
        metrics_listener(&self.state, None)
    }
}

/// Why a set of agents cannot be served together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MultiError {
    /// No agent was added.
    NoAgents,
    /// Two agents (or an agent and a probe) would answer the same path.
    RouteConflict {
        /// The agent added first (or `probes`).
        first: &'static str,
        /// The agent added later.
        second: &'static str,
        /// The shared path.
        path: String,
    },
    /// Some agents serve HTTPS and others plain HTTP; one listener cannot do
    /// both.
    MixedTls,
}

impl std::fmt::Display for MultiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MultiError::NoAgents => f.write_str("add at least one agent with `.agent(..)`"),
            MultiError::RouteConflict {
                first,
                second,
                path,
            } => write!(
                f,
                "agents `{first}` and `{second}` would both answer `{path}`: give each its own route (`#[agent(route = \"...\")]` or `.route(..)`)"
            ),
            MultiError::MixedTls => {
                f.write_str("some agents are configured for TLS and others are not")
            }
        }
    }
}

impl std::error::Error for MultiError {}

impl From<MultiError> for std::io::Error {
    fn from(e: MultiError) -> Self {
        std::io::Error::other(e.to_string())
    }
}

/// Collects built agents for one server. See the [module docs](self).
#[derive(Default)]
pub struct AgentServer {
    agents: Vec<Arc<dyn Mounted>>,
    bind: Option<(String, u16)>,
}

impl std::fmt::Debug for AgentServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<(&str, &str)> = self.agents.iter().map(|a| (a.name(), a.route())).collect();
        f.debug_struct("AgentServer")
            .field("agents", &names)
            .field("bind", &self.bind)
            .finish()
    }
}

/// The paths one agent answers.
fn agent_paths(route: &str) -> Vec<String> {
    ENDPOINTS
        .iter()
        .flat_map(|endpoint| paths(route, endpoint))
        .collect()
}

impl AgentServer {
    /// An empty server.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a built agent (its route, credentials, token keys, limits and
    /// audit sinks stay its own).
    pub fn agent<A: Agent + Send + Sync>(mut self, service: AgentService<A>) -> Self {
        self.agents.push(Arc::new(service));
        self
    }

    /// Listens on `host:port` instead of the first agent's `HOST`/`PORT`.
    pub fn bind(mut self, host: impl Into<String>, port: u16) -> Self {
        self.bind = Some((host.into(), port));
        self
    }

    /// Checks that the routes are distinct and the transport is the same for
    /// every agent.
    pub fn build(self) -> Result<MultiService, MultiError> {
        if self.agents.is_empty() {
            return Err(MultiError::NoAgents);
        }
        let mut taken: Vec<(String, &'static str)> = vec![
            ("/health".to_owned(), "probes"),
            ("/ready".to_owned(), "probes"),
        ];
        for agent in &self.agents {
            for path in agent_paths(agent.route()) {
                if let Some((_, first)) = taken.iter().find(|(p, _)| *p == path) {
                    return Err(MultiError::RouteConflict {
                        first,
                        second: agent.name(),
                        path,
                    });
                }
                taken.push((path, agent.name()));
            }
        }
        let tls = self.agents[0].tls().is_some();
        if self.agents.iter().any(|a| a.tls().is_some() != tls) {
            return Err(MultiError::MixedTls);
        }
        Ok(MultiService {
            agents: web::Data::new(Agents(self.agents)),
            bind: self.bind,
        })
    }

    /// Builds and serves until stopped, creating its own runtime.
    pub fn run(self) -> std::io::Result<()> {
        self.build()?.run()
    }
}

struct Agents(Vec<Arc<dyn Mounted>>);

/// Several agents ready to serve together.
#[derive(Clone)]
pub struct MultiService {
    agents: web::Data<Agents>,
    bind: Option<(String, u16)>,
}

impl std::fmt::Debug for MultiService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<(&str, &str)> = self
            .agents
            .0
            .iter()
            .map(|a| (a.name(), a.route()))
            .collect();
        f.debug_struct("MultiService")
            .field("agents", &names)
            .finish_non_exhaustive()
    }
}

impl MultiService {
    /// Registers every agent's routes, the shared `/health` and `/ready`, and
    /// the default answer for unknown paths (401, or 404 for a request that
    /// authenticates for one of the agents):
    /// `App::new().configure(|c| multi.configure(c))`.
    pub fn configure(&self, cfg: &mut web::ServiceConfig) {
        configure_probes(cfg);
        for agent in &self.agents.0 {
            agent.configure(cfg);
        }
        cfg.app_data(self.agents.clone());
        cfg.default_service(web::to(unknown_path));
    }

    /// Serves until stopped, creating its own runtime.
    pub fn run(self) -> std::io::Result<()> {
        actix_web::rt::System::new().block_on(self.serve())
    }

    /// Serves until stopped, inside an existing actix runtime.
    pub async fn serve(self) -> std::io::Result<()> {
        self.serve_inner(None).await
    }

    /// Serves on an already bound listener (e.g. port 0 in tests).
    pub async fn serve_on(self, listener: std::net::TcpListener) -> std::io::Result<()> {
        self.serve_inner(Some(listener)).await
    }

    async fn serve_inner(self, listener: Option<std::net::TcpListener>) -> std::io::Result<()> {
        install_redacting_panic_hook();
        crate::logging::init_default_logging();
        let first = &self.agents.0[0];
        let (host, port) = self
            .bind
            .clone()
            .unwrap_or_else(|| (first.config().host.clone(), first.config().port));
        let workers = first.config().workers;
        let tls = first.tls();
        eprintln!("serving {} agents on {host}:{port}", self.agents.0.len());
        for agent in &self.agents.0 {
            agent.banner();
        }
        let me = self.clone();
        let mut settings = ServeSettings::new(first.config(), tls, listener);
        settings.bind = (host, port);
        settings.workers = workers;
        // Every agent's sinks are sealed when the server stops (a sink
        // shared by two agents ends with one stop seal, not two).
        let audit = self.agents.0.iter().map(|a| a.audit().clone()).collect();
        // Agents with `SWML_METRICS_ADDR` get their own metrics listener (two
        // agents cannot share one address: the second fails to bind).
        let sides = self
            .agents
            .0
            .iter()
            .filter_map(|a| a.metrics_listener())
            .collect();
        serve_app(settings, move |cfg| me.configure(cfg), audit, sides).await
    }
}

async fn unknown_path(req: HttpRequest, agents: web::Data<Agents>) -> HttpResponse {
    if let Err(e) = crate::http::gate::check_header_sizes(&req) {
        return e.response();
    }
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .map(|h| h.as_bytes());
    // Every agent is asked (no early exit), so timing does not tell which
    // agent's credentials were close.
    let authorized = agents
        .0
        .iter()
        .fold(false, |ok, a| a.authorizes(header) | ok);
    if authorized {
        return HttpError::NotFound.response();
    }
    let reason = if header.is_some() {
        "bad_credentials"
    } else {
        "missing_credentials"
    };
    let mut record = AuditRecord::new(AuditEvent::AuthFailure, "refused", reason);
    record.client = crate::dispatch::client_addr(&req);
    // One log line, and the record in every agent's own sinks.
    emit_to_log(&record);
    for agent in &agents.0 {
        agent.audit().to_sinks(&record);
    }
    HttpError::Unauthorized.response()
}
