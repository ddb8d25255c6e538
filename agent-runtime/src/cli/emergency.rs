//! `emergency on|off|status`: the emergency switch of every replica, through
//! the shared state store. Without one there is nothing shared to switch:
//! the command says so instead of flipping a switch no replica reads.

use super::{CliOutput, EXIT_FAILURE, EXIT_OK, EmergencyCommand};
use crate::agent::Agent;
use crate::service::AgentBuilder;

pub(super) fn emergency<A: Agent>(
    mut builder: AgentBuilder<A>,
    command: EmergencyCommand,
    lookup: &impl Fn(&str) -> Option<String>,
) -> CliOutput {
    if builder.config_ref().is_some_and(|c| c.state_url.is_none()) {
        return CliOutput::failure(
            "the emergency command switches every replica through the shared state store: \
             set SWML_STATE_URL to the store the agent's replicas use (without one, each \
             replica has its own switch: use AgentService::emergency_switch in the process)",
        );
    }
    // Evaluated like `check`: a production configuration that would not
    // start is no reason to leave the switch out of reach.
    if let Some(c) = builder.config_mut() {
        c.production = false;
    }
    let svc = match builder.build() {
        Ok(svc) => svc,
        Err(e) => return CliOutput::failure(e),
    };
    let switch = svc.emergency_switch();
    let user = lookup("USER").unwrap_or_else(|| "unknown".to_owned());
    actix_web::rt::System::new().block_on(async move {
        let (word, on) = match command {
            EmergencyCommand::On => ("on", true),
            EmergencyCommand::Off => ("off", false),
            EmergencyCommand::Status => {
                return match switch.shared_state().await {
                    Ok(on) => CliOutput::new(
                        EXIT_OK,
                        format!("emergency mode is {}\n", if on { "ON" } else { "off" }),
                        "",
                    ),
                    Err(e) => CliOutput::failure(e),
                };
            }
        };
        let who = format!(
            "command `emergency {word}` (process {}, user {user})",
            std::process::id()
        );
        match switch.set_by(on, &who).await {
            Ok(()) => CliOutput::new(
                EXIT_OK,
                format!(
                    "emergency mode is now {} on every replica (within a second)\n",
                    if on { "ON" } else { "off" }
                ),
                "",
            ),
            Err(e) => CliOutput::new(
                EXIT_FAILURE,
                "",
                format!("error: {e}: no replica was switched\n"),
            ),
        }
    })
}
