use agent_runtime::prelude::*;

/// Banking assistant.
#[agent(name = "bank", route = "/bank", name = "other")]
struct Bank;

fn main() {}
