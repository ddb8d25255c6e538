use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Bank {
    /// Say hello.
    #[tool]
    unsafe fn hello(&self) -> &'static str {
        "Hello."
    }
}

fn main() {}
