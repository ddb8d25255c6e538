//! `check`: the production checklist, item by item. It is the checklist
//! `AGENT_ENV=production` enforces at start-up (one function computes both:
//! `config::production`), so `check` exits 0 exactly when a production start
//! would be allowed.

use super::{CliOutput, EXIT_FAILURE, EXIT_OK};
use crate::agent::Agent;
use crate::service::AgentBuilder;

pub(super) fn check<A: Agent>(mut builder: AgentBuilder<A>) -> CliOutput {
    // Build as in development so a production configuration that would be
    // refused at start-up is still evaluated item by item.
    let production = builder.config_ref().is_some_and(|c| c.production);
    if let Some(c) = builder.config_mut() {
        c.production = false;
    }
    let env = if production {
        "production"
    } else {
        "development"
    };
    let mut out = format!(
        "production checklist for agent `{}` (AGENT_ENV={env})\n",
        A::NAME
    );
    let svc = match builder.build() {
        Ok(svc) => svc,
        Err(e) => {
            out.push_str(&format!("FAIL    configuration: {e}\n"));
            return CliOutput::new(EXIT_FAILURE, out, "");
        }
    };
    let checklist = svc.checklist();
    for item in &checklist.items {
        out.push_str(&format!("{item}\n"));
    }
    let blocking = checklist.blocking().count();
    let waived = checklist.waived().count();
    let total = checklist.items.len();
    if blocking == 0 {
        out.push_str(&format!(
            "production start allowed: {} of {total} checks passed, {waived} waived\n",
            total - waived
        ));
        CliOutput::new(EXIT_OK, out, "")
    } else {
        out.push_str(&format!(
            "production start refused: {blocking} of {total} checks failed, {waived} waived\n"
        ));
        CliOutput::new(EXIT_FAILURE, out, "")
    }
}
