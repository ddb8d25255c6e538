use agent_runtime::prelude::*;

/// Staff desk.
#[agent]
struct Desk;

#[agent]
impl Desk {
    /// Read the statement.
    #[tool(secure, guard = Self::is_verified)]
    async fn statement(&self) -> ToolResult {
        ToolResult::new("ok")
    }
}

fn main() {}
