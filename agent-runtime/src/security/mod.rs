//! Security primitives with no knowledge of HTTP routing or agents: basic
//! authentication, per-call tool tokens and the platform's webhook
//! signatures. The `http` layer decides when each is applied.

pub(crate) mod auth;
#[cfg(test)]
mod props;
pub(crate) mod signature;
pub mod token;
