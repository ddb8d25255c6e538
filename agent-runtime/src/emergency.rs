//! Emergency mode: a switch that withdraws secure tools while it is on.
//!
//! With a shared state store (`SWML_STATE_URL`) the switch is shared by
//! every replica of the agent: a flip on one replica (or with the agent's
//! `emergency on|off` command) is seen by the others within
//! [`REFRESH_AFTER`], because each replica re-reads the shared flag when its
//! copy is older than that (on the request path, one read at a time, within
//! the store's timeout; while the store cannot be read, the last known value
//! holds). Every flip is an audit record (`emergency_switch`) naming who
//! flipped it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::audit::{AuditEvent, AuditRecord, AuditTrail};
use crate::store::{StateStore, StoreError};

/// How old the local copy of a shared flag may be.
pub const REFRESH_AFTER: Duration = Duration::from_millis(500);

/// The run-time emergency switch: while on, secure tools are left out of new
/// SWML and refused at dispatch with a polite spoken message (each refusal is
/// audited). Clone it freely; all clones control the same agent.
///
/// ```no_run
/// # async fn demo<A: agent_runtime::Agent>(svc: &agent_runtime::AgentService<A>) {
/// let switch = svc.emergency_switch();
/// // e.g. from an admin endpoint or a signal handler
/// if switch.set(true).await.is_err() {
///     // On for this replica; the shared store could not be told.
/// }
/// # }
/// ```
#[derive(Clone)]
pub struct EmergencySwitch {
    inner: Arc<Inner>,
}

struct Inner {
    on: AtomicBool,
    store: StateStore,
    audit: AuditTrail,
    agent: &'static str,
    started: Instant,
    /// When the local copy was last read from the shared store, in
    /// milliseconds since `started` (0: never).
    refreshed_ms: AtomicU64,
    refreshing: AtomicBool,
}

impl std::fmt::Debug for EmergencySwitch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmergencySwitch")
            .field("on", &self.is_on())
            .field("shared", &self.inner.store.is_shared())
            .finish()
    }
}

impl EmergencySwitch {
    pub(crate) fn new(on: bool, store: StateStore, audit: AuditTrail, agent: &'static str) -> Self {
        EmergencySwitch {
            inner: Arc::new(Inner {
                on: AtomicBool::new(on),
                store,
                audit,
                agent,
                started: Instant::now(),
                refreshed_ms: AtomicU64::new(0),
                refreshing: AtomicBool::new(false),
            }),
        }
    }

    /// Whether emergency mode is on (as last known on this replica).
    pub fn is_on(&self) -> bool {
        self.inner.on.load(Ordering::Relaxed)
    }

    /// Turns emergency mode on or off: at once on this replica, and in the
    /// shared store when there is one (then on every replica within
    /// half a second). The flip is audited as made by this process.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the shared store could not be written; the
    /// switch is then flipped on this replica only.
    pub async fn set(&self, on: bool) -> Result<(), StoreError> {
        let who = format!("process {} (run-time switch)", std::process::id());
        self.set_by(on, &who).await
    }

    /// [`set`](Self::set) from a plain thread outside any async runtime (an
    /// operator console, a signal-handling thread). It runs the flip on a
    /// small runtime of its own; do not call it from async code.
    ///
    /// # Errors
    ///
    /// As [`set`](Self::set).
    pub fn set_blocking(&self, on: bool) -> Result<(), StoreError> {
        actix_web::rt::System::new().block_on(self.set(on))
    }

    /// [`set`](Self::set), naming who flipped it in the audit record.
    pub(crate) async fn set_by(&self, on: bool, who: &str) -> Result<(), StoreError> {
        let was = self.inner.on.swap(on, Ordering::SeqCst);
        let shared = self.inner.store.set_emergency(on).await;
        let mut record = AuditRecord::new(
            AuditEvent::EmergencySwitch,
            if on { "on" } else { "off" },
            who,
        );
        record.function = Some(self.inner.agent.to_owned());
        if was == on && shared.is_ok() {
            record.reason.push_str(" (no change)");
        }
        if shared.is_err() {
            record
                .reason
                .push_str(" (this replica only: the shared store was not written)");
        }
        self.inner.audit.emit(&record);
        shared
    }

    /// The shared flag as the store holds it now (`Ok(false)` when the store
    /// holds none).
    #[cfg(feature = "cli")]
    pub(crate) async fn shared_state(&self) -> Result<bool, StoreError> {
        Ok(self.inner.store.emergency().await?.unwrap_or(false))
    }

    /// Re-reads the shared flag when the local copy is older than
    /// half a second and no other request is reading it. Without a shared
    /// store, or while the store cannot be read, the local copy holds.
    pub(crate) async fn refresh(&self) {
        let inner = &self.inner;
        if !inner.store.is_shared() {
            return;
        }
        let now = u64::try_from(inner.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let last = inner.refreshed_ms.load(Ordering::Relaxed);
        let stale = last == 0 || now.saturating_sub(last) >= REFRESH_AFTER.as_millis() as u64;
        if !stale || inner.refreshing.swap(true, Ordering::Acquire) {
            return;
        }
        if let Ok(Some(on)) = inner.store.emergency().await {
            inner.on.store(on, Ordering::Relaxed);
        }
        inner.refreshed_ms.store(now.max(1), Ordering::Relaxed);
        inner.refreshing.store(false, Ordering::Release);
    }
}
