use agent_runtime::prelude::*;

/// Search assistant.
#[agent]
struct Search;

#[agent]
impl Search {
    /// Search the catalogue.
    #[tool]
    async fn search(&self, args: String) -> ToolResult {
        ToolResult::new(args)
    }
}

fn main() {}
