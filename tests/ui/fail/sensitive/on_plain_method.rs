use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    /// Say hello.
    #[tool]
    fn hello(&self) -> ToolResult {
        ToolResult::new("Hello.")
    }

    fn check_pin(&self, #[sensitive] pin: String) -> bool {
        pin.len() == 4
    }
}

fn main() {}
