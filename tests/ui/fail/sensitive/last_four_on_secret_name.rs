use agent_runtime::prelude::*;

/// Desk.
#[agent]
struct Desk;

#[agent]
impl Desk {
    /// Check a PIN.
    #[tool(secure)]
    fn check_pin(&self, #[sensitive(last_four)] pin: String) -> ToolResult {
        let _ = pin;
        ToolResult::new("ok")
    }
}

fn main() {}
