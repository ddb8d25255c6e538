use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank {
    greetings: u32,
}

#[agent]
impl Bank {
    /// Say hello.
    #[tool]
    fn hello(&mut self) -> ToolResult {
        self.greetings += 1;
        ToolResult::new("Hello.")
    }
}

fn main() {}
