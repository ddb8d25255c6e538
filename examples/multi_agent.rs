//! Two agents in one process: a front desk on `/desk` and billing on
//! `/billing`, each with its own credentials, token key and limits, sharing
//! `/health` and `/ready`.
//!
//! ```text
//! cargo run --example multi_agent
//! ```
//!
//! Each agent reads its settings from variables with its own prefix first
//! (`DESK_SWML_BASIC_AUTH_PASSWORD`, `BILLING_SIGNALWIRE_SWAIG_SECRET`, ...),
//! then from the shared name (`PORT`, `SWML_PROXY_URL_BASE`, ...). Unset
//! passwords are generated per agent and printed once.

use agent_runtime::AgentConfig;
use agent_runtime::multi::{AgentServer, MultiService};
use agent_runtime::prelude::*;

/// Front desk of Example Clinic: opening hours and directions.
#[agent(name = "front-desk", route = "/desk")]
#[derive(Debug)]
pub struct FrontDesk;

#[agent]
impl FrontDesk {
    /// Tell the caller when the clinic is open.
    #[tool]
    fn opening_hours(&self) -> ToolResult {
        ToolResult::new("We are open Monday to Friday, 8 am to 6 pm.")
    }
}

/// Billing desk of Example Clinic.
#[agent(name = "billing", route = "/billing")]
#[derive(Debug)]
pub struct Billing;

#[agent]
impl Billing {
    /// Read the open balance of the caller's invoice.
    #[tool]
    fn invoice_balance(&self, invoice: String) -> ToolResult {
        ToolResult::new(format!("Invoice {invoice} has 40 dollars open."))
    }

    /// Refund an overpaid invoice to the card on file, after the caller
    /// confirmed it out loud.
    #[tool(secure, rate_limit = "3/hour")]
    fn refund_invoice(&self, invoice: String) -> ToolResult {
        ToolResult::new(format!("The overpayment on invoice {invoice} is refunded."))
    }
}

/// `PREFIX_NAME`, else `NAME`.
fn prefixed(
    prefix: &'static str,
    lookup: impl Fn(&str) -> Option<String>,
) -> impl Fn(&str) -> Option<String> {
    move |name| lookup(&format!("{prefix}_{name}")).or_else(|| lookup(name))
}

/// Both agents, configured through `lookup` (the environment in `main`).
pub fn server(
    lookup: impl Fn(&str) -> Option<String> + Copy,
) -> Result<MultiService, Box<dyn std::error::Error>> {
    let desk = FrontDesk
        .builder()
        .config(AgentConfig::from_lookup(prefixed("DESK", lookup))?)
        .section(Section::new("Role").body("You are the front desk of Example Clinic."))
        .build()?;
    let billing = Billing
        .builder()
        .config(AgentConfig::from_lookup(prefixed("BILLING", lookup))?)
        .section(
            Section::new("Role")
                .body("You are the billing desk of Example Clinic.")
                .bullet("Confirm the invoice number before any refund."),
        )
        .build()?;
    Ok(AgentServer::new().agent(desk).agent(billing).build()?)
}

#[allow(dead_code)]
fn main() -> std::io::Result<()> {
    server(|name| std::env::var(name).ok())
        .map_err(|e| std::io::Error::other(e.to_string()))?
        .run()
}
