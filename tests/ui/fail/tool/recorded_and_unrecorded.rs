use agent_runtime::prelude::*;

/// PIN desk.
#[agent]
struct Desk;

#[agent]
impl Desk {
    /// Check the caller's PIN.
    #[tool(secure, unrecorded, recorded)]
    async fn verify_pin(&self, #[sensitive] pin: Secret<String>) -> ToolResult {
        let _ = pin.expose_secret();
        ToolResult::new("ok")
    }
}

fn main() {}
