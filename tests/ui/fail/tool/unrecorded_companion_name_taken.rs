use agent_runtime::prelude::*;

/// PIN desk.
#[agent]
struct Desk;

#[agent]
impl Desk {
    /// Get ready to check a PIN.
    #[tool]
    fn prepare_verify_pin(&self) -> ToolResult {
        ToolResult::new("ready")
    }

    /// Check the caller's PIN.
    #[tool(secure, unrecorded)]
    async fn verify_pin(&self, #[sensitive] pin: Secret<String>) -> ToolResult {
        let _ = pin.expose_secret();
        ToolResult::new("ok")
    }
}

fn main() {}
