//! The Lua scripts of the Redis store, each one atomic step on the server.
//!
//! A script is sent as `EVALSHA <sha1>` (40 bytes instead of its text); a
//! server that does not know it yet (first use, restart, `SCRIPT FLUSH`)
//! answers `NOSCRIPT`, and the same call is sent once more as `EVAL <text>`,
//! which also caches it on the server. (The `redis` crate's own `Script`
//! falls back to `SCRIPT LOAD` and a second `EVALSHA`: one round trip more.)

use std::sync::LazyLock;

use redis::{Arg, Cmd};
use sha1::{Digest, Sha1};

/// A Lua script with its SHA-1, computed once per process.
pub(super) struct Lua {
    code: &'static str,
    sha1: String,
}

impl Lua {
    fn new(code: &'static str) -> Self {
        let digest = Sha1::digest(code.as_bytes());
        Lua {
            code,
            sha1: digest.iter().map(|b| format!("{b:02x}")).collect(),
        }
    }

    /// `EVALSHA <sha1> 1 <key>`: the caller appends the script's arguments.
    pub(super) fn call(&self, key: impl redis::ToRedisArgs) -> Cmd {
        let mut cmd = redis::cmd("EVALSHA");
        cmd.arg(self.sha1.as_str()).arg(1).arg(key);
        cmd
    }

    /// The same call as `EVAL <text> ...`, for a server that answered
    /// `NOSCRIPT` to `evalsha` (built by [`Lua::call`]).
    pub(super) fn eval_form(&self, evalsha: &Cmd) -> Cmd {
        let mut cmd = redis::cmd("EVAL");
        cmd.arg(self.code);
        // Skip `EVALSHA` and the digest; keep the key count, keys and
        // arguments as they are.
        for arg in evalsha.args_iter().skip(2) {
            if let Arg::Simple(bytes) = arg {
                cmd.arg(bytes);
            }
        }
        cmd
    }
}

/// GCRA: one use of a rate-limited key (`rate.lua`).
pub(super) static RATE: LazyLock<Lua> = LazyLock::new(|| Lua::new(include_str!("rate.lua")));

/// Attempt counters with lockout: read, count a failure, reset
/// (`attempts.lua`).
pub(super) static ATTEMPTS: LazyLock<Lua> =
    LazyLock::new(|| Lua::new(include_str!("attempts.lua")));

/// One fact of a call, with the call's time to live re-armed
/// (`call_fact.lua`).
pub(super) static CALL_FACT: LazyLock<Lua> =
    LazyLock::new(|| Lua::new(include_str!("call_fact.lua")));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eval_form_carries_the_same_keys_and_arguments() {
        let mut evalsha = RATE.call("swml:a:rate:t:00");
        evalsha.arg(20_000_000u64).arg(40_000_000u64);
        let eval = RATE.eval_form(&evalsha);
        let args: Vec<Vec<u8>> = eval
            .args_iter()
            .filter_map(|a| match a {
                Arg::Simple(b) => Some(b.to_vec()),
                _ => None,
            })
            .collect();
        assert_eq!(args[0], b"EVAL");
        assert_eq!(args[1], RATE.code.as_bytes());
        assert_eq!(
            &args[2..],
            &[
                b"1".to_vec(),
                b"swml:a:rate:t:00".to_vec(),
                b"20000000".to_vec(),
                b"40000000".to_vec()
            ]
        );
        assert_eq!(RATE.sha1.len(), 40);
    }
}
