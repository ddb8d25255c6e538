use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    /// Look up a balance.
    #[tool]
    fn balance(&self) -> ToolResult {
        ToolResult::new("100 dollars.")
    }

    /// Look up the balance of the savings account.
    #[tool(name = "balance")]
    fn savings_balance(&self) -> ToolResult {
        ToolResult::new("200 dollars.")
    }
}

fn main() {}
