use agent_runtime::prelude::*;

/// Banking assistant.
#[agent]
struct Bank<T> {
    ledger: T,
}

fn main() {}
