use agent_runtime::prelude::*;

/// Banking assistant.
struct Bank;

#[agent]
impl Bank {
    /// Say hello.
    #[tool]
    fn hello(&self) -> ToolResult {
        ToolResult::new("Hello.")
    }
}

fn main() {}
