//! Emergency mode: a switch that withdraws secure tools while it is on.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The run-time emergency switch: while on, secure tools are left out of new
/// SWML and refused at dispatch with a polite spoken message (each refusal is
/// audited). Clone it freely; all clones control the same agent.
///
/// ```no_run
/// # fn demo<A: agent_runtime::Agent>(svc: &agent_runtime::AgentService<A>) {
/// let switch = svc.emergency_switch();
/// switch.set(true); // e.g. from an admin endpoint or a signal handler
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct EmergencySwitch(Arc<AtomicBool>);

impl EmergencySwitch {
    pub(crate) fn new(on: bool) -> Self {
        EmergencySwitch(Arc::new(AtomicBool::new(on)))
    }
    /// Turns emergency mode on or off.
    pub fn set(&self, on: bool) {
        let was = self.0.swap(on, Ordering::SeqCst);
        if was != on {
            tracing::warn!(target: "agent_runtime::audit", event = "emergency_mode", on, "emergency mode switched");
        }
    }
    /// Whether emergency mode is on.
    pub fn is_on(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}
