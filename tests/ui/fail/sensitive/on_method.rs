use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    /// Change the PIN.
    #[tool(secure)]
    #[sensitive]
    async fn change_pin(&self, #[sensitive] pin: String) -> ToolResult {
        ToolResult::new(format!("{} digits", pin.len()))
    }
}

fn main() {}
