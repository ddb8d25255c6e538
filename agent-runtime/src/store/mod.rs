//! Shared security state: what several replicas of an agent must agree on
//! besides tokens — rate limits, attempt counters with lockout, per-call
//! facts (such as "this caller passed PIN verification") and the emergency
//! switch.
//!
//! One abstraction, two backends: in-process (the default; one replica) and
//! Redis (`SWML_STATE_URL=redis://host:port/db` or `rediss://...`), where every
//! operation is one atomic command or Lua script, keys are namespaced per
//! agent and every key has a time to live.
//!
//! No request waits on the store for longer than its timeout
//! (`SWML_STATE_TIMEOUT_MS`); a store that does not answer in time is
//! [`StoreError::Unavailable`], and the caller decides: decisions that protect
//! something fail closed, throttling follows the configured policy.

mod memory;
mod redis;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::ratelimit::Rate;

pub(crate) use memory::MemoryStore;
pub(crate) use redis::RedisStore;

/// Why the store could not answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreError {
    /// The store did not answer within its timeout, or is not reachable.
    Unavailable,
    /// The store answered something this runtime did not write (never a
    /// value from a caller).
    Malformed,
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StoreError::Unavailable => "the state store is unavailable",
            StoreError::Malformed => "the state store answered something unexpected",
        })
    }
}

impl std::error::Error for StoreError {}

/// How many failures lock a subject out, within which window, and for how
/// long: `Lockout::after(3).within(Duration::from_secs(900)).lock_for(Duration::from_secs(900))`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lockout {
    /// Failures that lock.
    pub max_failures: u32,
    /// Failures older than this are forgotten.
    pub window: Duration,
    /// How long a subject stays locked.
    pub lock_for: Duration,
}

impl Lockout {
    /// Locks after `max_failures` failures (at least 1), counted over 15
    /// minutes, for 15 minutes.
    pub fn after(max_failures: u32) -> Self {
        Lockout {
            max_failures: max_failures.max(1),
            window: Duration::from_secs(900),
            lock_for: Duration::from_secs(900),
        }
    }

    /// Counts failures over `window`.
    pub fn within(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Locks for `lock_for` once the failures are used up.
    pub fn lock_for(mut self, lock_for: Duration) -> Self {
        self.lock_for = lock_for;
        self
    }
}

/// Where a subject stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptStatus {
    /// Failures counted in the current window.
    pub failures: u32,
    /// Failures left before the lock (0 when locked).
    pub remaining: u32,
    /// How long the lock still lasts, when locked.
    pub locked_for: Option<Duration>,
}

impl AttemptStatus {
    /// Whether the subject is locked out.
    pub fn is_locked(&self) -> bool {
        self.locked_for.is_some()
    }
}

/// A fixed-size, deterministic name for a caller-supplied string (a caller
/// number, an account, a client address): the same on every replica, 32 hex
/// characters whatever was sent, and not the string itself.
pub(crate) fn subject_key(text: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"agent-runtime/state-key/v1\0")
        .chain_update(text.as_bytes())
        .finalize();
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// The backend.
enum Backend {
    Memory(MemoryStore),
    Redis(RedisStore),
}

/// The state store of one agent (clone freely: clones share the store).
#[derive(Clone)]
pub(crate) struct StateStore {
    inner: Arc<Inner>,
}

struct Inner {
    backend: Backend,
    timeout: Duration,
}

impl std::fmt::Debug for StateStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.inner.backend {
            Backend::Memory(_) => "in-process",
            Backend::Redis(_) => "redis",
        };
        f.debug_struct("StateStore")
            .field("backend", &kind)
            .field("timeout", &self.inner.timeout)
            .finish()
    }
}

/// Runs a backend call within the store's timeout.
async fn bounded<T>(
    timeout: Duration,
    call: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    actix_web::rt::time::timeout(timeout, call)
        .await
        .unwrap_or(Err(StoreError::Unavailable))
}

impl StateStore {
    /// The in-process store, with these rate-limit scopes.
    pub(crate) fn in_process(scopes: Vec<(String, Rate)>) -> Self {
        StateStore {
            inner: Arc::new(Inner {
                backend: Backend::Memory(MemoryStore::new(scopes)),
                timeout: Duration::from_secs(1),
            }),
        }
    }

    /// A Redis store at `url`, its keys under `namespace` (the agent).
    pub(crate) fn redis(
        url: &str,
        namespace: &str,
        scopes: Vec<(String, Rate)>,
        timeout: Duration,
    ) -> Result<Self, StoreError> {
        Ok(StateStore {
            inner: Arc::new(Inner {
                backend: Backend::Redis(RedisStore::new(url, namespace, scopes)?),
                timeout,
            }),
        })
    }

    /// Whether the store is shared between processes.
    pub(crate) fn is_shared(&self) -> bool {
        matches!(self.inner.backend, Backend::Redis(_))
    }

    /// Counts one use of `key` in rate-limit `scope`: `Ok(Err(wait))` when
    /// the key's allowance is used up. A scope without a rate allows all.
    pub(crate) async fn rate(
        &self,
        scope: &str,
        key: &str,
    ) -> Result<Result<(), Duration>, StoreError> {
        match &self.inner.backend {
            Backend::Memory(m) => Ok(m.rate(scope, key)),
            Backend::Redis(r) => bounded(self.inner.timeout, r.rate(scope, key)).await,
        }
    }

    /// Where `subject` stands for attempts of `kind`.
    pub(crate) async fn attempts(
        &self,
        kind: &str,
        subject: &str,
        limit: Lockout,
    ) -> Result<AttemptStatus, StoreError> {
        match &self.inner.backend {
            Backend::Memory(m) => Ok(m.attempts(kind, subject, limit)),
            Backend::Redis(r) => {
                bounded(self.inner.timeout, r.attempts(kind, subject, limit)).await
            }
        }
    }

    /// Counts one failure of `subject` for `kind`, locking it when the
    /// failures are used up.
    pub(crate) async fn attempt_failed(
        &self,
        kind: &str,
        subject: &str,
        limit: Lockout,
    ) -> Result<AttemptStatus, StoreError> {
        match &self.inner.backend {
            Backend::Memory(m) => Ok(m.attempt_failed(kind, subject, limit)),
            Backend::Redis(r) => {
                bounded(self.inner.timeout, r.attempt_failed(kind, subject, limit)).await
            }
        }
    }

    /// Forgets the failures of `subject` for `kind` (a lock stays until it
    /// ends).
    pub(crate) async fn attempts_reset(&self, kind: &str, subject: &str) -> Result<(), StoreError> {
        match &self.inner.backend {
            Backend::Memory(m) => {
                m.attempts_reset(kind, subject);
                Ok(())
            }
            Backend::Redis(r) => bounded(self.inner.timeout, r.attempts_reset(kind, subject)).await,
        }
    }

    /// Every fact stored for `call_id`.
    pub(crate) async fn call_facts(&self, call_id: &str) -> Result<Map<String, Value>, StoreError> {
        match &self.inner.backend {
            Backend::Memory(m) => Ok(m.call_facts(call_id)),
            Backend::Redis(r) => bounded(self.inner.timeout, r.call_facts(call_id)).await,
        }
    }

    /// Stores one fact for `call_id`, kept for `ttl` (the token lifetime).
    pub(crate) async fn set_call_fact(
        &self,
        call_id: &str,
        name: &str,
        value: &Value,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        match &self.inner.backend {
            Backend::Memory(m) => {
                m.set_call_fact(call_id, name, value, ttl);
                Ok(())
            }
            Backend::Redis(r) => {
                bounded(
                    self.inner.timeout,
                    r.set_call_fact(call_id, name, value, ttl),
                )
                .await
            }
        }
    }

    /// The shared emergency flag (`None` when the store keeps none: the
    /// in-process store leaves the switch to the process).
    pub(crate) async fn emergency(&self) -> Result<Option<bool>, StoreError> {
        match &self.inner.backend {
            Backend::Memory(_) => Ok(None),
            Backend::Redis(r) => bounded(self.inner.timeout, r.emergency()).await,
        }
    }

    /// Sets the shared emergency flag (a no-op for the in-process store).
    pub(crate) async fn set_emergency(&self, on: bool) -> Result<(), StoreError> {
        match &self.inner.backend {
            Backend::Memory(_) => Ok(()),
            Backend::Redis(r) => bounded(self.inner.timeout, r.set_emergency(on)).await,
        }
    }
}
