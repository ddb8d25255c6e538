//! The Redis store (`SWML_STATE_URL`): the state several replicas of an
//! agent share.
//!
//! **Client.** The `redis` crate (redis-rs, 1.x): the established Rust
//! client for Redis and Valkey, released regularly and tested against both;
//! its `ConnectionManager` keeps one multiplexed connection and reopens it
//! when it breaks, and `rediss://` goes through rustls, which the workspace
//! already uses (no OpenSSL, no second TLS stack). Features: `tokio-comp`,
//! `connection-manager`, `tokio-rustls-comp`, nothing else (its `script`
//! feature is not needed: [`scripts`] sends scripts by digest itself, with
//! a cheaper fallback). How the connection is run (one thread of its own,
//! reached through a bounded queue) is in [`link`].
//!
//! **Operations.** Each is one atomic command or one Lua script
//! ([`scripts`]), and every script reads the server's clock (`TIME`), so
//! replicas whose clocks disagree still agree on windows and locks.
//!
//! **Keys**, all under `swml:<namespace>:` (the namespace is the agent), all
//! with a time to live:
//!
//! | key | type | lives until |
//! | --- | --- | --- |
//! | `rate:<scope>:<h>` | string: GCRA arrival time (µs) | the key's allowance is full again |
//! | `attempts:<kind>:<h>` | hash `f`, `w`, `l`: failures, window end, lock end (µs) | both window and lock have ended |
//! | `call:<h>` | hash: fact name → JSON text | the `ttl` of the last fact set |
//! | `emergency` | string `1` or `0` | 7 days after it was last read or written |
//!
//! `<h>` is [`subject_key`] of what a caller sent (caller id, client
//! address, call id): 32 hex characters, never the text itself. `<scope>`
//! and `<kind>` are names from the agent's code (tool names, `http`, the
//! kind of attempt), never from a caller.
//!
//! **The emergency flag** is kept for [`EMERGENCY_TTL`] and re-armed on every
//! read and write (`GETEX ... EX`, `SET ... EX`): replicas read it every
//! few hundred milliseconds while they serve, so it does not expire under
//! use. If no replica reads or writes it for 7 days it expires, and then
//! reads as off, exactly like a flag that was never set; from then on the
//! switch is whatever replicas start with (`AGENT_EMERGENCY_MODE`) or set.
//! A replica that starts with emergency mode on must therefore write the
//! flag, not only read it: a read of a missing flag says off.
//!
//! Needs Redis 6.2 or later (`GETEX`).

mod link;
mod scripts;
#[cfg(test)]
mod test_server;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::io::Write as _;
use std::time::Duration;

use redis::{RedisWrite, ToRedisArgs, Value};
use serde_json::{Map, Value as Json};

use self::link::{Link, Target};
use self::scripts::{ATTEMPTS, CALL_FACT, RATE};
use super::{AttemptStatus, Lockout, StoreError, subject_key};
use crate::ratelimit::Rate;

/// How long the emergency flag outlives its last read or write.
const EMERGENCY_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

/// The longest time span sent to a script, in microseconds (about 35
/// years): Lua numbers are doubles, exact up to 2^53, and the server's
/// clock in microseconds is about 2^51 today.
const MAX_SPAN_US: u64 = 1 << 50;

/// The longest time to live sent to Redis, in milliseconds (100 years: far
/// beyond any token lifetime, and well inside what `PEXPIRE` accepts).
const MAX_TTL_MS: u64 = 100 * 365 * 24 * 3600 * 1000;

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros())
        .unwrap_or(u64::MAX)
        .min(MAX_SPAN_US)
}

/// One rate-limit scope, prepared once: its key prefix and its GCRA
/// parameters, as the in-process limiter derives them from the [`Rate`].
struct Scope {
    prefix: String,
    /// `per / count`, in whole microseconds (at least 1; rounded up, so
    /// never more permissive than the rate).
    interval_us: u64,
    /// `interval * (count - 1)`: how far ahead of now the arrival time may
    /// run, which is what allows a burst of `count`.
    tolerance_us: u64,
}

impl Scope {
    fn new(prefix: String, rate: Rate) -> Self {
        // The in-process limiter's period: `per / count`, in nanoseconds.
        let interval_ns = (rate.per / rate.count.get()).as_nanos();
        let interval_us = u64::try_from(interval_ns.div_ceil(1000))
            .unwrap_or(u64::MAX)
            .clamp(1, MAX_SPAN_US);
        let tolerance_us = interval_us
            .saturating_mul(u64::from(rate.count.get() - 1))
            .min(MAX_SPAN_US);
        Scope {
            prefix,
            interval_us,
            tolerance_us,
        }
    }
}

/// A key name written straight into the command: the fixed parts and the
/// subject's hash, without building a `String` first.
struct Key<'a>(&'a [&'a str]);

impl ToRedisArgs for Key<'_> {
    fn write_redis_args<W>(&self, out: &mut W)
    where
        W: ?Sized + RedisWrite,
    {
        let mut arg = out.writer_for_next_arg();
        for part in self.0 {
            // Writing into the command's own buffer cannot fail.
            let _ = arg.write_all(part.as_bytes());
        }
    }
}

/// A Redis-backed store for one agent. `Debug` shows where, never the
/// credentials.
pub(crate) struct RedisStore {
    link: Link,
    target: Target,
    /// `swml:<namespace>:attempts:`
    attempts_prefix: String,
    /// `swml:<namespace>:call:`
    call_prefix: String,
    /// `swml:<namespace>:emergency`
    emergency_key: String,
    scopes: HashMap<String, Scope>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("target", &self.target)
            .field("keys", &self.call_prefix.trim_end_matches("call:"))
            .field("scopes", &self.scopes.len())
            .finish()
    }
}

impl RedisStore {
    /// A store at `url` (`redis://[user:password@]host[:port][/db]` or
    /// `rediss://...`), its keys under `swml:<namespace>:`, with these rate
    /// scopes. Returns at once, without connecting: a store that is down at
    /// start-up makes operations fail as `Unavailable` until it is up.
    pub(crate) fn new(
        url: &str,
        namespace: &str,
        scopes: Vec<(String, Rate)>,
    ) -> Result<Self, StoreError> {
        let target = Target::parse(url)?;
        let base = format!("swml:{namespace}:");
        let scopes = scopes
            .into_iter()
            .map(|(name, rate)| {
                let prefix = format!("{base}rate:{name}:");
                (name, Scope::new(prefix, rate))
            })
            .collect();
        Ok(RedisStore {
            link: Link::start(target.clone())?,
            target,
            attempts_prefix: format!("{base}attempts:"),
            call_prefix: format!("{base}call:"),
            emergency_key: format!("{base}emergency"),
            scopes,
        })
    }

    /// Counts one use of `key` in `scope`: `Ok(Err(wait))` when its
    /// allowance is used up. A scope without a rate allows all.
    pub(crate) async fn rate(
        &self,
        scope: &str,
        key: &str,
    ) -> Result<Result<(), Duration>, StoreError> {
        let Some(rule) = self.scopes.get(scope) else {
            return Ok(Ok(()));
        };
        let subject = subject_key(key);
        let mut cmd = RATE.call(Key(&[&rule.prefix, &subject]));
        cmd.arg(rule.interval_us).arg(rule.tolerance_us);
        match integer(self.link.script(&RATE, cmd).await?)? {
            0 => Ok(Ok(())),
            wait if wait > 0 => Ok(Err(Duration::from_micros(wait.unsigned_abs()))),
            _ => Err(StoreError::Malformed),
        }
    }

    async fn attempts_op(
        &self,
        op: &str,
        kind: &str,
        subject: &str,
        limit: Lockout,
    ) -> Result<Value, StoreError> {
        let subject = subject_key(subject);
        let mut cmd = ATTEMPTS.call(Key(&[&self.attempts_prefix, kind, ":", &subject]));
        cmd.arg(op)
            .arg(limit.max_failures)
            .arg(micros(limit.window))
            .arg(micros(limit.lock_for));
        self.link.script(&ATTEMPTS, cmd).await
    }

    /// Where `subject` stands for attempts of `kind`.
    pub(crate) async fn attempts(
        &self,
        kind: &str,
        subject: &str,
        limit: Lockout,
    ) -> Result<AttemptStatus, StoreError> {
        status(self.attempts_op("read", kind, subject, limit).await?)
    }

    /// Counts one failure of `subject`, locking it when the failures are
    /// used up (a failure during a lock changes nothing).
    pub(crate) async fn attempt_failed(
        &self,
        kind: &str,
        subject: &str,
        limit: Lockout,
    ) -> Result<AttemptStatus, StoreError> {
        status(self.attempts_op("fail", kind, subject, limit).await?)
    }

    /// Forgets the failures of `subject`; a running lock stays.
    pub(crate) async fn attempts_reset(&self, kind: &str, subject: &str) -> Result<(), StoreError> {
        // The limits do not matter to a reset.
        let limit = Lockout::after(1);
        match self.attempts_op("reset", kind, subject, limit).await? {
            Value::Int(0) => Ok(()),
            _ => Err(StoreError::Malformed),
        }
    }

    /// Every fact stored for `call_id`.
    pub(crate) async fn call_facts(&self, call_id: &str) -> Result<Map<String, Json>, StoreError> {
        let call = subject_key(call_id);
        let mut cmd = redis::cmd("HGETALL");
        cmd.arg(Key(&[&self.call_prefix, &call]));
        let pairs: Vec<(String, String)> = redis::from_redis_value(self.link.query(cmd).await?)
            .map_err(|_| StoreError::Malformed)?;
        pairs
            .into_iter()
            .map(|(name, text)| {
                serde_json::from_str(&text)
                    .map(|value| (name, value))
                    .map_err(|_| StoreError::Malformed)
            })
            .collect()
    }

    /// Stores one fact for `call_id` and keeps the call's facts for `ttl`
    /// from now.
    pub(crate) async fn set_call_fact(
        &self,
        call_id: &str,
        name: &str,
        value: &Json,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let call = subject_key(call_id);
        // Serialising a `Value` cannot fail (its map keys are strings).
        let text = serde_json::to_string(value).map_err(|_| StoreError::Malformed)?;
        let ttl_ms = u64::try_from(ttl.as_nanos().div_ceil(1_000_000))
            .unwrap_or(u64::MAX)
            .min(MAX_TTL_MS);
        let mut cmd = CALL_FACT.call(Key(&[&self.call_prefix, &call]));
        cmd.arg(name).arg(text).arg(ttl_ms);
        match self.link.script(&CALL_FACT, cmd).await? {
            Value::Int(0) => Ok(()),
            _ => Err(StoreError::Malformed),
        }
    }

    /// The shared emergency flag (`None` when it was never set, or
    /// expired: the replica then keeps its own setting), re-armed for
    /// [`EMERGENCY_TTL`].
    pub(crate) async fn emergency(&self) -> Result<Option<bool>, StoreError> {
        let mut cmd = redis::cmd("GETEX");
        cmd.arg(&self.emergency_key)
            .arg("EX")
            .arg(EMERGENCY_TTL.as_secs());
        match self.link.query(cmd).await? {
            Value::Nil => Ok(None),
            Value::BulkString(b) if b == b"1" => Ok(Some(true)),
            Value::BulkString(b) if b == b"0" => Ok(Some(false)),
            _ => Err(StoreError::Malformed),
        }
    }

    /// Sets the shared emergency flag, kept for [`EMERGENCY_TTL`]. Off is
    /// written as `0`, not deleted: what an operator finds in the store is
    /// what was last decided.
    pub(crate) async fn set_emergency(&self, on: bool) -> Result<(), StoreError> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(&self.emergency_key)
            .arg(if on { "1" } else { "0" })
            .arg("EX")
            .arg(EMERGENCY_TTL.as_secs());
        match self.link.query(cmd).await? {
            Value::Okay => Ok(()),
            Value::SimpleString(s) if s == "OK" => Ok(()),
            _ => Err(StoreError::Malformed),
        }
    }
}

fn integer(value: Value) -> Result<i64, StoreError> {
    match value {
        Value::Int(i) => Ok(i),
        _ => Err(StoreError::Malformed),
    }
}

/// `{failures, remaining, locked_for_us}` from the attempts script.
fn status(value: Value) -> Result<AttemptStatus, StoreError> {
    let Value::Array(items) = value else {
        return Err(StoreError::Malformed);
    };
    let [failures, remaining, locked_us] = <[Value; 3]>::try_from(items)
        .map_err(|_| StoreError::Malformed)?
        .map(integer);
    let count = |v: Result<i64, StoreError>| u32::try_from(v?).map_err(|_| StoreError::Malformed);
    let locked_us = u64::try_from(locked_us?).map_err(|_| StoreError::Malformed)?;
    Ok(AttemptStatus {
        failures: count(failures)?,
        remaining: count(remaining)?,
        locked_for: (locked_us > 0).then(|| Duration::from_micros(locked_us)),
    })
}
