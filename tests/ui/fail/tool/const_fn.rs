use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    /// Say hello.
    #[tool]
    const fn hello(&self) -> &'static str {
        "Hello."
    }
}

fn main() {}
