use agent_runtime::prelude::*;

/// Banking assistant.
#[agent(name = "my bank")]
struct Bank;

fn main() {}
