use agent_runtime::prelude::*;

/// Checks PINs.
#[agent]
struct Desk;

#[agent]
impl Desk {
    /// Check the caller's PIN.
    #[tool(secure)]
    async fn check(&self, #[sensitive] #[not_sensitive] pin: String) -> ToolResult {
        let _ = pin;
        ToolResult::new("ok")
    }
}

fn main() {}
