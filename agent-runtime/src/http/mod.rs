//! The HTTP face of an agent: its routes ([`routes`], the metrics listener's
//! too), the checks every request passes first ([`gate`]), the access layer
//! (request metrics, hooks and CORS headers, [`access_log`]), body reading
//! ([`body`]) and the post-prompt endpoint ([`summary`]).

pub(crate) mod access_log;
pub(crate) mod body;
pub(crate) mod gate;
pub(crate) mod routes;
mod summary;
