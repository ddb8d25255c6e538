use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank;

#[agent]
impl Default for Bank {
    fn default() -> Self {
        Bank
    }
}

fn main() {}
