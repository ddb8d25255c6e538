use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    /// Close an account.
    #[tool(secure = true)]
    fn close(&self) -> ToolResult {
        ToolResult::new("Closed.")
    }
}

fn main() {}
