use agent_runtime::prelude::*;

/// Opening hours.
#[agent]
struct Shop;

#[agent]
impl Shop {
    /// Today's opening hours.
    #[tool(rate_limit = "5 per minute")]
    async fn hours(&self) -> ToolResult {
        ToolResult::new("9 to 5")
    }

    /// Tomorrow's opening hours.
    #[tool(rate_limit = "0/min")]
    async fn tomorrow(&self) -> ToolResult {
        ToolResult::new("closed")
    }
}

fn main() {}
