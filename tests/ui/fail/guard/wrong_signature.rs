use agent_runtime::prelude::*;

/// Staff desk.
#[agent]
struct Desk;

fn verified(call: &Call) -> Result<(), String> {
    let _ = call;
    Ok(())
}

#[agent]
impl Desk {
    /// Read the statement.
    #[tool(secure, guard = verified)]
    async fn statement(&self) -> ToolResult {
        ToolResult::new("ok")
    }
}

fn main() {}
