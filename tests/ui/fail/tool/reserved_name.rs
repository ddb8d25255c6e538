use agent_runtime::prelude::*;

/// Takes notes.
#[agent]
struct Notes;

#[agent]
impl Notes {
    /// Stores the end-of-call summary.
    #[tool(name = "post_prompt")]
    fn store(&self, text: String) -> ToolResult {
        ToolResult::new(text)
    }

    /// Runs when the call hangs up.
    #[tool]
    fn hangup_hook(&self) -> ToolResult {
        ToolResult::new("Bye.")
    }
}

fn main() {}
