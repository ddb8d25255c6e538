use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    /// Say hello.
    #[tool]
    fn hello(name: String) -> ToolResult {
        ToolResult::new(format!("Hello {name}."))
    }
}

fn main() {}
