use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank;

#[agent(name = "bank")]
impl Bank {
    /// Say hello.
    #[tool]
    fn hello(&self) -> ToolResult {
        ToolResult::new("Hello.")
    }
}

fn main() {}
