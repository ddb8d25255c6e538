//! Emergency mode: withdraw every secure tool at run time, without a restart,
//! when something is wrong (a leaked credential, a misbehaving back end).
//! While it is on, secure tools are left out of new SWML and refused at
//! dispatch with a polite spoken message, and each refusal is audited;
//! ordinary tools keep working.
//!
//! ```text
//! cargo run --example emergency_mode
//! ```
//!
//! Then type `emergency on` or `emergency off` (and Enter) in the terminal
//! running the agent. Starting with `AGENT_EMERGENCY_MODE=true` starts with
//! the secure tools withdrawn. A production agent would drive the same
//! [`EmergencySwitch`] from its operations tooling (an authenticated admin
//! endpoint, a feature-flag service).

use std::io::BufRead;

use agent_runtime::EmergencySwitch;
use agent_runtime::prelude::*;

/// Pharmacy refill line.
#[agent(name = "emergency-mode")]
#[derive(Debug)]
pub struct Pharmacy;

#[agent]
impl Pharmacy {
    /// Tell the caller the pharmacy's opening hours.
    #[tool]
    fn opening_hours(&self) -> &'static str {
        "The pharmacy is open from 8 am to 8 pm, Monday to Saturday."
    }

    /// Order a refill of one of the caller's prescriptions, after the caller
    /// confirmed which one.
    #[tool(secure)]
    async fn order_refill(
        &self,
        caller: &Caller,
        #[schemars(
            description = "Prescription number printed on the label, RX- and 7 digits.",
            regex(pattern = r"^RX-[0-9]{7}$")
        )]
        prescription: String,
    ) -> ToolResult {
        match caller.number() {
            Some(_) => ToolResult::new(format!(
                "Refill of {prescription} ordered; it will be ready tomorrow after 2 pm."
            )),
            None => ToolResult::new("I cannot order refills without the number on file."),
        }
    }
}

/// Applies one operator command to the switch: `emergency on` or
/// `emergency off` (case and surrounding space ignored). Returns the new
/// state, or `None` when the line is not a command.
pub fn switch_for_demo(switch: &EmergencySwitch, command: &str) -> Option<bool> {
    let on = match command.trim().to_ascii_lowercase().as_str() {
        "emergency on" => true,
        "emergency off" => false,
        _ => return None,
    };
    // On this replica at once; with a shared store (SWML_STATE_URL) on every
    // replica within half a second. A store that cannot be written leaves
    // the switch flipped here only, and the audit record says so.
    // (The commands are read on a plain thread, hence the blocking form.)
    let _ = switch.set_blocking(on);
    Some(switch.is_on())
}

/// The configured agent (shared with the tests).
pub fn builder() -> AgentBuilder<Pharmacy> {
    Pharmacy
        .builder()
        .section(Section::new("Role").body("You take prescription refill requests for Example Pharmacy."))
        .section(
            Section::new("When a tool is unavailable")
                .body("Some tools may be withdrawn temporarily. If a tool is missing or refuses, apologise, do not retry, and suggest visiting or calling back later."),
        )
}

#[allow(dead_code)]
fn main() -> std::io::Result<()> {
    let service = builder().build()?;
    let switch = service.emergency_switch();
    eprintln!(
        "emergency mode is {}; type `emergency on` or `emergency off` to switch",
        if switch.is_on() { "ON" } else { "off" }
    );
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            match switch_for_demo(&switch, &line) {
                Some(on) => eprintln!("emergency mode is now {}", if on { "ON" } else { "off" }),
                None => eprintln!("commands: `emergency on`, `emergency off`"),
            }
        }
    });
    service.run()
}
