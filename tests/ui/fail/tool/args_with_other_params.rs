use agent_runtime::prelude::*;

/// A transfer.
#[tool_args]
struct Transfer {
    amount: u32,
}

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    /// Move money.
    #[tool]
    async fn transfer(&self, args: Transfer, memo: String) -> ToolResult {
        ToolResult::new(format!("{} {memo}", args.amount))
    }
}

fn main() {}
