//! What access-log hooks see of a request: a redacted view with no query
//! string, no headers and no body, so no token or credential can reach a log
//! through it.

use std::sync::Arc;
use std::time::Duration;

/// A redacted view of one request for access logging.
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

/// What a handler learned about a request (call id, tool), kept in the
/// request's extensions for the `on_response` hook.
#[derive(Debug, Default, Clone)]
pub(crate) struct Notes {
    pub call_id: Option<String>,
    pub function: Option<&'static str>,
}
