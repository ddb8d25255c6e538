use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    /// Move money.
    #[tool]
    async fn transfer(&self, (from, to): (String, String)) -> ToolResult {
        ToolResult::new(format!("{from} {to}"))
    }
}

fn main() {}
