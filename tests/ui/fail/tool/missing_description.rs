use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    #[tool]
    fn hello(&self) -> ToolResult {
        ToolResult::new("Hello.")
    }
}

fn main() {}
