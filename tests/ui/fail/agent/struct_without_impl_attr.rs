use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank;

impl Bank {
    fn hello(&self) -> ToolResult {
        ToolResult::new("Hello.")
    }
}

fn main() {
    let _ = Bank.hello();
    let _ = Bank.builder();
}
