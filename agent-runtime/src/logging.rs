//! Log output. Audit records and logs are `tracing` events; this installs a
//! subscriber that writes them to stderr as JSON lines (`AGENT_LOG_FORMAT=json`,
//! the default) or as text (`AGENT_LOG_FORMAT=text`), filtered by `RUST_LOG`
//! (default `info`). `run`/`serve` call it when the application installed no
//! subscriber of its own.

use tracing_subscriber::EnvFilter;

/// Installs the default subscriber unless one is already set. Returns whether
/// it installed one.
pub fn init_default_logging() -> bool {
    if tracing::dispatcher::has_been_set() {
        return false;
    }
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let text = std::env::var("AGENT_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("text"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = if text {
        builder.try_init()
    } else {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init()
    };
    result.is_ok()
}
