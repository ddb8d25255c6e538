use agent_runtime::prelude::*;

/// A PIN change.
#[tool_args]
struct PinChange {
    #[sensitive]
    old_pin: String,
    #[sensitive]
    new_pin: String,
}

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    /// Change the PIN.
    #[tool(secure)]
    async fn change_pin(&self, #[sensitive] args: PinChange) -> ToolResult {
        ToolResult::new(format!("{} {}", args.old_pin.len(), args.new_pin.len()))
    }
}

fn main() {}
