use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    /// Change the PIN.
    #[tool(secure)]
    async fn change_pin(&self, #[sensitive] caller: &Caller, #[sensitive] pin: String) -> ToolResult {
        ToolResult::new(format!("{:?} {}", caller.number(), pin.len()))
    }
}

fn main() {}
