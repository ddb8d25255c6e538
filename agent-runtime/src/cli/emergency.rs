//! `emergency on [SCOPE]|off [SCOPE]|status`: the emergency switch of every replica, through
//! the shared state store. Without one there is nothing shared to switch:
//! the command says so instead of flipping a switch no replica reads.
//!
//! No logger runs in a command, so the switch's audit record is printed on
//! the command's stderr (`audit: {...}`, as `call` prints its records), and
//! reaches the agent's own sinks (an audit file) as well.

use std::sync::Arc;

use super::{CliOutput, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, EmergencyCommand};
use crate::agent::Agent;
use crate::audit::MemoryAuditSink;
use crate::emergency::EmergencyError;
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
    let shown = MemoryAuditSink::new();
    builder = builder.audit_sink(Arc::new(shown.clone()));
    let svc = match builder.build() {
        Ok(svc) => svc,
        Err(e) => return CliOutput::failure(e),
    };
    let switch = svc.emergency_switch();
    let user = lookup("USER").unwrap_or_else(|| "unknown".to_owned());
    actix_web::rt::System::new().block_on(async move {
        let (word, scope, on) = match command {
            EmergencyCommand::On { scope } => ("on", Some(scope), true),
            EmergencyCommand::Off { scope } => ("off", scope, false),
            EmergencyCommand::Status => {
                return match switch.shared_scopes().await {
                    Ok(scopes) if scopes.is_empty() => {
                        CliOutput::new(EXIT_OK, "emergency mode is off\n", "")
                    }
                    Ok(scopes) => {
                        let list: Vec<String> = scopes.iter().map(ToString::to_string).collect();
                        CliOutput::new(
                            EXIT_OK,
                            format!("emergency mode is ON: {}\n", list.join(", ")),
                            "",
                        )
                    }
                    Err(e) => CliOutput::failure(e),
                };
            }
        };
        let named = scope
            .as_ref()
            .map_or_else(|| "all".to_owned(), ToString::to_string);
        let who = format!(
            "command `emergency {word} {named}` (process {}, user {user})",
            std::process::id()
        );
        let result = match scope {
            Some(scope) => switch.switch(scope, on, &who).await,
            None => switch.clear(&who).await,
        };
        let audit: String = shown
            .records()
            .iter()
            .map(|r| format!("audit: {}\n", r.to_json()))
            .collect();
        match result {
            Ok(()) => {
                let now: Vec<String> = switch.scopes().iter().map(ToString::to_string).collect();
                let state = if now.is_empty() {
                    "off".to_owned()
                } else {
                    format!("ON: {}", now.join(", "))
                };
                CliOutput::new(
                    EXIT_OK,
                    format!("emergency mode is now {state} on every replica (within a second)\n"),
                    audit,
                )
            }
            Err(e @ (EmergencyError::UnknownTool | EmergencyError::UnknownGroup)) => {
                CliOutput::new(
                    EXIT_USAGE,
                    "",
                    format!("error: {e}: nothing was switched\n"),
                )
            }
            Err(EmergencyError::Store(e)) => CliOutput::new(
                EXIT_FAILURE,
                "",
                format!("{audit}error: {e}: no replica was switched\n"),
            ),
        }
    })
}
