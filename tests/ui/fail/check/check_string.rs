use agent_runtime::prelude::*;

/// Desk.
#[agent]
struct Desk;

#[agent]
impl Desk {
    /// Pay.
    #[tool(check = "small_only")]
    fn pay(&self, amount: f64) -> ToolResult {
        ToolResult::new(format!("{amount}"))
    }
}

fn main() {}
