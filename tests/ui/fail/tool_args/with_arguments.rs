use agent_runtime::prelude::*;

/// A transfer.
#[tool_args(strict)]
struct Transfer {
    amount: u32,
}

fn main() {}
