use agent_runtime::prelude::*;

/// PIN desk.
#[agent]
struct Desk;

#[agent]
impl Desk {
    /// Read the account summary.
    #[tool(secure, unrecorded)]
    fn account_summary(&self) -> ToolResult {
        ToolResult::new("ok")
    }
}

fn main() {}
