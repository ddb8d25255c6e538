use agent_runtime::prelude::*;

/// An account number.
#[tool_args]
struct Account(String);

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    /// Look up a balance.
    #[tool]
    async fn balance(&self, args: Account) -> ToolResult {
        ToolResult::new(args.0)
    }
}

fn main() {}
