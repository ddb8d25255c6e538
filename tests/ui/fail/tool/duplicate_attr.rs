use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    /// Close an account.
    #[tool]
    #[tool(secure)]
    fn close(&self) -> ToolResult {
        ToolResult::new("Closed.")
    }
}

fn main() {}
