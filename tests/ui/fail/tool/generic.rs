use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    /// Say hello.
    #[tool]
    fn hello<T: Into<String>>(&self, name: T) -> ToolResult {
        ToolResult::new(name.into())
    }
}

fn main() {}
