use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    /// Look up a balance.
    #[tool(name = "get-balance")]
    fn balance(&self) -> ToolResult {
        ToolResult::new("100 dollars.")
    }
}

fn main() {}
