use agent_runtime::prelude::*;

/// A plain struct, not declared with `#[tool_args]`.
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
    async fn transfer(&self, args: Transfer) -> ToolResult {
        ToolResult::new(args.amount.to_string())
    }
}

fn main() {}
