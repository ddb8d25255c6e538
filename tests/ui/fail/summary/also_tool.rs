use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    /// Receive the summary.
    #[tool]
    #[on_summary]
    fn summary(&self, summary: Option<Value>) -> ToolResult {
        let _ = summary;
        ToolResult::new("ok")
    }
}

fn main() {}
