use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    /// Look up a balance.
    #[tool]
    async fn balance(&self, call: &mut Call) -> ToolResult {
        ToolResult::new(call.id().unwrap_or_default().to_owned())
    }
}

fn main() {}
