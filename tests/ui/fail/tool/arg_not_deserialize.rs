use agent_runtime::prelude::*;

/// A plain struct, not declared with `#[tool_args]`.
struct Account {
    number: String,
}

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    /// Look up a balance.
    #[tool]
    async fn balance(&self, account: Account) -> ToolResult {
        ToolResult::new(account.number)
    }
}

fn main() {}
