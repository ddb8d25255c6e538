//! One module per example of `examples/` (except `secure_bank`, which most
//! modules of the suite drive, and `multi_agent`, tested in the suite's
//! `multi_agent`): each compiles its example's source once, with `#[path]`,
//! as its submodule `example`, and drives it through the real HTTP stack.

mod audited_transfers;
mod emergency_mode;
mod guarded;
mod healthcare;
mod payment;
mod pin_verification;
mod rate_limited;
mod verified_caller;
