//! Assembling and serving an agent: the [`AgentBuilder`] and what `build`
//! does with it, the built [`AgentService`], and server start-up.

mod boot;
mod build;
mod builder;
mod error;
mod recording;

use actix_web::web;

use crate::agent::Agent;
use crate::config::{AgentConfig, Checklist};
use crate::emergency::EmergencySwitch;
use crate::http::routes;
use crate::security::token::TokenSigner;
use crate::state::AgentState;

pub use boot::install_redacting_panic_hook;
pub(crate) use boot::{ServeSettings, SideServer, metrics_listener, print_banner, serve_app};
#[cfg(feature = "harness")]
pub(crate) use boot::{agent_routes, start_server};
pub use builder::{AgentBuilder, AgentExt};
pub use error::{BuildError, ToolError};

/// A built agent, ready to serve.
pub struct AgentService<A: Agent> {
    pub(crate) state: web::Data<AgentState<A>>,
}

impl<A: Agent> Clone for AgentService<A> {
    fn clone(&self) -> Self {
        AgentService {
            state: self.state.clone(),
        }
    }
}

impl<A: Agent> std::fmt::Debug for AgentService<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentService")
            .field("agent", &A::NAME)
            .field("route", &self.state.route)
            .field("tools", &self.state.tools.tools.len())
            .finish()
    }
}

impl<A: Agent> AgentService<A> {
    /// Registers the agent's routes (with `/metrics` under its route unless
    /// the metrics have a listener of their own), `/health`, `/ready` and the
    /// authenticated 404 on an actix-web app:
    /// `App::new().configure(|c| svc.configure(c))`. A separate metrics
    /// listener is only started by `serve`, `serve_on` and `run`.
    pub fn configure(&self, cfg: &mut web::ServiceConfig) {
        routes::configure(self.state.clone(), cfg, true);
        routes::default_service::<A>(cfg);
    }

    /// The agent's configuration as resolved at build time.
    pub fn config(&self) -> &AgentConfig {
        &self.state.config
    }

    /// The production checklist, as evaluated when the agent was built (the
    /// one `check` prints and `AGENT_ENV=production` enforces).
    pub fn checklist(&self) -> &Checklist {
        &self.state.checklist
    }

    /// The route prefix (`""` for `/`).
    pub fn route(&self) -> &str {
        &self.state.route
    }

    /// The emergency-mode switch of this agent.
    pub fn emergency_switch(&self) -> EmergencySwitch {
        self.state.emergency.clone()
    }

    /// The token signer (for tests and tooling that need a valid token).
    pub fn signer(&self) -> &TokenSigner {
        &self.state.guards.signer
    }

    /// Serves until stopped, inside an existing actix/tokio runtime.
    pub async fn serve(self) -> std::io::Result<()>
    where
        A: Send + Sync,
    {
        boot::serve_state(self.state, None).await
    }

    /// Serves on an already bound listener (e.g. port 0 in tests), over TLS
    /// when configured.
    pub async fn serve_on(self, listener: std::net::TcpListener) -> std::io::Result<()>
    where
        A: Send + Sync,
    {
        boot::serve_state(self.state, Some(listener)).await
    }

    /// Serves until stopped, creating its own runtime.
    pub fn run(self) -> std::io::Result<()>
    where
        A: Send + Sync,
    {
        actix_web::rt::System::new().block_on(self.serve())
    }
}
