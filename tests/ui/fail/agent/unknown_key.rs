use agent_runtime::prelude::*;

/// Banking assistant.
#[agent(name = "bank", path = "/bank")]
struct Bank;

fn main() {}
