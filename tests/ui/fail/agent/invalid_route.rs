use agent_runtime::prelude::*;

/// Banking assistant.
#[agent(route = "bank")]
struct Bank;

fn main() {}
