use agent_runtime::prelude::*;

/// Checks PINs.
#[agent]
struct Desk;

#[agent]
impl Desk {
    /// Check the caller's PIN.
    #[tool(secure)]
    async fn check(&self, account: String, newPin: String) -> ToolResult {
        let _ = (account, newPin);
        ToolResult::new("ok")
    }
}

fn main() {}
