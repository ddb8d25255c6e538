use agent_runtime::prelude::*;

#[tool_args]
fn transfer(amount: u32) -> u32 {
    amount
}

fn main() {}
