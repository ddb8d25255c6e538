use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    /// Look up a balance.
    #[tool]
    async fn balance(&self, account: &String) -> ToolResult {
        ToolResult::new(account.clone())
    }
}

fn main() {}
