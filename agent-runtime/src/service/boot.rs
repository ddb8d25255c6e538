//! Starting a server: the start-up banner, the redacting panic hook, and the
//! actix server itself (bind or listen, TLS, timeouts, `TCP_NODELAY`, HSTS).

use std::sync::Arc;
use std::time::Duration;

use actix_web::HttpServer;
use actix_web::web;

use crate::agent::Agent;
use crate::audit::AuditTrail;
use crate::config::{AgentConfig, CredentialSource, KeySource, MetricsAuth};
use crate::http::routes;
use crate::state::AgentState;

/// Deadline for a request's headers (actix-web's client request timeout).
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// The HSTS header value sent on every response when TLS is on.
pub(crate) const HSTS_VALUE: &str = "max-age=31536000; includeSubDomains";

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
    match (c.metrics_addr, c.metrics_auth) {
        (None, _) => eprintln!("  metrics: GET {}/metrics (basic auth)", state.route),
        (Some(addr), MetricsAuth::Basic) => {
            eprintln!("  metrics: GET /metrics on {addr} (basic auth)")
        }
        (Some(addr), MetricsAuth::Off) => eprintln!(
            "  WARNING: metrics: GET /metrics on {addr} WITHOUT basic auth (SWML_METRICS_AUTH=off)"
        ),
    }
    let checklist = &state.checklist;
    for item in checklist.waived() {
        eprintln!("  {item}");
    }
    if c.production {
        eprintln!(
            "  AGENT_ENV=production: {} of {} checklist items pass, {} waived",
            checklist.items.iter().filter(|i| i.passed()).count(),
            checklist.items.len(),
            checklist.waived().count()
        );
    }
    match &state.guards.signatures {
        Some(verifier) => eprintln!(
            "  webhook signatures required, checked against URLs under {} (from configuration, \
             never from request headers)",
            verifier.base()
        ),
        None => eprintln!(
            "  WARNING: SIGNALWIRE_SIGNING_KEY is not set; requests are not checked for the platform's \
             webhook signature"
        ),
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
    let settings = ServeSettings::new(&state.config, state.tls.clone(), listener);
    let audit = vec![state.audit.clone()];
    let sides = metrics_listener(&state, None).into_iter().collect();
    serve_app(settings, agent_routes(state), audit, sides).await
}

/// The routes of one agent: its own, the probes and the authenticated 404.
pub(crate) fn agent_routes<A: Agent + Send + Sync>(
    state: web::Data<AgentState<A>>,
) -> impl Fn(&mut web::ServiceConfig) + Send + Clone + 'static {
    move |cfg| {
        routes::configure(state.clone(), cfg, true);
        routes::default_service::<A>(cfg);
    }
}

/// Starts a server that runs beside the main one (the metrics listener).
pub(crate) type SideServer = Box<dyn FnOnce() -> std::io::Result<actix_web::dev::Server> + Send>;

/// The separate metrics listener of an agent (`SWML_METRICS_ADDR`), when it
/// has one: on `listener` when given, else bound to that address; one
/// worker; over TLS when the agent's own port uses TLS.
pub(crate) fn metrics_listener<A: Agent + Send + Sync>(
    state: &web::Data<AgentState<A>>,
    listener: Option<std::net::TcpListener>,
) -> Option<SideServer> {
    let addr = state.config.metrics_addr?;
    let mut settings = ServeSettings::new(&state.config, state.tls.clone(), listener);
    settings.bind = (addr.ip().to_string(), addr.port());
    settings.workers = Some(1);
    let state = state.clone();
    Some(Box::new(move || {
        start_server(settings, move |cfg| {
            routes::configure_metrics_listener(state.clone(), cfg)
        })
    }))
}

/// Where and how to serve (shared by single- and multi-agent servers).
pub(crate) struct ServeSettings {
    pub bind: (String, u16),
    pub workers: Option<usize>,
    pub tls: Option<Arc<rustls::ServerConfig>>,
    pub listener: Option<std::net::TcpListener>,
    pub keep_alive: Duration,
    pub max_connections: usize,
}

impl ServeSettings {
    /// Where and how an agent with `config` serves: its host, port, workers
    /// and connection settings, over TLS when `tls` is set, on `listener`
    /// when given.
    pub(crate) fn new(
        config: &AgentConfig,
        tls: Option<Arc<rustls::ServerConfig>>,
        listener: Option<std::net::TcpListener>,
    ) -> Self {
        ServeSettings {
            bind: (config.host.clone(), config.port),
            workers: config.workers,
            tls,
            listener,
            keep_alive: config.keep_alive,
            max_connections: config.max_connections,
        }
    }
}

/// Starts the `sides` servers, then builds and runs the actix server (see
/// [`start_server`]) until it stops, then stops the side servers, seals the
/// audit sinks of `audit` and flushes the default log writer
/// ([`after_stop`]).
pub(crate) async fn serve_app(
    settings: ServeSettings,
    routes: impl Fn(&mut web::ServiceConfig) + Send + Clone + 'static,
    audit: Vec<AuditTrail>,
    sides: Vec<SideServer>,
) -> std::io::Result<()> {
    let served = run_servers(settings, routes, sides).await;
    after_stop(&audit);
    served
}

/// Each side server runs in a task of its own while the main server runs;
/// one that cannot start (its address is taken) stops the start-up.
async fn run_servers(
    settings: ServeSettings,
    routes: impl Fn(&mut web::ServiceConfig) + Send + Clone + 'static,
    sides: Vec<SideServer>,
) -> std::io::Result<()> {
    let mut handles = Vec::with_capacity(sides.len());
    let mut served = Ok(());
    for start in sides {
        match start() {
            Ok(server) => {
                handles.push(server.handle());
                actix_web::rt::spawn(server);
            }
            Err(e) => {
                served = Err(e);
                break;
            }
        }
    }
    if served.is_ok() {
        served = match start_server(settings, routes) {
            Ok(server) => server.await,
            Err(e) => Err(e),
        };
    }
    for handle in handles {
        // A scrape cut short is retried; nothing else runs there.
        handle.stop(false).await;
    }
    served
}

/// What a server does once it stopped (or failed to start): every audit
/// sink is sealed, so a chained audit file ends with a seal that shows the
/// stop was clean and nothing after it was cut; then the audit lines still
/// queued for stderr, the seal's own log line among them, are written.
pub(crate) fn after_stop(audit: &[AuditTrail]) {
    for trail in audit {
        trail.seal();
    }
    crate::logging::flush_default_logging();
}

/// Builds the actix server and starts it (call inside an actix runtime):
/// `TCP_NODELAY`, client timeouts, HSTS when TLS is on, routes from
/// `routes`. The returned server runs while it is polled; its handle stops
/// it. Installs nothing process-wide.
pub(crate) fn start_server(
    settings: ServeSettings,
    routes: impl Fn(&mut web::ServiceConfig) + Send + Clone + 'static,
) -> std::io::Result<actix_web::dev::Server> {
    let hsts = settings.tls.is_some();
    let mut server = HttpServer::new(move || {
        let routes = routes.clone();
        actix_web::App::new()
            .wrap(actix_web::middleware::Condition::new(
                hsts,
                actix_web::middleware::DefaultHeaders::new().add((
                    actix_web::http::header::STRICT_TRANSPORT_SECURITY,
                    HSTS_VALUE,
                )),
            ))
            .configure(routes)
    });
    if let Some(n) = settings.workers {
        server = server.workers(n);
    }
    let server = server
        .tcp_nodelay(true)
        .keep_alive(settings.keep_alive)
        .max_connections(settings.max_connections)
        .client_request_timeout(HEADER_TIMEOUT)
        .client_disconnect_timeout(Duration::from_secs(1))
        .tls_handshake_timeout(Duration::from_secs(5));
    let server = match (settings.listener, settings.tls) {
        (Some(l), Some(tls)) => server.listen_rustls_0_23(l, (*tls).clone())?,
        (Some(l), None) => server.listen(l)?,
        (None, Some(tls)) => server.bind_rustls_0_23(settings.bind, (*tls).clone())?,
        (None, None) => server.bind(settings.bind)?,
    };
    Ok(server.run())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditRecord, AuditSink};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Counts seals.
    #[derive(Default)]
    struct SealCounter(AtomicUsize);

    impl AuditSink for SealCounter {
        fn record(&self, _: &AuditRecord) {}
        fn seal(&self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[actix_web::test]
    async fn a_stopped_server_seals_every_audit_sink() {
        let counter = Arc::new(SealCounter::default());
        let trails = vec![
            AuditTrail::new(vec![counter.clone()]),
            AuditTrail::new(vec![counter.clone(), counter.clone()]),
        ];
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("port");
        let settings = ServeSettings {
            bind: ("127.0.0.1".to_owned(), 0),
            workers: Some(1),
            tls: None,
            listener: Some(listener),
            keep_alive: crate::config::DEFAULT_KEEP_ALIVE,
            max_connections: crate::config::DEFAULT_MAX_CONNECTIONS,
        };
        let server = start_server(settings, |_: &mut web::ServiceConfig| {}).expect("server");
        let handle = server.handle();
        actix_web::rt::spawn(async move { handle.stop(true).await });
        server.await.expect("stopped cleanly");
        assert_eq!(counter.0.load(Ordering::SeqCst), 0);
        after_stop(&trails);
        assert_eq!(counter.0.load(Ordering::SeqCst), 3);
    }

    #[actix_web::test]
    async fn a_server_that_cannot_start_still_seals() {
        let counter = Arc::new(SealCounter::default());
        let taken = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("port");
        let port = taken.local_addr().expect("addr").port();
        let settings = ServeSettings {
            bind: ("127.0.0.1".to_owned(), port),
            workers: Some(1),
            tls: None,
            listener: None,
            keep_alive: crate::config::DEFAULT_KEEP_ALIVE,
            max_connections: crate::config::DEFAULT_MAX_CONNECTIONS,
        };
        let served = serve_app(
            settings,
            |_: &mut web::ServiceConfig| {},
            vec![AuditTrail::new(vec![counter.clone()])],
            Vec::new(),
        )
        .await;
        assert!(served.is_err(), "the port is taken");
        assert_eq!(counter.0.load(Ordering::SeqCst), 1);
    }
}
