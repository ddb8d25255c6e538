// `#[tool(secure)]`, `#[sensitive]` and `#[tool(name = "...")]` together.
use agent_runtime::Agent;
use agent_runtime::prelude::*;

/// Manages accounts.
#[agent]
struct Accounts;

#[agent]
impl Accounts {
    /// Reset the PIN of an account.
    #[tool(secure, name = "reset_pin")]
    async fn reset(&self, account: String, #[sensitive] new_pin: String) -> ToolResult {
        let _ = (account, new_pin);
        ToolResult::new("Done.")
    }
}

fn main() {
    let tools = Accounts::tools();
    assert_eq!(tools[0].name, "reset_pin");
    assert!(tools[0].secure);
    assert_eq!(tools[0].sensitive, ["new_pin"]);
    let _ = Accounts.builder();
}
